"""Object schemas: declared properties, pattern/additional keys, counts, key names.

JSON objects are unordered, and valid documents list their keys in any order (MaskBench's
valid instances often do). The declared properties (`properties`, then `required` names that
`properties` does not list) of an object with at most `MAX_UNORDERED_PROPERTIES` of them come
in any order, each at most once, with a state per subset of them; other keys come after them
(a narrowing: other keys between declared ones would put the key-exclusion automaton, and so a
vocabulary walk, in every subset state). A larger object cannot track which of its n
properties are written (2**n states), so by default (`any_key_order=True`) it tracks only the
required ones (at most `MAX_TRACKED_REQUIRED`): its properties and other keys come in any
order, a required one at most once, but an optional one may be written twice. Each copy's
value is valid, so the document parses to a valid instance whichever copy a parser keeps
(JSON Schema leaves duplicate names undefined, and a free-form additional key could always
repeat, see converter.py); this mode is not used with `maxProperties` or `minProperties` > 1,
which a repeated key would miscount. With `any_key_order=False`, or past those bounds, a
larger object takes its declared properties in schema order, required ones mandatory and the
others optional (a narrowing), and other keys after them.

Each other key falls in a *region*: the keys that match exactly a given subset of the
`patternProperties` patterns (governed by all of them) or none (governed by
`additionalProperties`); every region excludes the declared names, in every JSON spelling,
and lies inside `propertyNames`. So a declared property is never taken for an additional one.

`minProperties`/`maxProperties` are counted by the states of the member sequence: state (i, c)
is "declared property i is next and c members are written" (c capped where the bounds allow).

Entry points: `object_expression(converter, assertions, depth, hint)`, `any_value_rules`.
Budgets: `MAX_PATTERN_REGIONS` key regions, `MAX_OBJECT_STATES` member-sequence states,
`MAX_UNORDERED_PROPERTIES` declared properties for any order, each at most once,
`MAX_TRACKED_REQUIRED` required properties of a larger object in any order.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

from ..exceptions import LimitExceededError, UnsupportedFeatureError
from . import ebnf
from .combinators import Alternatives, Flat, Reference
from .regular import ANY_CODE_POINT, Automaton, Chars, Repeat
from .strings import names_automaton, string_language, string_literal
from .whitespace import MAX_INDENTED_DEPTH

# Key regions (the keys matching exactly one subset of the patternProperties patterns) one
# object may have when other keys are constrained: each is a key automaton of its own.
MAX_PATTERN_REGIONS = 16

# States (declared property, members so far) of one object's member sequence.
MAX_OBJECT_STATES = 20000

# Objects with at most this many declared properties take them in any order: the member
# sequence then tracks the set already written, 2**n states (times the member counts that
# minProperties/maxProperties need). Larger objects see MAX_TRACKED_REQUIRED. Each state is a
# rule the engine compiles against the whole vocabulary: on llama3 (128k tokens) an object of
# 4 properties compiles in ~1.4 s instead of ~0.2 s (5 properties: ~3 s), so the bound trades
# compile time for accepting other key orders.
MAX_UNORDERED_PROPERTIES = 4

# A larger object in any key order (`any_key_order=True`) tracks which of its required
# properties are written: 2**r states for r of them (counted as (n + 1) * 2**(r + 1) against
# MAX_OBJECT_STATES, the schema-order count when r = 0), each holding a copy of every required
# member not yet written (6 all-required properties: 64 states, 1.0 s to compile on llama3
# instead of 0.05 s in schema order). Past this many, its declared properties come in schema
# order. Measured over all of MaskBench (bench/json_schema_acceptance.py): valid instances
# rejected 53 at 4, 38 at 5, 25 at 6; compile time of the 30 schemas this most affects (of a
# 1,000-schema sample) 6.1 s at 4, 16.5 s at 5, 31.6 s at 6.
MAX_TRACKED_REQUIRED = 5


def any_value_rules(converter) -> ebnf.Expr:
    """Shared rules for any JSON value; laid out on one line (or with any whitespace)."""
    layout = converter.layout
    one_line = MAX_INDENTED_DEPTH + 1

    def make_value():
        return ebnf.choice(
            converter.shared_rule("json_object", make_object),
            converter.shared_rule("json_array", make_array),
            converter.string_expression(_NO_ASSERTIONS, "json_string"),
            converter.number_expression(_NO_ASSERTIONS, False, "json_number"),
            ebnf.literal("true"),
            ebnf.literal("false"),
            ebnf.literal("null"),
        )

    def make_object():
        value = converter.shared_rule("json_value", make_value)
        key = converter.string_expression(_NO_ASSERTIONS, "json_string")
        member = ebnf.sequence(key, layout.colon(), value)
        members = ebnf.sequence(
            member, ebnf.repeat(ebnf.sequence(layout.between(one_line), member), 0, None)
        )
        return ebnf.choice(
            ebnf.sequence(ebnf.literal("{"), layout.empty(), ebnf.literal("}")),
            ebnf.sequence(
                ebnf.literal("{"),
                layout.open(one_line),
                members,
                layout.close(one_line),
                ebnf.literal("}"),
            ),
        )

    def make_array():
        value = converter.shared_rule("json_value", make_value)
        items = ebnf.sequence(
            value, ebnf.repeat(ebnf.sequence(layout.between(one_line), value), 0, None)
        )
        return ebnf.choice(
            ebnf.sequence(ebnf.literal("["), layout.empty(), ebnf.literal("]")),
            ebnf.sequence(
                ebnf.literal("["),
                layout.open(one_line),
                items,
                layout.close(one_line),
                ebnf.literal("]"),
            ),
        )

    return converter.shared_rule("json_value", make_value)


def _no_assertions():
    from .schema_model import Assertions

    return Assertions()


_NO_ASSERTIONS = _no_assertions()


def _property_names_language(converter, assertions) -> Tuple[bool, Automaton | None]:
    """(any key allowed at all, automaton of allowed keys or None for "every string")."""
    combined: Automaton | None = None
    for pointer, schema in assertions.property_names:
        node = converter.normalizer.normalize(pointer, schema, pointer)
        for _ in range(1000):  # follow bare $ref chains
            if not isinstance(node, Reference):
                break
            pointer, schema = node.target
            node = converter.normalizer.normalize(pointer, schema, pointer)
        if isinstance(node, Alternatives) or isinstance(node, Reference):
            raise UnsupportedFeatureError(
                "propertyNames with anyOf/oneOf or a recursive $ref", pointer=pointer
            )
        assert isinstance(node, Flat)
        names = node.assertions
        if names is None or (names.types is not None and "string" not in names.types):
            return False, None
        if names.enum is not None:
            allowed = [
                v
                for v in names.enum
                if isinstance(v, str) and converter.value_allowed(v, names, {"string"})
            ]
            automaton = names_automaton(allowed)
        else:
            constraints = converter.string_constraints(names)
            if names.min_length or names.max_length is not None:
                constraints.append(
                    Repeat(Chars(ANY_CODE_POINT), names.min_length, names.max_length)
                )
            if not constraints:
                continue
            automata = [
                c if isinstance(c, Automaton) else Automaton.from_expression(c) for c in constraints
            ]
            automaton = automata[0]
            for other in automata[1:]:
                automaton = automaton.intersect(other)
        combined = automaton if combined is None else combined.intersect(automaton)
    return True, combined


def object_expression(converter, assertions, depth: int, hint: str) -> ebnf.Expr:
    layout = converter.layout
    keys_allowed, names_filter = _property_names_language(converter, assertions)
    declared = list(assertions.property_order)
    declared += [name for name in assertions.required if name not in assertions.properties]
    required = set(assertions.required)
    forbidden = set(assertions.forbidden_keys)  # from `not: {"required": [...]}`
    if forbidden & required:
        return ebnf.NOTHING
    declared = [name for name in declared if name not in forbidden]

    if assertions.additional_evaluates_all:
        additional: list | None = list(assertions.additional)
    elif assertions.unevaluated_properties is not None:
        additional = [assertions.unevaluated_properties]
    elif converter.strict_mode and (assertions.properties or assertions.pattern_properties):
        additional = None  # strict mode: no keys besides the declared and pattern ones
    else:
        additional = []
    if additional is not None and any(schema is False for _, schema in additional):
        additional = None

    patterns: Dict[str, list] = {}
    for pattern, ref in assertions.pattern_properties:
        patterns.setdefault(pattern, []).append(ref)

    def key_allowed(name: str) -> bool:
        return keys_allowed and (names_filter is None or names_filter.accepts(name))

    def declared_member(name: str) -> ebnf.Expr:
        if not key_allowed(name):
            return ebnf.NOTHING
        refs = list(assertions.properties.get(name, []))
        refs += [r for p, rs in patterns.items() if converter.matches_pattern(p, name) for r in rs]
        if not refs:
            if additional is None:
                return ebnf.NOTHING
            refs = additional
        value = converter.all_of_rule(refs, depth + 1)
        return ebnf.sequence(string_literal(name, converter.encoder), layout.colon(), value)

    members = [declared_member(name) for name in declared]
    extra = _extra_member(
        converter,
        assertions,
        patterns,
        additional,
        declared,
        keys_allowed,
        names_filter,
        depth,
        hint,
    )
    return _member_sequence(converter, declared, required, members, extra, assertions, depth, hint)


def _extra_member(
    converter, assertions, patterns, additional, declared, keys_allowed, names_filter, depth, hint
):
    """Any one member whose key is not declared, over all key regions (NOTHING if none)."""
    layout = converter.layout
    if not keys_allowed or (additional is None and not patterns):
        return ebnf.NOTHING
    pattern_list = list(patterns)
    if not pattern_list and not declared and names_filter is None and not assertions.forbidden_keys:
        key = converter.string_expression(_NO_ASSERTIONS, "json_string")
        value = converter.all_of_rule(additional, depth + 1)
        return ebnf.sequence(key, layout.colon(), value)
    excluded_names = tuple(sorted(set(declared) | set(assertions.forbidden_keys)))
    names_key = tuple(pointer for pointer, _ in assertions.property_names)
    regions = _key_regions(converter, excluded_names, pattern_list, names_key, names_filter, hint)
    if regions is None:
        raise UnsupportedFeatureError(
            f"the patternProperties patterns of one object split its other keys into more than"
            f" {MAX_PATTERN_REGIONS} regions (MAX_PATTERN_REGIONS)",
            pointer=assertions.pointer,
        )
    options = []
    for subset, key in regions:
        if not subset and additional is None:
            continue
        refs = (
            [r for index in subset for r in patterns[pattern_list[index]]] if subset else additional
        )
        value = converter.all_of_rule(refs, depth + 1)
        options.append(ebnf.sequence(key, layout.colon(), value))
    return ebnf.choice(*options)


def _key_regions(converter, excluded_names, pattern_list, names_key, names_filter, hint):
    """[(pattern subset, key grammar)] for the non-empty key regions, or None past
    `MAX_PATTERN_REGIONS` of them; shared between objects with the same declared names,
    patterns and propertyNames (common after anyOf/allOf). The regions are refined one
    pattern at a time (inside it / outside it), dropping the empty ones, so disjoint patterns
    cost one region each rather than a subset each."""
    cache_key = (excluded_names, tuple(pattern_list), names_key)
    if cache_key in converter.key_region_cache:
        return converter.key_region_cache[cache_key]
    not_declared = names_automaton(list(excluded_names)).complement()
    base = not_declared if names_filter is None else not_declared.intersect(names_filter)
    level = [((), base)] if not base.is_empty() else []
    for index, pattern in enumerate(pattern_list):
        language = converter.pattern_automaton(pattern, "")
        outside_language = language.complement()
        refined = []
        for subset, region in level:
            inside = region.intersect(language)
            if not inside.is_empty():
                refined.append((subset + (index,), inside))
            outside = region.intersect(outside_language)
            if not outside.is_empty():
                refined.append((subset, outside))
        if len(refined) > MAX_PATTERN_REGIONS:
            converter.key_region_cache[cache_key] = None
            return None
        level = refined
    regions = [
        (subset, string_language([region], 0, None, converter.encoder, f"{hint}_key"))
        for subset, region in sorted(level, key=lambda entry: (len(entry[0]), entry[0]))
    ]
    converter.key_region_cache[cache_key] = regions
    return regions


def _member_sequence(converter, declared, required, members, extra, assertions, depth, hint):
    layout = converter.layout
    table = converter.table
    count = len(declared)
    minimum, maximum = assertions.min_properties, assertions.max_properties
    cap = maximum if maximum is not None else max(minimum, 1)
    has_extra = extra != ebnf.NOTHING
    if 1 < count <= MAX_UNORDERED_PROPERTIES and (2**count) * (cap + 1) <= MAX_OBJECT_STATES:
        members_text = _members_in_any_order(
            converter, declared, required, members, extra, assertions, depth, hint
        )
        return _braced(converter, declared, required, members_text, minimum, depth)
    if (
        count > MAX_UNORDERED_PROPERTIES
        and converter.any_key_order
        and minimum <= 1
        and maximum is None
        and len(required & set(declared)) <= MAX_TRACKED_REQUIRED
        and (count + 1) * 2 ** (len(required & set(declared)) + 1) <= MAX_OBJECT_STATES
    ):
        members_text = _members_tracking_required(
            converter, declared, required, members, extra, depth, hint
        )
        return _braced(converter, declared, required, members_text, minimum, depth)

    def successors(state):
        index, written = state
        result = []
        if written < cap or maximum is None:
            result.append(("take", (index + 1, min(written + 1, cap))))
        if declared[index] not in required:
            result.append(("skip", (index + 1, written)))
        if maximum is not None and written >= maximum:
            result = [r for r in result if r[0] == "skip"]
        return result

    # Find the reachable states and how often each is entered.
    entered: Dict[tuple, int] = {(0, 0): 1}
    order = [(0, 0)]
    for state in order:
        if state[0] == count:
            continue
        for _, target in successors(state):
            if target not in entered:
                if len(order) >= MAX_OBJECT_STATES:
                    raise LimitExceededError(
                        f"an object needs more than {MAX_OBJECT_STATES} member states"
                        " (MAX_OBJECT_STATES)",
                        pointer=assertions.pointer,
                    )
                entered[target] = 0
                order.append(target)
            entered[target] += 1

    def tail(written: int) -> ebnf.Expr:
        """Extra members after the declared ones, `written` members so far (never empty when
        nothing is written: the empty object is its own alternative)."""
        low = max(0, minimum - written)
        high = None if maximum is None else maximum - written
        separator = layout.between(depth)
        if not has_extra:
            return ebnf.EMPTY if low == 0 and written > 0 else ebnf.NOTHING
        if written == 0:
            if high == 0:
                return ebnf.NOTHING
            more = ebnf.repeat(
                ebnf.sequence(separator, extra), max(low - 1, 0), None if high is None else high - 1
            )
            return ebnf.sequence(extra, more)
        return ebnf.repeat(ebnf.sequence(separator, extra), low, high)

    expressions: Dict[tuple, ebnf.Expr] = {}
    for state in reversed(order):
        index, written = state
        if index == count:
            body = tail(written)
        else:
            options = []
            for kind, target in successors(state):
                follow = expressions[target]
                if kind == "take":
                    separator = layout.between(depth) if written else ebnf.EMPTY
                    options.append(ebnf.sequence(separator, members[index], follow))
                else:
                    options.append(follow)
            body = ebnf.choice(*options)
        if (
            entered[state] > 1
            and not isinstance(body, (ebnf.Literal, ebnf.RuleRef))
            and body != ebnf.EMPTY
        ):
            body = ebnf.RuleRef(table.add(f"{hint}_member{index}_{written}", body))
        expressions[state] = body
    return _braced(converter, declared, required, expressions[(0, 0)], minimum, depth)


def _braced(converter, declared, required, members_text, minimum, depth) -> ebnf.Expr:
    """The object: braces around the (never empty) members, or the empty object if allowed."""
    layout = converter.layout
    can_be_empty = minimum == 0 and not (required & set(declared))
    options = []
    if can_be_empty:
        options.append(ebnf.sequence(ebnf.literal("{"), layout.empty(), ebnf.literal("}")))
    options.append(
        ebnf.sequence(
            ebnf.literal("{"),
            layout.open(depth),
            members_text,
            layout.close(depth),
            ebnf.literal("}"),
        )
    )
    return ebnf.choice(*options)


def _as_rule(table, hint: str, expression: ebnf.Expr) -> ebnf.Expr:
    """`expression` as a reference to a rule of its own, unless it is already that small."""
    if isinstance(expression, (ebnf.Literal, ebnf.RuleRef)) or expression in (
        ebnf.EMPTY,
        ebnf.NOTHING,
    ):
        return expression
    return ebnf.RuleRef(table.add(hint, expression))


class _StateRules:
    """One rule per state of a member sequence, named when first referenced and defined by
    `define_pending` (states refer to each other, so a name is needed before its body)."""

    def __init__(self, table, name_of) -> None:
        self.table = table
        self.name_of = name_of
        self.names: dict = {}
        self.pending: list = []

    def ref(self, state) -> ebnf.Expr:
        if state not in self.names:
            self.names[state] = self.table.reserve(self.name_of(state))
            self.pending.append(state)
        return ebnf.RuleRef(self.names[state])

    def define_pending(self, body) -> None:
        """Defines every referenced state's rule as `body(state)`, which may reference more."""
        while self.pending:
            state = self.pending.pop()
            self.table.define(self.names[state], body(state))


