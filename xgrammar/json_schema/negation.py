"""Negating a schema exactly, for `not` and for the `else` side of `if`/`then`/`else`.

`not S` accepts what `S` rejects. `S` is a conjunction of its keywords, so `not S` is the
disjunction of the keywords' negations (De Morgan); each keyword has an exact positive
negation here. Mind that a type-specific keyword accepts every instance of another type, so
`not {"pattern": p}` accepts only *strings* that do not match `p`:

| keyword of S                  | one option of `not S`                                       |
| ----------------------------- | ----------------------------------------------------------- |
| `type: T`                     | the other types (`not integer`: numbers with a non-zero     |
|                               | fraction digit, `_notInteger`)                              |
| `enum: V`, `const: v`         | `_notValues: V` (excluded values)                           |
| `pattern: p`                  | a string, `_notPatterns: [p]` (complement automaton)        |
| `required: [a, b]`            | an object without `a`; an object without `b`                |
| `properties: {k: P}`          | an object with `k` whose value matches `not P`              |
| `minimum`/`maximum`/exclusive | a number on the other side of the bound                     |
| `minLength`/`maxLength`, ...  | a string/array/object with the other count                  |
| `not: X`                      | `X` (only if X evaluates no properties or items)            |
| `anyOf: [A, B]`               | `not A` and `not B`                                         |
| `allOf: [A, B]`               | `not A`; `not B`                                            |
| `$ref: r`                     | `not` of the target (bounded by `MAX_NEGATION_STEPS`)       |
`true`/`{}` negate to nothing (no option), `false` to everything. Any other keyword makes the
negation unsupported (None); the caller reports it or, in lenient mode, drops it.

Annotations: subschemas of `not` (and a failed `if`) evaluate no properties or items, but an
option built from `properties` declares its key. The options that do so carry
`_fromNegation: True`, and the combinator code refuses them under `unevaluatedProperties` /
`unevaluatedItems`, where they would hide an unevaluated key. The `_`-prefixed keys are
internal; `schema_model.Assertions` reads them.

Entry points: `negation_options(schema, pointer, document) -> list of schemas or None`,
`rewrite_not(schema, pointer, document) -> list of parts (their conjunction) or None`, and
`negation_is_exact(schema, pointer, document) -> bool` (the whole negation, nested ones too).
"""

from __future__ import annotations

from typing import Any, List

from .refs import SchemaDocument
from .schema_model import JSON_TYPES

# Steps ($ref hops) one negation may take before it is declared unsupported.
MAX_NEGATION_STEPS = 64

# Negations one `not` (or one oneOf option's exclusion) may nest, counted by
# `negation_is_exact`, before it is declared unsupported.
MAX_NESTED_NEGATION_CHECKS = 1024

_EVALUATING = frozenset(
    ["properties", "patternProperties", "additionalProperties", "unevaluatedProperties", "items"]
    + ["prefixItems", "additionalItems", "unevaluatedItems", "$ref", "allOf", "anyOf", "oneOf"]
    + ["contains", "if", "dependentSchemas"]
)
_IGNORED = frozenset(
    ["title", "description", "$comment", "examples", "default", "$id", "$schema", "$anchor"]
    + ["deprecated", "readOnly", "writeOnly", "$defs", "definitions", "format"]
)
# The keywords that constrain an instance in some draft (annotations are in `_IGNORED`, and a
# keyword in neither set is of no vocabulary), and the internal ones this module writes.
_CONSTRAINING = frozenset(
    ["type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum"]
    + ["exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems"]
    + ["uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties"]
    + ["required", "dependentRequired", "items", "prefixItems", "additionalItems", "contains"]
    + ["properties", "patternProperties", "additionalProperties", "propertyNames"]
    + ["dependentSchemas", "dependencies", "unevaluatedItems", "unevaluatedProperties", "if"]
    + ["then", "else", "not", "anyOf", "allOf", "oneOf", "$ref", "$dynamicRef", "$recursiveRef"]
)
_INTERNAL = frozenset(
    ["_notValues", "_notPatterns", "_forbiddenKeys", "_notInteger", "_fromNegation"]
)
# keyword -> (type it constrains, keyword of the negation, how the bound moves)
_COUNT_NEGATIONS = {
    "minLength": ("string", "maxLength", -1),
    "maxLength": ("string", "minLength", +1),
    "minItems": ("array", "maxItems", -1),
    "maxItems": ("array", "minItems", +1),
    "minProperties": ("object", "maxProperties", -1),
    "maxProperties": ("object", "minProperties", +1),
}
_BOUND_NEGATIONS = {
    "minimum": "exclusiveMaximum",
    "exclusiveMinimum": "maximum",
    "maximum": "exclusiveMinimum",
    "exclusiveMaximum": "minimum",
}


