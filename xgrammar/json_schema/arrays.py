"""Array schemas: `prefixItems` (or draft-4 array `items`), `items`, counts, unevaluatedItems.

Position i < len(prefix) is governed by every prefix schema for it; later positions by every
`items` schema (or `unevaluatedItems` when no `items` applies; in strict mode, nothing, when
a prefix is declared). `minItems`/`maxItems` bound the length; the positions past the prefix
are one counted repetition, so `maxItems: 1000` costs one `{m,n}`, not a thousand rules.

Entry point: `array_expression(converter, assertions, depth, hint)`.
"""

from __future__ import annotations

from . import ebnf


def array_expression(converter, assertions, depth: int, hint: str) -> ebnf.Expr:
    layout = converter.layout
    minimum, maximum = assertions.min_items, assertions.max_items
    prefix = assertions.prefix
    if assertions.items_evaluates_all:
        extra_refs = list(assertions.items)
    elif assertions.unevaluated_items is not None:
        extra_refs = [assertions.unevaluated_items]
    elif converter.strict_mode and prefix:
        extra_refs = None  # strict mode: no items past the prefix
    else:
        extra_refs = []
    if extra_refs is not None and any(schema is False for _, schema in extra_refs):
        extra_refs = None
    extra = ebnf.NOTHING if extra_refs is None else converter.all_of_rule(extra_refs, depth + 1)
    separator = layout.between(depth)
    if maximum is not None:
        prefix = prefix[:maximum]

    def extras_after(written: int) -> ebnf.Expr:
        """Items past the prefix, `written` (>= 1) items so far."""
        low = max(0, minimum - written)
        high = None if maximum is None else max(0, maximum - written)
        if extra == ebnf.NOTHING:
            return ebnf.EMPTY if low == 0 else ebnf.NOTHING
        return ebnf.repeat(ebnf.sequence(separator, extra), low, high)

    if prefix:
        element = [converter.all_of_rule(refs, depth + 1) for refs in prefix]
        rest = extras_after(len(prefix))
        for index in range(len(prefix) - 1, 0, -1):
            item = ebnf.sequence(separator, element[index], rest)
            rest = item if index < minimum else ebnf.choice(item, ebnf.EMPTY)
        items = ebnf.sequence(element[0], rest)
    elif maximum == 0 or extra == ebnf.NOTHING:
        items = ebnf.NOTHING
    else:
        items = ebnf.sequence(extra, extras_after(1))
    options = []
    if minimum == 0:
        options.append(ebnf.sequence(ebnf.literal("["), layout.empty(), ebnf.literal("]")))
    options.append(
        ebnf.sequence(
            ebnf.literal("["), layout.open(depth), items, layout.close(depth), ebnf.literal("]")
        )
    )
    return ebnf.choice(*options)
