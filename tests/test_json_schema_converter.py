"""JSON Schema -> EBNF: per-keyword behaviour, layout options, errors and limits.

Every grammar is parsed and run by the reference Earley recognizer (tests/reference); the
`jsonschema` package is the oracle for which instances are valid, so each case asserts that the
grammar accepts exactly the valid instances (or, for a documented narrowing, a subset of them).
"""

import json
import random
import warnings

import jsonschema
import pytest
from reference import earley

from xgrammar.exceptions import (
    InvalidJSONSchemaError,
    LimitExceededError,
    UnsupportedFeatureError,
)
from xgrammar.json_schema import json_schema_to_ebnf


def accepts(grammar: str, text: str) -> bool:
    return earley.accepts(grammar, text.encode("utf-8"))


def check_exact(schema, instances, **options):
    """The grammar accepts each instance (compact JSON text) iff jsonschema says it is valid."""
    grammar = json_schema_to_ebnf(schema, **options)
    validator_class = jsonschema.validators.validator_for(schema, jsonschema.Draft202012Validator)
    validator = validator_class(schema)
    for instance in instances:
        text = json.dumps(instance, separators=(",", ":"), ensure_ascii=False)
        assert accepts(grammar, text) == validator.is_valid(instance), (schema, text, grammar)
    return grammar


# ---------------------------------------------------------------------------------------------
# Keywords, each checked exactly against jsonschema


def test_integer_bounds_are_exact_digit_ranges():
    schema = {"type": "integer", "minimum": -15, "exclusiveMaximum": 130}
    check_exact(schema, [-16, -15, -9, -1, 0, 7, 99, 100, 129, 130, 131, 1000, -100, 2.5, "1"])


def test_draft4_boolean_exclusive_bounds():
    schema = {"type": "integer", "minimum": 10, "exclusiveMinimum": True, "maximum": 20}
    grammar = json_schema_to_ebnf(schema)
    assert [n for n in range(5, 25) if accepts(grammar, str(n))] == list(range(11, 21))


def test_number_bounds_with_fractions():
    schema = {"type": "number", "minimum": 0.25, "exclusiveMaximum": 1.5}
    values = [0, 0.2, 0.25, 0.250, 0.3, 0.99, 1, 1.49, 1.5, 1.51, 2, -0.5, 10]
    check_exact(schema, values)
    grammar = json_schema_to_ebnf(schema)
    assert accepts(grammar, "0.2500") and not accepts(grammar, "0.2499")


def test_number_bounds_within_one_integer_part():
    schema = {"type": "number", "minimum": 0.1, "maximum": 0.35}
    check_exact(schema, [0.05, 0.1, 0.2, 0.35, 0.351, 0.4, 1, 0])


def test_contradictory_bounds_accept_nothing_of_that_type():
    schema = {"type": ["number", "string"], "minimum": 5.5, "maximum": 3}
    check_exact(schema, [3, 4, 5.5, 6, "s"])
    check_exact({"type": ["integer", "null"], "minimum": 7, "maximum": 3}, [3, 5, 7, None])


def test_random_numeric_bounds_against_jsonschema():
    rng = random.Random(1234)
    values = [-12.5, -10, -3.25, -1, -0.5, 0, 0.125, 0.5, 1, 2.75, 3, 9.99, 10, 10.01, 100]
    for _ in range(25):
        low, high = sorted(rng.sample(values, 2))
        schema = {"type": rng.choice(["integer", "number"])}
        schema["exclusiveMinimum" if rng.random() < 0.5 else "minimum"] = low
        if rng.random() < 0.8:
            schema["exclusiveMaximum" if rng.random() < 0.5 else "maximum"] = high
        probes = values + [low, high, (low + high) / 2, low - 0.001, high + 0.001]
        # Integers are generated without a fraction ("1.0" is a documented narrowing).
        probes = [v for v in probes if not (isinstance(v, float) and v.is_integer())]
        check_exact(schema, probes)


def test_integer_multiple_of_is_a_residue_automaton():
    schema = {"type": "integer", "multipleOf": 7, "minimum": 0, "maximum": 100}
    grammar = json_schema_to_ebnf(schema)
    accepted = [n for n in range(-20, 120) if accepts(grammar, str(n))]
    assert accepted == list(range(0, 101, 7))


def test_decimal_multiple_of_for_numbers():
    check_exact({"type": "number", "multipleOf": 0.01}, [0.01, 1.25, 3, 1.255, -2.5, 0.001])


