"""Lark -> EBNF: the emitted grammar accepts exactly what Lark's own Earley parser accepts.

Oracle: `lark.Lark(text, parser="earley", lexer="dynamic_complete")` on the original
grammar, against the reference Earley recognizer (tests/reference) on our output. Test
strings are valid seeds with random edits (insert, delete, replace from the grammar's
alphabet), so both sides of the language boundary get exercised.
"""

from __future__ import annotations

import itertools

import lark
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference.earley import Recognizer

from xgrammar import Grammar
from xgrammar.exceptions import GrammarSyntaxError, InvalidGrammarError, UnsupportedFeatureError
from xgrammar.lark_frontend import lark_to_ebnf
from xgrammar.testing import _is_grammar_accept_string


class _Acceptor:
    """The reference Earley recognizer (tests/reference) over the UTF-8 of str inputs."""

    def __init__(self, ebnf_text: str, root: str = "root") -> None:
        self.recognizer = Recognizer(ebnf_text, root)

    def accepts(self, text: str) -> bool:
        return self.recognizer.accepts(text.encode("utf-8", "surrogatepass"))


ARITHMETIC = r"""
?start: sum
?sum: product | sum ("+" | "-") product
?product: atom | product ("*" | "/") atom
?atom: NUMBER | "-" atom | NAME | "(" sum ")"
%import common.CNAME -> NAME
%import common.NUMBER
%import common.WS_INLINE
%ignore WS_INLINE
"""

JSON_LIKE = r"""
?start: value
?value: object | array | string | SIGNED_NUMBER | "true" | "false" | "null"
array  : "[" [value ("," value)*] "]"
object : "{" [pair ("," pair)*] "}"
pair   : string ":" value
string : ESCAPED_STRING
%import common.ESCAPED_STRING
%import common.SIGNED_NUMBER
%import common.WS
%ignore WS
"""

TEMPLATES_AND_FLAGS = r"""
start: _list{item, ";"} END?
_list{x, sep}: x (sep x)*
item: "select"i WORD | KEY ~ 2..3 | /ab+c/i | /x.y/s
WORD: /[a-z]+/
KEY: "k"
END: "."
COMMENT: /#[^\n]*/
%ignore COMMENT
%ignore " "
"""

CASES = [
    (ARITHMETIC, ["1 + 2*x", "-(a+ 3.5)/b", "x", "1e5*-2"], "0123456789+-*/() .abcxe"),
    (
        JSON_LIKE,
        ['{"a": [1, 2.5, true], "b": null}', "[]", '"x\\"y"'],
        '{}[]",: 0123.-aeflnrstu\\x',
    ),
    (
        TEMPLATES_AND_FLAGS,
        ["SELECT abc;kk;ABBC.", "select x # c", "x\ny;kkk"],
        "SELECTselectabkxy;.#\n ",
    ),
]


def _lark_reference(text: str) -> lark.Lark:
    return lark.Lark(text, parser="earley", lexer="dynamic_complete")


def _accepts_lark(parser: lark.Lark, value: str) -> bool:
    try:
        parser.parse(value)
    except lark.exceptions.LarkError:
        return False
    return True


_PREPARED: dict = {}


def _prepared(index: int):
    if index not in _PREPARED:
        grammar, _, _ = CASES[index]
        _PREPARED[index] = (_lark_reference(grammar), _Acceptor(lark_to_ebnf(grammar)))
    return _PREPARED[index]


