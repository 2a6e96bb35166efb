"""`$ref`, `allOf`, `anyOf` and `oneOf`: taking one schema node apart into what to emit.

`normalize` turns a schema node into one of:
- `Reference(target)`: the node is a bare `$ref` (annotations aside), so its rule is the
  target's rule. Recursive schemas stay recursive rules.
- `Alternatives(branches)`: the node holds an `anyOf`/`oneOf` (possibly from a `$ref`'d or
  `allOf` part); each branch is the node's other assertions *and* one option (`P and (A or B)`
  = `(P and A) or (P and B)`), emitted as its own rule. A node with several such groups
  distributes them one at a time.
- `Flat(assertions)`: everything else merged, `allOf` branches and `$ref` targets with sibling
  keywords included (never first-only), into one `Assertions` (see `schema_model.merge`).
  Siblings of `$ref` are honoured in every draft; drafts 4 to 7 say to ignore them, so there
  honouring them can only narrow the language, never widen it.

`oneOf` means "exactly one". Options that are provably disjoint from each other (different
types, disjoint `const`/`enum` values, or -- for options that admit only objects, the node's
own `type` and `required` counted -- a shared required property whose `const`/`enum` values
are disjoint, or a required property that the other option's `additionalProperties: false`
forbids) are emitted as a plain choice. An option that may overlap others carries their exact
negations (negation.py): branch i is `option i and not option j` for each such j, which is
"exactly one" spelled out. When such a negation does not exist, or the branches would exceed
`MAX_ONE_OF_EXCLUSION_BRANCHES`, it raises `UnsupportedFeatureError` (lenient: warns and
treats the group as `anyOf`, which is wider). An instance that several `anyOf` options accept
is still accepted; the grammar may just be ambiguous, which the matcher handles.

`dependentRequired`/`dependentSchemas` (and draft 4-7 `dependencies`, honoured in every
draft: narrower, never wider) become one `anyOf` group per trigger key k: an object with k
that meets the dependency, an object without k, or a non-object.

`unevaluatedProperties`/`unevaluatedItems` of the node itself are applied after the merge:
with no `additionalProperties`/`items` anywhere in the merge they act as those keywords do.
Inside an `anyOf` option they see only that option's properties, which is narrower than the
specification (which also counts the other options that match), never wider.

Budgets: `MAX_ALLOF_PARTS` parts per merge, `MAX_ONE_OF_EXCLUSION_BRANCHES` branches per oneOf
option, `MAX_SCHEMA_DEPTH` (refs.py) for `$ref` chains.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from math import prod
from typing import Any, Callable, List

from ..exceptions import InvalidJSONSchemaError, LimitExceededError, UnsupportedFeatureError
from .negation import negation_is_exact, negation_options, rewrite_not
from .refs import MAX_SCHEMA_DEPTH, SchemaDocument, child_pointer
from .schema_model import Assertions, SchemaRef, canonical_json, json_type_of, merge

# Most schema objects one node may merge (allOf branches and $ref targets, transitively).
MAX_ALLOF_PARTS = 256

# Most branches one oneOf option may split into when it carries the negations of the options
# it may overlap (the product of their negations' option counts); each branch is a rule.
MAX_ONE_OF_EXCLUSION_BRANCHES = 64

# Keywords that only annotate (or only structure the document) and never constrain.
ANNOTATION_KEYWORDS = frozenset(
    [
        "$schema", "$id", "id", "$anchor", "$comment", "$defs", "definitions", "$vocabulary",
        "title", "description", "default", "examples", "example", "deprecated", "readOnly",
        "writeOnly", "contentMediaType", "contentEncoding", "contentSchema", "$dynamicAnchor",
        "$recursiveAnchor", "discriminator", "nullable",
    ]
)  # fmt: skip
APPLICATOR_KEYWORDS = frozenset(
    ["$ref", "allOf", "anyOf", "oneOf", "not", "if", "then", "else"]
    + ["dependentRequired", "dependentSchemas", "dependencies"]
)
_DEPENDENCY_KEYWORDS = ("dependentRequired", "dependentSchemas", "dependencies")
_NON_OBJECT_TYPES = ["null", "boolean", "number", "string", "array"]


@dataclass
class Reference:
    target: SchemaRef


@dataclass
class Alternatives:
    branches: List[SchemaRef]  # synthetic schemas, with keys for the rule cache
    keys: List[str]


@dataclass
class Flat:
    assertions: Assertions | None  # None: the node accepts nothing (`false`)


class AllOfRefs:
    """Several subschemas that all govern one place (a property, an array position)."""

    def __init__(self, refs: List[SchemaRef]) -> None:
        self.refs = refs


class _Synthetic:
    """A node made by distribution: merged assertions plus the groups left to distribute."""

    def __init__(self, base: Assertions, groups: list, unevaluated: tuple) -> None:
        self.base = base
        self.groups = groups
        self.unevaluated = unevaluated


class Normalizer:
    def __init__(
        self,
        document: SchemaDocument,
        check_keywords: Callable[[dict, str], dict],
        matches_pattern,
        lenient_oneof: Callable[[str], None],
        is_draft4: bool,
        unsupported: Callable[[str, str], None],
        ref_overrides_siblings: bool = False,
    ) -> None:
        self.unsupported = unsupported
        # Drafts 3 to 7: a schema with `$ref` is that reference alone, its siblings ignored.
        self.ref_overrides_siblings = ref_overrides_siblings
        self.document = document
        self.check_keywords = check_keywords
        self.matches_pattern = matches_pattern
        self.lenient_oneof = lenient_oneof
        self.is_draft4 = is_draft4

    def normalize(self, pointer: str, schema: Any, key: str):
        if isinstance(schema, AllOfRefs):
            base, groups = self._flatten(pointer, {}, schema.refs)
            return self._finish(base, groups, (None, None, pointer), key)
        if isinstance(schema, _Synthetic):
            return self._finish(schema.base, list(schema.groups), schema.unevaluated, key)

        if schema is True:
            return Flat(Assertions(pointer=pointer))
        if schema is False:
            return Flat(None)
        if not isinstance(schema, dict):
            raise InvalidJSONSchemaError("a schema must be an object or a boolean", pointer=pointer)
        schema = self.check_keywords(schema, pointer)
        if self.ref_overrides_siblings and "$ref" in schema:
            return Reference(self.document.resolve(schema["$ref"], pointer))
        constraining = [k for k in schema if k not in ANNOTATION_KEYWORDS]
        if constraining == ["$ref"]:
            return Reference(self.document.resolve(schema["$ref"], pointer))
        unevaluated = (
            schema.get("unevaluatedProperties"),
            schema.get("unevaluatedItems"),
            pointer,
        )
        top = {
            k: v
            for k, v in schema.items()
            if k not in ("unevaluatedProperties", "unevaluatedItems")
        }
        has_unevaluated = unevaluated[0] is not None or unevaluated[1] is not None
        base, groups = self._flatten(pointer, top, (), has_unevaluated)
        return self._finish(base, groups, unevaluated, key)

    def _if_then_else(self, part: dict, pointer: str) -> list:
        """`if`/`then`/`else` as a group: (if and then) or (not-if and else)."""
        if_pointer = child_pointer(pointer, "if")
        negated = negation_options(part["if"], if_pointer, self.document)
        if negated is None:
            self.unsupported("if", if_pointer)  # raises unless lenient: then if/then/else drop
            return []
        then_branch = part.get("then", True)
        else_branch = part.get("else", True)
        then_pointer = child_pointer(pointer, "then")
        else_pointer = child_pointer(pointer, "else")
        options = [(then_pointer, {"allOf": [part["if"], then_branch]})]
        options += [(else_pointer, {"allOf": [option, else_branch]}) for option in negated]
        return [("anyOf", if_pointer, options)]

    def _flatten(
        self, pointer: str, schema: dict, extra_parts: tuple = (), has_unevaluated: bool = False
    ):
        """Merge the node with its allOf branches and $ref targets; collect anyOf/oneOf groups."""
        merged: Assertions | None = None
        groups: list = []
        stack = [(pointer, schema, ())] + [(p, s, ()) for p, s in extra_parts]
        parts = 0
        while stack:
            part_pointer, part, ancestry = stack.pop()
            parts += 1
            if parts > MAX_ALLOF_PARTS or len(ancestry) > MAX_SCHEMA_DEPTH:
                raise LimitExceededError(
                    f"more than {MAX_ALLOF_PARTS} allOf/$ref parts merge into one schema"
                    " (MAX_ALLOF_PARTS)",
                    pointer=pointer,
                )
            if part is True:
                continue
            if part is False:
                return None, []
            if not isinstance(part, dict):
                raise InvalidJSONSchemaError(
                    "a schema must be an object or a boolean", pointer=part_pointer
                )
            if part is not schema:
                part = self.check_keywords(part, part_pointer)
            if part.get("_fromNegation") and has_unevaluated:
                raise UnsupportedFeatureError(
                    "a negated 'properties' (from not/if) under unevaluatedProperties/Items",
                    pointer=part_pointer,
                )
            if "if" in part:
                groups.extend(self._if_then_else(part, part_pointer))
            for keyword in _DEPENDENCY_KEYWORDS:
                if keyword in part:
                    dependencies = child_pointer(part_pointer, keyword)
                    groups.extend(_dependency_groups(part[keyword], dependencies))
            if "not" in part:
                not_pointer = child_pointer(part_pointer, "not")
                rewritten = rewrite_not(part["not"], not_pointer, self.document)
                # Checked whole here, so that a negation nested in the rewritten parts fails at
                # this `not`, not at a pointer the schema does not have.
                if rewritten is None or not negation_is_exact(
                    part["not"], not_pointer, self.document
                ):
                    self.unsupported("not", not_pointer)  # raises unless lenient
                else:
                    for extra in rewritten:
                        stack.append((not_pointer, extra, ancestry + (part_pointer,)))
            if "$ref" in part:
                target_pointer, target = self.document.resolve(part["$ref"], part_pointer)
                if target_pointer in ancestry:
                    raise InvalidJSONSchemaError(
                        "$ref cycle that never reaches a value (no base case)",
                        pointer=child_pointer(part_pointer, "$ref"),
                    )
                stack.append((target_pointer, target, ancestry + (part_pointer,)))
            for index, branch in enumerate(part.get("allOf", [])):
                stack.append(
                    (
                        child_pointer(part_pointer, "allOf", index),
                        branch,
                        ancestry + (part_pointer,),
                    )
                )
            for keyword in ("anyOf", "oneOf"):
                if keyword in part:
                    options = part[keyword]
                    if not isinstance(options, list) or not options:
                        raise InvalidJSONSchemaError(
                            f"{keyword} must be a non-empty array",
                            pointer=child_pointer(part_pointer, keyword),
                        )
                    group_pointer = child_pointer(part_pointer, keyword)
                    refs = [(child_pointer(group_pointer, i), o) for i, o in enumerate(options)]
                    groups.append((keyword, group_pointer, refs))
            if (
                part is not schema
                and ("unevaluatedProperties" in part or "unevaluatedItems" in part)
                and any(k in part for k in APPLICATOR_KEYWORDS)
            ):
                raise UnsupportedFeatureError(
                    "unevaluatedProperties/unevaluatedItems in a subschema that itself combines"
                    " subschemas",
                    pointer=part_pointer,
                )
            plain = {k: v for k, v in part.items() if k not in APPLICATOR_KEYWORDS}
            if part is not schema:
                # A leaf part's own unevaluated* keywords act as additional*/items.
                plain = dict(plain)
                if "unevaluatedProperties" in plain and "additionalProperties" not in plain:
                    plain["additionalProperties"] = plain.pop("unevaluatedProperties")
                if "unevaluatedItems" in plain and "items" not in plain:
                    if "prefixItems" in plain or not isinstance(plain.get("items"), list):
                        plain["items"] = plain.pop("unevaluatedItems")
                plain.pop("unevaluatedProperties", None)
                plain.pop("unevaluatedItems", None)
            assertions = Assertions.from_keywords(plain, part_pointer, self.is_draft4)
            merged = (
                assertions if merged is None else merge(merged, assertions, self.matches_pattern)
            )
        if merged is not None:
            merged.pointer = pointer
        return merged, groups

    def _finish(self, base: Assertions | None, groups: list, unevaluated: tuple, key: str):
        if base is None:
            return Flat(None)
        if not groups:
            return Flat(_apply_unevaluated(base, unevaluated))
        keyword, group_pointer, options = groups[0]
        has_unevaluated = unevaluated[0] is not None or unevaluated[1] is not None
        exclusions: List[List[int]] = [[] for _ in options]
        if keyword == "oneOf":
            exclusions = self._one_of_exclusions(base, options, group_pointer, has_unevaluated)
        branches, keys = [], []
        for index, (option_pointer, option) in enumerate(options):
            # As an inner part, the option's keywords are checked and its own unevaluated*
            # keywords see only itself. A oneOf option also carries the negations of the
            # options it may overlap (placed at their pointers, so their $refs resolve there).
            inner = ((option_pointer, option),) + tuple(
                (options[other][0], {"not": options[other][1]}) for other in exclusions[index]
            )
            option_base, option_groups = self._flatten(option_pointer, {}, inner, has_unevaluated)
            if option_base is None:
                continue
            combined = merge(base, option_base, self.matches_pattern)
            if combined.types is not None and not combined.types:
                continue  # no type left: the branch accepts nothing, whatever follows
            combined.pointer = option_pointer
            synthetic = _Synthetic(combined, groups[1:] + option_groups, unevaluated)
            branches.append((option_pointer, synthetic))
            keys.append(f"{key}|{keyword}{index}")
        return Alternatives(branches, keys)

    def _one_of_exclusions(self, base, options, group_pointer, has_unevaluated) -> List[List[int]]:
        """For each oneOf option, the other options whose negation it must carry: those not
        provably disjoint from it. Raises (lenient: warns, and the group acts as anyOf) when
        one of them has no exact negation or the branches would exceed the budget."""
        facts = [_shallow_facts(option, self.document, context=base) for _, option in options]
        overlapping = [
            [j for j in range(len(options)) if j != i and not _pair_disjoint(facts[i], facts[j])]
            for i in range(len(options))
        ]
        needed = sorted({j for row in overlapping for j in row})
        if not needed:
            return overlapping
        sizes = {}
        for j in needed:
            pointer, option = options[j]
            negated = None
            # An option with its own `not` is refused: the negation's parts would sit at the
            # pointer of that `not` and could be mistaken for it.
            exact = not (isinstance(option, dict) and "not" in option) and not has_unevaluated
            if exact and negation_is_exact(option, pointer, self.document):
                negated = negation_options(option, pointer, self.document)
            if negated is None:
                self.lenient_oneof(group_pointer)
                return [[] for _ in options]
            sizes[j] = max(1, len(negated))
        for row in overlapping:
            if prod(sizes[j] for j in row) > MAX_ONE_OF_EXCLUSION_BRANCHES:
                self.lenient_oneof(group_pointer)
                return [[] for _ in options]
        return overlapping


def _dependency_groups(dependencies: Any, pointer: str) -> list:
    """`dependentRequired`/`dependentSchemas` (and `dependencies`, either form) as anyOf
    groups, one per trigger key k: an object with k that meets the dependency (the required
    names, or the schema plus k required), an object without k, or no object at all."""
    if not isinstance(dependencies, dict):
        raise InvalidJSONSchemaError("dependencies must be an object", pointer=pointer)
    groups = []
    for name, dependency in dependencies.items():
        entry = child_pointer(pointer, name)
        if isinstance(dependency, list):
            if not all(isinstance(other, str) for other in dependency):
                raise InvalidJSONSchemaError("dependent names must be strings", pointer=entry)
            met: Any = {"required": [name] + dependency}
        elif dependency is True:
            continue
        elif dependency is False:
            met = False
        elif isinstance(dependency, dict):
            # The dependency schema keeps its own pointer (its subschemas' rules are named
            # after it); the trigger key joins its `required`.
            required = dependency.get("required", [])
            if not isinstance(required, list):
                raise InvalidJSONSchemaError(
                    "required must be an array", pointer=child_pointer(entry, "required")
                )
            met = {**dependency, "required": required + [name]}
        else:
            raise InvalidJSONSchemaError(
                "a dependency must be an array of names or a schema", pointer=entry
            )
        options = [
            (entry, met),
            (entry, {"type": "object", "_forbiddenKeys": [name]}),
            (entry, {"type": _NON_OBJECT_TYPES}),
        ]
        groups.append(("anyOf", entry, options))
    return groups


def _apply_unevaluated(base: Assertions, unevaluated: tuple) -> Assertions:
    properties, items, pointer = unevaluated
    result = base
    if properties is not None and not base.additional_evaluates_all:
        result = replace(
            result,
            unevaluated_properties=(child_pointer(pointer, "unevaluatedProperties"), properties),
        )
        result.has_object_keywords = True
    if items is not None and not base.items_evaluates_all:
        result = replace(
            result, unevaluated_items=(child_pointer(pointer, "unevaluatedItems"), items)
        )
        result.has_array_keywords = True
    return result


class _Facts:
    """What a oneOf option certainly requires, read shallowly (no merging)."""

    def __init__(self) -> None:
        self.types: set | None = None  # None: unknown, any type
        self.values: set | None = None  # canonical enum/const values, None: unknown
        self.discriminators: dict = {}  # required property -> its canonical enum/const values
        self.required: set = set()
        self.closed_names: set | None = None  # declared names when no other key is allowed


def _shallow_facts(
    schema: Any, document: SchemaDocument, nested: bool = False, context: Assertions | None = None
) -> _Facts:
    """Facts about a schema, following bare $ref chains a bounded number of steps; one level
    of properties is read for discriminators (`nested` stops there). `context`, the merged
    assertions of the node that holds the oneOf, adds its types and required names."""
    facts = _Facts()
    if context is not None:
        facts.types = None if context.types is None else set(context.types)
        facts.required = set(context.required)
    for _ in range(MAX_SCHEMA_DEPTH):
        if isinstance(schema, dict) and "$ref" in schema and len(schema) == 1:
            schema = document.resolve(schema["$ref"], "")[1]
        else:
            break
    if not isinstance(schema, dict):
        return facts
    types = schema.get("type")
    if types is not None:
        facts.types = _types_intersection(
            facts.types, set(types if isinstance(types, list) else [types])
        )
    values = None
    if "const" in schema:
        values = [schema["const"]]
    elif isinstance(schema.get("enum"), list):
        values = schema["enum"]
    if values is not None:
        value_types = {json_type_of(v) for v in values}
        facts.types = (
            value_types
            if facts.types is None
            else facts.types & (value_types | ({"number"} & facts.types))
        )
        facts.values = {canonical_json(v) for v in values}
    if nested or any(k in schema for k in APPLICATOR_KEYWORDS):
        return facts
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    required = schema.get("required") if isinstance(schema.get("required"), list) else []
    facts.required |= {name for name in required if isinstance(name, str)}
    for name in facts.required:
        sub_values = _shallow_facts(properties.get(name), document, nested=True).values
        if sub_values is not None:
            facts.discriminators[name] = sub_values
    closed = (
        schema.get("additionalProperties") is False or schema.get("unevaluatedProperties") is False
    )
    if closed and not schema.get("patternProperties"):
        facts.closed_names = {n for n, sub in properties.items() if sub is not False}
    return facts


def _types_intersection(a: set | None, b: set) -> set:
    """The types both sets admit (None: any type); integer lies inside number."""
    if a is None:
        return set(b)
    both = a & b
    if "number" in a and "integer" in b or "integer" in a and "number" in b:
        both.add("integer")
    return both


def _types_disjoint(a: set | None, b: set | None) -> bool:
    if a is None or b is None:
        return False
    widen = {"integer": {"integer", "number"}, "number": {"integer", "number"}}
    expanded_a = set().union(*(widen.get(t, {t}) for t in a)) if a else set()
    return not (expanded_a & b)


def _objects_only(facts: _Facts) -> bool:
    return facts.types is not None and facts.types == {"object"}


def _pair_disjoint(a: _Facts, b: _Facts) -> bool:
    if _types_disjoint(a.types, b.types):
        return True
    if a.values is not None and b.values is not None and not (a.values & b.values):
        return True
    # Property-based reasons hold only when both options admit objects alone (for any other
    # type `required` and `properties` are vacuous, so both options would accept it).
    if not (_objects_only(a) and _objects_only(b)):
        return False
    shared = set(a.discriminators) & set(b.discriminators)
    if any(not (a.discriminators[n] & b.discriminators[n]) for n in shared):
        return True
    for one, other in ((a, b), (b, a)):
        if other.closed_names is not None and one.required - other.closed_names:
            return True  # `one` requires a key that `other` forbids
    return False
