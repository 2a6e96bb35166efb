"""JSON Schema `pattern` (ECMAScript regex) -> a regular expression over code points.

JSON Schema patterns are *unanchored*: a string is valid when the pattern matches somewhere in
it (search semantics). `pattern_language` therefore returns the language `.* R .*`, leaving out
the leading `.*` of a top-level branch that starts with `^` and the trailing one of a branch
that ends with `$`. Anchors anywhere else, lookaround, backreferences and word boundaries are
not regular in this framework and raise `UnsupportedFeatureError`.

This parser exists because the converter needs the pattern as an *automaton* (to intersect it
with `format`, `minLength`/`maxLength` and property-name constraints, and to render each
character in JSON string escapes); the regex front end (`xgrammar/regex/`) emits grammar text.

Entry point: `pattern_language(pattern) -> expression` (see `regular.py`).
Budgets: group nesting is capped at `MAX_PATTERN_NESTING`; counted repetition at
`MAX_PATTERN_REPEAT`.
"""

from __future__ import annotations

from typing import List, Tuple

from ..exceptions import InvalidJSONSchemaError, UnsupportedFeatureError
from .regular import (
    ANY_CODE_POINT,
    EPSILON,
    Alt,
    Chars,
    Concat,
    Ranges,
    Repeat,
    complement_ranges,
    normalize_ranges,
    union_ranges,
)

MAX_PATTERN_NESTING = 100
MAX_PATTERN_REPEAT = 1000

DIGITS: Ranges = ((0x30, 0x39),)
WORD: Ranges = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
# ECMAScript WhiteSpace and LineTerminator code points.
SPACES: Ranges = normalize_ranges(
    [(0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A)]
    + [(0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF)]
)
LINE_TERMINATORS: Ranges = ((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029))
DOT: Ranges = complement_ranges(LINE_TERMINATORS)

_CLASS_ESCAPES = {
    "d": DIGITS,
    "D": complement_ranges(DIGITS),
    "w": WORD,
    "W": complement_ranges(WORD),
    "s": SPACES,
    "S": complement_ranges(SPACES),
}
_CONTROL_ESCAPES = {"n": 0x0A, "r": 0x0D, "t": 0x09, "f": 0x0C, "v": 0x0B, "0": 0x00}


class _Anchor:
    """A `^` or `$` seen while parsing; only legal at the ends of a top-level branch."""

    def __init__(self, kind: str) -> None:
        self.kind = kind


