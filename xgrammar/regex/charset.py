"""Sets of Unicode scalar values as sorted, disjoint, inclusive ranges.

`CodePointSet` is the value every character-matching regex construct turns into: a literal, a
class `[...]`, an escape such as `\\d`, the dot. Sets never contain surrogates (U+D800..U+DFFF):
the engine works on strict UTF-8 (see DESIGN.md), so a surrogate can never be matched and
complement is taken relative to the scalar values. The module also holds the predefined sets of
both regex flavours and simple case folding for case-insensitive matching.
"""

from __future__ import annotations

import bisect
import functools
import sys
from typing import Iterable, Sequence, Tuple

MAX_CODE_POINT = 0x10FFFF
SURROGATE_FIRST = 0xD800
SURROGATE_LAST = 0xDFFF

Range = Tuple[int, int]


class CodePointSet:
    """An immutable set of Unicode scalar values kept as sorted, disjoint, inclusive ranges."""

    __slots__ = ("ranges",)

    def __init__(self, ranges: Iterable[Range] = ()) -> None:
        self.ranges: tuple[Range, ...] = _normalize(ranges)

    @staticmethod
    def of(*code_points: int) -> CodePointSet:
        return CodePointSet((cp, cp) for cp in code_points)

    @staticmethod
    def everything() -> CodePointSet:
        return CodePointSet([(0, MAX_CODE_POINT)])

    def is_empty(self) -> bool:
        return not self.ranges

    def single_code_point(self) -> int | None:
        """The one member of a singleton set, else None."""
        if len(self.ranges) == 1 and self.ranges[0][0] == self.ranges[0][1]:
            return self.ranges[0][0]
        return None

    def union(self, other: CodePointSet) -> CodePointSet:
        return CodePointSet(self.ranges + other.ranges)

    def complement(self) -> CodePointSet:
        gaps: list[Range] = []
        next_free = 0
        for low, high in self.ranges:
            if low > next_free:
                gaps.append((next_free, low - 1))
            next_free = high + 1
        if next_free <= MAX_CODE_POINT:
            gaps.append((next_free, MAX_CODE_POINT))
        return CodePointSet(gaps)

    def difference(self, other: CodePointSet) -> CodePointSet:
        return self.intersection(other.complement())

    def intersection(self, other: CodePointSet) -> CodePointSet:
        result: list[Range] = []
        i = j = 0
        while i < len(self.ranges) and j < len(other.ranges):
            low = max(self.ranges[i][0], other.ranges[j][0])
            high = min(self.ranges[i][1], other.ranges[j][1])
            if low <= high:
                result.append((low, high))
            if self.ranges[i][1] < other.ranges[j][1]:
                i += 1
            else:
                j += 1
        return CodePointSet(result)

    def __contains__(self, code_point: int) -> bool:
        index = bisect.bisect_right(self.ranges, (code_point, MAX_CODE_POINT + 1)) - 1
        return index >= 0 and self.ranges[index][0] <= code_point <= self.ranges[index][1]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CodePointSet) and self.ranges == other.ranges

    def __hash__(self) -> int:
        return hash(self.ranges)

    def __repr__(self) -> str:
        return f"CodePointSet({list(self.ranges)!r})"

    def case_closed(self) -> CodePointSet:
        """This set plus every simple case variant of its members (for the `i` flag)."""
        variants: list[Range] = list(self.ranges)
        table = _case_variant_table()
        keys = table[0]
        for low, high in self.ranges:
            start = bisect.bisect_left(keys, low)
            stop = bisect.bisect_right(keys, high)
            for index in range(start, stop):
                variants.extend((cp, cp) for cp in table[1][index])
        return CodePointSet(variants)


def _normalize(ranges: Iterable[Range]) -> tuple[Range, ...]:
    """Sort, merge, and cut the surrogate block out of a list of ranges."""
    ordered = sorted((low, high) for low, high in ranges if low <= high)
    merged: list[list[int]] = []
    for low, high in ordered:
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    result: list[Range] = []
    for low, high in merged:
        if high < SURROGATE_FIRST or low > SURROGATE_LAST:
            result.append((low, high))
            continue
        if low < SURROGATE_FIRST:
            result.append((low, SURROGATE_FIRST - 1))
        if high > SURROGATE_LAST:
            result.append((SURROGATE_LAST + 1, high))
    return tuple(result)