@st.composite
def _edited_strings(draw):
    index = draw(st.integers(0, len(CASES) - 1))
    _, seeds, alphabet = CASES[index]
    value = list(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        position = draw(st.integers(0, len(value)))
        char = draw(st.sampled_from(alphabet))
        if action == "insert":
            value.insert(position, char)
        elif value and position < len(value):
            if action == "delete":
                del value[position]
            else:
                value[position] = char
    return index, "".join(value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_edited_strings())
def test_edited_strings_agree_with_lark(case):
    index, value = case
    reference, oracle = _prepared(index)
    assert oracle.accepts(value) == _accepts_lark(reference, value), (index, value)


@pytest.mark.parametrize("index", range(len(CASES)))
def test_seeds_are_accepted(index):
    reference, oracle = _prepared(index)
    for seed in CASES[index][1]:
        assert _accepts_lark(reference, seed) and oracle.accepts(seed), seed


def test_ignore_is_allowed_between_tokens_only():
    oracle = _Acceptor(lark_to_ebnf('start: "ab" "c"\n%ignore " "'))
    for value in ["abc", " ab c ", "  ab  c"]:
        assert oracle.accepts(value), value
    assert not oracle.accepts("a bc")  # inside a token


def test_rule_named_root_and_custom_start():
    text = lark_to_ebnf('root: "x" other\nother: "y"\nalt: root', start="alt")
    oracle = _Acceptor(text)
    assert oracle.accepts("xy") and not oracle.accepts("x")


@pytest.mark.parametrize(
    "text, error",
    [
        ("start: (", GrammarSyntaxError),
        ("start: missing_rule", InvalidGrammarError),
        ("start: A\n%declare A", UnsupportedFeatureError),
        ("start: A\nA: /x/m", UnsupportedFeatureError),
        ("start: A\nA: /a(?=b)/", UnsupportedFeatureError),
    ],
)
def test_errors(text, error):
    with pytest.raises(error):
        lark_to_ebnf(text)


@pytest.mark.parametrize("index", range(len(CASES)))
def test_grammar_from_lark_in_the_engine_agrees_with_lark(index):
    grammar_text, seeds, _ = CASES[index]
    grammar = Grammar.from_lark(grammar_text)
    reference, _ = _prepared(index)
    for text in seeds + [seed[:-1] for seed in seeds] + [seed + "(" for seed in seeds]:
        assert _is_grammar_accept_string(grammar, text) == _accepts_lark(reference, text), text


GREEDY_IGNORES = r"""
start: NAME+
NAME: /[a-z]+/
%import common.WS_INLINE
%import common.NEWLINE
%import common.SH_COMMENT
%import common.C_COMMENT
%ignore WS_INLINE
%ignore NEWLINE
%ignore SH_COMMENT
%ignore C_COMMENT
"""


def test_ignored_terminals_end_where_lark_ends_them():
    # Every string of up to 5 characters over an alphabet that can start, continue and end
    # each ignored terminal: a comment runs to the end of its line in Lark, so `#a\nb` is
    # one name and `#ab` none, and `/* */ */` is not one comment.
    reference = _lark_reference(GREEDY_IGNORES)
    oracle = _Acceptor(lark_to_ebnf(GREEDY_IGNORES))
    alphabet = "a#/*\n\r "
    disagreements = []
    accepted = 0
    for length in range(6):
        for chars in itertools.product(alphabet, repeat=length):
            value = "".join(chars)
            expected = _accepts_lark(reference, value)
            accepted += expected
            if oracle.accepts(value) != expected:
                disagreements.append((value, expected))
    assert disagreements == []
    assert accepted > 1000


def test_a_comment_runs_to_the_end_of_its_line():
    reference, oracle = _prepared(2)  # TEMPLATES_AND_FLAGS ignores /#[^\n]*/ and " "
    for value in ["#SELECT abc;kk;ABBC.", "select x #c", "select x #c\nkk", "x#c;kk"]:
        assert oracle.accepts(value) == _accepts_lark(reference, value), value


def test_an_ignored_terminal_without_an_exact_greedy_form_is_refused():
    text = 'start: "a"\nODD: /(ab)?a?(bc)?/\n%ignore ODD'
    with pytest.raises(UnsupportedFeatureError, match="greedily"):
        lark_to_ebnf(text)


@pytest.mark.parametrize("regex", ["a+?", "b{1,3}?", "(ab)*?c"])
def test_a_terminal_with_a_lazy_quantifier_is_refused(regex):
    # Lark's lexer takes a lazy terminal's shortest match ("a" for /a+?/), which the regex's
    # language ("a", "aa", ...) would widen; ESCAPED_STRING and C_COMMENT have exact forms.
    with pytest.raises(UnsupportedFeatureError, match="lazy quantifier"):
        lark_to_ebnf(f"start: A\nA: /{regex}/")


@pytest.mark.parametrize(
    "statement", ["%import codmon.WS", "%import .local.WS", "%import ..up (WS)", "%import os"]
)
def test_only_the_grammars_bundled_with_lark_can_be_imported(statement, tmp_path, monkeypatch):
    # Never a file of the caller's file system: not even one that exists where Lark looks.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "local.lark").write_text("WS: /x/\n")
    with pytest.raises(UnsupportedFeatureError, match="bundled with lark") as error:
        lark_to_ebnf(f'start: "a"\n{statement}\n')
    assert "line 2" in str(error.value)
