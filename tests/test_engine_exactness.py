"""Exactness of the engine's masks against the reference recognizer, on real vocabularies.

For a mask to be exact, a token is allowed iff the accepted bytes plus the token's bytes are a
viable prefix of the grammar, and a stop token iff the accepted bytes are a complete sentence
(DESIGN.md, "Mask semantics"). The oracle is tests/reference (an independent EBNF parser and a
byte-level Earley recognizer). Vocabularies are real: DeepSeek's byte-level BPE vocabulary
(129k tokens, from the `deepseek-tokenizer` package); for random grammars, whose alphabets are a
handful of characters, the brute-force side uses every DeepSeek token made only of the grammar's
bytes plus a random sample of the others, so that the Python oracle stays fast.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from reference import earley, random_grammars

import xgrammar as xgr
from xgrammar.testing import _get_masked_tokens_from_bitmask

tokenizers = pytest.importorskip("tokenizers")


@pytest.fixture(scope="module")
def deepseek_tokenizer(deepseek_path):
    return tokenizers.Tokenizer.from_file(str(deepseek_path))


def allowed_ids(matcher: xgr.GrammarMatcher, vocab_size: int) -> set[int]:
    bitmask = xgr.allocate_token_bitmask(1, vocab_size)
    matcher.fill_next_token_bitmask(bitmask)
    rejected = set(_get_masked_tokens_from_bitmask(bitmask, vocab_size))
    return set(range(vocab_size)) - rejected


def reference_allowed(state, info, candidate_ids) -> set[int]:
    """The brute-force mask over `candidate_ids`: viable tokens, and stop tokens iff complete."""
    vocab = info.decoded_vocab
    special = set(info.special_token_ids) | set(info.stop_token_ids)
    ordinary = [i for i in candidate_ids if i not in special and vocab[i]]
    mask = earley.viable_token_mask(state, [vocab[i] for i in ordinary])
    allowed = {i for i, ok in zip(ordinary, mask) if ok}
    if state.is_complete():
        allowed |= set(info.stop_token_ids) & set(candidate_ids)
    return allowed


def alphabet_subvocabulary(info, grammar_text: str, rng: random.Random, sample: int):
    """A vocabulary of real tokens: every DeepSeek token whose bytes all occur in the grammar
    text, a random sample of the others, and DeepSeek's stop token (last)."""
    alphabet = set(grammar_text.encode("utf-8"))
    vocab = info.decoded_vocab
    stop = set(info.stop_token_ids)
    special = set(info.special_token_ids) | stop
    inside = [i for i, tok in enumerate(vocab) if tok and set(tok) <= alphabet]
    # The Python oracle is slow on ambiguous grammars: keep the vocabulary a few hundred tokens.
    inside = rng.sample(inside, min(len(inside), 250))
    others = rng.sample(range(len(vocab)), sample)
    ids = sorted((set(inside) | set(others)) - special)
    tokens = [vocab[i] for i in ids] + [vocab[min(stop)]]
    return xgr.TokenizerInfo(tokens, xgr.VocabType.RAW, stop_token_ids=[len(tokens) - 1])


def walk_and_compare(grammar_text, info, candidate_ids, rng, steps, vocab_size):
    """Random walk: at each step the engine's mask restricted to `candidate_ids` must equal the
    reference's; then both accept the same randomly chosen allowed token."""
    compiler = xgr.GrammarCompiler(info, max_threads=1, cache_enabled=False)
    compiled = compiler.compile_grammar(grammar_text)
    matcher = xgr.GrammarMatcher(compiled)
    recognizer = earley.as_recognizer(grammar_text)
    state = recognizer.initial_state()
    candidates = set(candidate_ids)
    vocab = info.decoded_vocab
    for _ in range(steps):
        expected = reference_allowed(state, info, candidate_ids)
        got = allowed_ids(matcher, vocab_size) & candidates
        assert got == expected, (
            f"grammar:\n{grammar_text}\naccepted so far: {state.position} bytes\n"
            f"engine only: {[vocab[i] for i in sorted(got - expected)][:10]}\n"
            f"reference only: {[vocab[i] for i in sorted(expected - got)][:10]}"
        )
        choices = sorted(expected)
        if not choices:
            break
        token = rng.choice(choices)
        assert matcher.accept_token(token)
        if token in info.stop_token_ids:
            assert matcher.is_terminated()
            break
        state = state.advance(vocab[token])


@pytest.mark.parametrize("seed", range(30))
def test_random_grammar_masks_match_the_reference(seed, deepseek_info):
    rng = random.Random(seed)
    options = random_grammar_generator_options(seed)
    text = random_grammars.random_grammar_text(seed, options)
    info = alphabet_subvocabulary(deepseek_info, text, rng, sample=150)
    walk_and_compare(text, info, list(range(info.vocab_size)), rng, 10, info.vocab_size)


