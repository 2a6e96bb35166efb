"""Regex text -> syntax tree (`ast.Node`), for the ECMAScript and the Python (`re`) flavours.

Entry point: `parse_regex(pattern, options)`. It reads the whole pattern in one left-to-right
pass with an explicit stack of open groups (no recursion, so a hostile pattern cannot exhaust
the Python stack) and raises, always with the 0-based offset turned into line 1, column
offset+1:

* `GrammarSyntaxError` for text that is not a regex of the flavour;
* `UnsupportedFeatureError` for valid constructs whose language is not regular or that we do not
  model: lookaround, backreferences, word boundaries, Unicode property escapes, lone surrogates;
* `LimitExceededError` when groups nest deeper than `options.max_nesting_depth` or a counted
  repetition exceeds `options.max_repetition_bound`.

ECMAScript is read as browsers do (Annex B): a `{` that does not start a valid quantifier and a
lone `]` or `}` are literals. `\\u{...}` and surrogate pairs written as two `\\uXXXX` escapes are
accepted as in Unicode mode.
"""

from __future__ import annotations

import dataclasses
import enum
import unicodedata
from dataclasses import dataclass, field
from typing import List, Tuple

from ..exceptions import GrammarSyntaxError, LimitExceededError, UnsupportedFeatureError
from . import ast
from .charset import (
    ECMASCRIPT_DIGIT,
    ECMASCRIPT_LINE_TERMINATORS,
    ECMASCRIPT_SPACE,
    ECMASCRIPT_WORD,
    SURROGATE_FIRST,
    SURROGATE_LAST,
    CodePointSet,
    python_digit,
    python_space,
    python_word,
    union_all,
)

# When RegexOptions leaves a limit as None, the process-wide one of xgrammar.config applies
# (Limits in cpp/resource_limits.h): `max_nesting_depth` (1,000 by default) bounds how deep
# groups nest and `max_repetition_bound` (100,000) the numbers in `{m,n}`.


class RegexFlavor(enum.Enum):
    ECMASCRIPT = "ecmascript"  # JSON Schema `pattern`, Grammar.from_regex
    PYTHON = "python"  # Lark's regex terminals are compiled with Python's `re`


@dataclass(frozen=True)
class RegexOptions:
    flavor: RegexFlavor = RegexFlavor.ECMASCRIPT
    ignore_case: bool = False
    dot_all: bool = False
    max_nesting_depth: int | None = None
    max_repetition_bound: int | None = None

    def with_process_limits(self) -> RegexOptions:
        """These options with every unset limit read from xgrammar.config."""
        if self.max_nesting_depth is not None and self.max_repetition_bound is not None:
            return self
        from ..config import get_limits

        limits = get_limits()
        return dataclasses.replace(
            self,
            max_nesting_depth=self.max_nesting_depth or limits["max_nesting_depth"],
            max_repetition_bound=self.max_repetition_bound or limits["max_repetition_bound"],
        )


def syntax_error(message: str, offset: int) -> GrammarSyntaxError:
    return GrammarSyntaxError(
        f"1:{offset + 1}: {message}", message=message, line=1, column=offset + 1
    )


def unsupported(message: str, offset: int) -> UnsupportedFeatureError:
    return UnsupportedFeatureError(
        f"1:{offset + 1}: {message}", message=message, line=1, column=offset + 1
    )


@dataclass
class _Alternative:
    items: List[ast.Node] = field(default_factory=list)
    # Whether the last item may take a quantifier (an atom not yet quantified).
    last_quantifiable: bool = False


@dataclass
class _OpenGroup:
    offset: int
    alternatives: List[_Alternative] = field(default_factory=lambda: [_Alternative()])

    @property
    def current(self) -> _Alternative:
        return self.alternatives[-1]

    def build(self) -> ast.Node:
        branches = [_sequence(alt.items, self.offset) for alt in self.alternatives]
        if len(branches) == 1:
            return branches[0]
        return ast.Alternation(tuple(branches), self.offset)


def _sequence(items: List[ast.Node], offset: int) -> ast.Node:
    if len(items) == 1:
        return items[0]
    return ast.Sequence(tuple(items), items[0].offset if items else offset)