def test_string_pattern_is_unanchored_and_intersected_with_lengths():
    schema = {"type": "string", "pattern": "ab+", "minLength": 3, "maxLength": 5}
    check_exact(schema, ["ab", "abb", "xab", "xabbbb", "abbbbb", "zzz", "zabzz", "aabba"])


def test_random_pattern_and_length_intersections_against_jsonschema():
    rng = random.Random(99)
    patterns = ["^a+b?$", "ab", "^(x|yz)*$", "[0-9]{2}", "^[a-c]{1,3}$", "c$", "^.b", "a|^z"]
    for _ in range(20):
        schema = {"type": "string", "pattern": rng.choice(patterns)}
        if rng.random() < 0.7:
            schema["minLength"] = rng.randint(0, 3)
        if rng.random() < 0.7:
            schema["maxLength"] = rng.randint(1, 5)
        probes = [
            "".join(rng.choice("abcxyz09") for _ in range(rng.randint(0, 6))) for _ in range(25)
        ]
        probes += ["ab", "aab", "zz", "12", "xyz"]
        try:
            check_exact(schema, probes)
        except InvalidJSONSchemaError:  # the converter proved the schema unsatisfiable
            validator = jsonschema.Draft202012Validator(schema)
            assert not any(validator.is_valid(probe) for probe in probes)


def test_pattern_with_anchors_and_alternation():
    schema = {"type": "string", "pattern": "^(cat|dog)s?$"}
    check_exact(schema, ["cat", "dogs", "cats!", "a cat", "", "bird"])


def test_pattern_format_and_length_together():
    schema = {"type": "string", "format": "date", "pattern": "^2024-", "maxLength": 10}
    grammar = json_schema_to_ebnf(schema)
    assert accepts(grammar, '"2024-02-29"')
    assert not accepts(grammar, '"2023-02-28"')  # the pattern
    assert not accepts(grammar, '"2024-02-30"')  # the format
    assert not accepts(grammar, '"2024-13-01"')


def test_string_constraints_see_decoded_text():
    schema = {"type": "string", "pattern": '^a"b\\\\c$'}  # the value a"b\c
    grammar = json_schema_to_ebnf(schema)
    assert accepts(grammar, json.dumps('a"b\\c'))
    schema = {"type": "string", "maxLength": 2}
    grammar = json_schema_to_ebnf(schema)
    assert accepts(grammar, '"\\u00e9\\n"') and not accepts(grammar, '"abc"')
    assert accepts(grammar, json.dumps("\U0001f600"))  # one code point, a surrogate pair


def test_non_ascii_in_pattern_accepts_raw_and_escaped_spellings():
    grammar = json_schema_to_ebnf({"type": "string", "pattern": "^[à-ÿ]+$"})
    assert accepts(grammar, json.dumps("éè", ensure_ascii=False))
    assert accepts(grammar, json.dumps("éè"))
    assert not accepts(grammar, json.dumps("ea"))


def test_enum_and_const_filtered_by_sibling_keywords():
    schema = {
        "enum": ["a", "bbb", 3, 4.5, None, {"k": [1]}],
        "maxLength": 2,
        "type": ["string", "integer", "object"],
    }
    check_exact(schema, ["a", "bbb", 3, 4.5, None, {"k": [1]}, {"k": [2]}])
    check_exact({"const": {"x": [1, "y"]}}, [{"x": [1, "y"]}, {"x": [1]}, "x"])


def test_object_properties_required_optional_and_additional():
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
        "required": ["b"],
        "additionalProperties": {"type": "boolean"},
    }
    instances = [
        {"b": "x"},
        {"a": 1, "b": "x"},
        {"a": 1},
        {"b": "x", "c": True},
        {"b": "x", "c": 1},
        {},
    ]
    check_exact(schema, instances)
    grammar = json_schema_to_ebnf(schema)
    # A declared key can never come back as an additional one, whatever its spelling.
    assert not accepts(grammar, '{"b":"x","a":true}')
    assert not accepts(grammar, '{"b":"x","\\u0061":true}')


