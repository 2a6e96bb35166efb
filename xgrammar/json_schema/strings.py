"""String schemas and JSON string text: `pattern`, `format`, `minLength`/`maxLength`, keys.

A JSON Schema string keyword constrains the *decoded* string, while the grammar sees its JSON
text, with escapes. `JsonStringEncoder.encode` renders a set of code points as every JSON
spelling this converter generates for them:
- printable characters other than `"` and `\\` as themselves (UTF-8);
- `"`, `\\`, `/` and the control characters as their short escapes (`\\"`, `\\n`, ...), and the
  other control characters as `\\u00XX`;
- non-ASCII characters of the Basic Multilingual Plane also as `\\uXXXX` (either hex case), the
  form `json.dumps` writes by default.
An ASCII printable character written as `\\u0041` and a surrogate pair for a character above
U+FFFF are not generated for a *constrained* string (they are for an unconstrained one, whose
`json_char` rule admits every escape), so such text is rejected: narrower, never wider.

All constraints on one string are intersected: each is a regular language (`patterns.py`,
`formats.py`, a length bound), and when there is more than one the automata are intersected
(`regular.py`). A length bound implied by the other constraints is dropped, and
`pattern: "^[a-z]+$"` with a length bound becomes one counted repetition, so the common cases
keep their structure.

Entry points: `JsonStringEncoder`, `string_language(...)`, `string_literal(text, encoder)`.
"""

from __future__ import annotations

from typing import List

from . import ebnf
from .numbers import fixed_width_range
from .regular import (
    ANY_CODE_POINT,
    Alt,
    Automaton,
    Chars,
    Concat,
    Ranges,
    Repeat,
    automaton_to_ebnf,
    expression_to_ebnf,
    intersect_ranges,
    length_bounds,
    subtract_ranges,
    union_ranges,
)

