"""Grammar JSON serialization (round trip, version and format errors, hostile documents) and
the grammar combinators union/concat."""

import functools
import json
import pickle

import pytest
from reference import earley

from xgrammar import (
    DeserializeError,
    DeserializeFormatError,
    DeserializeVersionError,
    Grammar,
    InvalidArgumentError,
    LimitExceededError,
)

SAMPLE = 'root ::= "a" item* | [^x-z]{2,3}\nitem ::= ("b" | "é") item? (= "c" | "")\n'


def sample_document() -> dict:
    return json.loads(Grammar.from_ebnf(SAMPLE).serialize_json())


def test_document_shape():
    document = sample_document()
    assert document["format"] == "xgrammar.grammar"
    assert document["version"] == 1
    assert [rule[0] for rule in document["rules"]] == ["root", "item"]


def test_round_trip_is_exact():
    grammar = Grammar.from_ebnf(SAMPLE)
    restored = Grammar.deserialize_json(grammar.serialize_json())
    assert restored._handle == grammar._handle
    assert str(restored) == str(grammar)
    builtin = Grammar.builtin_json_grammar()
    assert Grammar.deserialize_json(builtin.serialize_json())._handle == builtin._handle


def test_other_version_is_a_version_error():
    for version in (2, 0, "1", None):
        document = sample_document()
        document["version"] = version
        with pytest.raises(DeserializeVersionError) as info:
            Grammar.deserialize_json(json.dumps(document))
        assert "version" in str(info.value)
    document = sample_document()
    del document["version"]
    with pytest.raises(DeserializeFormatError):
        Grammar.deserialize_json(json.dumps(document))


def test_not_json_is_a_located_format_error():
    with pytest.raises(DeserializeFormatError) as info:
        Grammar.deserialize_json('{"format": "xgrammar.grammar",\n  "version": }')
    assert (info.value.line, info.value.column) == (2, 14)
    assert isinstance(info.value, DeserializeError)


def mutate(path, value):
    document = sample_document()
    target = document
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(document)


DELETE = object()

# (path into the sample document, replacement): each must be rejected as a format error.
HOSTILE_MUTATIONS = [
    (["format"], "other"),
    (["rules"], DELETE),
    (["exprs"], {}),
    (["rules"], []),
    (["root"], 2),
    (["root"], -1),
    (["root"], 0.5),
    (["root"], 1e300),
    (["rules", 0], ["root", 0]),
    (["rules", 1, 0], "root"),  # duplicate name
    (["rules", 1, 0], "1bad"),  # not a rule name
    (["rules", 1, 0], "a b"),
    (["rules", 0, 1], 10_000),  # body out of range
    (["rules", 0, 2], -2),
    (["exprs", 0], []),
    (["exprs", 0], ["nonsense"]),
    (["exprs", 0], ["bytes", 5]),
    (["exprs", 0], ["bytes", "a", "b"]),
    (["exprs", 0], ["ref", 7]),
    (["exprs", 0], ["class", True, [5]]),
    (["exprs", 0], ["class", True, [9, 5]]),
    (["exprs", 0], ["class", True, [0xD800, 0xD900]]),
    (["exprs", 0], ["class", True, [0, 0x110000]]),
    (["exprs", 0], ["class", 1, [0, 5]]),
    (["exprs", 0], ["repeat", 0, 0, 1]),  # its own child
    (["exprs", 1], ["repeat", 0, 3, 2]),
    (["exprs", 1], ["repeat", 0, 0, 10**9]),
    (["exprs", 1], ["repeat", 0, -1, 2]),
    (["exprs", 1], ["seq", [1]]),  # child not before parent
    (["exprs", 1], ["seq", [0, 99]]),
    (["exprs", 1], ["choice", []]),
]


@pytest.mark.parametrize("path,value", HOSTILE_MUTATIONS)
def test_hostile_document_is_a_format_error(path, value):
    with pytest.raises((DeserializeFormatError, LimitExceededError)):
        Grammar.deserialize_json(mutate(path, value))