class _PatternParser:
    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.position = 0

    def error(self, message: str, unsupported: bool = False) -> Exception:
        text = f"pattern {self.pattern!r} at offset {self.position}: {message}"
        return (UnsupportedFeatureError if unsupported else InvalidJSONSchemaError)(text)

    def peek(self, offset: int = 0) -> str:
        index = self.position + offset
        return self.pattern[index] if index < len(self.pattern) else ""

    def take(self) -> str:
        char = self.peek()
        if not char:
            raise self.error("unexpected end of pattern")
        self.position += 1
        return char

    def parse_alternation(self, depth: int) -> List[list]:
        """Branches, each a list of items (expressions or `_Anchor`s)."""
        if depth > MAX_PATTERN_NESTING:
            raise self.error(f"groups nest deeper than {MAX_PATTERN_NESTING}")
        branches = [self.parse_branch(depth)]
        while self.peek() == "|":
            self.position += 1
            branches.append(self.parse_branch(depth))
        return branches

    def parse_branch(self, depth: int) -> list:
        items: list = []
        while self.peek() and self.peek() not in "|)":
            atom = self.parse_atom(depth)
            if isinstance(atom, _Anchor):
                items.append(atom)
                continue
            items.append(self.parse_quantifier(atom))
        return items

    def parse_quantifier(self, atom):
        char = self.peek()
        if char in ("*", "+", "?"):
            self.position += 1
            low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
        elif char == "{" and self._counted_repetition_ahead():
            self.position += 1
            low, high = self.parse_counts()
        else:
            return atom
        if self.peek() == "?":  # lazy quantifiers match the same language
            self.position += 1
        if self.peek() in ("*", "+", "?") or (
            self.peek() == "{" and self._counted_repetition_ahead()
        ):
            raise self.error("nothing to repeat")
        return Repeat(atom, low, high)

    def _counted_repetition_ahead(self) -> bool:
        rest = self.pattern[self.position + 1 :]
        close = rest.find("}")
        if close <= 0:
            return False
        body = rest[:close]
        low, _, high = body.partition(",")
        return low.isdigit() and (high == "" or high.isdigit())

    def parse_counts(self) -> Tuple[int, object]:
        close = self.pattern.index("}", self.position)
        body = self.pattern[self.position : close]
        self.position = close + 1
        low_text, comma, high_text = body.partition(",")
        low = int(low_text)
        high = int(high_text) if high_text else (None if comma else low)
        if high is not None and high < low:
            raise self.error("numbers out of order in {} quantifier")
        if low > MAX_PATTERN_REPEAT or (high or 0) > MAX_PATTERN_REPEAT:
            raise self.error(f"counted repetition above {MAX_PATTERN_REPEAT}", unsupported=True)
        return low, high

    def parse_atom(self, depth: int):
        char = self.take()
        if char == "^" or char == "$":
            return _Anchor(char)
        if char == ".":
            return Chars(DOT)
        if char == "[":
            return Chars(self.parse_class())
        if char == "(":
            return self.parse_group(depth)
        if char == "\\":
            return self.parse_escape(in_class=False)
        if char in "*+?":
            raise self.error("nothing to repeat")
        if char in ")":
            raise self.error("unmatched ')'")
        return Chars(((ord(char), ord(char)),))

    def parse_group(self, depth: int):
        if self.peek() == "?":
            marker = self.pattern[self.position : self.position + 3]
            if marker.startswith("?:"):
                self.position += 2
            elif marker.startswith("?<") and marker not in ("?<=", "?<!"):
                close = self.pattern.find(">", self.position)
                if close < 0:
                    raise self.error("unterminated group name")
                self.position = close + 1
            else:
                raise self.error("lookaround assertions are not supported", unsupported=True)
        branches = self.parse_alternation(depth + 1)
        if self.peek() != ")":
            raise self.error("missing ')'")
        self.position += 1
        options = []
        for branch in branches:
            if any(isinstance(item, _Anchor) for item in branch):
                raise self.error("anchors inside groups are not supported", unsupported=True)
            options.append(Concat(tuple(branch)))
        return options[0] if len(options) == 1 else Alt(tuple(options))

    def parse_escape(self, in_class: bool):
        char = self.take()
        if char in _CLASS_ESCAPES:
            return Chars(_CLASS_ESCAPES[char])
        if char in _CONTROL_ESCAPES and not (char == "0" and self.peek().isdigit()):
            code = _CONTROL_ESCAPES[char]
        elif char == "x":
            code = self.parse_hex(2)
        elif char == "u":
            if self.peek() == "{":
                close = self.pattern.find("}", self.position)
                if close < 0:
                    raise self.error("unterminated \\u{...}")
                text = self.pattern[self.position + 1 : close]
                self.position = close + 1
                try:
                    code = int(text, 16)
                except ValueError:
                    raise self.error("bad \\u{...} escape") from None
            else:
                code = self.parse_hex(4)
                if 0xD800 <= code <= 0xDBFF and self.pattern.startswith("\\u", self.position):
                    saved = self.position
                    self.position += 2
                    low = self.parse_hex(4)
                    if 0xDC00 <= low <= 0xDFFF:
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    else:
                        self.position = saved
        elif char == "c":
            letter = self.take()
            if not letter.isalpha():
                raise self.error("bad \\c escape")
            code = ord(letter) % 32
        elif char == "b" and in_class:
            code = 0x08
        elif char in "bB":
            raise self.error("word boundaries are not supported", unsupported=True)
        elif char.isdigit() or char == "k":
            raise self.error("backreferences are not supported", unsupported=True)
        elif char in "pP":
            raise self.error("Unicode property escapes are not supported", unsupported=True)
        else:
            code = ord(char)  # an escaped syntax character, or an identity escape
        if 0xD800 <= code <= 0xDFFF:
            raise self.error("lone surrogates are not characters", unsupported=True)
        return Chars(((code, code),))

    def parse_hex(self, digits: int) -> int:
        text = self.pattern[self.position : self.position + digits]
        if len(text) != digits or any(c not in "0123456789abcdefABCDEF" for c in text):
            raise self.error("bad hexadecimal escape")
        self.position += digits
        return int(text, 16)

    def parse_class(self) -> Ranges:
        negated = self.peek() == "^"
        if negated:
            self.position += 1
        pieces: list = []
        first = True
        while True:
            char = self.take()
            if char == "]" and not first:
                break
            if char == "]" and first:
                # In ECMAScript `[]` is the empty class and `[^]` is any character.
                break
            first = False
            low = self.class_atom(char)
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.position += 1
                high = self.class_atom(self.take())
                if (
                    len(low) != 1
                    or len(high) != 1
                    or low[0][0] != low[0][1]
                    or (high[0][0] != high[0][1])
                ):
                    raise self.error("a class escape cannot bound a range")
                if high[0][0] < low[0][0]:
                    raise self.error("range out of order in character class")
                pieces.append(((low[0][0], high[0][0]),))
            else:
                pieces.append(low)
        ranges = union_ranges(*pieces) if pieces else ()
        return complement_ranges(ranges) if negated else ranges

    def class_atom(self, char: str) -> Ranges:
        if char == "\\":
            return self.parse_escape(in_class=True).ranges
        return ((ord(char), ord(char)),)


def pattern_language(pattern: str):
    """The strings in which `pattern` finds a match, as a regular expression."""
    parser = _PatternParser(pattern)
    branches = parser.parse_alternation(0)
    if parser.position != len(pattern):
        raise parser.error("unmatched ')'")
    anything = Repeat(Chars(ANY_CODE_POINT), 0, None)
    options = []
    for branch in branches:
        anchored_start = bool(branch) and isinstance(branch[0], _Anchor) and branch[0].kind == "^"
        if anchored_start:
            branch = branch[1:]
        anchored_end = bool(branch) and isinstance(branch[-1], _Anchor) and branch[-1].kind == "$"
        if anchored_end:
            branch = branch[:-1]
        if any(isinstance(item, _Anchor) for item in branch):
            raise parser.error("anchors inside a branch are not supported", unsupported=True)
        body = Concat(
            ((EPSILON if anchored_start else anything),)
            + tuple(branch)
            + ((EPSILON if anchored_end else anything),)
        )
        options.append(body)
    return options[0] if len(options) == 1 else Alt(tuple(options))
