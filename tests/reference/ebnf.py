r"""The reference EBNF parser and printer: grammar text <-> a small immutable Python AST.

Written only for tests, independently of the C++ parser (cpp/), so that the two cross-check each
other. Entry points: `parse_ebnf(text, root_rule_name="root") -> Grammar` and
`format_grammar(grammar) -> str` (canonical text that parses back to an equal Grammar).

The dialect (DESIGN.md, "The EBNF dialect"), exactly as accepted here:
- `name ::= body` defines a rule; a rule name must be the first token on its line. Names are
  `[A-Za-z_][A-Za-z0-9_.-]*`. A body runs until the next rule definition or the end of input;
  newlines inside a body are ordinary whitespace. `#` starts a comment that runs to end of line.
- `"..."` strings. Escapes: `\n \r \t \\ \" \xHH \uXXXX \UXXXXXXXX`; `\xHH` takes exactly two
  hex digits. Every escape denotes a Unicode code point (`\xff` is U+00FF, i.e. bytes C3 BF), so
  a literal is always the UTF-8 encoding of code points. A raw newline ends nothing: it is an error
  inside a string.
- `[...]` and `[^...]` classes over code points; `a-z` ranges; `-` first or last is literal. Inside
  a class the string escapes work, and so do `\] \[ \- \^ \/` and the regex metacharacters
  (`\. \* \+ \? \( \) \{ \} \| \$`), each meaning the character itself.
  `[]` matches nothing; `[^]` matches any code point.
- Sequence by juxtaposition, `|` for choice, `( )` for grouping (`()` is the empty string), one
  optional quantifier per element: `? * + {n} {n,} {n,m}` (a second quantifier is an error).
- `rule ::= body (= lookahead)`: an optional lookahead assertion closes a rule body.
- Errors: a surrogate code point (U+D800..U+DFFF) or one above U+10FFFF, an empty alternative,
  an undefined or duplicate rule, a missing root rule, a bad range (`z-a`, `{3,2}`) all raise
  `EbnfSyntaxError` with a 1-based line and column.

Limits: grouping may nest at most `MAX_NESTING_DEPTH` levels (the parser recurses per level) and
repetition bounds are at most `MAX_REPETITION_BOUND`.
"""

from __future__ import annotations

import dataclasses
from typing import Union

MAX_NESTING_DEPTH = 100  # group levels; bounds the recursion of the parser and AST walkers
MAX_REPETITION_BOUND = 1_000_000  # largest n or m in {n,m}; the recognizer has its own budget
MAX_CODEPOINT = 0x10FFFF
SURROGATES = (0xD800, 0xDFFF)


