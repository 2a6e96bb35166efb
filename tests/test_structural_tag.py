"""Structural tags -> EBNF: accepted strings agree with the protocol's reference semantics.

Oracles: tests/structural_tag_oracle.py (the documented meaning, scanned position by position)
for what should match, and the reference Earley recognizer (tests/reference) for what the
emitted grammar accepts. Strings are random concatenations of the pieces the tags are made of,
so triggers, partial triggers, end tags and excluded strings meet in every order.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import earley
from structural_tag_oracle import StructuralTagOracle

from xgrammar import Grammar
from xgrammar.exceptions import InvalidJSONError, InvalidStructuralTagError, LimitExceededError
from xgrammar.structural_tag import structural_tag_to_ebnf
from xgrammar.testing import _is_grammar_accept_string


def _schema_stand_in_ebnf(schema) -> str:
    # A stand-in for the JSON Schema converter: these tests are about the structure around it.
    return 'root ::= "{" [0-9]+ "}"\n'


ORACLE = StructuralTagOracle(lambda fmt: r"\{[0-9]+\}")

FUNCTION_TAGS = [
    {"begin": "<f=a>", "content": {"type": "json_schema", "json_schema": {}}, "end": "</f>"},
    {"begin": "<f=b>", "content": {"type": "any_text"}, "end": "</f>"},
]


def _tag(fmt):
    return {"type": "structural_tag", "format": fmt}


CASES = {
    "triggered": _tag({"type": "triggered_tags", "triggers": ["<f="], "tags": FUNCTION_TAGS}),
    "triggered_at_least_one": _tag(
        {"type": "triggered_tags", "triggers": ["<f="], "tags": FUNCTION_TAGS, "at_least_one": True}
    ),
    "triggered_stop_after_first_in_tag": _tag(
        {
            "type": "tag",
            "begin": "<t>",
            "content": {
                "type": "triggered_tags",
                "triggers": ["<f="],
                "tags": FUNCTION_TAGS,
                "stop_after_first": True,
                "excludes": ["xx"],
            },
            "end": ["</t>", "<<"],
        }
    ),
    "think_then_tools": _tag(
        {
            "type": "sequence",
            "elements": [
                {"type": "tag", "begin": "<t>", "content": {"type": "any_text"}, "end": "</t>"},
                {"type": "triggered_tags", "triggers": ["<f=a", "<f=b"], "tags": FUNCTION_TAGS},
            ],
        }
    ),
    "separated": _tag(
        {
            "type": "tags_with_separator",
            "tags": FUNCTION_TAGS[:1]
            + [{"begin": "x", "content": {"type": "regex", "pattern": "[0-9]{1,2}"}, "end": ""}],
            "separator": ",",
        }
    ),
    "or_and_excludes": _tag(
        {
            "type": "or",
            "elements": [
                {"type": "const_string", "value": "<f=a>"},
                {"type": "any_text", "excludes": ["</", "xx"]},
            ],
        }
    ),
    "nested_tags": _tag(
        {
            "type": "tag",
            "begin": "<t>",
            "content": {
                "type": "sequence",
                "elements": [
                    {
                        "type": "tags_with_separator",
                        "tags": FUNCTION_TAGS,
                        "separator": "",
                        "at_least_one": True,
                    },
                    {"type": "any_text", "excludes": ["x"]},
                ],
            },
            "end": "</t>",
        }
    ),
}

PIECES = [
    "<f=",
    "a>",
    "b>",
    "</f>",
    "<t>",
    "</t>",
    "{1}",
    "{",
    "1",
    "}",
    "x",
    "<",
    "/",
    ",",
    "<<",
    "f",
]
_RECOGNIZERS = {}


def _recognizer(name):
    if name not in _RECOGNIZERS:
        text = structural_tag_to_ebnf(CASES[name], json_schema_to_ebnf=_schema_stand_in_ebnf)
        _RECOGNIZERS[name] = earley.Recognizer(text)
    return _RECOGNIZERS[name]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(CASES)), st.lists(st.sampled_from(PIECES), max_size=8))
def test_random_texts_agree_with_the_reference_semantics(name, pieces):
    text = "".join(pieces)
    expected = ORACLE.accepts(CASES[name], text)
    assert _recognizer(name).accepts(text.encode()) == expected, (name, text)


@pytest.mark.parametrize(
    "name, accepted, rejected",
    [
        ("triggered", ["", "hi", "x<f=a>{1}</f>y<f=b>q</f>", "<f"], ["<f=c>", "<f=a>{1}", "<f=b>"]),
        ("triggered_at_least_one", ["<f=a>{1}</f>tail"], ["", "x<f=a>{1}</f>"]),
        (
            "triggered_stop_after_first_in_tag",
            ["<t>hi</t>", "<t><f=b>z</f></t>", "<t>a<<"],
            ["<t><f=b></f>x</t>", "<t>axx</t>", "<t>"],
        ),
        (
            "think_then_tools",
            ["<t>a<t></t><f=b>x</f>", "<t></t></t>"],
            ["<t></t><f=a>x</f>", "<t>x"],
        ),
        ("separated", ["", "x1,<f=a>{2}</f>,x12"], ["x1,", "x123"]),
        (
            "nested_tags",
            ["<t><f=b>q</f><f=a>{3}</f>tail</t>"],
            ["<t>tail</t>", "<t><f=b></f>x</t>"],
        ),
    ],
)
def test_documented_examples(name, accepted, rejected):
    recognizer = _recognizer(name)
    for text in accepted:
        assert ORACLE.accepts(CASES[name], text) and recognizer.accepts(text.encode()), text
    for text in rejected:
        assert not ORACLE.accepts(CASES[name], text), text
        assert not recognizer.accepts(text.encode()), text


def test_all_input_forms_give_the_same_grammar():
    pydantic_models = pytest.importorskip("xgrammar.structural_tag").StructuralTag
    value = CASES["triggered"]
    as_dict = structural_tag_to_ebnf(value, json_schema_to_ebnf=_schema_stand_in_ebnf)
    as_json = structural_tag_to_ebnf(json.dumps(value), json_schema_to_ebnf=_schema_stand_in_ebnf)
    as_model = structural_tag_to_ebnf(
        pydantic_models.from_json(value), json_schema_to_ebnf=_schema_stand_in_ebnf
    )
    assert as_dict == as_json == as_model


def test_legacy_items_and_triggers():
    from xgrammar.structural_tag import StructuralTagItem

    items = [
        StructuralTagItem(begin="<f=a>", schema=json.dumps({"type": "object"}), end="</f>"),
        {"begin": "<f=b>", "schema": {"type": "object"}, "end": "</f>"},
    ]
    text = structural_tag_to_ebnf(items, ["<f="], json_schema_to_ebnf=_schema_stand_in_ebnf)
    recognizer = earley.Recognizer(text)
    assert recognizer.accepts(b"hi <f=b>{42}</f> bye")
    assert not recognizer.accepts(b"hi <f=b>oops</f>")


def test_embedded_grammar_rules_are_renamed_apart():
    value = _tag(
        {
            "type": "sequence",
            "elements": [
                {"type": "grammar", "grammar": 'root ::= item+\nitem ::= "a" | "[" root "]" # c'},
                {"type": "grammar", "grammar": 'root ::= item\nitem ::= "b"'},
            ],
        }
    )
    recognizer = earley.Recognizer(structural_tag_to_ebnf(value))
    assert recognizer.accepts(b"a[aa]b")
    assert not recognizer.accepts(b"a[b]b")


@pytest.mark.parametrize(
    "value, pointer",
    [
        ({"format": {"type": "nope"}}, "/format/type"),
        ({"type": "other", "format": {}}, "/type"),
        ({"format": {"type": "const_string", "value": ""}}, "/format/value"),
        ({"format": {"type": "sequence", "elements": []}}, "/format/elements"),
        (
            {"format": {"type": "tag", "begin": "a", "content": {"type": "any_text"}, "end": 3}},
            "/format/end",
        ),
        (
            {
                "format": {
                    "type": "triggered_tags",
                    "triggers": ["<a"],
                    "tags": [{"begin": "<b", "content": {"type": "any_text"}, "end": "e"}],
                }
            },
            "/format/tags/0",
        ),
        (
            {
                "format": {
                    "type": "triggered_tags",
                    "triggers": ["<", "<a"],
                    "tags": [{"begin": "<a", "content": {"type": "any_text"}, "end": "e"}],
                }
            },
            "/format/tags/0",
        ),
        ({"format": {"type": "tags_with_separator", "tags": [], "separator": ","}}, "/format/tags"),
        ({"format": {"type": "any_text", "excludes": [""]}}, "/format/excludes"),
    ],
)
def test_invalid_structural_tags_name_the_place(value, pointer):
    with pytest.raises(InvalidStructuralTagError) as info:
        structural_tag_to_ebnf(value)
    assert info.value.pointer == pointer


def test_unlimited_tag_content_needs_an_end_and_input_must_be_json():
    with pytest.raises(InvalidStructuralTagError):
        structural_tag_to_ebnf(
            _tag({"type": "tag", "begin": "a", "content": {"type": "any_text"}, "end": ""})
        )
    with pytest.raises(InvalidJSONError):
        structural_tag_to_ebnf("{not json")


def test_nesting_is_limited():
    fmt = {"type": "const_string", "value": "x"}
    for _ in range(150):
        fmt = {"type": "sequence", "elements": [fmt]}
    with pytest.raises(LimitExceededError):
        structural_tag_to_ebnf(_tag(fmt))


def test_json_schema_format_uses_the_json_schema_converter():
    schema = {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}
    text = structural_tag_to_ebnf([{"begin": "<f=a>", "schema": schema, "end": "</f>"}], ["<f="])
    recognizer = earley.Recognizer(text)
    assert recognizer.accepts(b'say <f=a>{"x": 1}</f> done')
    assert not recognizer.accepts(b'say <f=a>{"x": "1"}</f> done')
    assert not recognizer.accepts(b"say <f=a>{}</f> done")


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_engine_agrees_with_the_reference(name):
    grammar = Grammar.from_ebnf(
        structural_tag_to_ebnf(CASES[name], json_schema_to_ebnf=_schema_stand_in_ebnf)
    )
    for pieces in (
        ["<f=", "a>", "{1}", "</f>"],
        ["<t>", "x", "</t>"],
        ["<t>", "<f=", "b>", "</f>", "</t>"],
        ["x", "1", ",", "x", "2"],
        [],
    ):
        text = "".join(pieces)
        assert _is_grammar_accept_string(grammar, text) == ORACLE.accepts(CASES[name], text), text


def test_grammar_from_structural_tag_end_to_end():
    grammar = Grammar.from_structural_tag(
        json.dumps(CASES["triggered"]).replace("{}", '{"type": "integer"}')
    )
    assert _is_grammar_accept_string(grammar, "hi <f=a>12</f>")
    assert not _is_grammar_accept_string(grammar, "hi <f=a>1.5</f>")
