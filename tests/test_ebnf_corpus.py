"""The hand-written EBNF corpus (tests/corpus/ebnf_cases.py) against the C++ front end and the
real matcher.

Every corpus grammar must parse; the reference recognizer (tests/reference) must give each case
its expected answer, both on the original text and on the C++ printer's canonical text (so the
printer keeps the language, not just the tree); and the compiled matcher must agree.
"""

import functools

import pytest
from corpus.ebnf_cases import EBNF_CASE_GROUPS, EBNF_CASES
from reference import earley

from xgrammar import Grammar, testing


@functools.cache
def reference_recognizer(grammar_text: str) -> earley.Recognizer:
    return earley.Recognizer(grammar_text)


def test_corpus_is_large_enough_and_mixed():
    assert len(EBNF_CASES) >= 120
    assert any(case.accepted for case in EBNF_CASES)
    assert sum(not case.accepted for case in EBNF_CASES) >= 60


@pytest.mark.parametrize("name,grammar_text", [(g[0], g[1]) for g in EBNF_CASE_GROUPS])
def test_corpus_grammar_parses_and_prints_back(name, grammar_text):
    grammar = Grammar.from_ebnf(grammar_text)
    reparsed = Grammar.from_ebnf(str(grammar))
    assert grammar._handle.structurally_equal(reparsed._handle)
    assert str(reparsed) == str(grammar)


@pytest.mark.parametrize(
    "case", EBNF_CASES, ids=[f"{i}-{c.text!r}"[:40] for i, c in enumerate(EBNF_CASES)]
)
def test_corpus_case_reference_answer(case):
    assert reference_recognizer(case.grammar).accepts(case.data) == case.accepted
    printed = str(Grammar.from_ebnf(case.grammar))
    assert reference_recognizer(printed).accepts(case.data) == case.accepted


@pytest.mark.parametrize(
    "case", EBNF_CASES, ids=[f"{i}-{c.text!r}"[:40] for i, c in enumerate(EBNF_CASES)]
)
def test_corpus_case_real_matcher(case):
    matcher = testing._get_matcher_from_grammar(case.grammar)
    accepted = matcher.accept_string(case.data) and matcher.is_completed()
    assert accepted == case.accepted
