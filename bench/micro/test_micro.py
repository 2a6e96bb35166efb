"""Micro-benchmarks of XGrammar's public API: tokenizer info, compile, mask, accept, rollback,
apply. Entry point: ``pytest bench/micro --benchmark-only`` run by a venv with the package under
test (see conftest.py); compare two packages with ``--benchmark-save`` and
``pytest-benchmark compare``. Every benchmark also checks the result it times, so a fast wrong
answer cannot pass for a fast right one.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import PERSON_SCHEMA

import xgrammar


def matcher_after(compiled, tokens):
    matcher = xgrammar.GrammarMatcher(compiled)
    for token_id in tokens:
        assert matcher.accept_token(token_id)
    return matcher


def test_tokenizer_info_from_huggingface(benchmark, hf_tokenizer, raw_tokenizer, stop_token_ids):
    vocab_size = raw_tokenizer.get_vocab_size(with_added_tokens=True)
    info = benchmark.pedantic(
        xgrammar.TokenizerInfo.from_huggingface,
        args=(hf_tokenizer,),
        kwargs={"vocab_size": vocab_size, "stop_token_ids": stop_token_ids or None},
        rounds=3,
        iterations=1,
    )
    assert info.vocab_size == vocab_size


def test_compile_builtin_json_grammar(benchmark, compiler):
    compiled = benchmark.pedantic(compiler.compile_builtin_json_grammar, rounds=5, iterations=1)
    assert compiled.memory_size_bytes > 0


def test_compile_json_schema(benchmark, compiler):
    schema_text = json.dumps(PERSON_SCHEMA)
    compiled = benchmark.pedantic(
        compiler.compile_json_schema,
        args=(schema_text,),
        kwargs={"strict_mode": False},
        rounds=5,
        iterations=1,
    )
    assert compiled.memory_size_bytes > 0


@pytest.mark.parametrize("grammar", ["builtin_json", "person_schema"])
@pytest.mark.parametrize("where", ["start", "middle"])
def test_fill_next_token_bitmask(benchmark, request, grammar, where, person_document_tokens):
    compiled = request.getfixturevalue(f"compiled_{grammar}")
    prefix = [] if where == "start" else person_document_tokens[: len(person_document_tokens) // 2]
    matcher = matcher_after(compiled, prefix)
    bitmask = xgrammar.allocate_token_bitmask(1, compiled.tokenizer_info.vocab_size)
    benchmark(matcher.fill_next_token_bitmask, bitmask)
    next_token = person_document_tokens[len(prefix)]
    assert (int(bitmask[0, next_token // 32]) >> (next_token % 32)) & 1


@pytest.mark.parametrize("grammar", ["builtin_json", "person_schema"])
def test_accept_whole_document(benchmark, request, grammar, person_document_tokens):
    """Time to accept every token of the document; extra_info has the per-token figure."""
    compiled = request.getfixturevalue(f"compiled_{grammar}")

    def setup():
        return (xgrammar.GrammarMatcher(compiled),), {}

    def accept_all(matcher):
        for token_id in person_document_tokens:
            matcher.accept_token(token_id)
        return matcher

    matcher = benchmark.pedantic(accept_all, setup=setup, rounds=20, iterations=1)
    benchmark.extra_info["tokens"] = len(person_document_tokens)
    assert matcher.is_completed()


def test_rollback(benchmark, compiled_builtin_json, person_document_tokens):
    rollback_tokens = 10

    def setup():
        return (matcher_after(compiled_builtin_json, person_document_tokens),), {}

    def rollback(matcher):
        matcher.rollback(rollback_tokens)
        return matcher

    matcher = benchmark.pedantic(rollback, setup=setup, rounds=20, iterations=1)
    assert not matcher.is_completed()
    for token_id in person_document_tokens[-rollback_tokens:]:
        assert matcher.accept_token(token_id)


@pytest.mark.parametrize("batch", [1, 16])
def test_apply_token_bitmask_inplace(benchmark, batch, compiled_builtin_json):
    """Torch logits where torch is installed (upstream needs it), numpy logits otherwise."""
    vocab_size = compiled_builtin_json.tokenizer_info.vocab_size
    bitmask = xgrammar.allocate_token_bitmask(batch, vocab_size)
    matcher = xgrammar.GrammarMatcher(compiled_builtin_json)
    for row in range(batch):
        matcher.fill_next_token_bitmask(bitmask, row)
    try:
        import torch
    except ImportError:
        logits = np.zeros((batch, vocab_size), dtype=np.float32)
    else:
        logits = torch.zeros(batch, vocab_size, dtype=torch.float32)
    benchmark(xgrammar.apply_token_bitmask_inplace, logits, bitmask)
    allowed = np.isfinite(np.asarray(logits[0]))
    assert 0 < allowed.sum() < vocab_size
