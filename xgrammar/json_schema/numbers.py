"""`integer` and `number` schemas as exact regular languages of JSON number text.

Bounds (`minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`; the draft-4 boolean
forms are normalised to numbers before this module sees them) become digit-range expressions:
an integer range splits into same-length intervals and digit-by-digit prefixes, and a decimal
bound adds a comparison on the fraction digits. Every bound is expressed exactly, whatever its
value. `multipleOf` becomes a residue automaton over the digits (intersected with the bounds).

What the languages accept, and why:
- Unbounded numbers accept all JSON number syntax. A bounded number is written without an
  exponent (`1e2` is rejected even when 100 is in range): a bound on an exponent form cannot
  be compared digit by digit. This rejects some valid text but never accepts an invalid value.
- `-0` (and `-0.0`) is not generated; `0` is. Integers are written without a fraction, so
  `1.0` is rejected for `integer` although JSON Schema counts it as an integer.

Entry point: `number_language(lower, upper, multiple_of, integer) -> NumberLanguage`, whose
`to_ebnf(table, hint)` emits the grammar. Budgets: bounds are limited to `MAX_BOUND_DIGITS`
digits and `multipleOf` to residue automata within `regular.MAX_AUTOMATON_STATES` states.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import List, Optional, Tuple

from ..exceptions import LimitExceededError, UnsupportedFeatureError
from . import ebnf
from .regular import (
    EPSILON,
    MAX_AUTOMATON_STATES,
    NO_STRING,
    Alt,
    Automaton,
    Chars,
    Concat,
    Repeat,
    automaton_to_ebnf,
    expression_to_ebnf,
    literal_expression,
)

# Longest bound (in decimal digits, integer and fraction part together) turned into a grammar.
MAX_BOUND_DIGITS = 100

# A bound: (value, exclusive). None stands for "no bound".
Bound = Optional[Tuple[Decimal, bool]]


def _digits(low: int, high: int) -> Chars:
    return Chars(((0x30 + low, 0x30 + high),))


ANY_DIGIT = _digits(0, 9)
DIGIT_STAR = Repeat(ANY_DIGIT, 0, None)
NONZERO_DIGIT = _digits(1, 9)


def fixed_width_range(low: List[int], high: List[int], base: int, digit_set) -> object:
    """Digit strings of one width whose value lies in [low, high]; `digit_set(a, b)` renders
    the digits a..b. Recursion depth is the width, which callers keep under MAX_BOUND_DIGITS."""
    if not low:
        return EPSILON
    rest = len(low) - 1
    if low[0] == high[0]:
        return Concat(
            (digit_set(low[0], low[0]), fixed_width_range(low[1:], high[1:], base, digit_set))
        )
    low_is_floor = all(d == 0 for d in low[1:])
    high_is_ceiling = all(d == base - 1 for d in high[1:])
    options = []
    if not low_is_floor:
        options.append(
            Concat(
                (
                    digit_set(low[0], low[0]),
                    fixed_width_range(low[1:], [base - 1] * rest, base, digit_set),
                )
            )
        )
    first = low[0] if low_is_floor else low[0] + 1
    last = high[0] if high_is_ceiling else high[0] - 1
    if first <= last:
        options.append(Concat((digit_set(first, last), Repeat(digit_set(0, base - 1), rest, rest))))
    if not high_is_ceiling:
        options.append(
            Concat(
                (
                    digit_set(high[0], high[0]),
                    fixed_width_range([0] * rest, high[1:], base, digit_set),
                )
            )
        )
    return Alt(tuple(options))


def _check_digits(value: int) -> None:
    if len(str(abs(value))) > MAX_BOUND_DIGITS:
        raise LimitExceededError(f"a numeric bound has more than {MAX_BOUND_DIGITS} digits")


def unsigned_integer_range(low: int, high: int | None):
    """Canonical decimal integers (no leading zeros) in [low, high]; high None: unbounded."""
    _check_digits(low)
    if high is not None:
        _check_digits(high)
        if high < low:
            return NO_STRING
    options = []
    low_width = len(str(low))
    high_width = len(str(high)) if high is not None else low_width
    for width in range(low_width, high_width + 1):
        first = max(low, 10 ** (width - 1) if width > 1 else 0)
        last = 10**width - 1 if high is None else min(high, 10**width - 1)
        if first <= last:
            options.append(
                fixed_width_range(
                    [int(d) for d in str(first)], [int(d) for d in str(last)], 10, _digits
                )
            )
    if high is None:  # every number with more digits than `low`
        options.append(Concat((NONZERO_DIGIT, Repeat(ANY_DIGIT, low_width, None))))
    return Alt(tuple(options))


def _fraction_compare(digits: str, relation: str):
    """Non-empty fraction digit strings F with 0.F `relation` 0.digits (digits: no trailing 0)."""
    if not digits:
        return {
            ">=": Repeat(ANY_DIGIT, 1, None),
            ">": Concat((DIGIT_STAR, NONZERO_DIGIT, DIGIT_STAR)),
            "<=": Repeat(literal_expression("0"), 1, None),
            "<": NO_STRING,
        }[relation]
    options = []
    for index, char in enumerate(digits):
        prefix = literal_expression(digits[:index])
        value = int(char)
        if relation in (">=", ">") and value < 9:
            options.append(Concat((prefix, _digits(value + 1, 9), DIGIT_STAR)))
        if relation in ("<=", "<"):
            if value > 0:
                options.append(Concat((prefix, _digits(0, value - 1), DIGIT_STAR)))
            if index > 0:
                options.append(prefix)  # a proper prefix of the bound is smaller
    whole = literal_expression(digits)
    if relation == ">=":
        options.append(Concat((whole, DIGIT_STAR)))
    elif relation == ">":
        options.append(Concat((whole, DIGIT_STAR, NONZERO_DIGIT, DIGIT_STAR)))
    elif relation == "<=":
        options.append(Concat((whole, Repeat(literal_expression("0"), 0, None))))
    return Alt(tuple(options))


def _split(value: Decimal) -> Tuple[int, str]:
    """A non-negative decimal as (integer part, fraction digits without trailing zeros)."""
    integer_part = int(value)
    fraction = value - integer_part
    text = format(fraction, "f").partition(".")[2].rstrip("0") if fraction else ""
    _check_digits(integer_part)
    if len(text) > MAX_BOUND_DIGITS:
        raise LimitExceededError(f"a numeric bound has more than {MAX_BOUND_DIGITS} digits")
    return integer_part, text


class NumberLanguage:
    """A number language held as an expression, or as an automaton after an intersection."""

    def __init__(self, expression=None, automaton: Automaton | None = None) -> None:
        self.expression = expression
        self.automaton = automaton

    def as_automaton(self) -> Automaton:
        if self.automaton is None:
            self.automaton = Automaton.from_expression(self.expression)
        return self.automaton

    def to_ebnf(self, table: ebnf.RuleTable, hint: str) -> ebnf.Expr:
        def encode(ranges):
            return ebnf.char_class(ranges)

        if self.automaton is not None:
            return automaton_to_ebnf(self.automaton, table, hint, encode, ebnf.EMPTY)
        return expression_to_ebnf(self.expression, encode)


def _magnitudes(lower: Tuple[Decimal, bool], upper: Bound) -> NumberLanguage:
    """Unsigned number text `I` or `I.F` (no exponent) with value within the bounds."""
    low_int, low_fraction = _split(lower[0])
    optional_fraction = Repeat(Concat((literal_expression("."), Repeat(ANY_DIGIT, 1, None))), 0, 1)

    def at_integer_part(fraction_digits: str, exclusive: bool, is_lower: bool):
        """Text with integer part equal to a bound's: the fraction decides."""
        if is_lower:
            bare_ok = not fraction_digits and not exclusive
            relation = ">" if exclusive else ">="
        else:
            bare_ok = bool(fraction_digits) or not exclusive
            relation = "<" if exclusive else "<="
        with_fraction = Concat(
            (literal_expression("."), _fraction_compare(fraction_digits, relation))
        )
        return Alt(((EPSILON,) if bare_ok else ()) + (with_fraction,))

    lower_side = at_integer_part(low_fraction, lower[1], True)
    if upper is None:
        middle = unsigned_integer_range(low_int + 1, None)
        options = (
            Concat((unsigned_integer_range(low_int, low_int), lower_side)),
            Concat((middle, optional_fraction)),
        )
        return NumberLanguage(Alt(options))
    high_int, high_fraction = _split(upper[0])
    if high_int < low_int:
        return NumberLanguage(NO_STRING)  # the bounds exclude each other
    upper_side = at_integer_part(high_fraction, upper[1], False)
    if low_int == high_int:
        # Both bounds constrain the same integer part: intersect the two fraction languages.
        integer = unsigned_integer_range(low_int, low_int)
        lower_text = Automaton.from_expression(Concat((integer, lower_side)))
        upper_text = Automaton.from_expression(Concat((integer, upper_side)))
        return NumberLanguage(automaton=lower_text.intersect(upper_text))
    options = (
        Concat((unsigned_integer_range(low_int, low_int), lower_side)),
        Concat((unsigned_integer_range(low_int + 1, high_int - 1), optional_fraction)),
        Concat((unsigned_integer_range(high_int, high_int), upper_side)),
    )
    return NumberLanguage(Alt(options))


