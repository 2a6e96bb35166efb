"""Renaming the rules of an EBNF text so that it can sit inside another grammar.

Entry point: `prefix_rule_names(text, prefix) -> str`. Every rule name (in heads and bodies,
lookaheads included) gets `prefix` in front; strings, character classes and comments are
skipped by a small lexer that knows the dialect's quoting (DESIGN.md), so nothing inside a
literal is touched. Names follow the dialect: `[a-zA-Z_][a-zA-Z0-9_.-]*`.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"""
    (?P<string>"(?:\\.|[^"\\])*")
  | (?P<char_class>\[(?:\\.|[^\]\\])*\])
  | (?P<comment>\#[^\n]*)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def prefix_rule_names(text: str, prefix: str) -> str:
    pieces = []
    for match in _TOKEN.finditer(text):
        if match.lastgroup == "name":
            pieces.append(prefix + match.group(0))
        else:
            pieces.append(match.group(0))
    return "".join(pieces)
