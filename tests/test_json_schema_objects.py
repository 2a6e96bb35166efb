"""JSON Schema objects: declared properties in any order, pattern key regions.

MaskBench's valid instances often list keys in another order than the schema (its schemas
are partly key-sorted); an object with at most MAX_UNORDERED_PROPERTIES declared properties
must accept every order. Every permutation of every key subset is checked against
`jsonschema`, by the reference Earley recognizer and the engine's matcher; duplicated keys
must be rejected. Other keys come after the declared ones and larger objects keep schema order
(documented narrowings); neither accepts anything invalid. Disjoint `patternProperties`
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


def test_large_object_keeps_schema_order_and_accepts_nothing_invalid():
    names = [f"p{i}" for i in range(MAX_UNORDERED_PROPERTIES + 1)]
    schema = {
        "type": "object",
        "properties": {name: {"type": "integer"} for name in names},
        "required": names[:2],
        "additionalProperties": False,
    }
    validator = jsonschema.Draft202012Validator(schema)
    in_order = {name: 1 for name in names}
    instances = [in_order, dict(reversed(in_order.items())), {"p1": 1, "p0": 2}]
    instances += [{"p0": 1, "p1": "x"}, {"p0": 1}, {"p0": 1, "p1": 2, "zz": 3}]
    texts = {json.dumps(i): validator.is_valid(i) for i in instances}
    verdicts = dict(decisions(schema, texts))
    assert verdicts[json.dumps(in_order)]
    assert all(texts[text] for text, accepted in verdicts.items() if accepted)
    assert not verdicts[json.dumps({"p1": 1, "p0": 2})]  # the documented narrowing


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
