"""JSON Schema -> EBNF: the entry point and the per-node driver.

`json_schema_to_ebnf(schema, ...)` reads the schema (JSON text, a dict, or a pydantic model
class), then emits one grammar rule per subschema, named after its JSON pointer, from a work
queue: a rule's body refers to the rules of its subschemas by name, so nesting depth never
becomes Python recursion and recursive schemas become recursive rules. At the end unproductive
alternatives are pruned; a schema that accepts nothing raises `InvalidJSONSchemaError`.

Guarantee: the grammar accepts only JSON texts whose value the schema accepts (for documents
without duplicate object keys: a context-free grammar cannot keep two free-form keys apart;
declared properties are never accepted as additional keys, under any escaping, and repeat only
where objects.py says: an optional property of an object too large to track, in the default
`any_key_order=True`, with each copy valid, so either copy a parser keeps gives a valid
value). It may reject some valid texts; each such narrowing is documented where it is made
(numbers.py, strings.py, formats.py, combinators.py, objects.py, whitespace.py).

A keyword that cannot be enforced (`contains`, `uniqueItems: true`, `$dynamicRef`,
`$recursiveRef`, and a `not`, an `if` or an overlapping `oneOf` whose schema has no exact
negation, see negation.py and combinators.py) raises `UnsupportedFeatureError` naming it
with its JSON pointer; with `lenient=True` it is dropped with a `UserWarning` naming the same
(the grammar is then wider than the schema).
Keywords of no vocabulary (`x-...`, typos) are ignored as the specification says.

`strict_mode=True` (default, as upstream): an object schema that declares `properties` or
`patternProperties` and leaves `additionalProperties`/`unevaluatedProperties` unspecified
admits no other keys, and an array schema with `prefixItems` and no `items`/`unevaluatedItems`
admits no items past the prefix. `{"type": "object"}` and `{"type": "array"}` alone still
mean any object or array.
"""

from __future__ import annotations

import json
import warnings
from collections import deque
from decimal import Decimal
from fractions import Fraction
from typing import Any, List, Tuple

from ..exceptions import (
    InvalidJSONError,
    InvalidJSONSchemaError,
    LimitExceededError,
    UnsupportedFeatureError,
    XGrammarError,
)
from . import ebnf
from .combinators import AllOfRefs, Alternatives, Flat, Normalizer, Reference
from .formats import format_language
from .numbers import (
    JSON_NUMBER_WITHOUT_EXPONENT,
    NON_INTEGER_NUMBER,
    NumberLanguage,
    number_language,
    number_spellings,
)
from .patterns import pattern_language
from .refs import SchemaDocument, child_pointer
from .regular import Alt, Automaton
from .schema_model import Assertions, SchemaRef, canonical_json, json_type_of
from .strings import JsonStringEncoder, names_automaton, string_language, string_literal
from .whitespace import Layout

# Deepest JSON value (in an `enum` or `const`) turned into a grammar.
MAX_VALUE_DEPTH = 200

# Deepest nesting of negated subschemas (`not` inside a negated property, ...) in one rule's
# pointer; real schemas nest a few, a `not` over a recursive schema would nest forever.
MAX_NESTED_NEGATIONS = 32

_UNSUPPORTED_KEYWORDS = ("contains", "$dynamicRef", "$recursiveRef")


def _schema_from_argument(schema: Any) -> Any:
    if isinstance(schema, type) and hasattr(schema, "model_json_schema"):
        return schema.model_json_schema()
    if isinstance(schema, str):
        try:
            return json.loads(schema)
        except RecursionError:
            raise LimitExceededError(
                "the schema text nests too deeply to parse", pointer=""
            ) from None
        except ValueError as error:
            raise InvalidJSONError(f"the schema is not valid JSON: {error}") from None
    if isinstance(schema, (dict, bool)):
        return schema
    raise InvalidJSONSchemaError(
        "a schema must be JSON text, a dict, a bool or a pydantic model class, not"
        f" {type(schema).__name__}",
        pointer="",
    )