def test_strict_mode_forbids_undeclared_keys_and_items():
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    strict = json_schema_to_ebnf(schema)
    loose = json_schema_to_ebnf(schema, strict_mode=False)
    assert not accepts(strict, '{"a":1,"z":2}') and accepts(loose, '{"a":1,"z":2}')
    arrays = {"type": "array", "prefixItems": [{"type": "integer"}]}
    assert not accepts(json_schema_to_ebnf(arrays), "[1,2]")
    assert accepts(json_schema_to_ebnf(arrays, strict_mode=False), "[1,2]")
    assert accepts(json_schema_to_ebnf({"type": "object"}), '{"any":[1,{}]}')


def test_pattern_properties_and_property_names():
    schema = {
        "type": "object",
        "properties": {"id": {"type": "integer"}},
        "patternProperties": {"^x-": {"type": "string"}, "y$": {"type": "integer"}},
        "additionalProperties": False,
        "propertyNames": {"maxLength": 4},
    }
    instances = [
        {"id": 1},
        {"x-a": "s"},
        {"x-a": 1},
        {"xy": 1},
        {"x-y": "s"},
        {"x-y": 1},
        {"zz": 1},
        {"x-abc": "s"},
        {"id": 1, "ay": 2},
    ]
    check_exact(schema, instances)


def test_property_names_with_a_negated_pattern():
    schema = {"type": "object", "propertyNames": {"not": {"pattern": "^_"}, "maxLength": 3}}
    check_exact(schema, [{"a": 1}, {"_a": 1}, {"abcd": 1}, {"ab": 1, "_": 2}, {}])


