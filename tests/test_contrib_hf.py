"""xgrammar.contrib.hf.LogitsProcessor inside transformers.generate, one grammar per sequence.

A randomly initialised tiny Llama samples freely, so whatever structure its outputs have comes
from the processor's masks; ``jsonschema`` and ``re.fullmatch`` check the outputs. The grammars
are EBNF (written to match SCHEMA and REGEX), so only the engine is needed.
"""

import json
import re

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from decode_fixtures import EOS, MODEL_VOCAB_SIZE, GreedyTokenizer, tokenizer_info  # noqa: E402

import xgrammar as xgr  # noqa: E402
from xgrammar.contrib.hf import LogitsProcessor  # noqa: E402
from xgrammar.exceptions import InvalidArgumentError  # noqa: E402

SCHEMA = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}, "n": {"type": "integer", "minimum": 0}},
    "required": ["ok", "n"],
}
REGEX = r"[abc]{2,5}"
JSON_EBNF = r"""
root ::= "{\"ok\":" ("true" | "false") ",\"n\":" ("0" | [1-9] [0-9]{0,5}) "}"
"""


@pytest.fixture(scope="module")
def grammars():
    compiler = xgr.GrammarCompiler(tokenizer_info(), max_threads=2)
    return compiler.compile_grammar(JSON_EBNF), compiler.compile_grammar("root ::= [abc]{2,5}")


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    config = transformers.LlamaConfig(
        vocab_size=MODEL_VOCAB_SIZE,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=4,
        num_key_value_heads=2,
        bos_token_id=EOS,
        eos_token_id=EOS,
        pad_token_id=EOS,
    )
    return transformers.LlamaForCausalLM(config).eval()


def generated_texts(model, processor, batch, seed):
    torch.manual_seed(seed)
    prompt = torch.full((batch, 1), EOS, dtype=torch.long)
    output = model.generate(
        prompt,
        attention_mask=torch.ones_like(prompt),
        logits_processor=[processor],
        do_sample=True,
        max_new_tokens=60,
        pad_token_id=EOS,
        eos_token_id=EOS,
    )
    texts = []
    for row in output[:, 1:].tolist():
        assert EOS in row, "every sequence must stop by itself"
        texts.append(GreedyTokenizer().decode(row[: row.index(EOS)]))
    return texts


def test_one_grammar_per_sequence(model, grammars):
    import jsonschema

    json_grammar, regex_grammar = grammars
    processor = LogitsProcessor([json_grammar, regex_grammar, json_grammar])
    texts = generated_texts(model, processor, batch=3, seed=1)
    jsonschema.validate(json.loads(texts[0]), SCHEMA)
    assert re.fullmatch(REGEX, texts[1]), texts[1]
    jsonschema.validate(json.loads(texts[2]), SCHEMA)


def test_one_grammar_for_the_batch_and_reuse_across_generate_calls(model, grammars):
    processor = LogitsProcessor(grammars[1])
    for seed in (2, 3):
        for text in generated_texts(model, processor, batch=4, seed=seed):
            assert re.fullmatch(REGEX, text), text


def test_grammar_count_must_match_the_batch(model, grammars):
    processor = LogitsProcessor(list(grammars))
    with pytest.raises(InvalidArgumentError, match="one per sequence"):
        generated_texts(model, processor, batch=3, seed=4)