def _members_in_any_order(converter, declared, required, members, extra, assertions, depth, hint):
    """The members with the declared properties in any order, each at most once, then other
    keys. State (taken, written): the set of declared properties written (a bit mask) and the
    members written so far (capped where the counts allow); its rule offers each property not
    yet taken and -- once every required property is taken -- the other keys and the end, a
    tail rule shared by the states with the same count (so other keys cost one alternative
    per state, not one per state and key region)."""
    layout = converter.layout
    table = converter.table
    minimum, maximum = assertions.min_properties, assertions.max_properties
    cap = maximum if maximum is not None else max(minimum, 1)
    required_mask = sum(1 << i for i, name in enumerate(declared) if name in required)
    tails: Dict[int, ebnf.Expr] = {}
    states = _StateRules(table, lambda state: f"{hint}_members{state[0]}_{state[1]}")

    def tail_ref(written: int) -> ebnf.Expr:
        """Other keys, then the end, after `written` members (never empty when none)."""
        if written not in tails:
            low = max(0, minimum - written)
            high = None if maximum is None else maximum - written
            separator = layout.between(depth)
            if extra == ebnf.NOTHING:
                body = ebnf.EMPTY if low == 0 and written > 0 else ebnf.NOTHING
            elif written == 0:
                more_high = None if high is None else high - 1
                more = ebnf.repeat(ebnf.sequence(separator, extra), max(low - 1, 0), more_high)
                body = ebnf.NOTHING if high == 0 else ebnf.sequence(extra, more)
            else:
                body = ebnf.repeat(ebnf.sequence(separator, extra), low, high)
            tails[written] = _as_rule(table, f"{hint}_others{written}", body)
        return tails[written]

    def body(state: tuple) -> ebnf.Expr:
        taken, written = state
        separator = layout.between(depth) if written else ebnf.EMPTY
        following = min(written + 1, cap)
        options = []
        if maximum is None or written < maximum:
            for index, member in enumerate(members):
                if not taken & (1 << index) and member != ebnf.NOTHING:
                    target = states.ref((taken | (1 << index), following))
                    options.append(ebnf.sequence(separator, member, target))
        if taken & required_mask == required_mask:
            options.append(tail_ref(written))
        return ebnf.choice(*options)

    first = body((0, 0))
    states.define_pending(body)
    return first