def test_min_and_max_properties_count_members():
    schema = {
        "type": "object",
        "properties": {"a": {}, "b": {}},
        "additionalProperties": {"type": "integer"},
        "minProperties": 2,
        "maxProperties": 3,
    }
    instances = [{}, {"a": 1}, {"a": 1, "b": 2}, {"a": 1, "c": 2}, {"c": 1, "d": 2}]
    instances += [{"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 2, "c": 3, "d": 4}]
    check_exact(schema, instances)


def test_arrays_prefix_items_counts_and_unevaluated_items():
    schema = {
        "type": "array",
        "prefixItems": [{"type": "integer"}, {"type": "string"}],
        "unevaluatedItems": {"type": "boolean"},
        "minItems": 1,
        "maxItems": 4,
    }
    instances = [
        [],
        [1],
        [1, "a"],
        ["a"],
        [1, "a", True],
        [1, "a", True, False],
        [1, "a", True, False, True],
    ]
    check_exact(schema, instances + [[1, "a", 3]])
    draft7 = "http://json-schema.org/draft-07/schema#"
    check_exact(
        {"$schema": draft7, "items": [{"type": "integer"}], "additionalItems": False},
        [[1], [1, 2], []],
        strict_mode=False,
    )


def test_all_of_is_merged_not_first_only():
    schema = {
        "allOf": [
            {
                "type": "object",
                "properties": {"a": {"type": "integer", "minimum": 0}},
                "required": ["a"],
            },
            {"properties": {"a": {"maximum": 10}, "b": {"type": "string"}}, "required": ["b"]},
        ]
    }
    instances = [{"a": 5, "b": "x"}, {"a": 11, "b": "x"}, {"a": -1, "b": "x"}, {"a": 5}, {"b": "x"}]
    check_exact(schema, instances, strict_mode=False)


def test_ref_siblings_are_honoured_and_pointer_escapes_resolve():
    schema = {
        "$defs": {"a/b~c%": {"type": "string", "minLength": 2}},
        "$ref": "#/$defs/a~1b~0c%25",
        "maxLength": 3,
    }
    check_exact(schema, ["a", "ab", "abc", "abcd", 12])


def test_recursive_schema_becomes_a_recursive_rule():
    schema = {
        "$defs": {
            "tree": {
                "type": "object",
                "properties": {
                    "v": {"type": "integer"},
                    "kids": {"type": "array", "items": {"$ref": "#/$defs/tree"}},
                },
                "required": ["v"],
            }
        },
        "$ref": "#/$defs/tree",
    }
    check_exact(
        schema,
        [{"v": 1}, {"v": 1, "kids": [{"v": 2, "kids": []}]}, {"v": 1, "kids": [{}]}],
        strict_mode=False,
    )


def test_any_of_and_disjoint_one_of():
    schema = {
        "anyOf": [
            {"type": "integer", "maximum": 3},
            {"type": "integer", "minimum": 2},
            {"type": "string"},
        ]
    }
    check_exact(schema, [1, 2, 5, "s", None])
    schema = {
        "oneOf": [
            {
                "type": "object",
                "properties": {"kind": {"const": "a"}, "x": {"type": "integer"}},
                "required": ["kind"],
            },
            {"type": "object", "properties": {"kind": {"const": "b"}}, "required": ["kind"]},
        ]
    }
    instances = [{"kind": "a", "x": 1}, {"kind": "b"}, {"kind": "c"}, {"kind": "b", "x": 1}]
    check_exact(schema, instances, strict_mode=False)


@pytest.mark.parametrize(
    "schema, instances",
    [
        ({"not": {"type": "string"}}, [1, "a", None, [], {}]),
        ({"type": "string", "not": {"enum": ["a", "b"]}}, ["a", "b", "c", "ab", ""]),
        ({"not": {"pattern": "^a"}}, ["a", "ba", "abc", 1]),
        ({"type": "integer", "not": {"const": 5}, "minimum": 0, "maximum": 9}, [4, 5, 6, 55]),
        ({"not": {"not": {"type": "null"}}}, [None, 1]),
        ({"not": {"anyOf": [{"type": "null"}, {"type": "boolean"}]}}, [None, True, 1, "x"]),
        (
            {"type": "object", "properties": {"a": {}, "b": {}}, "not": {"required": ["a", "b"]}},
            [{"a": 1}, {"b": 1}, {"a": 1, "b": 2}, {}, {"c": 1}],
        ),
    ],
)
def test_not_with_an_exact_positive_form(schema, instances):
    check_exact(schema, instances, strict_mode=False)


@pytest.mark.parametrize(
    "schema, instances",
    [
        (
            {"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"minimum": 5}},
            ["a", "ab", 3, 7, None],
        ),
        (
            {
                "type": "object",
                "properties": {"kind": {"enum": ["a", "b"]}, "x": {"type": "integer"}},
                "if": {"properties": {"kind": {"const": "a"}}, "required": ["kind"]},
                "then": {"required": ["x"]},
                "else": {"not": {"required": ["x"]}},
            },
            [{"kind": "a", "x": 1}, {"kind": "a"}, {"kind": "b"}, {"kind": "b", "x": 1}, {"x": 1}],
        ),
        ({"not": {"minimum": 3, "maxLength": 2}}, [1, 3, 5, "ab", "abc", None]),
        ({"not": {"properties": {"a": {"type": "string"}}}}, [{"a": "s"}, {"a": 1}, {}, 2]),
        ({"not": {"type": "integer"}}, [1, 1.5, -0.25, "s", None]),
        ({"type": "number", "not": {"enum": [1, 2.5]}}, [1, 2.5, 2, 3.75, 0]),
    ],
)
def test_if_then_else_and_negated_keywords(schema, instances):
    check_exact(schema, instances, strict_mode=False)


def test_negated_properties_under_unevaluated_properties_is_refused():
    schema = {
        "properties": {"a": {}},
        "not": {"properties": {"b": {"const": 1}}},
        "unevaluatedProperties": False,
    }
    with pytest.raises(UnsupportedFeatureError):
        json_schema_to_ebnf(schema)


def test_one_of_disjoint_by_a_key_the_other_option_forbids():
    closed = {"type": "object", "additionalProperties": False}
    schema = {
        "oneOf": [
            {**closed, "properties": {"a": {"type": "integer"}}, "required": ["a"]},
            {**closed, "properties": {"b": {"type": "integer"}}, "required": ["b"]},
        ]
    }
    check_exact(schema, [{"a": 1}, {"b": 1}, {"a": 1, "b": 1}, {}, "x"])
    # Without `type: object` a string satisfies both options, so oneOf is no plain choice: each
    # option carries the other's negation (an object without its key).
    open_schema = {"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}
    check_exact(open_schema, [{"a": 1}, {"b": 1}, {"a": 1, "b": 1}, {}, "x"], strict_mode=False)


def test_boolean_schemas_and_annotations():
    check_exact(
        {"properties": {"a": True, "b": False}, "title": "t", "examples": [1]},
        [{"a": 1}, {"b": 1}, 3],
        strict_mode=False,
    )
    with pytest.raises(InvalidJSONSchemaError):
        json_schema_to_ebnf(False)
    for anything in (True, {}, "{}"):
        grammar = json_schema_to_ebnf(anything)
        assert accepts(grammar, '{"a":[1,"x",null]}') and accepts(grammar, "-1.5e3")


def test_pydantic_model_class_is_accepted():
    pydantic = pytest.importorskip("pydantic")

    class Point(pydantic.BaseModel):
        x: int
        y: float = 0.0
        label: str

    grammar = json_schema_to_ebnf(Point)
    assert accepts(grammar, '{"x": 1, "y": 2.5, "label": "p"}')
    assert not accepts(grammar, '{"x": 1.5, "label": "p"}')


# ---------------------------------------------------------------------------------------------
# Layout options


def test_layout_options_follow_json_dumps():
    schema = {
        "type": "object",
        "properties": {"a": {"type": "array", "items": {"type": "integer"}}},
        "required": ["a"],
    }
    value = {"a": [1, 2]}
    grammar = json_schema_to_ebnf(schema, any_whitespace=False, indent=2)
    assert accepts(grammar, json.dumps(value, indent=2))
    assert not accepts(grammar, json.dumps(value))
    grammar = json_schema_to_ebnf(schema, any_whitespace=False)
    assert accepts(grammar, json.dumps(value)) and not accepts(grammar, json.dumps(value, indent=2))
    grammar = json_schema_to_ebnf(schema, any_whitespace=False, separators=(",", ":"))
    assert accepts(grammar, json.dumps(value, separators=(",", ":")))
    grammar = json_schema_to_ebnf(schema, max_whitespace_cnt=2)
    assert accepts(grammar, '{  "a" :[1,\n2]}') and not accepts(grammar, '{   "a":[1,2]}')
    grammar = json_schema_to_ebnf(schema)
    assert accepts(grammar, json.dumps(value, indent=4)) and not accepts(
        grammar, " " + json.dumps(value)
    )


# ---------------------------------------------------------------------------------------------
# Errors and limits


@pytest.mark.parametrize(
    "schema, keyword, pointer",
    [
        ({"properties": {"a": {"not": {"multipleOf": 3}}}}, "not", "/properties/a/not"),
        ({"type": "array", "uniqueItems": True}, "uniqueItems", "/uniqueItems"),
        ({"if": {"multipleOf": 2}, "then": {"minimum": 2}}, "if", "/if"),
        ({"items": {"contains": {"type": "integer"}}}, "contains", "/items/contains"),
        (
            {"properties": {"a": {"$recursiveRef": "#"}}},
            "$recursiveRef",
            "/properties/a/$recursiveRef",
        ),
        ({"oneOf": [{"type": "array"}, {"items": {"type": "integer"}}]}, "oneOf", "/oneOf"),
    ],
)
def test_unenforceable_keyword_raises_with_pointer_or_warns_when_lenient(schema, keyword, pointer):
    with pytest.raises(UnsupportedFeatureError) as error:
        json_schema_to_ebnf(schema)
    assert keyword in str(error.value) and error.value.pointer == pointer
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        grammar = json_schema_to_ebnf(schema, lenient=True)
    assert grammar.startswith("root ::=")
    assert any(keyword in str(w.message) for w in caught)


def test_malformed_schemas_raise_with_pointer():
    with pytest.raises(InvalidJSONSchemaError) as error:
        json_schema_to_ebnf({"properties": {"a": {"type": "strnig"}}})
    assert error.value.pointer == "/properties/a/type"
    with pytest.raises(InvalidJSONSchemaError) as error:
        json_schema_to_ebnf({"properties": {"a": {"$ref": "#/$defs/missing"}}})
    assert error.value.pointer == "/properties/a/$ref"


@pytest.mark.parametrize(
    "pattern, error_class",
    [
        ("(" * 500 + "a" + ")" * 500, LimitExceededError),
        ("a{2000}", LimitExceededError),
        ("(?<=a)b", UnsupportedFeatureError),
        ("a(", InvalidJSONSchemaError),
    ],
)
def test_hostile_patterns_raise_typed_errors_with_the_pattern_pointer(pattern, error_class):
    with pytest.raises(error_class) as error:
        json_schema_to_ebnf({"properties": {"p": {"type": "string", "pattern": pattern}}})
    assert error.value.pointer == "/properties/p/pattern"


def test_unproductive_recursion_is_an_error_not_a_hang():
    with pytest.raises(InvalidJSONSchemaError):
        json_schema_to_ebnf({"$ref": "#"})
    schema = {"type": "object", "properties": {"next": {"$ref": "#"}}, "required": ["next"]}
    with pytest.raises(InvalidJSONSchemaError):
        json_schema_to_ebnf(schema)


def test_deep_nesting_hits_a_named_limit():
    schema: dict = {"type": "integer"}
    for _ in range(1500):
        schema = {"type": "array", "items": schema}
    with pytest.raises(LimitExceededError) as error:
        json_schema_to_ebnf(schema)
    assert error.value.pointer.startswith("/items/items")
    with pytest.raises(LimitExceededError):
        json_schema_to_ebnf("[" * 100000 + "]" * 100000)


# ---------------------------------------------------------------------------------------------
# Soundness on random schemas: an accepted instance is always valid


def _random_leaf(rng):
    choices = [
        lambda: {"type": "integer", "minimum": rng.randint(-5, 3), "maximum": rng.randint(3, 9)},
        lambda: {"type": "string", "maxLength": rng.randint(0, 4)},
        lambda: {"enum": rng.sample([0, 5, "s", None, True, [1], {"a": 0}], 3)},
        lambda: {"type": ["integer", "null"]},
        lambda: {"const": rng.choice([5, "s", None])},
        lambda: {},
        lambda: {"type": "number", "exclusiveMaximum": 5},
        lambda: {"not": {"type": rng.choice(["string", "integer", "null"])}},
        lambda: {"not": {"minimum": rng.randint(0, 6), "maxLength": 2}},
        lambda: {"if": {"type": "integer"}, "then": {"maximum": 5}, "else": {"type": "string"}},
        lambda: {"if": {"properties": {"a": {"const": 5}}}, "then": {"required": ["b"]}},
    ]
    return rng.choice(choices)()


def _random_schema(rng, depth=0):
    kind = rng.choice(["leaf", "object", "array", "allOf", "anyOf"] if depth < 2 else ["leaf"])
    if kind == "leaf":
        return _random_leaf(rng)
    if kind == "object":
        names = rng.sample(["a", "b", "c"], rng.randint(0, 3))
        schema = {
            "type": "object",
            "properties": {n: _random_schema(rng, depth + 1) for n in names},
        }
        schema["required"] = [n for n in names if rng.random() < 0.5]
        if rng.random() < 0.3:
            schema["patternProperties"] = {"^x": _random_leaf(rng)}
        if rng.random() < 0.5:
            schema["additionalProperties"] = rng.choice([False, _random_leaf(rng)])
        if rng.random() < 0.3:
            schema["minProperties"] = rng.randint(0, 2)
        if rng.random() < 0.3:
            schema["maxProperties"] = rng.randint(1, 3)
        return schema
    if kind == "array":
        schema = {"type": "array", "items": _random_schema(rng, depth + 1)}
        if rng.random() < 0.4:
            schema["prefixItems"] = [_random_leaf(rng)]
        if rng.random() < 0.4:
            schema["minItems"] = rng.randint(0, 2)
        if rng.random() < 0.4:
            schema["maxItems"] = rng.randint(1, 3)
        return schema
    return {kind: [_random_schema(rng, depth + 1) for _ in range(2)]}


def _random_instance(rng, depth=0):
    scalars = [0, 5, -3, 7, 2.5, "s", "long", True, None]
    if depth >= 2 or rng.random() < 0.5:
        return rng.choice(scalars)
    if rng.random() < 0.5:
        return [_random_instance(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    keys = rng.sample(["a", "b", "c", "x1", "d"], rng.randint(0, 3))
    return {key: _random_instance(rng, depth + 1) for key in sorted(keys)}


def test_random_schemas_never_accept_an_invalid_instance():
    rng = random.Random(7)
    converted = 0
    for _ in range(60):
        schema = _random_schema(rng)
        try:
            grammar = json_schema_to_ebnf(schema, strict_mode=False)
        except (UnsupportedFeatureError, InvalidJSONSchemaError):
            continue
        converted += 1
        recognizer = earley.Recognizer(grammar)
        validator = jsonschema.Draft202012Validator(schema)
        for _ in range(15):
            instance = _random_instance(rng)
            text = json.dumps(instance, separators=(",", ":"))
            if recognizer.accepts(text.encode("utf-8")):
                assert validator.is_valid(instance), (schema, text, grammar)
    assert converted >= 40


def test_numeric_enum_values_match_both_integral_spellings():
    # MaskBench: `"since": {"enum": [2.0]}` with the instance `2` (json.dumps writes "2").
    grammar = json_schema_to_ebnf({"enum": [2.0, 3, 1.5]})
    for text, valid in [("2", True), ("2.0", True), ("3", True), ("3.0", True), ("1.5", True)]:
        assert accepts(grammar, text) == valid
    assert not accepts(grammar, "1.50") and not accepts(grammar, "4")
    check_exact({"const": 7, "type": "number"}, [7, 7.0, 7.5, "7"])
    # Draft 4 counts 7.0 as no integer, so an integer value keeps its one spelling there.
    draft4 = {"$schema": "http://json-schema.org/draft-04/schema#", "enum": [7], "type": "integer"}
    grammar = json_schema_to_ebnf(draft4)
    assert accepts(grammar, "7") and not accepts(grammar, "7.0")


@pytest.mark.parametrize(
    ("schema_uri", "small_accepted"),
    [
        ("http://json-schema.org/draft-04/schema#", True),
        ("http://json-schema.org/draft-07/schema#", True),
        ("https://json-schema.org/draft/2020-12/schema", False),
        (None, False),
    ],
)
def test_ref_siblings_follow_the_declared_draft(schema_uri, small_accepted):
    """Up to draft 7 a schema with `$ref` is the reference alone (siblings ignored, as
    jsonschema's validators do); from 2019-09 on the siblings apply too."""
    schema = {
        "definitions": {"count": {"type": "integer"}},
        "properties": {"n": {"$ref": "#/definitions/count", "minimum": 5}},
    }
    if schema_uri:
        schema["$schema"] = schema_uri
    grammar = json_schema_to_ebnf(schema)
    validator = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    for document, expected in (('{"n": 1}', small_accepted), ('{"n": 7}', True)):
        assert validator(schema).is_valid(json.loads(document)) == expected
        assert accepts(grammar, document) == expected


@pytest.mark.parametrize(
    ("schema_uri", "applies"),
    [
        ("http://json-schema.org/draft-04/schema#", False),
        ("http://json-schema.org/draft-06/schema#", False),
        ("http://json-schema.org/draft-07/schema#", True),
        (None, True),
    ],
)
def test_if_then_else_exist_from_draft_7_on(schema_uri, applies):
    """Drafts 4 and 6 have no `if`/`then`/`else`: unknown keywords there, ignored (MaskBench's
    Github_medium/o39097 is a draft-4 schema with one, and valid instances it forbids)."""
    schema = {
        "type": "object",
        "properties": {"kind": {"type": "string"}, "title": {"type": "string"}},
        "if": {"properties": {"kind": {"const": "action"}}},
        "then": {"required": ["title"]},
    }
    if schema_uri:
        schema["$schema"] = schema_uri
    grammar = json_schema_to_ebnf(schema, strict_mode=False)
    validator = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cases = (('{"kind": "action"}', not applies), ('{"kind": "action", "title": "t"}', True))
    for document, expected in cases + (('{"kind": "other"}', True),):
        assert validator(schema).is_valid(json.loads(document)) == expected
        assert accepts(grammar, document) == expected


def test_keywords_of_later_drafts_are_unknown_in_earlier_ones():
    """A draft-4 schema's `const`, `propertyNames` and `contains` are unknown keywords, ignored
    as jsonschema's Draft4Validator ignores them: under `not` an empty schema excludes every
    value, so applying `const` there would accept what draft 4 forbids."""
    draft4 = "http://json-schema.org/draft-04/schema#"
    schema = {
        "$schema": draft4,
        "type": "object",
        "properties": {"a": {"not": {"const": 1}}, "b": {"contains": {"type": "string"}}},
        "propertyNames": {"maxLength": 1},
        "additionalProperties": {"type": "integer"},
    }
    grammar = json_schema_to_ebnf(schema, strict_mode=False)
    validator = jsonschema.Draft4Validator(schema)
    documents = ['{"a": 2}', "{}", '{"b": [1]}', '{"long": 3}', '{"a": 1}', '{"b": "x"}']
    for document in documents:
        expected = validator.is_valid(json.loads(document))
        assert accepts(grammar, document) == expected, document
    assert accepts(grammar, '{"b": [1], "long": 3}')  # contains and propertyNames ignored
    assert not accepts(grammar, '{"a": 2}')  # `not` of an empty schema
    draft7 = dict(schema, **{"$schema": "http://json-schema.org/draft-07/schema#"})
    draft7["properties"] = {"a": {"not": {"const": 1}}}
    assert accepts(json_schema_to_ebnf(draft7, strict_mode=False), '{"a": 2}')