JSON_NUMBER = Concat(
    (
        Repeat(literal_expression("-"), 0, 1),
        Alt((literal_expression("0"), Concat((NONZERO_DIGIT, DIGIT_STAR)))),
        Repeat(Concat((literal_expression("."), Repeat(ANY_DIGIT, 1, None))), 0, 1),
        Repeat(
            Concat(
                (
                    Chars(((0x45, 0x45), (0x65, 0x65))),
                    Repeat(Chars(((0x2B, 0x2B), (0x2D, 0x2D))), 0, 1),
                    Repeat(ANY_DIGIT, 1, None),
                )
            ),
            0,
            1,
        ),
    )
)
JSON_INTEGER = Concat(
    (
        Repeat(literal_expression("-"), 0, 1),
        Alt((literal_expression("0"), Concat((NONZERO_DIGIT, DIGIT_STAR)))),
    )
)


JSON_NUMBER_WITHOUT_EXPONENT = Concat(JSON_NUMBER.items[:3])
# Numbers with a non-zero fraction digit: the non-integers (written without an exponent).
NON_INTEGER_NUMBER = Concat(
    (
        Repeat(literal_expression("-"), 0, 1),
        Alt((literal_expression("0"), Concat((NONZERO_DIGIT, DIGIT_STAR)))),
        literal_expression("."),
        DIGIT_STAR,
        NONZERO_DIGIT,
        DIGIT_STAR,
    )
)