class EbnfSyntaxError(ValueError):
    """Bad grammar text; `line` and `column` are 1-based and point at the offending character."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__(f"{line}:{column}: {message}")
        self.message = message
        self.line = line
        self.column = column


# ---------------------------------------------------------------------------------------------
# The AST. Nodes are frozen dataclasses, so equal grammars compare equal and hash alike.


@dataclasses.dataclass(frozen=True)
class Literal:
    """A fixed byte string (UTF-8 of the literal's code points); b"" is the empty string."""

    data: bytes


@dataclasses.dataclass(frozen=True)
class CharClass:
    """One code point in `ranges` (or, when negated, any valid code point not in them).

    `ranges` are inclusive (lo, hi) pairs, sorted, disjoint and non-adjacent (normalised).
    """

    ranges: tuple[tuple[int, int], ...]
    negated: bool = False


@dataclasses.dataclass(frozen=True)
class RuleRef:
    name: str


@dataclasses.dataclass(frozen=True)
class Sequence:
    items: tuple[Node, ...]  # at least two


@dataclasses.dataclass(frozen=True)
class Choice:
    alternatives: tuple[Node, ...]  # at least two


@dataclasses.dataclass(frozen=True)
class Repeat:
    """`item` repeated min_count..max_count times; max_count None means unbounded."""

    item: Node
    min_count: int
    max_count: int | None


Node = Union[Literal, CharClass, RuleRef, Sequence, Choice, Repeat]


@dataclasses.dataclass(frozen=True)
class Rule:
    name: str
    body: Node
    lookahead: Node | None = None


@dataclasses.dataclass(frozen=True)
class Grammar:
    """Rules in definition order; `root` names one of them."""

    rules: tuple[Rule, ...]
    root: str

    def rule(self, name: str) -> Rule:
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(name)

    @property
    def rule_names(self) -> list[str]:
        return [rule.name for rule in self.rules]


def normalize_ranges(ranges) -> tuple[tuple[int, int], ...]:
    """Sorted, merged (overlapping or adjacent) inclusive ranges."""
    merged: list[list[int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple((lo, hi) for lo, hi in merged)


def make_sequence(items) -> Node:
    items = tuple(items)
    if not items:
        return Literal(b"")
    return items[0] if len(items) == 1 else Sequence(items)


def make_choice(alternatives) -> Node:
    alternatives = tuple(alternatives)
    return alternatives[0] if len(alternatives) == 1 else Choice(alternatives)


# ---------------------------------------------------------------------------------------------
# Lexing helpers (the parser reads characters directly: the dialect is small).

_NAME_START = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | set("0123456789.-")
_SIMPLE_ESCAPES = {"n": 0x0A, "r": 0x0D, "t": 0x09, "\\": 0x5C, '"': 0x22}
_CLASS_ONLY_ESCAPES = {c: ord(c) for c in "][-^/.*+?(){}|$"}
_HEX_ESCAPE_WIDTH = {"x": 2, "u": 4, "U": 8}


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.nesting = 0

    # -- position and errors
    def location(self, pos: int | None = None) -> tuple[int, int]:
        pos = self.pos if pos is None else pos
        line = self.text.count("\n", 0, pos) + 1
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return line, column

    def error(self, message: str, pos: int | None = None) -> EbnfSyntaxError:
        return EbnfSyntaxError(message, *self.location(pos))

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def skip_space(self) -> None:
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def at_rule_start(self) -> bool:
        """True when the next token is `name ::=` (the start of the next rule definition)."""
        self.skip_space()
        end = self.pos
        if end >= len(self.text) or self.text[end] not in _NAME_START:
            return False
        while end < len(self.text) and self.text[end] in _NAME_CHARS:
            end += 1
        while end < len(self.text) and self.text[end] in " \t\r\n":
            end += 1
        return self.text.startswith("::=", end)

    def first_on_line(self, pos: int) -> bool:
        line_start = self.text.rfind("\n", 0, pos) + 1
        segment = self.text[line_start:pos]
        return segment.strip(" \t\r") == ""

    # -- tokens
    def read_name(self) -> str:
        start = self.pos
        if self.peek() not in _NAME_START or not self.peek():
            raise self.error("expected a rule name")
        while self.peek() and self.peek() in _NAME_CHARS:
            self.pos += 1
        return self.text[start : self.pos]

    def read_integer(self) -> int:
        self.skip_space()
        start = self.pos
        while self.peek().isdigit() and self.peek().isascii():
            self.pos += 1
        if start == self.pos:
            raise self.error("expected a non-negative integer")
        value = int(self.text[start : self.pos])
        if value > MAX_REPETITION_BOUND:
            raise self.error(f"repetition bound {value} exceeds {MAX_REPETITION_BOUND}", start)
        return value

    def read_escape(self, in_class: bool) -> int:
        """Reads one escape after the backslash at self.pos; returns its code point."""
        start = self.pos
        self.pos += 1
        char = self.peek()
        if char in _HEX_ESCAPE_WIDTH:
            width = _HEX_ESCAPE_WIDTH[char]
            digits = self.text[self.pos + 1 : self.pos + 1 + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise self.error(f"\\{char} needs exactly {width} hex digits", start)
            self.pos += 1 + width
            return self.checked_codepoint(int(digits, 16), start)
        if char in _SIMPLE_ESCAPES:
            self.pos += 1
            return _SIMPLE_ESCAPES[char]
        if in_class and char in _CLASS_ONLY_ESCAPES:
            self.pos += 1
            return _CLASS_ONLY_ESCAPES[char]
        raise self.error(f"unknown escape \\{char}", start)

    def checked_codepoint(self, codepoint: int, pos: int) -> int:
        if SURROGATES[0] <= codepoint <= SURROGATES[1]:
            raise self.error(f"surrogate code point U+{codepoint:04X}", pos)
        if codepoint > MAX_CODEPOINT:
            raise self.error(f"code point U+{codepoint:X} is above U+10FFFF", pos)
        return codepoint

    def read_char(self, in_class: bool) -> int:
        char = self.peek()
        if char == "\\":
            return self.read_escape(in_class)
        if char in ("\n", "\r"):
            raise self.error("newline inside a string or class")
        self.pos += 1
        return self.checked_codepoint(ord(char), self.pos - 1)

    def parse_string(self) -> Literal:
        start = self.pos
        self.pos += 1  # opening quote
        codepoints = []
        while self.peek() != '"':
            if not self.peek():
                raise self.error("unterminated string", start)
            codepoints.append(self.read_char(in_class=False))
        self.pos += 1
        return Literal("".join(map(chr, codepoints)).encode("utf-8"))

    def parse_class(self) -> CharClass:
        start = self.pos
        self.pos += 1  # [
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        ranges = []
        while self.peek() != "]":
            if not self.peek():
                raise self.error("unterminated character class", start)
            lo_pos = self.pos
            lo = self.read_char(in_class=True)
            hi = lo
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                hi = self.read_char(in_class=True)
                if hi < lo:
                    raise self.error("character range lower bound above upper bound", lo_pos)
            ranges.append((lo, hi))
        self.pos += 1
        return CharClass(normalize_ranges(ranges), negated)

    # -- expressions
    def parse_choice(self) -> Node:
        alternatives = [self.parse_sequence()]
        while True:
            self.skip_space()
            if self.peek() != "|":
                return make_choice(alternatives)
            self.pos += 1
            alternatives.append(self.parse_sequence())

    def sequence_ends(self) -> bool:
        self.skip_space()
        char = self.peek()
        return char in ("", "|", ")") or self.at_rule_start()

    def parse_sequence(self) -> Node:
        if self.sequence_ends():
            raise self.error('empty alternative (write "" for the empty string)')
        items = []
        while not self.sequence_ends():
            if self.peek() == "(" and self.peek(1) == "=":
                break  # the rule's lookahead assertion
            items.append(self.parse_quantified())
        if not items:
            raise self.error('empty alternative (write "" for the empty string)')
        return make_sequence(items)

    def parse_quantified(self) -> Node:
        element = self.parse_element()
        self.skip_space()
        char = self.peek()
        if char == "?":
            self.pos += 1
            return Repeat(element, 0, 1)
        if char == "*":
            self.pos += 1
            return Repeat(element, 0, None)
        if char == "+":
            self.pos += 1
            return Repeat(element, 1, None)
        if char == "{":
            brace = self.pos
            self.pos += 1
            low = self.read_integer()
            self.skip_space()
            high: int | None = low
            if self.peek() == ",":
                self.pos += 1
                self.skip_space()
                high = None if self.peek() == "}" else self.read_integer()
                self.skip_space()
            if self.peek() != "}":
                raise self.error("expected } to close the repetition")
            self.pos += 1
            if high is not None and high < low:
                raise self.error("repetition upper bound below lower bound", brace)
            return Repeat(element, low, high)
        return element

    def parse_element(self) -> Node:
        self.skip_space()
        char = self.peek()
        if char == '"':
            return self.parse_string()
        if char == "[":
            return self.parse_class()
        if char == "(":
            if self.peek(1) == "=":
                raise self.error("a lookahead assertion may only close a rule body")
            open_pos = self.pos
            self.pos += 1
            self.nesting += 1
            if self.nesting > MAX_NESTING_DEPTH:
                raise self.error(f"groups nest deeper than {MAX_NESTING_DEPTH}", open_pos)
            self.skip_space()
            if self.peek() == ")":
                node: Node = Literal(b"")
            else:
                node = self.parse_choice()
            self.skip_space()
            if self.peek() != ")":
                raise self.error("expected ) to close the group opened here", open_pos)
            self.pos += 1
            self.nesting -= 1
            return node
        if char and char in _NAME_START:
            name_pos = self.pos
            name = self.read_name()
            self.referenced.append((name, name_pos))
            return RuleRef(name)
        if not char:
            raise self.error("unexpected end of grammar")
        raise self.error(f"unexpected character {char!r}")

    # -- rules
    def parse_grammar(self, root_rule_name: str) -> Grammar:
        self.referenced: list[tuple[str, int]] = []
        rules: list[Rule] = []
        defined: dict[str, int] = {}
        self.skip_space()
        while self.pos < len(self.text):
            name_pos = self.pos
            if not self.at_rule_start():
                raise self.error("expected a rule definition `name ::= ...`")
            if not self.first_on_line(name_pos):
                raise self.error("a rule name must start its line", name_pos)
            name = self.read_name()
            if name in defined:
                raise self.error(f"rule {name!r} is defined twice", name_pos)
            defined[name] = name_pos
            self.skip_space()
            self.pos += 3  # ::=
            body = self.parse_choice()
            lookahead = None
            self.skip_space()
            if self.peek() == "(" and self.peek(1) == "=":
                open_pos = self.pos
                self.pos += 2
                lookahead = self.parse_choice()
                self.skip_space()
                if self.peek() != ")":
                    raise self.error("expected ) to close the lookahead opened here", open_pos)
                self.pos += 1
                if not self.at_rule_start() and self.pos < len(self.text):
                    raise self.error("a lookahead assertion must end its rule")
            rules.append(Rule(name, body, lookahead))
            self.skip_space()
        for name, pos in self.referenced:
            if name not in defined:
                raise self.error(f"rule {name!r} is not defined", pos)
        if root_rule_name not in defined:
            raise EbnfSyntaxError(f"the root rule {root_rule_name!r} is not defined", 1, 1)
        return Grammar(tuple(rules), root_rule_name)


def parse_ebnf(text: str, root_rule_name: str = "root") -> Grammar:
    """Parses EBNF text into a Grammar; raises EbnfSyntaxError on any error."""
    return _Parser(text).parse_grammar(root_rule_name)


# ---------------------------------------------------------------------------------------------
# Printing. The output is canonical: format_grammar(parse_ebnf(format_grammar(g))) is stable and
# parse_ebnf(format_grammar(g)) == g for every normalised g.


def _format_codepoint(codepoint: int, in_class: bool) -> str:
    named = {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x5C: "\\\\"}
    if codepoint in named:
        return named[codepoint]
    if not in_class and codepoint == 0x22:
        return '\\"'
    if in_class and chr(codepoint) in "]-^[":
        return f"\\x{codepoint:02x}"
    if codepoint < 0x20 or codepoint == 0x7F:
        return f"\\x{codepoint:02x}"
    if codepoint < 0x7F or (codepoint > 0xA0 and chr(codepoint).isprintable()):
        return chr(codepoint)
    if codepoint <= 0xFFFF:
        return f"\\u{codepoint:04x}"
    return f"\\U{codepoint:08x}"


def format_node(node: Node) -> str:
    """One expression as EBNF text (recursion bounded by the AST depth, which the parser limits)."""
    if isinstance(node, Literal):
        text = node.data.decode("utf-8")
        return '"' + "".join(_format_codepoint(ord(c), False) for c in text) + '"'
    if isinstance(node, CharClass):
        parts = []
        for lo, hi in node.ranges:
            parts.append(_format_codepoint(lo, True))
            if hi != lo:
                parts.append("-" + _format_codepoint(hi, True))
        return "[" + ("^" if node.negated else "") + "".join(parts) + "]"
    if isinstance(node, RuleRef):
        return node.name
    if isinstance(node, Sequence):
        # Nested sequences and choices keep their parentheses, so the AST round-trips exactly.
        return " ".join(
            f"({format_node(item)})" if isinstance(item, (Sequence, Choice)) else format_node(item)
            for item in node.items
        )
    if isinstance(node, Choice):
        return " | ".join(
            f"({format_node(alt)})" if isinstance(alt, Choice) else format_node(alt)
            for alt in node.alternatives
        )
    if isinstance(node, Repeat):
        inner = format_node(node.item)
        if isinstance(node.item, (Sequence, Choice, Repeat)):
            inner = f"({inner})"
        low, high = node.min_count, node.max_count
        suffix = {(0, 1): "?", (0, None): "*", (1, None): "+"}.get((low, high))
        if suffix is None:
            suffix = f"{{{low}}}" if low == high else f"{{{low},{'' if high is None else high}}}"
        return inner + suffix
    raise TypeError(f"not an AST node: {node!r}")


def format_grammar(grammar: Grammar) -> str:
    lines = []
    for rule in grammar.rules:
        line = f"{rule.name} ::= {format_node(rule.body)}"
        if rule.lookahead is not None:
            line += f" (= {format_node(rule.lookahead)})"
        lines.append(line)
    return "\n".join(lines) + "\n"
