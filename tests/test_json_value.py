"""The core JSON module (cpp/json_value.h), through its test hook: parsing and compact writing
agree with Python's json module on random documents, and malformed or hostile JSON is a typed
error with a location."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xgrammar import GrammarSyntaxError, LimitExceededError, _core

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=8),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=4), children, max_size=4),
    ),
    max_leaves=20,
)


def reformat(text, max_depth=-1):
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return _core._json_parse_and_write(data, max_depth)


@settings(max_examples=150, deadline=None)
@given(json_values, st.booleans(), st.sampled_from([None, 2]))
def test_round_trip_agrees_with_python_json(value, ensure_ascii, indent):
    text = json.dumps(value, ensure_ascii=ensure_ascii, indent=indent)
    written = reformat(text)
    assert json.loads(written) == value
    assert reformat(written) == written  # compact output is a fixed point
    assert "\n" not in written


def test_big_integers_and_number_text_survive():
    assert reformat("[12345678901234567890123, -0, 1.50, 2E+3]") == (
        "[12345678901234567890123,-0,1.50,2E+3]"
    )


def test_member_order_and_duplicates_are_kept():
    assert reformat('{"b": 1, "a": 2, "b": 3}') == '{"b":1,"a":2,"b":3}'


def test_escapes_and_surrogate_pairs():
    assert reformat(r'"\ud83d\ude00 \u00e9 \n \/ \u0001"') == '"😀 é \\n / \\u0001"'


@pytest.mark.parametrize(
    "text,line,column",
    [
        ("", 1, 1),
        ("[1, 2", 1, 6),
        ('{"a" 1}', 1, 6),
        ("[1,]", 1, 4),
        ("01", 1, 2),
        ("1.", 1, 1),
        ("-", 1, 1),
        ("tru", 1, 1),
        ('"abc', 1, 1),
        ('"\t"', 1, 2),
        ('"\\x"', 1, 2),
        ('"\\ud83d"', 1, 2),
        ('"\\ude00"', 1, 2),
        ('"\\u12"', 1, 2),
        ("{\n  1: 2}", 2, 3),
        ("[] []", 1, 4),
        (b'"\xff"', 1, 2),
        (b'"\xed\xa0\x80"', 1, 2),
    ],
)
def test_malformed_json_is_located(text, line, column):
    with pytest.raises(GrammarSyntaxError) as info:
        reformat(text)
    assert (info.value.line, info.value.column) == (line, column), str(info.value)


def test_deep_nesting_is_a_limit_error_not_a_crash():
    with pytest.raises(LimitExceededError):
        reformat("[" * 100_000 + "]" * 100_000)
    with pytest.raises(LimitExceededError):
        reformat('{"a":' * 2000 + "1" + "}" * 2000)
    assert reformat("[" * 1000 + "]" * 1000) == "[" * 1000 + "]" * 1000
    with pytest.raises(LimitExceededError):
        reformat("[[[]]]", max_depth=2)
