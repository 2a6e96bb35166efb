"""JSON Schema `oneOf` and dependencies: kept exact through disjointness proofs and negations.

Each schema is converted, the grammar run by the reference Earley recognizer and by the
engine's matcher, and every instance of a generated family (all key subsets, values of several
types) must be accepted iff `jsonschema` finds it valid. The schemas are the shapes found in
MaskBench (required-set alternatives, discriminators in the parent's `required`, overlapping
numeric options, draft-4 `dependencies`); the files themselves are not read.
"""

import itertools
import json

import jsonschema
import pytest
from reference import earley

from xgrammar import testing
from xgrammar.exceptions import LimitExceededError, UnsupportedFeatureError
from xgrammar.json_schema import json_schema_to_ebnf


def assert_exact(schema, instances, **options):
    """Both recognizers accept each instance (json.dumps defaults) iff jsonschema says valid."""
    grammar = json_schema_to_ebnf(schema, **options)
    recognizer = earley.Recognizer(grammar)
    matcher = testing._get_matcher_from_grammar(grammar)
    validator = jsonschema.Draft202012Validator(schema)
    valid_count = 0
    for instance in instances:
        text = json.dumps(instance)
        valid = validator.is_valid(instance)
        valid_count += valid
        assert recognizer.accepts(text.encode("utf-8")) == valid, (text, grammar)
        matcher.reset()
        assert (matcher.accept_string(text) and matcher.is_completed()) == valid, text
    assert 0 < valid_count < len(instances)  # the family exercises both verdicts
    return grammar


def objects_over(names, value=1):
    """Every object whose keys are a subset of `names` (in that order)."""
    for size in range(len(names) + 1):
        for keys in itertools.combinations(names, size):
            yield {key: value for key in keys}


def test_required_sets_are_kept_apart_by_negation():
    # Glaiveai2K calculate_area: which dimensions are given decides the shape.
    schema = {
        "type": "object",
        "properties": {
            "shape": {"type": "string"},
            "radius": {"type": "number"},
            "width": {"type": "number"},
            "height": {"type": "number"},
            "base": {"type": "number"},
        },
        "required": ["shape"],
        "oneOf": [
            {"required": ["radius"]},
            {"required": ["width", "height"]},
            {"required": ["base", "height"]},
        ],
    }
    instances = [
        {"shape": "s", **rest} for rest in objects_over(["radius", "width", "height", "base"])
    ]
    for strict_mode in (True, False):
        assert_exact(schema, instances + [{"radius": 1}, "text", 3], strict_mode=strict_mode)