class Converter:
    def __init__(
        self,
        root: Any,
        layout_options: dict,
        strict_mode: bool,
        lenient: bool,
        any_key_order: bool = True,
        draft: int | None = None,
    ) -> None:
        self.table = ebnf.RuleTable()
        self.root_name = self.table.reserve("root")
        self.layout = Layout(self.table, **layout_options)
        self.encoder = JsonStringEncoder(self.table)
        self.document = SchemaDocument(root)
        self.strict_mode = strict_mode
        self.lenient = lenient
        self.any_key_order = any_key_order  # see objects.py
        self.is_draft4 = draft in (3, 4)  # `draft`: the root's, see _declared_draft
        self.normalizer = Normalizer(
            self.document,
            self.check_keywords,
            self.matches_pattern,
            self._oneof_overlap,
            self.is_draft4,
            self.unsupported,
            ref_overrides_siblings=draft is not None,
        )
        self._rules: dict = {}
        self._queue: deque = deque()
        self._pattern_automata: dict = {}
        self._shared: dict = {}
        self.key_region_cache: dict = {}  # objects.py: key grammars by excluded names/patterns

    # -- keywords ---------------------------------------------------------------------------

    def unsupported(self, keyword: str, pointer: str, why: str = "") -> None:
        message = f"keyword {keyword!r} at {pointer or '/'} cannot be enforced by a grammar{why}"
        if not self.lenient:
            raise UnsupportedFeatureError(message, pointer=pointer)
        warnings.warn(f"{message}; dropped (lenient mode), so the grammar is wider", stacklevel=4)

    def check_keywords(self, schema: dict, pointer: str) -> dict:
        """The schema with unenforceable keywords removed (lenient) or an error raised."""
        dropped = []
        for keyword in _UNSUPPORTED_KEYWORDS:
            if keyword in schema:
                dropped.append(keyword)
        if schema.get("uniqueItems") is True:
            dropped.append("uniqueItems")
        for keyword in dropped:
            self.unsupported(keyword, child_pointer(pointer, keyword))
        removed = set(dropped) | {"uniqueItems", "minContains", "maxContains"}
        if "if" not in schema:
            removed |= {"then", "else"}  # without `if` they have no effect
        if not removed & set(schema):
            return schema
        return {k: v for k, v in schema.items() if k not in removed}

    def _oneof_overlap(self, pointer: str) -> None:
        self.unsupported(
            "oneOf",
            pointer,
            ": its options are not provably disjoint, so 'exactly one' cannot be"
            " checked (lenient mode treats it as anyOf)",
        )

    def pattern_automaton(self, pattern: str, pointer: str) -> Automaton:
        if pattern not in self._pattern_automata:
            try:
                self._pattern_automata[pattern] = Automaton.from_expression(
                    pattern_language(pattern)
                )
            except XGrammarError as error:
                error.pointer = error.pointer or pointer
                raise
        return self._pattern_automata[pattern]

    def matches_pattern(self, pattern: str, key: str) -> bool:
        return self.pattern_automaton(pattern, "").accepts(key)

    # -- rules ------------------------------------------------------------------------------

    def rule_for(self, ref: SchemaRef, depth: int, key: str | None = None) -> ebnf.Expr:
        """A reference to the rule for subschema `ref` laid out at nesting `depth` (queued)."""
        pointer, schema = ref
        if schema is True:
            return self.any_value()
        if pointer.split("/").count("not") > MAX_NESTED_NEGATIONS:
            # Negating a recursive schema unrolls it: each level is a new negated subschema.
            raise LimitExceededError(
                f"negations nest more than {MAX_NESTED_NEGATIONS} levels deep, as a 'not'"
                " over a recursive schema does (MAX_NESTED_NEGATIONS)",
                pointer=pointer,
            )
        cache_key = (key if key is not None else pointer, self.layout.effective_depth(depth))
        if cache_key not in self._rules:
            hint = ("root" + pointer) if pointer else "root"
            if self.layout.depth_sensitive and depth:
                hint += f"_d{cache_key[1]}"
            name = (
                self.root_name
                if not self._rules and not pointer and key is None
                else self.table.reserve(hint)
            )
            self._rules[cache_key] = name
            self._queue.append((name, pointer, schema, depth, cache_key[0]))
        return ebnf.RuleRef(self._rules[cache_key])

    def all_of_rule(self, refs: List[SchemaRef], depth: int) -> ebnf.Expr:
        """The rule for the conjunction of several subschemas governing one place."""
        unique = list({pointer: (pointer, schema) for pointer, schema in refs}.values())
        unique = [r for r in unique if r[1] is not True and r[1] != {}]
        if not unique:
            return self.any_value()
        if len(unique) == 1:
            return self.rule_for(unique[0], depth)
        key = "&".join(pointer for pointer, _ in unique)
        return self.rule_for((unique[0][0], AllOfRefs(unique)), depth, key=key)

    def run(self, root: Any) -> str:
        if root is True:  # `true` accepts any value; its rule is the shared one
            self.table.define(self.root_name, self.any_value())
        else:
            self.rule_for(("", root), 0)
        while self._queue:
            name, pointer, schema, depth, key = self._queue.popleft()
            try:
                body = self._body(pointer, schema, depth, key)
            except XGrammarError as error:
                if error.pointer is None:
                    error.pointer = pointer
                raise
            self.table.define(name, body)
        return self.table.to_ebnf(self.root_name)

    def _body(self, pointer: str, schema: Any, depth: int, key: str) -> ebnf.Expr:
        node = self.normalizer.normalize(pointer, schema, key)
        if isinstance(node, Reference):
            return self.rule_for(node.target, depth)
        if isinstance(node, Alternatives):
            return ebnf.choice(
                *(
                    self.rule_for(branch, depth, key=k)
                    for branch, k in zip(node.branches, node.keys)
                )
            )
        assert isinstance(node, Flat)
        if node.assertions is None:
            return ebnf.NOTHING
        return self.emit(node.assertions, depth)

    # -- values -----------------------------------------------------------------------------

    def shared_rule(self, name: str, make) -> ebnf.Expr:
        if name not in self._shared:
            self._shared[name] = self.table.reserve(name)
            self.table.define(self._shared[name], make())
        return ebnf.RuleRef(self._shared[name])

    def any_value(self) -> ebnf.Expr:
        """Any JSON value, laid out on one line (or with any whitespace)."""
        from .objects import any_value_rules

        return any_value_rules(self)

    def emit(self, assertions: Assertions, depth: int) -> ebnf.Expr:
        from .arrays import array_expression
        from .objects import object_expression

        types = (
            set(assertions.types)
            if assertions.types is not None
            else {"null", "boolean", "object", "array", "number", "string"}
        )
        if "number" in types:
            types.discard("integer")
        if assertions.enum is not None:
            return ebnf.choice(
                *(
                    self.value_literal(value, depth)
                    for value in assertions.enum
                    if self.value_allowed(value, assertions, types)
                )
            )
        hint = ("root" + assertions.pointer) if assertions.pointer else "root"
        excluded = {canonical_json(v) for v in assertions.excluded_values}
        excluded_types = {json_type_of(v) for v in assertions.excluded_values}
        if assertions.not_integer:
            types.discard("integer")
        if excluded_types & {"array", "object"} & types:
            raise UnsupportedFeatureError(
                "'not' excluding array or object values",
                pointer=assertions.pointer,
            )
        options = []
        for type_name in ("null", "boolean", "integer", "number", "string", "array", "object"):
            if type_name not in types:
                continue
            if type_name == "null":
                if canonical_json(None) not in excluded:
                    options.append(ebnf.literal("null"))
            elif type_name == "boolean":
                for value in (True, False):
                    if canonical_json(value) not in excluded:
                        options.append(ebnf.literal(json.dumps(value)))
            elif type_name in ("integer", "number"):
                options.append(self.number_expression(assertions, type_name == "integer", hint))
            elif type_name == "string":
                options.append(self.string_expression(assertions, hint))
            elif type_name == "array":
                options.append(array_expression(self, assertions, depth, hint))
            else:
                options.append(object_expression(self, assertions, depth, hint))
        return ebnf.choice(*options)

    def number_expression(self, assertions: Assertions, integer: bool, hint: str) -> ebnf.Expr:
        excluded = [
            v for v in assertions.excluded_values if json_type_of(v) in ("integer", "number")
        ]
        narrowed = bool(excluded) or (assertions.not_integer and not integer)
        plain = assertions.multiple_of is None and not narrowed
        if assertions.lower is None and assertions.upper is None and plain:
            name = "json_integer" if integer else "json_number"
            return self.shared_rule(
                name,
                lambda: number_language(None, None, None, integer)[0].to_ebnf(self.table, name),
            )
        parts = number_language(assertions.lower, assertions.upper, assertions.multiple_of, integer)
        if narrowed:
            # Exclusions remove every exponent-free spelling of a value, so the exponent forms
            # (which could spell it too) are left out altogether: narrower, never wider.
            filters = [Automaton.from_expression(JSON_NUMBER_WITHOUT_EXPONENT)]
            if excluded:
                spellings = Alt(tuple(number_spellings(Decimal(str(v))) for v in excluded))
                filters.append(Automaton.from_expression(spellings).complement())
            if assertions.not_integer and not integer:
                filters.append(Automaton.from_expression(NON_INTEGER_NUMBER))
            narrowed_parts = []
            for part in parts:
                automaton = part.as_automaton()
                for allowed in filters:
                    automaton = automaton.intersect(allowed)
                narrowed_parts.append(NumberLanguage(automaton=automaton))
            parts = narrowed_parts
        return ebnf.choice(*(part.to_ebnf(self.table, hint) for part in parts))

    def string_constraints(self, assertions: Assertions) -> list:
        constraints: list = []
        for pattern, pattern_pointer in assertions.patterns:
            try:
                constraints.append(pattern_language(pattern))
            except XGrammarError as error:
                error.pointer = error.pointer or pattern_pointer
                raise
        for name in assertions.formats:
            language = format_language(name)
            if language is not None:  # an unknown format is an annotation
                constraints.append(language)
        for pattern, pattern_pointer in assertions.not_patterns:
            constraints.append(self.pattern_automaton(pattern, pattern_pointer).complement())
        excluded = [v for v in assertions.excluded_values if isinstance(v, str)]
        if excluded:
            constraints.append(names_automaton(excluded).complement())
        return constraints

    def string_expression(self, assertions: Assertions, hint: str) -> ebnf.Expr:
        constraints = self.string_constraints(assertions)
        if not constraints and assertions.min_length == 0 and assertions.max_length is None:
            return self.shared_rule(
                "json_string",
                lambda: string_language([], 0, None, self.encoder, "json_string"),
            )
        return string_language(
            constraints, assertions.min_length, assertions.max_length, self.encoder, hint + "_str"
        )

    def value_allowed(self, value: Any, assertions: Assertions, types: set) -> bool:
        """Whether an enum/const value meets the node's other assertions."""
        value_type = json_type_of(value)
        if canonical_json(value) in {canonical_json(v) for v in assertions.excluded_values}:
            return False
        if assertions.not_integer and value_type == "integer":
            return False
        if value_type not in types and not (value_type == "integer" and "number" in types):
            return False
        if value_type in ("integer", "number"):
            number = Decimal(str(value))
            lower, upper = assertions.lower, assertions.upper
            if lower is not None and (number < lower[0] or (lower[1] and number == lower[0])):
                return False
            if upper is not None and (number > upper[0] or (upper[1] and number == upper[0])):
                return False
            if assertions.multiple_of is not None:
                return (Fraction(number) / assertions.multiple_of).denominator == 1
            return True
        if value_type == "string":
            if len(value) < assertions.min_length:
                return False
            if assertions.max_length is not None and len(value) > assertions.max_length:
                return False
            for constraint in self.string_constraints(assertions):
                if not isinstance(constraint, Automaton):
                    constraint = Automaton.from_expression(constraint)
                if not constraint.accepts(value):
                    return False
            return True
        if value_type == "array" and assertions.has_array_keywords:
            raise UnsupportedFeatureError(
                "enum/const array values combined with array keywords", pointer=assertions.pointer
            )
        if value_type == "object" and assertions.has_object_keywords:
            raise UnsupportedFeatureError(
                "enum/const object values combined with object keywords", pointer=assertions.pointer
            )
        return True

    def _number_texts(self, value: int | float) -> List[str]:
        """The texts `json.dumps` writes for a number equal to `value`: `2` and `2.0` are one
        value to JSON Schema (in draft 4 `2.0` is no integer, so there only `2` stands for an
        integral value)."""
        texts = [json.dumps(value)]
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            texts.append(str(int(value)))
        elif isinstance(value, int) and not self.is_draft4 and abs(value) < 2**53:
            texts.append(json.dumps(float(value)))
        return list(dict.fromkeys(texts))

    def value_literal(self, value: Any, depth: int, nesting: int = 0) -> ebnf.Expr:
        """The JSON text of one fixed value, laid out like generated values."""
        if nesting > MAX_VALUE_DEPTH:
            raise LimitExceededError(f"an enum/const value nests deeper than {MAX_VALUE_DEPTH}")
        layout = self.layout
        if isinstance(value, str):
            return string_literal(value, self.encoder)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return ebnf.choice(*(ebnf.literal(text) for text in self._number_texts(value)))
        if isinstance(value, bool) or value is None:
            return ebnf.literal(json.dumps(value))
        if isinstance(value, list):
            if not value:
                return ebnf.sequence(ebnf.literal("["), layout.empty(), ebnf.literal("]"))
            parts: list = [ebnf.literal("["), layout.open(depth)]
            for index, item in enumerate(value):
                if index:
                    parts.append(layout.between(depth))
                parts.append(self.value_literal(item, depth + 1, nesting + 1))
            return ebnf.sequence(*parts, layout.close(depth), ebnf.literal("]"))
        if not value:
            return ebnf.sequence(ebnf.literal("{"), layout.empty(), ebnf.literal("}"))
        parts = [ebnf.literal("{"), layout.open(depth)]
        for index, (name, item) in enumerate(value.items()):
            if index:
                parts.append(layout.between(depth))
            parts.append(string_literal(name, self.encoder))
            parts.append(layout.colon())
            parts.append(self.value_literal(item, depth + 1, nesting + 1))
        return ebnf.sequence(*parts, layout.close(depth), ebnf.literal("}"))


