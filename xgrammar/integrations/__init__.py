"""Integrations shipped with the package: the overlapped decode loop and its model adapters.

Installed as ``xgrammar.integrations`` so that ``pip install`` users get it; the repository's
top-level ``integrations/`` folder only re-exports it for readers who look there first. The
``transformers.generate`` logits processor lives at ``xgrammar.contrib.hf`` (upstream's path).
torch and transformers are imported lazily, when a function needs them.
"""

from .decode_loop import DecodeStats, GenerationResult, generate
from .models import FullSequenceModel, TransformersCausalLM, as_logits_model
from .sampling import SamplingParams, sample_next_tokens

__all__ = [
    "DecodeStats",
    "GenerationResult",
    "generate",
    "FullSequenceModel",
    "TransformersCausalLM",
    "as_logits_model",
    "SamplingParams",
    "sample_next_tokens",
]
