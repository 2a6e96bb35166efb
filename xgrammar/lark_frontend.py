"""Lark grammar text -> EBNF text in our dialect (DESIGN.md), a pure-Python front end.

Entry point: `lark_to_ebnf(text, *, start="start", root_rule_name="root") -> str`.

The `lark` package reads the grammar itself (`lark.load_grammar`), so its syntax is exactly
Lark's: `?rule` and `_rule` inlining, `[...]`, `~ n..m`, templates, `%import common.X` (from
Lark's bundled grammars), `%ignore`, priorities. `Grammar.compile` hands back plain BNF rules
over named symbols plus one regex (or string) per terminal; we print each rule as one EBNF
rule and each terminal through the regex front end in its Python (`re`) flavour, honouring the
`i` and `s` flags and `"..."i` strings.

The language is the one Lark's Earley parser with `lexer="dynamic_complete"` accepts: the
grammar read as a context-free grammar whose terminals are regular languages. (A standard or
contextual lexer tokenizes greedily and may reject strings that the grammar derives; inlining,
tree shaping and priorities never change the language.) `%ignore` is woven in exactly: after
every terminal occurrence, and once before the start symbol, comes `Ignored ::= (I1 | I2 ...)*`,
so any run of ignored tokens may stand between two tokens, before the first and after the
last, and nowhere else. Lark's lexer matches an ignored terminal *greedily* (its first match,
whatever follows), so each one but the last of the document carries a lookahead: what follows
must not continue it (`#[^\n]*` is followed by a newline, `WS` by a non-space), else
`# a \n b` could end the comment early and parse `b`. That is exact for the forms `%ignore`
takes in practice: a language in which no match extends another (a string, C_COMMENT's
first-match form), or fixed characters then one unbounded repetition of a unit in which no
match extends another (`WS`, `WS_INLINE`, `NEWLINE`, `SH_COMMENT`, `CPP_COMMENT`); any other
ignored terminal raises `UnsupportedFeatureError` rather than being matched lazily. (The last
ignored token of the document takes no lookahead, so a run ending in the middle of a unit,
`NEWLINE` followed by a lone `\r` at the very end, is rejected: a narrowing.)

One caveat: Lark's lexer takes a regex terminal's *first* match (Python's leftmost-first
backtracking), so a lazy quantifier can shorten tokens: common.lark's ESCAPED_STRING,
`".*?(?<!\\)(\\\\)*?"`, only ever matches up to the first unescaped quote. We keep the
regex language for terminals in general, and replace that (by far the most used) pattern with
its first-match equivalent, `_FIRST_MATCH_EQUIVALENTS`, checked against Lark in the tests; any
other terminal with a lazy quantifier raises `UnsupportedFeatureError`.

Errors: text Lark cannot read -> `GrammarSyntaxError` (with Lark's line and column when it
gives them); a rule or terminal Lark rejects -> `InvalidGrammarError`; an `%import` of anything
but Lark's bundled grammars (`common`, `lark`, `python`, `unicode`: never a file of the caller's
file system, relative imports included), `%declare`d terminals,
regex flags other than `i`/`s`, and regex features the regex front end rejects ->
`UnsupportedFeatureError`.
"""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

from .exceptions import GrammarSyntaxError, InvalidGrammarError, UnsupportedFeatureError
from .regex import RegexFlavor, RegexOptions, parse_regex, regex_to_rules
from .regex import ast as regex_ast
from .regex.charset import CodePointSet
from .regex.ebnf_text import char_class, string_literal

# Mixed-case names: Lark rules are lower case and its terminals upper case, so these two can
# never collide with a name taken from the grammar.
IGNORED_RULE_NAME = "Ignored"
_GENERATED_RULE_PREFIX = "Rule_"
_LARK_LOCATION = re.compile(r"at line (\d+) column (\d+)")
_PLAIN_RULE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_PLAIN_TERMINAL_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