def _declared_draft(root: Any) -> int | None:
    """3, 4, 6 or 7 when the root's `$schema` names that draft; None for 2019-09, 2020-12, and
    a missing or unknown `$schema` (read as the newest draft)."""
    uri = root.get("$schema") if isinstance(root, dict) else None
    if isinstance(uri, str):
        for draft in (3, 4, 6, 7):
            if f"draft-0{draft}" in uri:
                return draft
    return None


# Keywords by the first draft that has them (2019 and 2020: 2019-09 and 2020-12). A schema that
# declares an earlier draft gets them removed from every subschema before conversion: they are
# unknown keywords there, which validators ignore -- applying them would be narrower where they
# constrain and wider under `not` or a `oneOf` exclusion.
_ADDED_IN_DRAFT = {
    "const": 6, "contains": 6, "propertyNames": 6, "if": 7, "then": 7, "else": 7,
    "dependentRequired": 2019, "dependentSchemas": 2019, "unevaluatedProperties": 2019,
    "unevaluatedItems": 2019, "minContains": 2019, "maxContains": 2019, "prefixItems": 2020,
}  # fmt: skip
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "$defs", "dependencies")
_SCHEMA_MAPS += ("dependentSchemas",)
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_SCHEMA_VALUES = ("additionalProperties", "additionalItems", "items", "not", "contains")
_SCHEMA_VALUES += ("propertyNames", "if", "then", "else", "unevaluatedProperties")
_SCHEMA_VALUES += ("unevaluatedItems",)


