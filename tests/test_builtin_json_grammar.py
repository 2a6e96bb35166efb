"""The builtin JSON grammar (RFC 8259) against Python's json module as the oracle, through the
reference recognizer: every document json accepts is a sentence, every one it rejects is not
(with strict UTF-8, and without json's NaN/Infinity extensions)."""

import functools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import earley

from xgrammar import Grammar


@functools.cache
def json_recognizer() -> earley.Recognizer:
    return earley.Recognizer(str(Grammar.builtin_json_grammar()))


def python_json_accepts(data: bytes) -> bool:
    def reject_constant(name):
        raise ValueError(name)

    try:
        json.loads(data.decode("utf-8", "strict"), parse_constant=reject_constant)
    except ValueError:
        return False
    return True


DOCUMENTS = [
    "{}",
    "[]",
    " \t\r\n{ } \n",
    '{"a": [1, -0.5e+3, true, false, null, "x"]}',
    '"\\u00e9\\uD83D\\uDE00\\/\\b\\f\\n\\r\\t\\"\\\\"',
    '"\\ud800"',  # RFC 8259 allows a lone surrogate escape; so does json
    "0",
    "-0",
    "1E5",
    "12.5e-07",
    '"é😀\x7f"',
    '[[[[{"": {}}]]]]',
    '{"a":1,"b":{"c":[]}}',
    "01",
    "1.",
    ".5",
    "+1",
    "-",
    "1e",
    "[1,]",
    "[,1]",
    '{"a"}',
    '{"a":1,}',
    "{a:1}",
    "'a'",
    '"\t"',
    '"\x1f"',
    '"\\x41"',
    '"\\u12"',
    "NaN",
    "Infinity",
    "[1 2]",
    "tru",
    "nul",
    "",
    " ",
    "{} {}",
    '"abc',
    "[\f]",  # form feed is not JSON whitespace
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_builtin_json_matches_python_json(document):
    data = document.encode("utf-8")
    assert json_recognizer().accepts(data) == python_json_accepts(data)


@pytest.mark.parametrize("data", [b'"\xff"', b'"\xc3"', b'"\xed\xa0\x80"', b'"\xc0\xaf"'])
def test_builtin_json_rejects_invalid_utf8_in_strings(data):
    assert not json_recognizer().accepts(data)


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=5),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None)
@given(json_values, st.sampled_from([None, 1, "\t"]), st.booleans())
def test_builtin_json_accepts_what_json_dumps_writes(value, indent, ensure_ascii):
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)
    assert json_recognizer().accepts(text.encode("utf-8"))


def test_builtin_json_grammar_text_is_stable():
    text = str(Grammar.builtin_json_grammar())
    assert text.splitlines()[0] == "root ::= ws value ws"
    assert Grammar.from_ebnf(text)._handle.structurally_equal(
        Grammar.builtin_json_grammar()._handle
    )
