"""One schema node's assertions, read from its keywords, and the exact merge of two of them.

`Assertions.from_keywords` reads the validation keywords of one schema object (no `$ref`,
`allOf`, `anyOf`, `oneOf`: `combinators.py` takes those apart first) into typed fields, with
the draft-4 forms normalised (boolean `exclusiveMinimum`/`exclusiveMaximum`, array-form `items`
with `additionalItems`, `definitions`). `merge` intersects two of them: the result accepts
exactly the instances both accept. Subschemas stay unresolved references
(`(pointer, schema)`); where both sides constrain the same place (a property, an array
position) the merge holds both, and the converter emits their `allOf`.

Entry points: `Assertions`, `Assertions.from_keywords`, `merge`, `SchemaRef`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from math import gcd
from typing import Any, Dict, List, Optional, Tuple

from ..exceptions import InvalidJSONSchemaError, UnsupportedFeatureError
from .refs import child_pointer

# (pointer, schema): a subschema and where it sits (for errors and rule names).
SchemaRef = Tuple[str, Any]

JSON_TYPES = ("null", "boolean", "object", "array", "number", "integer", "string")


def canonical_json(value: Any) -> str:
    """A key under which JSON-equal values (1 and 1.0, reordered objects) are equal."""

    def normalize(item):
        if isinstance(item, bool) or item is None or isinstance(item, str):
            return item
        if isinstance(item, (int, float)):
            number = Decimal(str(item))
            return {"$number": str(number.normalize()) if number != 0 else "0"}
        if isinstance(item, list):
            return [normalize(x) for x in item]
        return {k: normalize(v) for k, v in item.items()}

    return json.dumps(normalize(value), sort_keys=True)


def json_type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _decimal(value: Any, pointer: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidJSONSchemaError("expected a number", pointer=pointer)
    return Decimal(str(value))


def _count(value: Any, pointer: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidJSONSchemaError("expected a non-negative integer", pointer=pointer)
    return value


Bound = Optional[Tuple[Decimal, bool]]


def _tighter_lower(a: Bound, b: Bound) -> Bound:
    if a is None or b is None:
        return a or b
    if a[0] != b[0]:
        return a if a[0] > b[0] else b
    return (a[0], a[1] or b[1])


def _tighter_upper(a: Bound, b: Bound) -> Bound:
    if a is None or b is None:
        return a or b
    if a[0] != b[0]:
        return a if a[0] < b[0] else b
    return (a[0], a[1] or b[1])


def _min_optional(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


@dataclass
class Assertions:
    """What one (merged) schema node asserts, per instance type."""

    pointer: str = ""
    types: frozenset | None = None  # None: every type
    enum: List[Any] | None = None  # from `enum` and `const`
    lower: Bound = None
    upper: Bound = None
    multiple_of: Fraction | None = None
    min_length: int = 0
    max_length: int | None = None
    patterns: List[Tuple[str, str]] = field(default_factory=list)  # (pattern, pointer)
    formats: List[str] = field(default_factory=list)
    # Arrays: position i is governed by prefix[i] (all of them) or, past the prefix, by items.
    prefix: List[List[SchemaRef]] = field(default_factory=list)
    items: List[SchemaRef] = field(default_factory=list)
    items_evaluates_all: bool = False  # some `items` (even `true`) covers positions past prefix
    unevaluated_items: SchemaRef | None = None
    min_items: int = 0
    max_items: int | None = None
    has_array_keywords: bool = False
    # Objects: a declared key is governed by properties[key]; another by every matching pattern,
    # or by `additional` when none matches.
    properties: Dict[str, List[SchemaRef]] = field(default_factory=dict)
    property_order: List[str] = field(default_factory=list)
    pattern_properties: List[Tuple[str, SchemaRef]] = field(default_factory=list)
    additional: List[SchemaRef] = field(default_factory=list)
    additional_evaluates_all: bool = False
    unevaluated_properties: SchemaRef | None = None
    property_names: List[SchemaRef] = field(default_factory=list)
    required: List[str] = field(default_factory=list)
    min_properties: int = 0
    max_properties: int | None = None
    has_object_keywords: bool = False
    # From `not` (negation.py): excluded values, patterns strings must not match, absent keys.
    excluded_values: List[Any] = field(default_factory=list)
    not_patterns: List[Tuple[str, str]] = field(default_factory=list)
    forbidden_keys: List[str] = field(default_factory=list)
    not_integer: bool = False  # numbers must have a non-zero fraction (from `not: {type: integer}`)

    @staticmethod
    def from_keywords(schema: Dict[str, Any], pointer: str, is_draft4: bool) -> Assertions:
        result = Assertions(pointer=pointer)

        def at(key: str) -> str:
            return child_pointer(pointer, key)

        if "type" in schema:
            names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not names or any(name not in JSON_TYPES for name in names):
                raise InvalidJSONSchemaError(f"bad type {schema['type']!r}", pointer=at("type"))
            result.types = frozenset(names)
        if "enum" in schema:
            if not isinstance(schema["enum"], list):
                raise InvalidJSONSchemaError("enum must be an array", pointer=at("enum"))
            result.enum = list(schema["enum"])
        if "const" in schema:
            result.enum = _intersect_values(result.enum, [schema["const"]])
        for key, is_lower in (("minimum", True), ("maximum", False)):
            if key in schema:
                exclusive_key = "exclusiveMinimum" if is_lower else "exclusiveMaximum"
                exclusive = schema.get(exclusive_key) is True
                bound = (_decimal(schema[key], at(key)), exclusive)
                if is_lower:
                    result.lower = _tighter_lower(result.lower, bound)
                else:
                    result.upper = _tighter_upper(result.upper, bound)
        for key, is_lower in (("exclusiveMinimum", True), ("exclusiveMaximum", False)):
            value = schema.get(key)
            if value is None or isinstance(value, bool):
                continue
            bound = (_decimal(value, at(key)), True)
            if is_lower:
                result.lower = _tighter_lower(result.lower, bound)
            else:
                result.upper = _tighter_upper(result.upper, bound)
        if "multipleOf" in schema:
            value = _decimal(schema["multipleOf"], at("multipleOf"))
            if value <= 0:
                raise InvalidJSONSchemaError(
                    "multipleOf must be positive", pointer=at("multipleOf")
                )
            result.multiple_of = Fraction(value)
        if "minLength" in schema:
            result.min_length = _count(schema["minLength"], at("minLength"))
        if "maxLength" in schema:
            result.max_length = _count(schema["maxLength"], at("maxLength"))
        if "pattern" in schema:
            if not isinstance(schema["pattern"], str):
                raise InvalidJSONSchemaError("pattern must be a string", pointer=at("pattern"))
            result.patterns.append((schema["pattern"], at("pattern")))
        if isinstance(schema.get("format"), str):
            result.formats.append(schema["format"])
        result.excluded_values = list(schema.get("_notValues", []))
        result.not_patterns = [(p, at("not")) for p in schema.get("_notPatterns", [])]
        result.forbidden_keys = list(schema.get("_forbiddenKeys", []))
        result.not_integer = bool(schema.get("_notInteger"))
        if result.forbidden_keys:
            result.has_object_keywords = True
        _read_array_keywords(result, schema, at)
        _read_object_keywords(result, schema, at, is_draft4)
        return result


def _read_array_keywords(result: Assertions, schema: Dict[str, Any], at) -> None:
    items = schema.get("items")
    if isinstance(items, list):  # draft 4 to 2019-09: positional items, then additionalItems
        result.prefix = [[(child_pointer(at("items"), i), s)] for i, s in enumerate(items)]
        if "additionalItems" in schema:
            result.items = [(at("additionalItems"), schema["additionalItems"])]
            result.items_evaluates_all = True
    else:
        if "prefixItems" in schema:
            prefix = schema["prefixItems"]
            if not isinstance(prefix, list):
                raise InvalidJSONSchemaError(
                    "prefixItems must be an array", pointer=at("prefixItems")
                )
            result.prefix = [
                [(child_pointer(at("prefixItems"), i), s)] for i, s in enumerate(prefix)
            ]
        if "items" in schema:
            result.items = [(at("items"), items)]
            result.items_evaluates_all = True
    if "unevaluatedItems" in schema:
        result.unevaluated_items = (at("unevaluatedItems"), schema["unevaluatedItems"])
    if "minItems" in schema:
        result.min_items = _count(schema["minItems"], at("minItems"))
    if "maxItems" in schema:
        result.max_items = _count(schema["maxItems"], at("maxItems"))
    result.has_array_keywords = any(
        k in schema
        for k in (
            "items",
            "prefixItems",
            "additionalItems",
            "unevaluatedItems",
            "minItems",
            "maxItems",
        )
    )


def _read_object_keywords(result: Assertions, schema: Dict[str, Any], at, is_draft4: bool) -> None:
    properties = schema.get("properties", {})
    if not isinstance(properties, dict):
        raise InvalidJSONSchemaError("properties must be an object", pointer=at("properties"))
    for name, subschema in properties.items():
        result.properties[name] = [(child_pointer(at("properties"), name), subschema)]
        result.property_order.append(name)
    patterns = schema.get("patternProperties", {})
    if not isinstance(patterns, dict):
        raise InvalidJSONSchemaError(
            "patternProperties must be an object", pointer=at("patternProperties")
        )
    for pattern, subschema in patterns.items():
        ref = (child_pointer(at("patternProperties"), pattern), subschema)
        result.pattern_properties.append((pattern, ref))
    if "additionalProperties" in schema:
        result.additional = [(at("additionalProperties"), schema["additionalProperties"])]
        result.additional_evaluates_all = True
    if "unevaluatedProperties" in schema:
        result.unevaluated_properties = (
            at("unevaluatedProperties"),
            schema["unevaluatedProperties"],
        )
    if "propertyNames" in schema:
        result.property_names = [(at("propertyNames"), schema["propertyNames"])]
    required = schema.get("required", [])
    if is_draft4 and isinstance(required, bool):
        required = []  # a draft-3 leftover some draft-4 schemas carry
    if not isinstance(required, list) or not all(isinstance(n, str) for n in required):
        raise InvalidJSONSchemaError("required must be an array of strings", pointer=at("required"))
    result.required = list(dict.fromkeys(required))
    if "minProperties" in schema:
        result.min_properties = _count(schema["minProperties"], at("minProperties"))
    if "maxProperties" in schema:
        result.max_properties = _count(schema["maxProperties"], at("maxProperties"))
    result.has_object_keywords = result.has_object_keywords or any(
        k in schema
        for k in (
            "properties",
            "patternProperties",
            "additionalProperties",
            "unevaluatedProperties",
            "propertyNames",
            "required",
            "minProperties",
            "maxProperties",
        )
    )


def _intersect_values(a: List[Any] | None, b: List[Any] | None) -> List[Any] | None:
    if a is None or b is None:
        return a if b is None else b
    keys = {canonical_json(v) for v in b}
    return [v for v in a if canonical_json(v) in keys]


def _intersect_types(a: frozenset | None, b: frozenset | None) -> frozenset | None:
    if a is None or b is None:
        return a if b is None else b
    result = set(a & b)
    if "integer" in a and "number" in b or "number" in a and "integer" in b:
        result.add("integer")
    return frozenset(result)


def _lcm(a: Fraction | None, b: Fraction | None) -> Fraction | None:
    if a is None or b is None:
        return a if b is None else b
    numerator = a.numerator * b.numerator // gcd(a.numerator, b.numerator)
    return Fraction(numerator, gcd(a.denominator, b.denominator))


def merge(a: Assertions, b: Assertions, matches_pattern) -> Assertions:
    """Assertions that hold exactly when both `a` and `b` hold.

    `matches_pattern(pattern, key)` decides whether a patternProperties pattern matches a key.
    Raises UnsupportedFeatureError for the one combination that has no exact merge here:
    patternProperties on one side with additionalProperties on the other.
    """
    result = replace(
        a,
        types=_intersect_types(a.types, b.types),
        enum=_intersect_values(a.enum, b.enum),
        lower=_tighter_lower(a.lower, b.lower),
        upper=_tighter_upper(a.upper, b.upper),
        multiple_of=_lcm(a.multiple_of, b.multiple_of),
        min_length=max(a.min_length, b.min_length),
        max_length=_min_optional(a.max_length, b.max_length),
        patterns=a.patterns + b.patterns,
        formats=list(dict.fromkeys(a.formats + b.formats)),
        min_items=max(a.min_items, b.min_items),
        max_items=_min_optional(a.max_items, b.max_items),
        has_array_keywords=a.has_array_keywords or b.has_array_keywords,
        required=list(dict.fromkeys(a.required + b.required)),
        min_properties=max(a.min_properties, b.min_properties),
        max_properties=_min_optional(a.max_properties, b.max_properties),
        property_names=a.property_names + b.property_names,
        has_object_keywords=a.has_object_keywords or b.has_object_keywords,
        excluded_values=a.excluded_values + b.excluded_values,
        not_patterns=a.not_patterns + b.not_patterns,
        forbidden_keys=list(dict.fromkeys(a.forbidden_keys + b.forbidden_keys)),
        not_integer=a.not_integer or b.not_integer,
    )
    for side in (a, b):
        if side.unevaluated_items is not None or side.unevaluated_properties is not None:
            raise UnsupportedFeatureError(
                "unevaluatedItems/unevaluatedProperties inside a combined subschema",
                pointer=side.pointer,
            )
    # Arrays, position by position.
    length = max(len(a.prefix), len(b.prefix))

    def governing_item(side: Assertions, index: int) -> List[SchemaRef]:
        return side.prefix[index] if index < len(side.prefix) else side.items

    result.prefix = [governing_item(a, i) + governing_item(b, i) for i in range(length)]
    result.items = a.items + b.items
    result.items_evaluates_all = a.items_evaluates_all or b.items_evaluates_all
    # Objects, key by key.
    for one, other in ((a, b), (b, a)):
        if one.pattern_properties and (
            other.additional or other.pattern_properties and other.additional
        ):
            raise UnsupportedFeatureError(
                "allOf/$ref combining patternProperties with additionalProperties of another"
                " subschema",
                pointer=one.pointer,
            )

    def governing_property(side: Assertions, name: str) -> List[SchemaRef]:
        # patternProperties apply to declared keys too; additionalProperties to neither.
        matching = [
            ref for pattern, ref in side.pattern_properties if matches_pattern(pattern, name)
        ]
        declared = side.properties.get(name, [])
        return declared + matching if declared or matching else side.additional

    order = list(dict.fromkeys(a.property_order + b.property_order))
    result.property_order = order
    result.properties = {n: governing_property(a, n) + governing_property(b, n) for n in order}
    result.pattern_properties = a.pattern_properties + b.pattern_properties
    result.additional = a.additional + b.additional
    result.additional_evaluates_all = a.additional_evaluates_all or b.additional_evaluates_all
    return result
