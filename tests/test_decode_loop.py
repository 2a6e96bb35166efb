"""The included decode loop (xgrammar.integrations): every output is in its grammar, the overlap
changes timing only, jump-forward text reaches the model, and the transformers adapter's ragged
KV-cache feeding computes the same logits as a full recompute.

The grammars are EBNF, so these tests need only the engine (the JSON Schema and regex front ends
have their own tests). The outputs are checked by oracles independent of the engine:
``jsonschema`` for the JSON grammar (written to match ``SCHEMA``) and ``re.fullmatch`` for the
regex-shaped one.
"""

import json
import re

import pytest

torch = pytest.importorskip("torch")

from decode_fixtures import (  # noqa: E402
    EOS,
    MODEL_VOCAB_SIZE,
    TOKENIZER_VOCAB_SIZE,
    GreedyTokenizer,
    RandomLogits,
    tokenizer_info,
)

import xgrammar as xgr  # noqa: E402
from xgrammar.exceptions import XGrammarError  # noqa: E402
from xgrammar.integrations import (  # noqa: E402
    FullSequenceModel,
    SamplingParams,
    generate,
    sample_next_tokens,
)

SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 6},
        "age": {"type": "integer", "minimum": 0, "maximum": 99},
        "tags": {"type": "array", "items": {"enum": ["x", "y"]}, "maxItems": 3},
    },
    "required": ["name", "age", "tags"],
    "additionalProperties": False,
}
# Compact JSON documents valid under SCHEMA (the grammar a schema converter would produce).
JSON_EBNF = r"""
root ::= "{\"name\":\"" name "\",\"age\":" age ",\"tags\":[" tags? "]}"
name ::= [a-z ]{0,6}
age ::= [0-9] | [1-9] [0-9]
tags ::= tag ("," tag){0,2}
tag ::= "\"x\"" | "\"y\""
"""
REGEX = r"(ab|c)+-[0-9]{2}"
REGEX_EBNF = 'root ::= ("ab" | "c")+ "-" [0-9] [0-9]'


@pytest.fixture(scope="module")
def compiler():
    return xgr.GrammarCompiler(tokenizer_info(), max_threads=2)


@pytest.fixture(scope="module")
def json_grammar(compiler):
    return compiler.compile_grammar(JSON_EBNF)


@pytest.fixture(scope="module")
def regex_grammar(compiler):
    return compiler.compile_grammar(REGEX_EBNF)


def decode_text(ids):
    return GreedyTokenizer().decode(ids)


def assert_valid_json(text):
    import jsonschema

    jsonschema.validate(json.loads(text), SCHEMA)


@pytest.mark.parametrize(
    "sampling",
    [SamplingParams(), SamplingParams(1.0, seed=3), SamplingParams(0.7, top_p=0.8, seed=4)],
    ids=["greedy", "temperature", "top-p"],
)
def test_every_row_ends_in_its_grammar(json_grammar, regex_grammar, sampling):
    grammars = [json_grammar, regex_grammar, json_grammar, regex_grammar]
    result = generate(
        RandomLogits(seed=1),
        grammars,
        [[EOS]] * 4,
        max_new_tokens=200,
        sampling=sampling,
        tokenizer=GreedyTokenizer(),
    )
    assert result.finish_reasons == ["stop"] * 4
    for row, ids in enumerate(result.token_ids):
        assert all(token < TOKENIZER_VOCAB_SIZE and token != EOS for token in ids)
        text = decode_text(ids)
        if row % 2 == 0:
            assert_valid_json(text)
        else:
            assert re.fullmatch(REGEX, text), text


def test_overlap_changes_timing_not_tokens(json_grammar):
    runs = [
        generate(
            RandomLogits(seed=7),
            json_grammar,
            [[EOS]] * 3,
            sampling=SamplingParams(1.0, seed=7),
            tokenizer=GreedyTokenizer(),
            overlap=overlap,
        )
        for overlap in (True, False)
    ]
    assert runs[0].token_ids == runs[1].token_ids
    overlapped, sequential = runs[0].stats, runs[1].stats
    assert overlapped.steps == sequential.steps > 0
    assert overlapped.mask_seconds > 0 and sequential.mask_seconds > 0
    # Without overlap the whole mask fill is on the critical path.
    assert sequential.mask_wait_seconds == pytest.approx(sequential.mask_seconds)
    assert 0.0 <= overlapped.hidden_mask_fraction <= 1.0


