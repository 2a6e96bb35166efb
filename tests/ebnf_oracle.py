"""Test-only acceptance oracle for EBNF text: our dialect translated into a `lark` Earley parser.

`EbnfOracle(text, root="root").accepts(s)` says whether the grammar derives the string `s`,
by an implementation that shares nothing with xgrammar: the text is split into `name ::= body`
rules, each body is parsed by a small grammar of the dialect (strings, classes, rule names,
groups, `|`, `* + ? {n} {n,} {n,m}`), and the result becomes a Lark grammar whose terminals
each match one string literal or one code point, parsed with `lexer="dynamic_complete"` so
that no tokenization choice can hide a derivation. It checks that the front ends' output
parses and what it accepts, until the project's reference recognizer replaces it.
"""

from __future__ import annotations

import re

import lark

_BODY_GRAMMAR = r"""
?alternation: sequence ("|" sequence)*
sequence: item*
item: atom QUANTIFIER?
?atom: STRING -> string
     | CLASS -> char_class
     | NAME -> reference
     | "(" alternation ")" -> group
QUANTIFIER: "*" | "+" | "?" | /\{[0-9]+(,[0-9]*)?\}/
STRING: /"(\\.|[^"\\])*"/
CLASS: /\[(\\.|[^\]\\])*\]/
NAME: /[A-Za-z_][A-Za-z0-9_.\-]*/
%ignore /[ \t\r\n]+/
"""
_BODY_PARSER = lark.Lark(_BODY_GRAMMAR, start="alternation", parser="lalr")
_RULE_HEAD = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\-]*)\s*::=", re.MULTILINE)
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}


def _unescape(text: str) -> str:
    def replace(match: re.Match) -> str:
        body = match.group(1)
        if body[0] in "xuU" and len(body) > 1:
            return chr(int(body[1:], 16))
        return _SIMPLE_ESCAPES.get(body, body)

    return _ESCAPE.sub(replace, text)


def _regex_char(char: str) -> str:
    """One code point inside a Lark /regex/ (Lark decodes \\U escapes before `re` sees them)."""
    if char in "\\.^$*+?{}[]|()-/":
        return "\\" + char
    if char.isprintable():
        return char
    return f"\\U{ord(char):08x}"


def _python_class(text: str) -> str:
    """A Python regex class for a dialect class `[...]` (escapes decoded, then re-escaped)."""
    inner = text[1:-1]
    negated = inner.startswith("^")
    if negated:
        inner = inner[1:]
    chars = []
    index = 0
    while index < len(inner):
        match = _ESCAPE.match(inner, index)
        if match:
            chars.append(_unescape(match.group(0)))
            index = match.end()
        elif inner[index] == "-" and chars and index + 1 < len(inner):
            chars.append("-range-")
            index += 1
        else:
            chars.append(inner[index])
            index += 1
    parts = []
    for char in chars:
        parts.append("-" if char == "-range-" else _regex_char(char))
    return "[" + ("^" if negated else "") + "".join(parts) + "]"


class EbnfOracle:
    def __init__(self, text: str, root: str = "root") -> None:
        heads = list(_RULE_HEAD.finditer(text))
        assert heads, "no rules in the grammar text"
        self.names = {}
        lark_rules = []
        for index, head in enumerate(heads):
            end = heads[index + 1].start() if index + 1 < len(heads) else len(text)
            body = text[head.end() : end]
            name = head.group(1)
            assert name not in self.names, f"duplicate rule {name}"
            self.names[name] = f"r{index}"
            tree = _BODY_PARSER.parse(body)
            lark_rules.append((name, tree))
        # Every alternative and every quantified item gets a rule of its own: Lark rejects a
        # rule whose optional parts expand to the same alternative twice.
        self.helper_rules = []
        lines = [f"start: {self.names[root]}"]
        for name, tree in lark_rules:
            lines.append(f"{self.names[name]}: {self._translate(tree)}")
        lines.extend(self.helper_rules)
        self.lark_text = "\n".join(lines)
        self.parser = lark.Lark(
            self.lark_text, start="start", parser="earley", lexer="dynamic_complete"
        )

    def _translate(self, tree) -> str:
        kind = tree.data if isinstance(tree, lark.Tree) else None
        if kind == "sequence":
            items = [self._translate(item) for item in tree.children]
            items = [item for item in items if item]
            return " ".join(items) if items else ""
        if kind == "item":
            atom = self._translate(tree.children[0])
            if len(tree.children) == 1:
                return atom
            quantifier = str(tree.children[1])
            if not atom:
                return ""
            atom = f"({atom})"
            return self._helper(self._quantified(atom, quantifier))
        return self._translate_leaf(tree, kind)

    def _helper(self, body: str) -> str:
        name = f"h{len(self.helper_rules)}"
        self.helper_rules.append(f"{name}: {body or '()'}")
        return name

    @staticmethod
    def _quantified(atom: str, quantifier: str) -> str:
        if quantifier in "*+?":
            return atom + quantifier
        numbers = quantifier[1:-1].split(",")
        low = int(numbers[0])
        if len(numbers) == 1:
            return f"{atom} ~ {low}" if low else ""
        if numbers[1] == "":
            return f"{atom} ~ {low} {atom}*" if low else f"{atom}*"
        high = int(numbers[1])
        if high == 0:
            return ""
        return f"[{atom} ~ {max(low, 1)}..{high}]" if low == 0 else f"{atom} ~ {low}..{high}"

    def _translate_leaf(self, tree, kind) -> str:
        if kind == "string":
            value = _unescape(str(tree.children[0])[1:-1])
            return "" if not value else "/" + "".join(_regex_char(c) for c in value) + "/"
        if kind == "char_class":
            return "/" + _python_class(str(tree.children[0])) + "/"
        if kind == "reference":
            return self.names[str(tree.children[0])]
        if kind == "group":
            return self._translate_choices(tree.children[0])
        return self._translate_choices(tree)

    def _translate_choices(self, tree) -> str:
        if isinstance(tree, lark.Tree) and tree.data == "alternation":
            branches = [self._translate(branch) for branch in tree.children]
            return "(" + " | ".join(self._helper(b) for b in branches) + ")"
        inner = self._translate(tree)
        return f"({inner})" if inner else "()"

    def accepts(self, text: str) -> bool:
        try:
            self.parser.parse(text)
        except lark.exceptions.LarkError:
            return False
        return True