def _members_tracking_required(converter, declared, required, members, extra, depth, hint):
    """The members of a large object in any order, tracking only the required properties:
    state = the set of required properties written; its rule is `separator (optional-or-other
    same-set | required_i next_i | ...) | end`, the end offered once every required property
    is written. An optional property is not tracked, so it may be written twice; each of its
    values is valid, so a parser keeping either one sees a valid object (JSON Schema leaves
    duplicate names undefined). Only used without `maxProperties` and with `minProperties`
    at most 1, which a non-empty object meets whatever it repeats."""
    layout = converter.layout
    table = converter.table
    required_names = [name for name in declared if name in required]
    required_members = [members[declared.index(name)] for name in required_names]
    loose = [member for member, name in zip(members, declared) if name not in required]
    loose.append(extra)
    loose_choice = _as_rule(table, f"{hint}_optional", ebnf.choice(*loose))
    everything = (1 << len(required_names)) - 1
    states = _StateRules(table, lambda taken: f"{hint}_required{taken}")

    def body(taken: int, first: bool) -> ebnf.Expr:
        options = [ebnf.sequence(loose_choice, states.ref(taken))]
        for index, member in enumerate(required_members):
            if not taken & (1 << index):
                options.append(ebnf.sequence(member, states.ref(taken | (1 << index))))
        step = ebnf.choice(*options)
        if first:
            return step
        step = ebnf.sequence(layout.between(depth), step)
        return ebnf.choice(step, ebnf.EMPTY) if taken == everything else step

    start = body(0, True)
    states.define_pending(lambda taken: body(taken, False))
    return start


__all__: List[str] = ["object_expression", "any_value_rules"]