def test_hostile_shapes():
    for text in ["", "[]", "null", "[" * 10_000, '{"format": "xgrammar.grammar"}', "1e99999"]:
        with pytest.raises(DeserializeError):
            Grammar.deserialize_json(text)


def test_out_of_range_numbers_are_format_errors():
    text = Grammar.from_ebnf(SAMPLE).serialize_json()
    for number in ("1e400", "-1e400", "1e-400", "9223372036854775808", "0.5"):
        with pytest.raises(DeserializeFormatError):
            Grammar.deserialize_json(text.replace('"root":0', f'"root":{number}'))
    with pytest.raises(DeserializeVersionError):
        Grammar.deserialize_json(text.replace('"version":1', '"version":1e400'))
    # An integer written with an exponent is still that integer.
    assert Grammar.deserialize_json(text.replace('"root":0', '"root":0e5'))._handle.num_rules == 2


def test_pickle_round_trip():
    grammar = Grammar.from_ebnf(SAMPLE)
    restored = pickle.loads(pickle.dumps(grammar))
    assert restored._handle == grammar._handle


def test_expression_chain_deeper_than_a_parser_could_build_is_rejected():
    depth = 3 * 1000 + 10
    exprs = [["bytes", "a"]] + [["repeat", i, 0, 1] for i in range(depth)]
    document = {
        "format": "xgrammar.grammar",
        "version": 1,
        "root": 0,
        "rules": [["root", depth, -1]],
        "exprs": exprs,
    }
    with pytest.raises(DeserializeFormatError) as info:
        Grammar.deserialize_json(json.dumps(document))
    assert "deeper" in str(info.value)


# ---- union / concat --------------------------------------------------------------------------


@functools.cache
def recognizer(text: str) -> earley.Recognizer:
    return earley.Recognizer(text)


def accepts(grammar: Grammar, data: str) -> bool:
    return recognizer(str(grammar)).accepts(data.encode())


FIRST = Grammar.from_ebnf('root ::= "a" tail\ntail ::= "1" | ""')
SECOND = Grammar.from_ebnf('root ::= "b" tail\ntail ::= two | ""\ntwo ::= "2" (= "x")')


def test_union_renames_rules_apart():
    union = Grammar.union(FIRST, SECOND)
    assert str(union) == (
        "root ::= root_1 | root_2\n"
        'root_1 ::= "a" tail\n'
        'tail ::= "1" | ""\n'
        'root_2 ::= "b" tail_1\n'
        'tail_1 ::= two | ""\n'
        'two ::= "2" (= "x")\n'
    )
    assert [accepts(union, s) for s in ["a", "a1", "b", "b2", "ab", "a2", ""]] == [
        True,
        True,
        True,
        False,  # "2" must be followed by "x"
        False,
        False,
        False,
    ]
    assert Grammar.from_ebnf(str(union))._handle.structurally_equal(union._handle)


def test_concat_in_order():
    concat = Grammar.concat(FIRST, SECOND, FIRST)
    assert str(concat).splitlines()[0] == "root ::= root_1 root_2 root_3"
    assert accepts(concat, "a1ba")
    assert accepts(concat, "aba1")
    assert not accepts(concat, "baa")
    assert not accepts(concat, "a1b2a")  # the lookahead of two wants "x", not "a"


def test_single_grammar_and_list_argument():
    assert str(Grammar.union(FIRST)).splitlines()[0] == "root ::= root_1"
    assert str(Grammar.concat([FIRST, SECOND])).splitlines()[0] == "root ::= root_1 root_2"


def test_combinator_argument_errors():
    with pytest.raises(InvalidArgumentError):
        Grammar.union()
    with pytest.raises(InvalidArgumentError):
        Grammar.concat()
    with pytest.raises(TypeError):
        Grammar.union(FIRST, "root ::= x")
