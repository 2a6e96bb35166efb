"""Fixtures of the micro-benchmarks: a real tokenizer, compiled grammars, tokenized documents.

The micro-benchmarks use only XGrammar 0.2.8's public API, so they run unchanged against this
repository's package or upstream's, whichever the interpreter has installed:

    bench/.venvs/ours/bin/pytest bench/micro --benchmark-only --bench-tokenizer PATH
    bench/.venvs/upstream/bin/pytest bench/micro --benchmark-only --bench-tokenizer PATH

PATH is a HF tokenizer.json (default: $XGRAMMAR_BENCH_TOKENIZER, else the Llama-3 tokenizer in
a ``shared/data`` folder beside or above the checkout). This folder has no ``__init__.py`` on
purpose: pytest then puts only bench/micro on sys.path, never the repository root, whose
``xgrammar`` source folder would shadow the installed package.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import xgrammar

LLAMA3_RELATIVE = Path("shared/data/tokenizers/llama3/tokenizer.json")
STOP_TOKEN_NAMES = ("<|end_of_text|>", "<|eot_id|>", "<|endoftext|>", "<|im_end|>", "</s>")

# A schema of the everyday kind (nested object, array, enum, optional fields) and a document.
PERSON_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "email": {"type": "string"},
        "role": {"enum": ["admin", "editor", "viewer"]},
        "address": {
            "type": "object",
            "properties": {
                "street": {"type": "string"},
                "city": {"type": "string"},
                "zip": {"type": "string"},
            },
            "required": ["street", "city"],
        },
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name", "age", "role"],
}
PERSON_DOCUMENT = {
    "name": "Ada Lovelace",
    "age": 36,
    "email": "ada@example.org",
    "role": "editor",
    "address": {"street": "12 St James's Square", "city": "London", "zip": "SW1Y 4JH"},
    "tags": ["mathematics", "analytical engine", "poetry"],
}


def pytest_addoption(parser):
    parser.addoption("--bench-tokenizer", default=None, help="a HF tokenizer.json")


def find_default_tokenizer() -> Path:
    if os.environ.get("XGRAMMAR_BENCH_TOKENIZER"):
        return Path(os.environ["XGRAMMAR_BENCH_TOKENIZER"])
    for folder in Path(__file__).resolve().parents:
        candidate = folder / LLAMA3_RELATIVE
        if candidate.exists():
            return candidate
    pytest.skip("no tokenizer: pass --bench-tokenizer or set XGRAMMAR_BENCH_TOKENIZER")


@pytest.fixture(scope="session")
def tokenizer_path(request) -> Path:
    option = request.config.getoption("--bench-tokenizer")
    return Path(option) if option else find_default_tokenizer()


def load_hf_tokenizer(path: Path):
    """Upstream takes only a transformers tokenizer; ours also takes a tokenizers.Tokenizer."""
    try:
        import transformers
    except ImportError:
        import tokenizers

        return tokenizers.Tokenizer.from_file(str(path))
    return transformers.PreTrainedTokenizerFast(tokenizer_file=str(path))


@pytest.fixture(scope="session")
def raw_tokenizer(tokenizer_path):
    import tokenizers

    return tokenizers.Tokenizer.from_file(str(tokenizer_path))


@pytest.fixture(scope="session")
def hf_tokenizer(tokenizer_path):
    return load_hf_tokenizer(tokenizer_path)


@pytest.fixture(scope="session")
def stop_token_ids(raw_tokenizer):
    special = {
        token.content: token_id
        for token_id, token in raw_tokenizer.get_added_tokens_decoder().items()
        if token.special
    }
    return sorted(special[name] for name in STOP_TOKEN_NAMES if name in special)


@pytest.fixture(scope="session")
def tokenizer_info(hf_tokenizer, raw_tokenizer, stop_token_ids):
    return xgrammar.TokenizerInfo.from_huggingface(
        hf_tokenizer,
        vocab_size=raw_tokenizer.get_vocab_size(with_added_tokens=True),
        stop_token_ids=stop_token_ids or None,
    )


@pytest.fixture(scope="session")
def compiler(tokenizer_info):
    # One thread and no cache: the numbers are single-core and every compile is a real one.
    return xgrammar.GrammarCompiler(tokenizer_info, max_threads=1, cache_enabled=False)


@pytest.fixture(scope="session")
def compiled_builtin_json(compiler):
    return compiler.compile_builtin_json_grammar()


@pytest.fixture(scope="session")
def compiled_person_schema(compiler):
    return compiler.compile_json_schema(json.dumps(PERSON_SCHEMA), strict_mode=False)


@pytest.fixture(scope="session")
def person_document_tokens(raw_tokenizer):
    return raw_tokenizer.encode(json.dumps(PERSON_DOCUMENT), add_special_tokens=False).ids