def _keyword_negation(keyword: str, value: Any, schema: dict) -> List[Any] | None:
    """Options whose union is `not {keyword: value}` (within the schema's draft forms)."""
    if keyword == "type":
        names = value if isinstance(value, list) else [value]
        excluded = set(names) | ({"integer"} if "number" in names else set())
        others = [t for t in JSON_TYPES if t not in excluded]
        if "integer" in names and "number" not in names:
            return [{"type": others, "_notInteger": True}]  # numbers with a fraction only
        return [{"type": others}]
    if keyword == "enum" and isinstance(value, list):
        return [{"_notValues": list(value)}]
    if keyword == "const":
        return [{"_notValues": [value]}]
    if keyword == "pattern" and isinstance(value, str):
        return [{"type": "string", "_notPatterns": [value]}]
    if keyword == "required" and isinstance(value, list):
        if not all(isinstance(name, str) for name in value):
            return None
        return [{"type": "object", "_forbiddenKeys": [name]} for name in value]
    if keyword == "properties" and isinstance(value, dict):
        return [
            {
                "type": "object",
                "required": [k],
                "properties": {k: {"not": s}},
                "_fromNegation": True,
            }
            for k, s in value.items()
        ]
    if keyword in _BOUND_NEGATIONS and not isinstance(value, bool):
        if not isinstance(value, (int, float)):
            return None
        if keyword in ("minimum", "maximum") and isinstance(
            schema.get("exclusive" + keyword[:1].upper() + keyword[1:]), bool
        ):
            return None  # draft-4 boolean exclusivity: negate the pair as a whole is not done
        return [{"type": "number", _BOUND_NEGATIONS[keyword]: value}]
    if keyword in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
        return [] if value is False else None
    if keyword in _COUNT_NEGATIONS and isinstance(value, int) and not isinstance(value, bool):
        type_name, other, step = _COUNT_NEGATIONS[keyword]
        bound = value + step
        return [] if bound < 0 else [{"type": type_name, other: bound}]
    return None


def negation_options(schema: Any, pointer: str, document: SchemaDocument) -> List[Any] | None:
    """Schemas whose union is `not schema`, or None when this module cannot negate it."""
    for _ in range(MAX_NEGATION_STEPS):
        if schema is True or schema == {}:
            return []
        if schema is False:
            return [True]
        if not isinstance(schema, dict):
            return None
        # Keywords of no vocabulary (`x-...`, typos) constrain nothing, so negate to nothing.
        keys = {k for k in schema if k in _CONSTRAINING or k in _INTERNAL}
        if keys == {"$ref"}:
            pointer, schema = document.resolve(schema["$ref"], pointer)
            continue
        break
    else:
        return None
    options: List[Any] = []
    for keyword in sorted(keys):
        value = schema[keyword]
        if keyword == "not":
            if isinstance(value, dict) and set(value) & _EVALUATING:
                return None  # merged into the parent it would count as evaluating keys
            options.append(value)
            continue
        if keyword == "anyOf" and isinstance(value, list):
            options.append({"allOf": [{"not": option} for option in value]})
            continue
        if keyword == "allOf" and isinstance(value, list):
            options.extend({"not": branch} for branch in value)
            continue
        negated = _keyword_negation(keyword, value, schema)
        if negated is None:
            return None
        options.extend(negated)
    return options


def negation_is_exact(schema: Any, pointer: str, document: SchemaDocument) -> bool:
    """Whether `not schema` can be built exactly, down to the negations that
    `negation_options` leaves nested inside its options (a property's `{"not": ...}`, the
    `allOf` of negated `anyOf` options); False past `MAX_NESTED_NEGATION_CHECKS` of them (a
    negated recursive schema never runs out)."""
    pending = [schema]
    for _ in range(MAX_NESTED_NEGATION_CHECKS):
        if not pending:
            return True
        options = negation_options(pending.pop(), pointer, document)
        if options is None:
            return False
        for option in options:
            if not isinstance(option, dict):
                continue
            properties, parts = option.get("properties"), option.get("allOf")
            nested = [option] + list(properties.values() if isinstance(properties, dict) else [])
            nested += parts if isinstance(parts, list) else []
            pending.extend(p["not"] for p in nested if isinstance(p, dict) and "not" in p)
    return not pending


def rewrite_not(schema: Any, pointer: str, document: SchemaDocument) -> List[Any] | None:
    """Parts whose conjunction means `not schema` (see `negation_options`)."""
    options = negation_options(schema, pointer, document)
    if options is None:
        return None
    if not options:
        return [False]
    return options if len(options) == 1 else [{"anyOf": options}]