def _python_simple_lower():
    """CPython `re`'s own lower-casing (simple mappings) and its extra equivalences."""
    try:
        import _sre

        lower = _sre.unicode_tolower
    except (ImportError, AttributeError):  # not CPython: the one-character str.lower

        def lower(cp: int) -> int:
            folded = chr(cp).lower()
            return ord(folded) if len(folded) == 1 else cp

    fixes: dict = {}
    # The table moved between CPython versions: re._casefix (3.11+), sre_compile (3.7-3.10).
    for module_name, table_name in (
        ("re._casefix", "_EXTRA_CASES"),
        ("sre_compile", "_ignorecase_fixes"),
    ):
        try:
            module = __import__(module_name, fromlist=[table_name])
        except ImportError:
            continue
        if hasattr(module, table_name):
            fixes = getattr(module, table_name)
            break
    return lower, fixes


@functools.cache
def _case_variant_table() -> tuple[list[int], list[tuple[int, ...]]]:
    """For every code point that has case variants, the sorted tuple of those variants.

    Two code points are case variants when Python's `re` with IGNORECASE matches one with the
    other: they have the same simple lower case, or `re` lists them as equivalent (such as
    i / dotless i). Cased letters all lie below U+20000, so the scan stops there (~0.2 s, once
    per process). Union-find makes the classes transitive (k, K and the Kelvin sign).
    """
    lower, fixes = _python_simple_lower()
    parent: dict[int, int] = {}

    def find(cp: int) -> int:
        while parent.get(cp, cp) != cp:
            cp = parent[cp]
        return cp

    def union(a: int, b: int) -> None:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)

    for cp in range(0x20000):
        if SURROGATE_FIRST <= cp <= SURROGATE_LAST:
            continue
        folded = lower(cp)
        if folded != cp:
            union(cp, folded)
        for other in fixes.get(cp, ()):
            union(cp, other)
    components: dict[int, set] = {}
    for cp in list(parent):
        components.setdefault(find(cp), set()).add(cp)
    variants_of: dict[int, tuple[int, ...]] = {}
    for root, members in components.items():
        members.add(root)
        for cp in members:
            variants_of[cp] = tuple(sorted(members - {cp}))
    keys = sorted(variants_of)
    return keys, [variants_of[cp] for cp in keys]


# ---- Predefined sets -----------------------------------------------------------------------

ECMASCRIPT_DIGIT = CodePointSet([(ord("0"), ord("9"))])
ECMASCRIPT_WORD = CodePointSet(
    [(ord("0"), ord("9")), (ord("A"), ord("Z")), (ord("_"), ord("_")), (ord("a"), ord("z"))]
)
# WhiteSpace and LineTerminator of ECMA-262 (what `\s` matches).
ECMASCRIPT_SPACE = CodePointSet(
    [
        (0x09, 0x0D),
        (0x20, 0x20),
        (0xA0, 0xA0),
        (0x1680, 0x1680),
        (0x2000, 0x200A),
        (0x2028, 0x2029),
        (0x202F, 0x202F),
        (0x205F, 0x205F),
        (0x3000, 0x3000),
        (0xFEFF, 0xFEFF),
    ]
)
# ECMAScript `.` (without the s flag) stops at the four line terminators.
ECMASCRIPT_LINE_TERMINATORS = CodePointSet.of(0x0A, 0x0D, 0x2028, 0x2029)


def _scan_unicode(predicate_name: str) -> CodePointSet:
    ranges: list[Range] = []
    for cp in range(sys.maxunicode + 1):
        if SURROGATE_FIRST <= cp <= SURROGATE_LAST:
            continue
        if getattr(chr(cp), predicate_name)():
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return CodePointSet(ranges)


@functools.cache
def python_digit() -> CodePointSet:
    """Python `re` `\\d` on str patterns: Unicode decimal digits (category Nd)."""
    return _scan_unicode("isdecimal")


@functools.cache
def python_word() -> CodePointSet:
    """Python `re` `\\w` on str patterns: alphanumerics (str.isalnum) and the underscore."""
    return _scan_unicode("isalnum").union(CodePointSet.of(ord("_")))


@functools.cache
def python_space() -> CodePointSet:
    """Python `re` `\\s` on str patterns: Unicode whitespace (str.isspace)."""
    return _scan_unicode("isspace")


def union_all(sets: Sequence[CodePointSet]) -> CodePointSet:
    ranges: list[Range] = []
    for item in sets:
        ranges.extend(item.ranges)
    return CodePointSet(ranges)