_SHORT_ESCAPES = {0x22: '\\"', 0x5C: "\\\\", 0x2F: "\\/", 0x08: "\\b", 0x0C: "\\f"}
_SHORT_ESCAPES.update({0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"})
_NEEDS_ESCAPE: Ranges = ((0x00, 0x1F), (0x22, 0x22), (0x5C, 0x5C))
_RAW_ALLOWED: Ranges = subtract_ranges(ANY_CODE_POINT, _NEEDS_ESCAPE)
_UNICODE_ESCAPED: Ranges = ((0x00, 0x1F), (0x80, 0xD7FF), (0xE000, 0xFFFF))


def _hex_digits(low: int, high: int) -> Chars:
    ranges = []
    if low <= 9:
        ranges.append((0x30 + low, 0x30 + min(high, 9)))
    if high >= 10:
        first, last = max(low, 10) - 10, high - 10
        ranges += [(0x61 + first, 0x61 + last), (0x41 + first, 0x41 + last)]
    return Chars(union_ranges(ranges))


def _hex_range(low: int, high: int):
    def digits(value: int) -> List[int]:
        return [(value >> shift) & 0xF for shift in (12, 8, 4, 0)]

    return fixed_width_range(digits(low), digits(high), 16, _hex_digits)


def _raw_class(ranges: Ranges) -> ebnf.Expr:
    if ranges == _RAW_ALLOWED:
        return ebnf.char_class(_NEEDS_ESCAPE, negated=True)
    return ebnf.char_class(ranges)


class JsonStringEncoder:
    """Renders code point sets as JSON string text; big renderings become shared rules."""

    def __init__(self, table: ebnf.RuleTable) -> None:
        self.table = table
        self._cache: dict = {}
        self._escape_rules: dict = {}
        self._json_char: str | None = None

    def encode(self, ranges: Ranges) -> ebnf.Expr:
        if ranges in self._cache:
            return self._cache[ranges]
        rendered = self.encode_in_place(ranges)
        if isinstance(rendered, ebnf.Choice):
            rendered = ebnf.RuleRef(self.table.add("json_char_set", rendered))
        self._cache[ranges] = rendered
        return rendered

    def encode_in_place(self, ranges: Ranges) -> ebnf.Expr:
        """The rendering of `encode` with its raw characters written in place; the escaped
        spellings, long and alike from set to set, stay one shared rule per distinct set."""
        raw = intersect_ranges(ranges, _RAW_ALLOWED)
        escaped = self._escaped(ranges)
        if not raw:
            return escaped
        if escaped is ebnf.NOTHING:
            return _raw_class(raw)
        return ebnf.choice(_raw_class(raw), escaped)

    def _escaped(self, ranges: Ranges) -> ebnf.Expr:
        options = []
        for code, escape in _SHORT_ESCAPES.items():
            if intersect_ranges(ranges, ((code, code),)):
                options.append(ebnf.literal(escape))
        for low, high in intersect_ranges(ranges, _UNICODE_ESCAPED):
            hex_text = expression_to_ebnf(_hex_range(low, high), ebnf.char_class)
            options.append(ebnf.sequence(ebnf.literal("\\u"), hex_text))
        if not options:
            return ebnf.NOTHING
        rendered = ebnf.choice(*options)
        if not isinstance(rendered, ebnf.Choice):
            return rendered
        key = tuple(map(str, options))
        if key not in self._escape_rules:
            self._escape_rules[key] = ebnf.RuleRef(self.table.add("json_escape_set", rendered))
        return self._escape_rules[key]

    def any_char(self) -> ebnf.Expr:
        """One character of an unconstrained string, in any JSON spelling (a shared rule)."""
        if self._json_char is None:
            bmp = expression_to_ebnf(
                Alt((_hex_range(0, 0xD7FF), _hex_range(0xE000, 0xFFFF))), ebnf.char_class
            )
            high_surrogate = expression_to_ebnf(_hex_range(0xD800, 0xDBFF), ebnf.char_class)
            low_surrogate = expression_to_ebnf(_hex_range(0xDC00, 0xDFFF), ebnf.char_class)
            escape = ebnf.choice(
                ebnf.char_class(union_ranges([(c, c) for c in b'"\\/bfnrt'])),
                ebnf.sequence(ebnf.literal("u"), bmp),
                ebnf.sequence(
                    ebnf.literal("u"), high_surrogate, ebnf.literal("\\u"), low_surrogate
                ),
            )
            body = ebnf.choice(_raw_class(_RAW_ALLOWED), ebnf.sequence(ebnf.literal("\\"), escape))
            self._json_char = self.table.add("json_char", body)
        return ebnf.RuleRef(self._json_char)


def string_literal(text: str, encoder: JsonStringEncoder) -> ebnf.Expr:
    """The JSON text of one fixed string (quotes included), in every spelling `encode` allows."""
    parts: list = [ebnf.literal('"')]
    run = []
    for char in text:
        code = ord(char)
        if 0x20 <= code < 0x7F and char not in '"\\/':
            run.append(char)
            continue
        parts.append(ebnf.literal("".join(run)))
        run = []
        parts.append(encoder.encode(((code, code),)))
    parts.append(ebnf.literal("".join(run)))
    parts.append(ebnf.literal('"'))
    return ebnf.sequence(*parts)


def _simplify(expression):
    """Flatten nested concatenations and drop empty ones (pattern languages nest them)."""
    if isinstance(expression, Concat):
        items = []
        for item in expression.items:
            item = _simplify(item)
            if isinstance(item, Concat):
                items.extend(item.items)
            else:
                items.append(item)
        return items[0] if len(items) == 1 else Concat(tuple(items))
    return expression


def string_language(
    constraints: list,
    min_length: int,
    max_length: int | None,
    encoder: JsonStringEncoder,
    hint: str,
) -> ebnf.Expr:
    """JSON text (quotes included) of the strings in every constraint language and the length
    bounds. `constraints` holds expressions or `Automaton`s over code points."""
    table = encoder.table
    quote = ebnf.literal('"')
    has_length = min_length > 0 or max_length is not None
    if not constraints:
        body = ebnf.repeat(encoder.any_char(), min_length, max_length)
        return ebnf.sequence(quote, body, quote)
    constraints = [c if isinstance(c, Automaton) else _simplify(c) for c in constraints]
    if has_length and len(constraints) == 1 and not isinstance(constraints[0], Automaton):
        only = constraints[0]
        low, high = length_bounds(only)
        if low >= min_length and (
            max_length is not None and high is not None and high <= max_length
        ):
            has_length = False  # implied by the constraint
        elif max_length is None and low >= min_length:
            has_length = False
        elif isinstance(only, Repeat) and isinstance(only.item, Chars):
            # `^[a-z]{m,n}$` with length bounds: one counted repetition.
            top = only.max_count
            if max_length is not None:
                top = max_length if top is None else min(top, max_length)
            constraints = [Repeat(only.item, max(only.min_count, min_length), top)]
            has_length = False
    if has_length:
        constraints.append(Repeat(Chars(ANY_CODE_POINT), min_length, max_length))
    if len(constraints) == 1 and not isinstance(constraints[0], Automaton):
        body = expression_to_ebnf(constraints[0], encoder.encode)
        return ebnf.sequence(quote, body, quote)
    automata = [
        c if isinstance(c, Automaton) else Automaton.from_expression(c) for c in constraints
    ]
    combined = automata[0]
    for automaton in automata[1:]:
        combined = combined.intersect(automaton)
    body = automaton_to_ebnf(combined, table, hint, encoder.encode_in_place, quote)
    return ebnf.sequence(quote, body)


def names_automaton(names: List[str]) -> Automaton:
    """The finite language of `names`."""
    options = tuple(Concat(tuple(Chars(((ord(c), ord(c)),)) for c in name)) for name in names)
    return Automaton.from_expression(Alt(options) if options else Alt(()))