def test_untyped_required_options_reject_every_non_object():
    schema = {"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}
    instances = list(objects_over(["a", "b", "c"])) + ["s", 1, None, [1], True]
    assert_exact(schema, instances, strict_mode=False)


def test_overlapping_numeric_options():
    schema = {"oneOf": [{"type": "integer"}, {"minimum": 2}]}
    assert_exact(schema, [-3, 0, 1, 1.5, 2, 2.5, 3, 7, 7.25, "x", None, [], {}])
    ranges = {"oneOf": [{"maximum": 10}, {"minimum": 5}], "type": "number"}
    assert_exact(ranges, [-1, 4.5, 5, 7, 10, 10.5, 11, "x"])


def test_discriminator_required_by_the_parent_proves_disjointness():
    # `kind` is required by the node holding the oneOf, not by the options; the options' own
    # `const`s then prove them disjoint, so no negation is needed.
    schema = {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string"}, "x": {"type": "integer"}},
        "oneOf": [
            {"properties": {"kind": {"const": "a"}, "x": {"minimum": 0}}},
            {"properties": {"kind": {"const": "b"}}},
        ],
    }
    instances = [
        {"kind": kind, **rest}
        for kind in ("a", "b", "c")
        for rest in ({}, {"x": 1}, {"x": -1}, {"x": "s"})
    ] + [{"x": 1}, {}]
    grammar = assert_exact(schema, instances, strict_mode=False)
    assert "not" not in grammar  # a plain choice, no negated branch


def test_parent_type_makes_untyped_options_objects_only():
    closed = {"additionalProperties": False}
    schema = {
        "type": "object",
        "oneOf": [
            {**closed, "properties": {"a": {}}, "required": ["a"]},
            {**closed, "properties": {"b": {}}, "required": ["b"]},
        ],
    }
    grammar = assert_exact(schema, list(objects_over(["a", "b", "c"])) + ["a"])
    assert "not" not in grammar


def test_option_negations_follow_refs_and_nested_properties():
    schema = {
        "$defs": {
            "point": {
                "type": "object",
                "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                "required": ["x"],
            },
            "named": {
                "type": "object",
                "properties": {"name": {"type": "string"}},
                "required": ["name"],
            },
        },
        "oneOf": [{"$ref": "#/$defs/point"}, {"$ref": "#/$defs/named"}],
    }
    # A branch lists its option's properties before those of the negated option.
    instances = [
        {"x": 1},
        {"x": 1, "y": 2},
        {"x": "s"},
        {"name": "n"},
        {"name": 1},
        {"x": 1, "name": "n"},
        {"name": "n", "x": "s"},
        {"name": "n", "x": 1},
        {"x": 1, "name": 2},
        {},
        "s",
    ]
    assert_exact(schema, instances, strict_mode=False)


@pytest.mark.parametrize(
    "schema",
    [
        # `items` has no exact negation here (it would need `contains`).
        {"oneOf": [{"type": "array"}, {"items": {"type": "integer"}}]},
        # An option with its own `not` is not negated (see combinators.py).
        {"oneOf": [{"minimum": 1}, {"not": {"type": "string"}}]},
    ],
)
def test_one_of_without_exact_negation_still_raises(schema):
    with pytest.raises(UnsupportedFeatureError) as error:
        json_schema_to_ebnf(schema)
    assert "oneOf" in str(error.value) and error.value.pointer == "/oneOf"


def test_too_many_negated_branches_raise():
    # Each option overlaps the nine others, each of whose negations has three options: far
    # more than MAX_ONE_OF_EXCLUSION_BRANCHES branches per option.
    options = [{"required": [f"a{i}", f"b{i}", f"c{i}"]} for i in range(10)]
    with pytest.raises(UnsupportedFeatureError) as error:
        json_schema_to_ebnf({"type": "object", "oneOf": options})
    assert error.value.pointer == "/oneOf"


def test_negating_a_recursive_schema_raises_at_the_not():
    schema = {
        "$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}},
        "not": {"$ref": "#/$defs/node"},
    }
    with pytest.raises(UnsupportedFeatureError) as error:
        json_schema_to_ebnf(schema)
    assert error.value.pointer == "/not"


def test_deeply_nested_negation_hits_a_named_limit():
    inner = {"type": "integer"}
    for _ in range(40):
        inner = {"type": "object", "properties": {"a": inner}, "required": ["a"]}
    with pytest.raises(LimitExceededError) as error:
        json_schema_to_ebnf({"not": inner})
    assert "MAX_NESTED_NEGATIONS" in str(error.value)


def test_dependent_required_and_dependent_schemas():
    schema = {
        "type": "object",
        "properties": {"a": {}, "b": {}, "c": {"type": "integer"}},
        "dependentRequired": {"a": ["b"]},
        "dependentSchemas": {"b": {"properties": {"c": {"minimum": 3}}, "required": ["c"]}},
    }
    instances = list(objects_over(["a", "b", "c"], 1)) + list(objects_over(["a", "b", "c"], 5))
    assert_exact(schema, instances + ["x"], strict_mode=False)


def test_draft4_dependencies_in_both_forms_outside_an_object_type():
    # Without `type: object`, every non-object is valid whatever the dependencies say.
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "properties": {"card": {"type": "string"}, "billing": {"type": "string"}},
        "dependencies": {
            "card": ["billing"],
            "billing": {"properties": {"card": {"minLength": 2}}},
        },
    }
    instances = list(objects_over(["card", "billing"], "x"))
    instances += list(objects_over(["card", "billing"], "xy")) + [1, "s", None, [1]]
    validator = jsonschema.Draft4Validator(schema)
    grammar = json_schema_to_ebnf(schema, strict_mode=False)
    matcher = testing._get_matcher_from_grammar(grammar)
    verdicts = set()
    for instance in instances:
        matcher.reset()
        text = json.dumps(instance)
        accepted = matcher.accept_string(text) and matcher.is_completed()
        assert accepted == validator.is_valid(instance), text
        verdicts.add(accepted)
    assert verdicts == {True, False}


def test_not_all_of_is_any_failing_branch():
    # Handwritten/Synthesized MaskBench shape: a `not` over an allOf of required sets.
    schema = {
        "type": "object",
        "properties": {"cmd": {}, "args": {}, "env": {}},
        "not": {"allOf": [{"required": ["cmd"]}, {"required": ["args"]}]},
    }
    assert_exact(schema, list(objects_over(["cmd", "args", "env"])), strict_mode=False)
    # not(allOf) of an un-negatable branch still raises, naming the `not`.
    with pytest.raises(UnsupportedFeatureError) as error:
        json_schema_to_ebnf({"not": {"allOf": [{"multipleOf": 3}]}})
    assert error.value.pointer == "/not"


def test_keywords_of_no_vocabulary_negate_to_nothing():
    # MaskBench options carry stripped or misspelt keywords (`_uniqueItems`, `enume`, `id`);
    # they constrain nothing, so the negation of an option ignores them as conversion does.
    schema = {
        "oneOf": [
            {"type": "array", "maxItems": 2, "_uniqueItems": True},
            {"type": "array", "minItems": 2, "enume": ["x"]},
        ]
    }
    assert_exact(schema, [[], [1], [1, 2], [1, 2, 3], "s"], strict_mode=False)
