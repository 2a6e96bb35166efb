"""Regex -> EBNF text in our dialect (DESIGN.md), a pure-Python front end.

Entry points:

* `regex_to_ebnf(pattern, *, search=False, root_rule_name="root") -> str`: a complete grammar.
  With `search=False` (what `Grammar.from_regex` uses) the grammar derives exactly the strings
  the pattern matches as a whole; with `search=True` (JSON Schema `pattern`) exactly the strings
  that contain a match anywhere, honouring `^` / `$`.
* `regex_to_rules(pattern, rule_name_prefix, *, search=False, options=...) -> RegexRules`: the
  same language as rules to embed in a larger grammar (the JSON Schema and Lark converters).
  The rule named `rule_name_prefix` derives the language; helpers are named
  `rule_name_prefix + "_..."`, so the caller must keep that namespace free.

Pipeline: parser.py (text -> typed tree, errors with line 1 and column offset+1) ->
anchors.py (where `^`/`$` stand) -> emitter.py (tree -> rules). ECMAScript is the default
flavour; `RegexFlavor.PYTHON` reads Python `re` syntax for Lark terminals. Matching is over
Unicode scalar values: no pattern ever matches a surrogate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Tuple

from .anchors import check_anchors
from .emitter import emit_rules
from .parser import RegexFlavor, RegexOptions, parse_regex

__all__ = [
    "RegexFlavor",
    "RegexOptions",
    "RegexRules",
    "parse_regex",
    "regex_to_ebnf",
    "regex_to_rules",
]


@dataclass(frozen=True)
class RegexRules:
    """Rules deriving a regex's language; `rules[0]` is named `root_rule_name`."""

    root_rule_name: str
    rules: Tuple[Tuple[str, str], ...]

    def to_ebnf_text(self) -> str:
        return "".join(f"{name} ::= {body}\n" for name, body in self.rules)


def regex_to_rules(
    pattern: str,
    rule_name_prefix: str,
    *,
    search: bool = False,
    options: RegexOptions | None = None,
) -> RegexRules:
    tree = parse_regex(pattern, options or RegexOptions())
    anchors = check_anchors(tree)
    rules: List[Tuple[str, str]] = emit_rules(tree, anchors, rule_name_prefix, search)
    return RegexRules(rule_name_prefix, tuple(rules))


def regex_to_ebnf(pattern: str, *, search: bool = False, root_rule_name: str = "root") -> str:
    """A complete EBNF grammar for an ECMAScript regex (see the module docstring)."""
    return regex_to_rules(pattern, root_rule_name, search=search).to_ebnf_text()