def _for_draft(root: Any, draft: int | None) -> Any:
    """`root` with the keywords its declared draft does not have removed from every subschema
    (a copy; values that are not subschemas, such as `enum` and `const` data, are kept)."""
    dropped = {keyword for keyword, first in _ADDED_IN_DRAFT.items() if first > (draft or 2020)}
    if not dropped:
        return root
    holder: List[Any] = [None]
    stack: List[Tuple[Any, Any, Any]] = [(root, holder, 0)]  # (node, container, key)
    while stack:
        node, container, key = stack.pop()
        if not isinstance(node, dict):
            container[key] = node
            continue
        # Keys are placed in their order first (the stack fills them later): property order
        # is schema order.
        copy = {keyword: value for keyword, value in node.items() if keyword not in dropped}
        container[key] = copy
        for keyword, value in copy.items():
            if keyword in _SCHEMA_MAPS and isinstance(value, dict):
                copy[keyword] = dict(value)
                stack.extend((sub, copy[keyword], name) for name, sub in value.items())
            elif keyword in _SCHEMA_LISTS and isinstance(value, list):
                copy[keyword] = [None] * len(value)
                stack.extend((sub, copy[keyword], index) for index, sub in enumerate(value))
            elif keyword in _SCHEMA_VALUES:
                stack.append((value, copy, keyword))
    return holder[0]


def json_schema_to_ebnf(
    schema: Any,
    *,
    any_whitespace: bool = True,
    indent: int | None = None,
    separators: Tuple[str, str] | None = None,
    strict_mode: bool = True,
    max_whitespace_cnt: int | None = None,
    lenient: bool = False,
    any_key_order: bool = True,
) -> str:
    """Convert a JSON Schema (JSON text, dict, or pydantic model class) to EBNF text.

    Options as upstream XGrammar 0.2.8 (see whitespace.py for the layout options and this
    module's docstring for `strict_mode`, `lenient` and `any_key_order`).
    """
    root = _schema_from_argument(schema)
    draft = _declared_draft(root)
    root = _for_draft(root, draft)
    layout_options = {
        "any_whitespace": any_whitespace,
        "indent": indent,
        "separators": tuple(separators) if separators is not None else None,
        "max_whitespace_cnt": max_whitespace_cnt,
    }
    converter = Converter(root, layout_options, strict_mode, lenient, any_key_order, draft)
    return converter.run(root)
