"""Conformance: the JSON-Schema-Test-Suite (draft 2020-12) against the converted grammars.

For every test group whose schema converts (`strict_mode=False`: standard semantics), each
instance is serialized twice -- compactly (raw UTF-8) and indented (`json.dumps` defaults,
`\\uXXXX` escapes) -- and run through the reference Earley recognizer (tests/reference). An
invalid instance must never be accepted (zero tolerance: the converter's exactness promise).
Valid instances may be rejected where the converter documents a narrowing; the counts of
converted groups and of correctly decided instances are a recorded baseline
(tests/data/json_schema_suite/baseline.json) that may rise but never fall.

Every converted grammar must also be read by the engine's own parser (`Grammar.from_ebnf`).

Run `python tests/test_json_schema_suite.py --update` to print the counts and raise the
baseline after an improvement.
"""

import json
import os
import sys
import warnings
from collections import Counter

from reference import earley

import xgrammar
from xgrammar.exceptions import XGrammarError
from xgrammar.json_schema import json_schema_to_ebnf

DATA = os.path.join(os.path.dirname(__file__), "data", "json_schema_suite")
SUITE = os.path.join(DATA, "draft2020-12.json")
BASELINE = os.path.join(DATA, "baseline.json")


def run_suite():
    with open(SUITE, encoding="utf-8") as file:
        suite = json.load(file)
    counts = Counter()
    errors = Counter()
    wrongly_accepted = []
    unparsed = []
    for file_name, groups in suite.items():
        for group in groups:
            counts["groups"] += 1
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    grammar = json_schema_to_ebnf(group["schema"], strict_mode=False)
            except XGrammarError as error:
                errors[type(error).__name__] += 1
                continue
            counts["groups_converted"] += 1
            try:
                xgrammar.Grammar.from_ebnf(grammar)  # the engine's own parser reads it too
            except XGrammarError as error:
                unparsed.append((file_name, group["description"], str(error)))
            recognizer = earley.Recognizer(grammar)
            for test in group["tests"]:
                texts = (
                    json.dumps(test["data"], separators=(",", ":"), ensure_ascii=False),
                    json.dumps(test["data"], indent=2),
                )
                for text in texts:
                    accepted = recognizer.accepts(text.encode("utf-8"))
                    counts["instances"] += 1
                    if accepted == test["valid"]:
                        counts["instances_decided_right"] += 1
                    elif accepted:
                        case = (file_name, group["description"], test["description"], text)
                        wrongly_accepted.append(case)
                    else:
                        counts["valid_rejected"] += 1
    return counts, errors, wrongly_accepted, unparsed


def test_suite_never_accepts_an_invalid_instance_and_keeps_its_baseline():
    counts, _, wrongly_accepted, unparsed = run_suite()
    assert wrongly_accepted == []
    assert unparsed == []
    with open(BASELINE, encoding="utf-8") as file:
        baseline = json.load(file)
    assert counts["groups_converted"] >= baseline["groups_converted"]
    assert counts["instances_decided_right"] >= baseline["instances_decided_right"]


if __name__ == "__main__":
    counts, errors, wrongly_accepted, unparsed = run_suite()
    print(dict(counts), dict(errors), unparsed)
    for case in wrongly_accepted:
        print("INVALID ACCEPTED:", case)
    if "--update" in sys.argv and not wrongly_accepted:
        with open(BASELINE, "w", encoding="utf-8") as file:
            keys = ("groups_converted", "instances_decided_right")
            json.dump({k: counts[k] for k in keys}, file, indent=2)
            file.write("\n")