# Terminal regexes whose language differs from the tokens Lark's lexer can produce, mapped to
# a regex for exactly those tokens.
_FIRST_MATCH_EQUIVALENTS = {
    # common.lark ESCAPED_STRING: up to the first quote preceded by an even run of backslashes.
    r'".*?(?<!\\)(\\\\)*?"': r'"(?:[^"\\\n]|\\[^\n])*"',
    # common.lark C_COMMENT: up to the first `*/` after the opening `/*`.
    "/\\*(.|\n)*?\\*/": r"/\*(?:[^*]|\*+[^*/])*\*+/",  # "\n": a newline in the pattern
}


# `%import` statements; only Lark's bundled grammars may be named (`common`, ...), so that a
# grammar never makes Lark read a file of the caller's file system.
_IMPORT_STATEMENT = re.compile(r"^[ \t]*%import[ \t]+([^\s(]*)", re.MULTILINE)
_BUNDLED_GRAMMARS = ("common", "lark", "python", "unicode")


def _check_imports(text: str) -> None:
    for match in _IMPORT_STATEMENT.finditer(text):
        module = match.group(1).split(".")[0]
        if module not in _BUNDLED_GRAMMARS:
            line = text.count("\n", 0, match.start()) + 1
            raise UnsupportedFeatureError(
                f"line {line}: %import {match.group(1)}: only the grammars bundled with lark"
                f" ({', '.join(_BUNDLED_GRAMMARS)}) can be imported"
            )


def _load(text: str, start: str):
    """(terminals, rules, ignored terminal names) from Lark, with Lark errors translated."""
    try:
        import lark
        from lark import load_grammar
    except ImportError as error:  # pragma: no cover - lark is a declared dependency
        raise UnsupportedFeatureError("Lark grammars need the `lark` package") from error
    _check_imports(text)
    try:
        grammar, _ = load_grammar.load_grammar(text, "<grammar>", [], False)
        return grammar.compile([start], set())
    except lark.exceptions.UnexpectedInput as error:
        line, column = getattr(error, "line", 0) or 0, getattr(error, "column", 0) or 0
        message = f"invalid Lark grammar: {str(error).strip().splitlines()[0]}"
        raise GrammarSyntaxError(
            f"{line}:{column}: {message}", message=message, line=line, column=column
        ) from None
    except lark.exceptions.GrammarError as error:
        # Lark reports its own syntax errors as GrammarError "..., at line L column C".
        first_line = str(error).strip().splitlines()[0]
        where = _LARK_LOCATION.search(first_line)
        if where:
            line, column = int(where.group(1)), int(where.group(2))
            message = f"invalid Lark grammar: {first_line}"
            raise GrammarSyntaxError(
                f"{line}:{column}: {message}", message=message, line=line, column=column
            ) from None
        raise InvalidGrammarError(f"invalid Lark grammar: {first_line}") from None
    except lark.exceptions.LarkError as error:
        raise InvalidGrammarError(f"invalid Lark grammar: {error}") from None
    except Exception as error:  # noqa: BLE001 - Lark's own failures on text it cannot read
        # Lark reports some bad input with other exceptions: a missing import by failing to open
        # it (kept out by _check_imports), and some syntax errors with a TypeError from its
        # error-message matcher (lark 1.2, found by fuzzing).
        raise InvalidGrammarError(
            f"invalid Lark grammar (lark raised {type(error).__name__}: {error})"
        ) from None


def _regex_options(flags, terminal_name: str) -> RegexOptions:
    unknown = set(flags) - {"i", "s"}
    if unknown:
        raise UnsupportedFeatureError(
            f"terminal {terminal_name}: regex flags {''.join(sorted(unknown))} are not supported"
        )
    return RegexOptions(RegexFlavor.PYTHON, ignore_case="i" in flags, dot_all="s" in flags)


