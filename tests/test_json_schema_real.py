"""Real schemas (a handful vendored from MaskBench, MIT) with `jsonschema` as the oracle.

For each schema, its recorded test instances and mutations of them (a member dropped, a value
replaced by one of another type, an extra member added, at the top level and one level down)
are serialized compactly and indented; the converted grammar, run by the reference Earley
recognizer, must accept exactly those `jsonschema` finds valid, except that a valid instance
may be rejected only for the documented narrowings, which these schemas do not trigger.
The engine itself (its EBNF parser, compiler and matcher, through `xgrammar.testing`) must
decide every text as the reference recognizer does.
"""

import copy
import glob
import json
import os

import jsonschema
import pytest
from reference import earley

from xgrammar import testing
from xgrammar.json_schema import json_schema_to_ebnf

CASES = sorted(
    glob.glob(os.path.join(os.path.dirname(__file__), "data", "json_schema_real", "*.json"))
)
REPLACEMENTS = (12345, "zz", None, [], {"k": 1}, True, -0.5)


def mutations(instance):
    """Instances near `instance`: one change at the top level or one level down."""
    yield instance
    if not isinstance(instance, dict):
        return
    for key, value in instance.items():
        smaller = dict(instance)
        del smaller[key]
        yield smaller
        for replacement in REPLACEMENTS:
            if type(replacement) is not type(value):
                changed = dict(instance)
                changed[key] = replacement
                yield changed
                break
        if isinstance(value, dict):
            for inner in list(mutations(value))[1:4]:
                changed = copy.deepcopy(instance)
                changed[key] = inner
                yield changed
    extended = dict(instance)
    extended["zz_extra"] = 1
    yield extended


@pytest.mark.parametrize("path", CASES, ids=os.path.basename)
def test_real_schema_accepts_exactly_the_valid_instances(path):
    with open(path, encoding="utf-8") as file:
        case = json.load(file)
    schema = case["schema"]
    grammar = json_schema_to_ebnf(schema, strict_mode=False)
    recognizer = earley.Recognizer(grammar)
    matcher = testing._get_matcher_from_grammar(grammar)
    validator_class = jsonschema.validators.validator_for(schema, jsonschema.Draft202012Validator)
    validator = validator_class(schema)
    checked = 0
    for test in case["tests"]:
        for instance in mutations(test["data"]):
            valid = validator.is_valid(instance)
            for text in (json.dumps(instance), json.dumps(instance, indent=2, ensure_ascii=False)):
                assert recognizer.accepts(text.encode("utf-8")) == valid, (path, text)
                matcher.reset()
                engine_accepts = matcher.accept_string(text) and matcher.is_completed()
                assert engine_accepts == valid, ("engine", path, text)
                checked += 1
    assert checked >= 4
