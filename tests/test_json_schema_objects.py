"""JSON Schema objects: declared properties in any order, pattern key regions.

MaskBench's valid instances often list keys in another order than the schema (its schemas
are partly key-sorted); an object with at most MAX_UNORDERED_PROPERTIES declared properties
must accept every order (other keys come after the declared ones: a documented narrowing).
Every permutation of every key subset is checked against `jsonschema`, by the reference Earley
recognizer and the engine's matcher; duplicated keys must be rejected. A larger object takes
any order too, other keys anywhere, but tracks only its required properties, so an optional
key may repeat (documented): every text it accepts must parse, keeping either copy of a
repeated key, to a valid instance. With `any_key_order=False` a larger object keeps schema
order exactly. Disjoint `patternProperties`
patterns (MaskBench has objects with a dozen literal-like ones) cost one key region each, so
they stay within MAX_PATTERN_REGIONS.
"""

import itertools
import json

import jsonschema
import pytest
from reference import earley

from xgrammar import testing
from xgrammar.exceptions import UnsupportedFeatureError
from xgrammar.json_schema import json_schema_to_ebnf
from xgrammar.json_schema.objects import MAX_PATTERN_REGIONS, MAX_UNORDERED_PROPERTIES


def decisions(schema, texts, **options):
    """(text, recognizer verdict) for each text; the engine's matcher must agree."""
    grammar = json_schema_to_ebnf(schema, **options)
    recognizer = earley.Recognizer(grammar)
    matcher = testing._get_matcher_from_grammar(grammar)
    for text in texts:
        verdict = recognizer.accepts(text.encode("utf-8"))
        matcher.reset()
        assert (matcher.accept_string(text) and matcher.is_completed()) == verdict, text
        yield text, verdict


def permuted_objects(values):
    """Every order of every subset of the (key, value) pairs, as json.dumps text."""
    items = list(values.items())
    for size in range(len(items) + 1):
        for subset in itertools.combinations(items, size):
            for order in itertools.permutations(subset):
                yield dict(order)


def test_small_object_accepts_every_key_order_exactly():
    schema = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "tags": {}},
        "required": ["id", "name"],
        "maxProperties": 3,
    }
    values = {"id": 1, "name": "n", "tags": [1], "extra": True}
    instances = list(permuted_objects(values)) + [{"id": "x", "name": "n"}]
    validator = jsonschema.Draft202012Validator(schema)
    # Other keys come after the declared ones (the documented narrowing); within that, every
    # order of the declared properties is decided exactly.
    expected = {
        json.dumps(i): validator.is_valid(i) and ("extra" not in i or list(i)[-1] == "extra")
        for i in instances
    }
    verdicts = dict(decisions(schema, expected, strict_mode=False))
    assert verdicts == expected
    assert sum(expected.values()) >= 8  # both orders of id/name, with tags or extra


def test_duplicated_declared_keys_are_rejected():
    schema = {"type": "object", "properties": {"a": {"type": "integer"}, "b": {}}}
    texts = ['{"a": 1, "b": 2, "a": 3}', '{"b": 1, "b": 1}', '{"b": 1, "a": 2}']
    verdicts = dict(decisions(schema, texts, strict_mode=False))
    assert verdicts == {texts[0]: False, texts[1]: False, texts[2]: True}


def test_min_properties_counts_members_in_any_order():
    schema = {"type": "object", "properties": {"a": {}, "b": {}}, "minProperties": 2}
    values = {"a": 1, "b": 2, "z": 3}
    validator = jsonschema.Draft202012Validator(schema)
    texts = {
        json.dumps(i): validator.is_valid(i) and ("z" not in i or list(i)[-1] == "z")
        for i in permuted_objects(values)
    }
    assert dict(decisions(schema, texts, strict_mode=False)) == texts


def large_object_schema(additional):
    names = [f"p{i}" for i in range(MAX_UNORDERED_PROPERTIES + 2)]
    properties = {name: {"type": "integer", "minimum": index} for index, name in enumerate(names)}
    schema = {"type": "object", "properties": properties, "required": names[:2]}
    schema["additionalProperties"] = additional
    return names, schema