def _terminal_regex(terminal) -> str:
    pattern = terminal.pattern
    kind = type(pattern).__name__
    if kind == "PatternStr":
        return re.escape(pattern.value)
    if kind != "PatternRE":
        raise UnsupportedFeatureError(f"terminal {terminal.name} has no pattern (%declare?)")
    return _FIRST_MATCH_EQUIVALENTS.get(pattern.value, pattern.value)


def _terminal_error(terminal, regex: str, error: GrammarSyntaxError | UnsupportedFeatureError):
    message = f"terminal {terminal.name}: {error.message} (in /{regex}/)"
    return type(error)(message, message=message)


def _terminal_tree(terminal):
    """(regex, syntax tree) of a terminal; one with a lazy quantifier is refused: Lark's lexer
    takes its first (shortest) match, which the regex's language would widen."""
    regex = _terminal_regex(terminal)
    try:
        tree = parse_regex(regex, _regex_options(terminal.pattern.flags, terminal.name))
    except (GrammarSyntaxError, UnsupportedFeatureError) as error:
        raise _terminal_error(terminal, regex, error) from None
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, regex_ast.Repeat) and node.lazy:
            raise UnsupportedFeatureError(
                f"terminal {terminal.name}: /{regex}/ has a lazy quantifier; Lark's lexer takes"
                " its first (shortest) match, which the regex's language would widen"
            )
        stack.extend(regex_ast.children(node))
    return regex, tree


def _terminal_rules(terminal, ebnf_name: str) -> List[Tuple[str, str]]:
    pattern = terminal.pattern
    if type(pattern).__name__ == "PatternStr" and not pattern.flags:
        return [(ebnf_name, string_literal(pattern.value))]
    regex, _ = _terminal_tree(terminal)
    try:
        rules = regex_to_rules(
            regex, ebnf_name, options=_regex_options(pattern.flags, terminal.name)
        )
    except (GrammarSyntaxError, UnsupportedFeatureError) as error:
        raise _terminal_error(terminal, regex, error) from None
    return list(rules.rules)


def _automaton(regex: str, node):
    """The DFA (live states only) of a regex tree without anchors, or None if it has some."""
    from .json_schema.patterns import tree_expression
    from .json_schema.regular import Automaton

    try:
        expression = tree_expression(regex, node)
    except UnsupportedFeatureError:
        return None
    return Automaton.from_expression(expression).determinized().trimmed()


def _extends(automaton) -> bool:
    """Whether some match of the automaton is a proper prefix of another."""
    return any(automaton.edges[state] for state in automaton.accepting)


def _greedy_lookahead(terminal) -> str | None:
    """The lookahead after an ignored terminal that makes it end where Lark's lexer ends it
    (the module docstring says which forms are exact); None when no match extends another."""
    regex, tree = _terminal_tree(terminal)
    unsupported = UnsupportedFeatureError(
        f"%ignore {terminal.name}: Lark matches ignored terminals greedily, and /{regex}/ is"
        " not of a form whose greedy match a grammar can express exactly (a language in which"
        " no match extends another, or fixed characters then one unbounded repetition of such"
        " a unit)"
    )
    whole = _automaton(regex, tree)
    if whole is None:
        raise unsupported
    if not _extends(whole):
        return None
    items = list(tree.items) if isinstance(tree, regex_ast.Sequence) else [tree]
    last = items[-1] if items else None
    while isinstance(last, regex_ast.Sequence) and len(last.items) == 1:
        last = last.items[0]
    if (
        not isinstance(last, regex_ast.Repeat)
        or last.max_count is not None
        or not all(isinstance(item, regex_ast.CharSet) for item in items[:-1])
    ):
        raise unsupported
    unit = _automaton(regex, last.item)
    if unit is None or _extends(unit) or unit.is_empty() or 0 in unit.accepting:
        raise unsupported
    # What follows must not start with a unit: it leaves the unit's automaton before a match.
    # The unit is finite (a cycle would let a walk below run forever), checked as we go.
    alternatives: List[str] = []
    stack = [(0, ())]
    while stack:
        state, prefix = stack.pop()
        if len(prefix) > len(unit.edges):
            raise unsupported  # a cycle: the unit is not finite
        covered = CodePointSet(r for ranges, _ in unit.edges[state] for r in ranges)
        outside = covered.complement()
        if not outside.is_empty():
            alternatives.append(" ".join(prefix + (char_class(outside),)))
        for ranges, target in unit.edges[state]:
            if target not in unit.accepting:
                stack.append((target, prefix + (char_class(CodePointSet(ranges)),)))
    return " | ".join(alternatives) if alternatives else None


