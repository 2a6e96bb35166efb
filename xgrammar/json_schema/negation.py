"""`not`: the negations that have an exact positive form, rewritten into one.

`not S` accepts what `S` rejects. Remember that a type-specific keyword accepts every instance
of another type, so `not {"pattern": p}` accepts only *strings* that do not match `p`, and
`not {"required": ["a"]}` only *objects* without `a`. The forms rewritten here:

| `not` of                      | becomes                                                    |
| ----------------------------- | ---------------------------------------------------------- |
| `true`, `{}`                  | `false`                                                    |
| `false`                       | nothing (no constraint)                                    |
| `{"not": X}`                  | `X`                                                        |
| `{"type": T}`                 | the other types (not `integer` alone: a fractional-number   |
|                               | language is not generated)                                 |
| `{"enum": V}`, `{"const": v}` | `_notValues: V` (excluded scalar values)                   |
| `{"pattern": p}`              | strings, `_notPatterns: [p]` (complement automaton)        |
| `{"required": [a]}`           | objects, `_forbiddenKeys: [a]`; several names: `anyOf` one |
|                               | absent name per option                                     |
| `{"anyOf": [A, B]}`           | `not A` and `not B` (De Morgan)                            |
| `{"$ref": r}`                 | `not` of the target (bounded by MAX_NEGATION_STEPS)        |

Anything else returns None: the caller reports `not` as unsupported (or drops it in lenient
mode). The `_`-prefixed keys are internal; `schema_model.Assertions` reads them.

Entry point: `rewrite_not(negated, pointer, document) -> list of parts or None`.
"""

from __future__ import annotations

from typing import Any, List

from .refs import SchemaDocument
from .schema_model import JSON_TYPES

# Steps (double negations, $ref hops) one `not` may take before it is declared unsupported.
MAX_NEGATION_STEPS = 64

_EVALUATING = frozenset(
    ["properties", "patternProperties", "additionalProperties", "unevaluatedProperties", "items"]
    + ["prefixItems", "additionalItems", "unevaluatedItems", "$ref", "allOf", "anyOf", "oneOf"]
    + ["contains", "if", "dependentSchemas"]
)
_IGNORED = frozenset(["title", "description", "$comment", "examples", "default", "$id", "$schema"])


def rewrite_not(negated: Any, pointer: str, document: SchemaDocument) -> List[Any] | None:
    """Schema parts whose conjunction means `not negated`, or None when there is none here."""
    for _ in range(MAX_NEGATION_STEPS):
        if negated is True or negated == {}:
            return [False]
        if negated is False:
            return []
        if not isinstance(negated, dict):
            return None
        keys = set(negated) - _IGNORED
        if keys == {"$ref"}:
            pointer, negated = document.resolve(negated["$ref"], pointer)
            continue
        if keys == {"not"}:
            inner = negated["not"]
            if isinstance(inner, dict) and set(inner) & _EVALUATING:
                # Inside `not`, subschemas evaluate no properties or items; merged into the
                # parent they would hide keys from its unevaluatedProperties/Items.
                return None
            return [inner]
        if keys == {"anyOf"} and isinstance(negated["anyOf"], list):
            return [{"not": option} for option in negated["anyOf"]]
        if keys == {"type"}:
            names = negated["type"] if isinstance(negated["type"], list) else [negated["type"]]
            if "integer" in names and "number" not in names:
                return None
            excluded = set(names) | ({"integer"} if "number" in names else set())
            return [{"type": [t for t in JSON_TYPES if t not in excluded]}]
        if keys == {"enum"} and isinstance(negated["enum"], list):
            return [{"_notValues": list(negated["enum"])}]
        if keys == {"const"}:
            return [{"_notValues": [negated["const"]]}]
        if keys == {"pattern"} and isinstance(negated["pattern"], str):
            return [{"type": "string", "_notPatterns": [negated["pattern"]]}]
        if keys == {"required"} and isinstance(negated["required"], list) and negated["required"]:
            names = negated["required"]
            if not all(isinstance(name, str) for name in names):
                return None
            options = [{"type": "object", "_forbiddenKeys": [name]} for name in names]
            return options if len(options) == 1 else [{"anyOf": options}]
        return None
    return None