def number_spellings(value: Decimal):
    """Every exponent-free JSON spelling of `value` (`5`, `5.0`, `5.00`, ...; `-0` for zero)."""
    magnitude = abs(value)
    integer_part, fraction = _split(magnitude)
    digits = literal_expression(str(integer_part))
    if fraction:
        text = Concat(
            (digits, literal_expression("." + fraction), Repeat(literal_expression("0"), 0, None))
        )
    else:
        zeros = Repeat(
            Concat((literal_expression("."), Repeat(literal_expression("0"), 1, None))), 0, 1
        )
        text = Concat((digits, zeros))
    if value == 0:
        return Concat((Repeat(literal_expression("-"), 0, 1), text))
    return Concat((literal_expression("-"), text)) if value < 0 else text


def _integer_bounds_language(lower: Bound, upper: Bound):
    def ceiling(bound: Tuple[Decimal, bool]) -> int:
        value = int(bound[0].to_integral_value(rounding="ROUND_CEILING"))
        return value + 1 if bound[1] and value == bound[0] else value

    def floor(bound: Tuple[Decimal, bool]) -> int:
        value = int(bound[0].to_integral_value(rounding="ROUND_FLOOR"))
        return value - 1 if bound[1] and value == bound[0] else value

    low = ceiling(lower) if lower is not None else None
    high = floor(upper) if upper is not None else None
    options = []
    if high is None or high >= 0:
        options.append(unsigned_integer_range(max(low, 0) if low is not None else 0, high))
    if low is None or low < 0:
        magnitude_high = None if low is None else -low
        magnitude_low = 1 if high is None or high >= 0 else -high
        if magnitude_high is None or magnitude_low <= magnitude_high:
            options.append(
                Concat(
                    (literal_expression("-"), unsigned_integer_range(magnitude_low, magnitude_high))
                )
            )
    return Alt(tuple(options))


def _number_bounds_language(lower: Bound, upper: Bound) -> List[NumberLanguage]:
    zero = Decimal(0)
    parts = []
    if upper is None or upper[0] > 0 or (upper[0] == 0 and not upper[1]):
        if lower is None or lower[0] < 0:
            nonnegative_lower = (zero, False)
        else:
            nonnegative_lower = lower
        parts.append(_magnitudes(nonnegative_lower, upper))
    if lower is None or lower[0] < 0:
        # "-" followed by a magnitude m > 0 with -m within the bounds.
        if upper is None or upper[0] >= 0:
            magnitude_lower = (zero, True)
        else:
            magnitude_lower = (-upper[0], upper[1])
        magnitude_upper = None if lower is None else (-lower[0], lower[1])
        magnitudes = _magnitudes(magnitude_lower, magnitude_upper)
        minus = Automaton.from_expression(literal_expression("-"))
        if magnitudes.automaton is not None:
            parts.append(NumberLanguage(automaton=_concatenate(minus, magnitudes.automaton)))
        else:
            parts.append(NumberLanguage(Concat((literal_expression("-"), magnitudes.expression))))
    return parts