class _Names:
    """Lark symbol names -> EBNF rule names, kept readable where Lark's name is plain."""

    def __init__(self, root_rule_name: str) -> None:
        self.root_rule_name = root_rule_name
        self.mapping: Dict[str, str] = {}
        self.taken = {root_rule_name, IGNORED_RULE_NAME}

    def get(self, lark_name: str, is_terminal: bool) -> str:
        if lark_name in self.mapping:
            return self.mapping[lark_name]
        plain = _PLAIN_TERMINAL_NAME if is_terminal else _PLAIN_RULE_NAME
        name = lark_name
        if not plain.match(name) or name in self.taken or name.startswith(self.root_rule_name):
            name = f"{_GENERATED_RULE_PREFIX}{len(self.mapping)}"
        self.mapping[lark_name] = name
        self.taken.add(name)
        return name


def lark_to_ebnf(text: str, *, start: str = "start", root_rule_name: str = "root") -> str:
    """EBNF text deriving exactly the strings the Lark grammar `text` derives from `start`."""
    terminals, rules, ignored = _load(text, start)
    defined = {terminal.name for terminal in terminals}
    for rule in rules:
        for symbol in rule.expansion:
            if symbol.is_term and symbol.name not in defined:
                raise UnsupportedFeatureError(
                    f"terminal {symbol.name} has no pattern (%declare is not supported)"
                )
    names = _Names(root_rule_name)
    ignore_suffix = f" {IGNORED_RULE_NAME}" if ignored else ""

    alternatives: Dict[str, List[str]] = {}
    order: List[str] = []
    for rule in rules:
        head = names.get(rule.origin.name, is_terminal=False)
        if head not in alternatives:
            alternatives[head] = []
            order.append(head)
        symbols = []
        for symbol in rule.expansion:
            symbols.append(names.get(symbol.name, symbol.is_term))
            if symbol.is_term:
                symbols[-1] += ignore_suffix
        alternatives[head].append(" ".join(symbols) if symbols else '""')

    start_name = names.get(start, is_terminal=False)
    by_name = {terminal.name: terminal for terminal in terminals}
    greedy_rules, plain, greedy = [], [], []
    for index, name in enumerate(ignored):
        plain.append(names.get(name, is_terminal=True))
        lookahead = _greedy_lookahead(by_name[name])
        if lookahead is None:
            greedy.append(plain[-1])
        else:
            greedy.append(f"{IGNORED_RULE_NAME}{index}")
            greedy_rules.append(f"{greedy[-1]} ::= {plain[-1]} (= {lookahead})")
    root = f"{IGNORED_RULE_NAME} {start_name}" if ignored else start_name
    if greedy_rules:  # the document's last ignored token has nothing after it to look at
        root += f" ({' | '.join(plain)})?"
    lines = [f"{root_rule_name} ::= {root}"]
    lines.extend(f"{head} ::= {' | '.join(alternatives[head])}" for head in order)
    if ignored:
        lines.append(f"{IGNORED_RULE_NAME} ::= ({' | '.join(greedy)})*")
        lines.extend(greedy_rules)
    for terminal in terminals:
        ebnf_name = names.get(terminal.name, is_terminal=True)
        lines.extend(f"{name} ::= {body}" for name, body in _terminal_rules(terminal, ebnf_name))
    return "\n".join(lines) + "\n"