def test_jump_forward_feeds_forced_text_to_the_model(json_grammar):
    model = RandomLogits(seed=2)
    result = generate(
        model, json_grammar, [[EOS]], sampling=SamplingParams(1.0, seed=2), tokenizer=None
    )
    model_with_jump = RandomLogits(seed=2)
    jumped = generate(
        model_with_jump,
        json_grammar,
        [[EOS]],
        sampling=SamplingParams(1.0, seed=2),
        tokenizer=GreedyTokenizer(),
    )
    assert result.stats.forced_tokens == 0
    assert jumped.stats.forced_tokens > 0
    # '{"name":' is forced from the start: after the first sampled token the model is fed it
    # in one chunk, and fewer steps are needed overall.
    assert jumped.stats.steps < result.stats.steps
    first_chunk = model_with_jump.calls[1][0][1:]
    assert decode_text(first_chunk).startswith('{"name":')
    for run in (result, jumped):
        assert_valid_json(decode_text(run.token_ids[0]))


def test_unconstrained_rows_mix_with_constrained_rows(json_grammar):
    result = generate(
        RandomLogits(seed=5),
        [None, json_grammar],
        [[EOS], [EOS]],
        max_new_tokens=30,
        sampling=SamplingParams(1.0, seed=5),
        tokenizer=GreedyTokenizer(),
        stop_token_ids=[EOS],
    )
    assert_valid_json(decode_text(result.token_ids[1]))
    # The unconstrained row samples from the whole logits row, padding ids included.
    assert result.finish_reasons[0] in ("stop", "length")
    assert all(0 <= token < MODEL_VOCAB_SIZE for token in result.token_ids[0])


def test_max_new_tokens_ends_a_row_with_length(regex_grammar):
    # Greedy decoding of a random model with an unbounded "+" can go on; cap it at 3 tokens.
    result = generate(RandomLogits(seed=9), regex_grammar, [[EOS]], max_new_tokens=3)
    assert len(result.token_ids[0]) >= 3
    if result.finish_reasons[0] == "length":
        assert xgr.GrammarMatcher(regex_grammar).accept_token(result.token_ids[0][0])


def test_full_sequence_model_sees_each_row_growing(json_grammar):
    model = RandomLogits(seed=11)
    result = generate(FullSequenceModel(model), json_grammar, [[EOS, EOS]], max_new_tokens=50)
    final = model.calls[-1][0]
    assert final[:2] == [EOS, EOS]
    assert final[2:] == result.token_ids[0][: len(final) - 2]


def test_sampling_respects_the_mask_and_top_p():
    logits = torch.tensor([[0.0, 2.0, float("-inf"), 1.0, float("-inf")]] * 2000)
    generator = torch.Generator().manual_seed(0)
    sampled = sample_next_tokens(logits, SamplingParams(1.0, seed=0), generator)
    assert set(sampled.tolist()) == {0, 1, 3}
    # p = softmax([0, 2, 1]) = [0.09, 0.67, 0.24]; top_p 0.8 keeps tokens 1 and 3 only.
    nucleus = sample_next_tokens(logits, SamplingParams(1.0, top_p=0.8), generator)
    assert set(nucleus.tolist()) == {1, 3}
    greedy = sample_next_tokens(logits, SamplingParams(), generator)
    assert set(greedy.tolist()) == {1}


def test_a_row_with_no_allowed_token_is_an_error():
    logits = torch.full((1, 8), float("-inf"))
    with pytest.raises(XGrammarError, match="allow no token"):
        sample_next_tokens(logits, SamplingParams(), None)


def test_transformers_adapter_matches_a_full_recompute():
    transformers = pytest.importorskip("transformers")
    from xgrammar.integrations import TransformersCausalLM

    torch.manual_seed(0)
    config = transformers.LlamaConfig(
        vocab_size=MODEL_VOCAB_SIZE,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
    )
    model = transformers.LlamaForCausalLM(config).eval()
    adapter = TransformersCausalLM(model)
    sequences = [[1, 2, 3, 4], [5, 6]]
    steps = [None, [[7], [8, 9, 10]], [[], [11]], [[12, 13], [14]]]
    for chunks in steps:
        if chunks is None:
            logits = adapter.prefill(sequences)
        else:
            for sequence, chunk in zip(sequences, chunks):
                sequence.extend(chunk)
            logits = adapter.extend(chunks)
        for row, sequence in enumerate(sequences):
            if chunks is not None and not chunks[row]:
                continue  # a finished row's logits are not used
            with torch.inference_mode():
                expected = model(torch.tensor([sequence])).logits[0, -1]
            torch.testing.assert_close(logits[row], expected, atol=1e-4, rtol=1e-4)