def parsed_both_ways(text):
    """The object of `text` keeping the last copy of a repeated key, and keeping the first."""
    last = json.loads(text)
    first = json.loads(text, object_pairs_hook=lambda pairs: dict(reversed(pairs)))
    return last, first


@pytest.mark.parametrize("additional", [False, {"type": "string"}])
def test_large_object_takes_any_order_and_accepts_nothing_invalid(additional):
    names, schema = large_object_schema(additional)
    validator = jsonschema.Draft202012Validator(schema)
    values = {name: index for index, name in enumerate(names[:4])}
    values["zz"] = "s"
    instances = [i for i in permuted_objects(values) if len(i) <= 4]
    texts = [json.dumps(i) for i in instances]
    texts += ['{"p1": 1, "p0": 0, "p2": 2, "p2": 3}', '{"p0": 0, "p1": 1, "p0": 0}']
    texts += ['{"p0": 0, "p1": 1, "p3": 1}', '{"p1": 1, "p0": "0"}', '{"zz": "s", "p0": 0}']
    verdicts = dict(decisions(schema, texts))
    for instance in instances:  # every order of every valid instance
        assert verdicts[json.dumps(instance)] == validator.is_valid(instance), instance
    for text, accepted in verdicts.items():
        if accepted:
            assert all(validator.is_valid(value) for value in parsed_both_ways(text)), text
    assert verdicts['{"p1": 1, "p0": 0, "p2": 2, "p2": 3}']  # an optional key repeats
    assert not verdicts['{"p0": 0, "p1": 1, "p0": 0}']  # a required one never does
    assert sum(verdicts.values()) >= 24


def test_large_object_keeps_schema_order_without_any_key_order():
    names, schema = large_object_schema(False)
    validator = jsonschema.Draft202012Validator(schema)
    in_order = {name: index for index, name in enumerate(names)}
    instances = [in_order, dict(reversed(in_order.items())), {"p1": 1, "p0": 2}]
    instances += [{"p0": 1, "p1": "x"}, {"p0": 1}, {"p0": 1, "p1": 2, "zz": 3}]
    texts = {json.dumps(i): validator.is_valid(i) for i in instances}
    verdicts = dict(decisions(schema, texts, any_key_order=False))
    assert verdicts[json.dumps(in_order)]
    assert all(texts[text] for text, accepted in verdicts.items() if accepted)
    assert not verdicts[json.dumps({"p1": 1, "p0": 2})]  # the documented narrowing
    assert not any(accepted for text, accepted in decisions(schema, ['{"p0": 0, "p0": 0}']))


def test_many_disjoint_pattern_properties_are_exact():
    algorithms = ["MD5", "SHA-1", "SHA-224", "SHA-256", "SHA-384", "SHA-512", "RIPEMD-160"]
    patterns = {f"^{name}$": {"type": "string", "minLength": 2} for name in algorithms}
    patterns["^x-[a-z]+$"] = {"type": "integer"}
    assert len(patterns) > MAX_PATTERN_REGIONS.bit_length()  # too many for all subsets
    schema = {"type": "object", "patternProperties": patterns, "additionalProperties": False}
    instances = [{"MD5": "ab"}, {"MD5": "a"}, {"SHA-1": "ff", "x-n": 3}, {"x-n": "s"}]
    instances += [{"MD6": "ab"}, {"sha-1": "ab"}, {}, {"x-": 1}]
    validator = jsonschema.Draft202012Validator(schema)
    texts = {json.dumps(i): validator.is_valid(i) for i in instances}
    assert dict(decisions(schema, texts)) == texts


def test_overlapping_pattern_properties_past_the_region_budget_raise():
    # Single letters overlap freely: every subset of them is a region of its own.
    patterns = {letter: {"type": "integer"} for letter in "abcdefgh"}
    schema = {"type": "object", "patternProperties": patterns, "additionalProperties": False}
    with pytest.raises(UnsupportedFeatureError) as error:
        json_schema_to_ebnf(schema)
    assert "MAX_PATTERN_REGIONS" in str(error.value) and error.value.pointer == ""