_HEX_DIGITS = "0123456789abcdefABCDEF"


class _Parser:
    def __init__(self, pattern: str, options: RegexOptions) -> None:
        self.pattern = pattern
        self.options = options.with_process_limits()
        self.ecmascript = options.flavor is RegexFlavor.ECMASCRIPT
        self.pos = 0

    # ---- small readers ----------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.pattern[index] if index < len(self.pattern) else ""

    def read_hex(self, count: int, escape_offset: int) -> int:
        digits = self.pattern[self.pos : self.pos + count]
        if len(digits) != count or any(d not in _HEX_DIGITS for d in digits):
            raise syntax_error(f"expected {count} hex digits", escape_offset)
        self.pos += count
        return int(digits, 16)

    def read_decimal(self) -> int | None:
        start = self.pos
        while self.peek().isdigit() and self.peek().isascii():
            self.pos += 1
        return int(self.pattern[start : self.pos]) if self.pos > start else None

    # ---- the main loop ----------------------------------------------------------------------

    def parse(self) -> ast.Node:
        stack: List[_OpenGroup] = [_OpenGroup(0)]
        while self.pos < len(self.pattern):
            char = self.pattern[self.pos]
            offset = self.pos
            group = stack[-1]
            if char == "|":
                self.pos += 1
                group.alternatives.append(_Alternative())
            elif char == "(" and self.pattern.startswith("(?<!", offset):
                self.negative_lookbehind_after_star(group)
            elif char == "(":
                self.open_group()
                if len(stack) > self.options.max_nesting_depth:
                    limit = self.options.max_nesting_depth
                    message = f"groups nest deeper than max_nesting_depth={limit}"
                    raise LimitExceededError(
                        f"1:{offset + 1}: {message}", message=message, line=1, column=offset + 1
                    )
                stack.append(_OpenGroup(offset))
            elif char == ")":
                if len(stack) == 1:
                    raise syntax_error("unmatched ')'", offset)
                self.pos += 1
                closed = stack.pop()
                self.add_atom(stack[-1], closed.build())
            elif char in "*+?":
                self.pos += 1
                self.apply_quantifier(
                    group, offset, 0 if char != "+" else 1, 1 if char == "?" else None
                )
            elif char == "{" and self.try_counted_quantifier(group):
                pass
            elif char == "^":
                self.pos += 1
                self.add_anchor(group, ast.AnchorKind.START, offset)
            elif char == "$":
                self.pos += 1
                self.add_anchor(group, ast.AnchorKind.END, offset)
            elif char == ".":
                self.pos += 1
                self.add_atom(group, ast.CharSet(self.dot_set(), offset))
            elif char == "[":
                self.add_atom(group, ast.CharSet(self.parse_class(), offset))
            elif char == "\\":
                self.parse_escape_outside_class(group)
            else:
                self.pos += 1
                self.add_atom(group, ast.CharSet(self.literal_set(ord(char)), offset))
        if len(stack) > 1:
            raise syntax_error("unterminated group: missing ')'", stack[-1].offset)
        return stack[0].build()

    def add_atom(self, group: _OpenGroup, node: ast.Node) -> None:
        group.current.items.append(node)
        group.current.last_quantifiable = True

    def add_anchor(self, group: _OpenGroup, kind: ast.AnchorKind, offset: int) -> None:
        group.current.items.append(ast.Anchor(kind, offset))
        group.current.last_quantifiable = False

    def apply_quantifier(
        self, group: _OpenGroup, offset: int, min_count: int, max_count: int | None
    ) -> None:
        alternative = group.current
        if not alternative.last_quantifiable:
            raise syntax_error("nothing to repeat", offset)
        for bound in (min_count, max_count):
            if bound is not None and bound > self.options.max_repetition_bound:
                message = (
                    f"repetition bound {bound} exceeds "
                    f"max_repetition_bound={self.options.max_repetition_bound}"
                )
                raise LimitExceededError(
                    f"1:{offset + 1}: {message}", message=message, line=1, column=offset + 1
                )
        lazy = self.peek() == "?"  # the same language
        if lazy:
            self.pos += 1
        elif self.peek() == "+" and not self.ecmascript:
            raise unsupported("possessive quantifiers are not supported", self.pos)
        item = alternative.items.pop()
        alternative.items.append(ast.Repeat(item, min_count, max_count, item.offset, lazy))
        alternative.last_quantifiable = False

    def try_counted_quantifier(self, group: _OpenGroup) -> bool:
        """Reads `{m}`, `{m,}`, `{m,n}` (Python also `{,n}`); False leaves `{` as a literal."""
        offset = self.pos
        self.pos += 1
        min_count = self.read_decimal()
        max_count: int | None
        if self.peek() == ",":
            self.pos += 1
            max_count = self.read_decimal()
            if min_count is None and not self.ecmascript:
                min_count = 0
        else:
            max_count = min_count
        if min_count is None or self.peek() != "}":
            self.pos = offset  # Annex B / Python: not a quantifier, so a literal `{`
            self.pos += 1
            self.add_atom(group, ast.CharSet(self.literal_set(ord("{")), offset))
            return True
        self.pos += 1
        if max_count is not None and max_count < min_count:
            raise syntax_error(f"numbers out of order in {{{min_count},{max_count}}}", offset)
        self.apply_quantifier(group, offset, min_count, max_count)
        return True

    # ---- groups -----------------------------------------------------------------------------

    def negative_lookbehind_after_star(self, group: _OpenGroup) -> None:
        """The one lookbehind form we model: `P S* (?<!C)` with one-character P, S and C.

        Lark's ESCAPED_STRING (`".*?(?<!\\)(\\\\)*?"`) is built this way. When P cannot be
        in C, the assertion only says "S* is empty or its last character is not in C", which
        is exactly `(?:S*[S-C])?`. Anything else stays unsupported.
        """
        offset = self.pos
        items = group.current.items
        self.pos += 4
        body_start = self.pos
        if self.peek() == "[":
            forbidden = self.parse_class()
        elif self.peek() == "\\" and self.peek(1) != "":
            chars = self.class_escape_set(self.peek(1))
            if chars is None:
                chars = self.literal_set(self.read_character_escape(in_class=False))
            else:
                self.pos += 2
            forbidden = chars
        else:
            self.pos += 1
            forbidden = self.literal_set(ord(self.pattern[body_start]))
        star = items[-1] if items else None
        before = items[-2] if len(items) >= 2 else None
        if (
            self.peek() != ")"
            or not isinstance(star, ast.Repeat)
            or (star.min_count, star.max_count) != (0, None)
            or not isinstance(star.item, ast.CharSet)
            or not isinstance(before, ast.CharSet)
            or not before.chars.intersection(forbidden).is_empty()
        ):
            raise unsupported("lookaround assertions are not supported", offset)
        self.pos += 1
        last = ast.CharSet(star.item.chars.difference(forbidden), star.offset)
        rewritten = ast.Repeat(ast.Sequence((star, last), star.offset), 0, 1, star.offset)
        items[-1] = rewritten
        group.current.last_quantifiable = False

    def open_group(self) -> None:
        """Consumes `(` and the group's prefix, rejecting non-regular group kinds."""
        offset = self.pos
        self.pos += 1
        if self.peek() != "?":
            return
        rest = self.pattern[self.pos + 1 : self.pos + 4]
        if rest.startswith(":"):
            self.pos += 2
        elif rest.startswith(("=", "!", "<=", "<!")):
            raise unsupported("lookaround assertions are not supported", offset)
        elif self.ecmascript and rest.startswith("<"):
            self.pos += 2
            self.read_group_name(offset, ">")
        elif not self.ecmascript and rest.startswith("P<"):
            self.pos += 3
            self.read_group_name(offset, ">")
        elif not self.ecmascript and rest.startswith("P="):
            raise unsupported("backreferences are not supported", offset)
        elif not self.ecmascript and rest.startswith("#"):
            raise unsupported("(?#...) comments are not supported", offset)
        else:
            raise unsupported("inline flags and other (?...) groups are not supported", offset)

    def read_group_name(self, offset: int, terminator: str) -> None:
        end = self.pattern.find(terminator, self.pos)
        name = self.pattern[self.pos : end] if end >= 0 else ""
        if (
            not name
            or not (name[0].isalpha() or name[0] in "_$")
            or not all(c.isalnum() or c in "_$" for c in name)
        ):
            raise syntax_error("invalid group name", offset)
        self.pos = end + 1

    # ---- character sets -----------------------------------------------------------------------

    def literal_set(self, code_point: int) -> CodePointSet:
        chars = CodePointSet.of(code_point)
        return chars.case_closed() if self.options.ignore_case else chars

    def dot_set(self) -> CodePointSet:
        if self.options.dot_all:
            return CodePointSet.everything()
        excluded = ECMASCRIPT_LINE_TERMINATORS if self.ecmascript else CodePointSet.of(0x0A)
        return excluded.complement()

    def class_escape_set(self, letter: str) -> CodePointSet | None:
        """`\\d \\D \\w \\W \\s \\S` in the flavour's meaning, or None for another letter."""
        lower = letter.lower()
        if lower not in "dws" or len(letter) != 1:
            return None
        if self.ecmascript:
            base = {"d": ECMASCRIPT_DIGIT, "w": ECMASCRIPT_WORD, "s": ECMASCRIPT_SPACE}[lower]
        else:
            base = {"d": python_digit, "w": python_word, "s": python_space}[lower]()
        return base.complement() if letter.isupper() else base

    def parse_escape_outside_class(self, group: _OpenGroup) -> None:
        offset = self.pos
        letter = self.peek(1)
        if letter == "":
            raise syntax_error("pattern ends with a lone backslash", offset)
        if letter in "bB":
            raise unsupported("word boundary assertions (\\b, \\B) are not supported", offset)
        if not self.ecmascript and letter in "AZ":
            self.pos += 2
            kind = ast.AnchorKind.START if letter == "A" else ast.AnchorKind.END
            self.add_anchor(group, kind, offset)
            return
        if letter.isdigit() and letter != "0":
            raise unsupported("backreferences are not supported", offset)
        if self.ecmascript and letter == "k" and self.peek(2) == "<":
            raise unsupported("backreferences are not supported", offset)
        chars = self.class_escape_set(letter)
        if chars is not None:
            self.pos += 2
            self.add_atom(group, ast.CharSet(chars, offset))
            return
        code_point = self.read_character_escape(in_class=False)
        self.add_atom(group, ast.CharSet(self.literal_set(code_point), offset))

    def read_character_escape(self, in_class: bool) -> int:
        """Reads one escape that stands for a single code point; returns the code point."""
        offset = self.pos
        letter = self.peek(1)
        self.pos += 2
        simple = {"f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09, "v": 0x0B}
        if letter in simple:
            return simple[letter]
        if letter == "b" and in_class:
            return 0x08
        if letter == "x":
            return self.read_hex(2, offset)
        if letter == "u":
            return self.read_unicode_escape(offset)
        if letter == "0":
            return self.read_zero_escape(offset)
        if self.ecmascript and letter == "c":
            control = self.peek()
            if not (control.isascii() and control.isalpha()):
                raise syntax_error("\\c must be followed by an ASCII letter", offset)
            self.pos += 1
            return ord(control) % 32
        if not self.ecmascript:
            if letter == "a":
                return 0x07
            if letter == "U":
                return self.check_scalar(self.read_hex(8, offset), offset)
            if letter == "N":
                return self.read_named_character(offset)
        if letter in "pP":
            raise unsupported("Unicode property escapes (\\p, \\P) are not supported", offset)
        if letter.isascii() and letter.isalnum():
            raise syntax_error(f"unknown escape \\{letter}", offset)
        return ord(letter)

    def read_zero_escape(self, offset: int) -> int:
        if self.ecmascript:
            if self.peek().isdigit():
                raise unsupported("legacy octal escapes are not supported", offset)
            return 0
        digits = "0"
        while len(digits) < 3 and self.peek() in "01234567" and self.peek():
            digits += self.peek()
            self.pos += 1
        return int(digits, 8)

    def read_named_character(self, offset: int) -> int:
        end = self.pattern.find("}", self.pos)
        if self.peek() != "{" or end < 0:
            raise syntax_error("expected \\N{name}", offset)
        name = self.pattern[self.pos + 1 : end]
        self.pos = end + 1
        try:
            return ord(unicodedata.lookup(name))
        except KeyError:
            raise syntax_error(f"unknown character name {name!r}", offset) from None

    def read_unicode_escape(self, offset: int) -> int:
        if self.ecmascript and self.peek() == "{":
            end = self.pattern.find("}", self.pos)
            digits = self.pattern[self.pos + 1 : end] if end > 0 else ""
            if not digits or any(d not in _HEX_DIGITS for d in digits):
                raise syntax_error("invalid \\u{...} escape", offset)
            self.pos = end + 1
            value = int(digits, 16)
            if value > 0x10FFFF:
                raise syntax_error("code point above U+10FFFF", offset)
            return self.check_scalar(value, offset)
        value = self.read_hex(4, offset)
        # A high surrogate escape followed by a low one is one code point (UTF-16 pair).
        low_digits = self.pattern[self.pos + 2 : self.pos + 6]
        if (
            SURROGATE_FIRST <= value <= 0xDBFF
            and self.pattern.startswith("\\u", self.pos)
            and len(low_digits) == 4
            and all(d in _HEX_DIGITS for d in low_digits)
            and 0xDC00 <= int(low_digits, 16) <= SURROGATE_LAST
        ):
            self.pos += 6
            return 0x10000 + ((value - SURROGATE_FIRST) << 10) + (int(low_digits, 16) - 0xDC00)
        return self.check_scalar(value, offset)

    def check_scalar(self, value: int, offset: int) -> int:
        if SURROGATE_FIRST <= value <= SURROGATE_LAST:
            raise unsupported(f"lone surrogate U+{value:04X} cannot occur in UTF-8 text", offset)
        if value > 0x10FFFF:
            raise syntax_error("code point above U+10FFFF", offset)
        return value

    def parse_class(self) -> CodePointSet:
        """Reads `[...]` starting at `[`; returns the set it matches."""
        open_offset = self.pos
        self.pos += 1
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        members: List[CodePointSet] = []
        first = True
        while True:
            char = self.peek()
            if char == "":
                raise syntax_error("unterminated character class: missing ']'", open_offset)
            if char == "]" and not (first and not self.ecmascript):
                self.pos += 1
                break
            first = False
            low_offset = self.pos
            low, low_set = self.read_class_atom()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                high, high_set = self.read_class_atom()
                if low_set is not None or high_set is not None:
                    # Annex B and Python: `[\d-x]` is \d, '-', 'x'.
                    for item in (low_set, high_set):
                        if item is not None:
                            members.append(item)
                    for item in (low, high):
                        if item is not None:
                            members.append(CodePointSet.of(item))
                    members.append(CodePointSet.of(ord("-")))
                    continue
                assert low is not None and high is not None
                if low > high:
                    raise syntax_error("range out of order in character class", low_offset)
                members.append(CodePointSet([(low, high)]))
            elif low_set is not None:
                members.append(low_set)
            else:
                assert low is not None
                members.append(CodePointSet.of(low))
        chars = union_all(members)
        if self.options.ignore_case:
            chars = chars.case_closed()
        return chars.complement() if negated else chars

    def read_class_atom(self) -> Tuple[int | None, CodePointSet | None]:
        """One class member: (code point, None) or (None, set) for `\\d` and friends."""
        char = self.peek()
        if char != "\\":
            self.pos += 1
            return ord(char), None
        letter = self.peek(1)
        if letter == "":
            raise syntax_error("pattern ends with a lone backslash", self.pos)
        chars = self.class_escape_set(letter)
        if chars is not None:
            self.pos += 2
            return None, chars
        if letter == "B" or (not self.ecmascript and letter in "AZ"):
            raise syntax_error(f"\\{letter} is not allowed in a character class", self.pos)
        if letter.isdigit() and letter != "0":
            if self.ecmascript:
                raise unsupported("legacy octal escapes are not supported", self.pos)
            raise unsupported("octal escapes without a leading 0 are not supported", self.pos)
        if letter == "-":
            self.pos += 2
            return ord("-"), None
        return self.read_character_escape(in_class=True), None


def parse_regex(pattern: str, options: RegexOptions = RegexOptions()) -> ast.Node:
    """Parses `pattern` into a syntax tree (see the module docstring for the errors)."""
    return _Parser(pattern, options).parse()