def _concatenate(first: Automaton, second: Automaton) -> Automaton:
    """first . second, for a `first` whose accepting states have no outgoing moves."""
    offset = len(first.edges)
    edges = [list(e) for e in first.edges] + [[(r, t + offset) for r, t in e] for e in second.edges]
    for state in first.accepting:
        edges[state].extend((r, t + offset) for r, t in second.edges[0])
    accepting = {s + offset for s in second.accepting}
    if 0 in second.accepting:
        accepting |= first.accepting
    return Automaton(edges, accepting).trimmed()


def _residue_automaton(multiple_of: Fraction, integer: bool) -> Automaton:
    """Number text (no exponent) whose value is an integer multiple of `multiple_of`."""
    if integer:
        # An integer n is a multiple of a/b (in lowest terms) iff a divides n.
        modulus, scale = multiple_of.numerator, 0
    else:
        denominator, scale = multiple_of.denominator, 0
        while denominator % 10 == 0 or denominator % 2 == 0 or denominator % 5 == 0:
            denominator //= 2 if denominator % 2 == 0 else 5
        if denominator != 1:
            raise UnsupportedFeatureError(
                f"multipleOf {multiple_of} has no finite decimal expansion; for numbers only"
                " integer and decimal multipleOf values are supported"
            )
        while (multiple_of * 10**scale).denominator != 1:
            scale += 1
        modulus = int(multiple_of * 10**scale)
    if modulus * (scale + 4) > MAX_AUTOMATON_STATES:
        raise LimitExceededError(
            f"multipleOf {multiple_of} needs a residue automaton of more than"
            f" {MAX_AUTOMATON_STATES} states (MAX_AUTOMATON_STATES)"
        )
    # States: ("start"), ("zero"), ("int", r), ("dot", r), ("frac", r, j), ("tail").
    index: dict = {}
    order: list = []
    accepting = set()

    def state(key) -> int:
        if key not in index:
            index[key] = len(order)
            order.append(key)
        return index[key]

    def residue_ok(residue: int, fraction_digits: int) -> bool:
        return (residue * 10 ** (scale - fraction_digits)) % modulus == 0

    state(("start",))
    edges: List[list] = []
    position = 0
    while position < len(order):
        key = order[position]
        moves = []
        kind = key[0]
        if kind == "start":
            moves.append((((0x2D, 0x2D),), state(("sign",))))
        if kind in ("start", "sign"):
            moves.append((((0x30, 0x30),), state(("int", 0, True))))
            for digit in range(1, 10):
                moves.append((((0x30 + digit,) * 2,), state(("int", digit % modulus, False))))
        elif kind == "int":
            residue, is_zero = key[1], key[2]
            if residue_ok(residue, 0):
                accepting.add(position)
            if not is_zero:
                for digit in range(10):
                    target = state(("int", (residue * 10 + digit) % modulus, False))
                    moves.append((((0x30 + digit,) * 2,), target))
            if not integer:
                moves.append((((0x2E, 0x2E),), state(("dot", residue))))
        elif kind == "dot" or kind == "frac":
            residue = key[1]
            done = 0 if kind == "dot" else key[2]
            if kind == "frac" and residue_ok(residue, done):
                accepting.add(position)
            for digit in range(10):
                if done < scale:
                    target = state(("frac", (residue * 10 + digit) % modulus, done + 1))
                elif digit == 0 and residue_ok(residue, done):
                    target = state(("frac", residue, done))
                else:
                    continue
                moves.append((((0x30 + digit,) * 2,), target))
        edges.append(moves)
        position += 1
    return Automaton(edges, accepting).trimmed()


def number_language(
    lower: Bound, upper: Bound, multiple_of: Fraction | None, integer: bool
) -> List[NumberLanguage]:
    """The text of numbers within the bounds (and multiples of `multiple_of`), as languages
    whose union is the answer."""
    if lower is None and upper is None:
        parts = [NumberLanguage(JSON_INTEGER if integer else JSON_NUMBER)]
        if multiple_of is None:
            return parts
    elif integer:
        parts = [NumberLanguage(_integer_bounds_language(lower, upper))]
    else:
        parts = _number_bounds_language(lower, upper)
    if multiple_of is None:
        return parts
    residues = _residue_automaton(multiple_of, integer)
    return [NumberLanguage(automaton=part.as_automaton().intersect(residues)) for part in parts]
