"""Spelling code points, strings and code-point sets in our EBNF dialect (DESIGN.md).

Only printable ASCII is written as itself; everything else becomes `\\xHH` (below U+0080),
`\\uXXXX` or `\\UXXXXXXXX`, so the output is plain ASCII whatever the input held. Characters with
a meaning inside strings or classes (`"`, `\\`, `[`, `]`, `-`, `^`) are hex-escaped too. Shared by
the regex, Lark and structural-tag front ends.
"""

from __future__ import annotations

from .charset import CodePointSet

_CLASS_SPECIAL = set('[]\\-^"')
_STRING_SPECIAL = set('"\\')


def _escape_code_point(code_point: int) -> str:
    if code_point < 0x80:
        return f"\\x{code_point:02x}"
    if code_point <= 0xFFFF:
        return f"\\u{code_point:04x}"
    return f"\\U{code_point:08x}"


def _char(code_point: int, special: set) -> str:
    if 0x20 <= code_point < 0x7F and chr(code_point) not in special:
        return chr(code_point)
    return _escape_code_point(code_point)


def string_literal(text: str) -> str:
    """`text` as a double-quoted EBNF string literal (`""` for the empty string)."""
    return '"' + "".join(_char(ord(c), _STRING_SPECIAL) for c in text) + '"'


def _ranges_text(ranges) -> str:
    parts = []
    for low, high in ranges:
        if low == high:
            parts.append(_char(low, _CLASS_SPECIAL))
        elif low + 1 == high:
            parts.append(_char(low, _CLASS_SPECIAL) + _char(high, _CLASS_SPECIAL))
        else:
            parts.append(_char(low, _CLASS_SPECIAL) + "-" + _char(high, _CLASS_SPECIAL))
    return "".join(parts)


def char_class(chars: CodePointSet) -> str:
    """A class `[...]` or `[^...]` matching exactly `chars` (which must not be empty).

    The negated spelling is used when it is shorter; negation in the dialect is relative to the
    Unicode scalar values, as `CodePointSet.complement` is.
    """
    if chars.is_empty():
        raise ValueError("an empty set has no character class")
    complement = chars.complement()
    if not complement.is_empty() and len(complement.ranges) < len(chars.ranges):
        return "[^" + _ranges_text(complement.ranges) + "]"
    return "[" + _ranges_text(chars.ranges) + "]"


ANY_CODE_POINT_CLASS = char_class(CodePointSet.everything())