def random_literal_alternation(seed: int) -> str:
    """A choice of many literals that share prefixes (some are prefixes of others, some repeat),
    mixed with non-literal alternatives and used inside a repetition: the automaton builds the
    literals as a trie, and the oracle checks that the trie changes nothing."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("ab c") for _ in range(rng.randint(1, 6))) for _ in range(120)]
    literals = " | ".join(json.dumps(w) for w in words + words[:10])
    return f'root ::= item ("," item)*\nitem ::= {literals} | [bc] "x" | "a"+ "!"\n'


@pytest.mark.parametrize("seed", range(4))
def test_literal_alternation_masks_match_the_reference(seed, deepseek_info):
    rng = random.Random(seed)
    text = random_literal_alternation(seed)
    info = alphabet_subvocabulary(deepseek_info, text, rng, sample=150)
    walk_and_compare(text, info, list(range(info.vocab_size)), rng, 12, info.vocab_size)


def random_grammar_generator_options(seed: int) -> random_grammars.GrammarOptions:
    # Alternate between plain grammars and grammars with multi-byte characters and negation.
    return random_grammars.GrammarOptions(
        wide_characters=seed % 2 == 0, negated_classes=seed % 3 == 0
    )


JSON_DOCUMENTS = [
    {"name": "xgrammar", "version": [0, 2, 8], "ok": True, "none": None},
    [{"a": -1.5e-3}, "caf\u00e9 \u2603 \U0001f600", {"nested": [[[]], {}]}],
    {"text": 'quote " backslash \\ newline \n tab \t', "n": 12345678901234567890},
]


@pytest.fixture(scope="module")
def compiled_json(deepseek_info):
    return xgr.GrammarCompiler(deepseek_info, max_threads=2).compile_builtin_json_grammar()


def is_allowed(bitmask, token: int) -> bool:
    return bool((int(bitmask[0, token // 32]) >> (token % 32)) & 1)


@pytest.mark.parametrize("indent", [None, 2])
def test_builtin_json_accepts_real_documents_token_by_token(
    compiled_json, deepseek_info, deepseek_tokenizer, indent
):
    bitmask = xgr.allocate_token_bitmask(1, deepseek_info.vocab_size)
    for document in JSON_DOCUMENTS:
        text = json.dumps(document, indent=indent, ensure_ascii=False)
        ids = deepseek_tokenizer.encode(text, add_special_tokens=False).ids
        matcher = xgr.GrammarMatcher(compiled_json)
        for token in ids:
            matcher.fill_next_token_bitmask(bitmask)
            assert is_allowed(bitmask, token)
            assert matcher.accept_token(token)
        matcher.fill_next_token_bitmask(bitmask)
        assert all(is_allowed(bitmask, stop) for stop in deepseek_info.stop_token_ids)
        assert matcher.accept_token(deepseek_info.stop_token_ids[0])
        assert matcher.is_terminated()


def test_builtin_json_masks_match_the_reference_on_the_full_vocabulary(
    compiled_json, deepseek_info, deepseek_tokenizer
):
    """At several points inside a real document the full 129k-token mask equals brute force."""
    grammar_text = str(xgr.Grammar.builtin_json_grammar())
    compiled = compiled_json
    text = json.dumps(JSON_DOCUMENTS[1], ensure_ascii=False)
    ids = deepseek_tokenizer.encode(text, add_special_tokens=False).ids
    matcher = xgr.GrammarMatcher(compiled)
    state = earley.as_recognizer(grammar_text).initial_state()
    everything = list(range(len(deepseek_info.decoded_vocab)))
    checkpoints = {0, 3, len(ids) // 2, len(ids) - 1}
    for position, token in enumerate(ids):
        if position in checkpoints:
            expected = reference_allowed(state, deepseek_info, everything)
            assert allowed_ids(matcher, deepseek_info.vocab_size) == expected
        assert matcher.accept_token(token)
        state = state.advance(deepseek_info.decoded_vocab[token])


def test_padding_and_special_tokens_are_never_allowed(deepseek_path):
    info = xgr.TokenizerInfo.from_huggingface(str(deepseek_path), vocab_size=129_280 + 64)
    compiled = xgr.GrammarCompiler(info).compile_grammar('root ::= [^"]*')
    matcher = xgr.GrammarMatcher(compiled)
    allowed = allowed_ids(matcher, info.vocab_size)
    assert not allowed & set(range(len(info.decoded_vocab), info.vocab_size))
    assert not allowed & set(info.special_token_ids)
    bitmask = np.zeros((1, (info.vocab_size + 31) // 32 + 3), dtype=np.int32)
    matcher.fill_next_token_bitmask(bitmask)
    assert not bitmask[0, (info.vocab_size + 31) // 32 :].any()
