"""Model adapters for the decode loop: anything that turns token ids into next-token logits.

The loop talks to a ``LogitsModel``: ``prefill(prompts)`` starts a batch and ``extend(chunks)``
appends each row's new tokens (one sampled token, plus any forced jump-forward tokens; an empty
list for a finished row); both return the (batch, vocab) logits of each row's next token.
Entry point: ``as_logits_model(model)`` wraps

- a ``transformers`` causal LM (``TransformersCausalLM``: keeps the KV cache; rows of different
  lengths are padded with masked-out positions, so ragged jump-forward chunks cost one forward),
- any object that already has ``prefill`` and ``extend``,
- or a plain callable ``fn(sequences: list[list[int]]) -> logits`` that sees each row's whole
  sequence every step (``FullSequenceModel``; simple, no cache).
"""

import inspect
from typing import Any, Callable, List, Sequence

from ..exceptions import InvalidArgumentError

__all__ = ["TransformersCausalLM", "FullSequenceModel", "as_logits_model"]


class FullSequenceModel:
    """Adapts ``fn(sequences) -> (batch, vocab) logits`` to the ``LogitsModel`` interface."""

    def __init__(self, logits_function: Callable[[List[List[int]]], Any]):
        self._logits_function = logits_function
        self._sequences: List[List[int]] = []

    def prefill(self, prompts: Sequence[Sequence[int]]) -> Any:
        self._sequences = [list(prompt) for prompt in prompts]
        return self._logits_function(self._sequences)

    def extend(self, chunks: Sequence[Sequence[int]]) -> Any:
        for sequence, chunk in zip(self._sequences, chunks):
            sequence.extend(chunk)
        return self._logits_function(self._sequences)


class TransformersCausalLM:
    """A ``transformers`` causal LM with its KV cache, fed ragged chunks.

    Each step feeds a (batch, longest chunk) block. Shorter chunks are left-padded with
    positions whose attention mask is 0, so every row's last position is a real token and its
    logits are that row's next-token logits. Position ids count real tokens only, so padding
    never shifts a row's positions.
    """

    def __init__(self, model: Any, pad_token_id: int = 0):
        import torch

        self.model = model
        self.device = next(model.parameters()).device
        self._torch = torch
        self._pad_token_id = pad_token_id
        self._past = None
        self._attention_mask = None
        self._lengths: List[int] = []
        # transformers 5 renamed the KV-cache argument and output field from past_key_values
        # to cache; cache_position is only a named argument in some versions.
        parameters = inspect.signature(model.forward).parameters
        self._cache_argument = "cache" if "cache" in parameters else "past_key_values"
        self._pass_cache_position = "cache_position" in parameters

    def _forward(self, chunks: Sequence[Sequence[int]]) -> Any:
        torch = self._torch
        width = max(1, max(len(chunk) for chunk in chunks))
        input_ids = torch.full((len(chunks), width), self._pad_token_id, dtype=torch.long)
        chunk_mask = torch.zeros((len(chunks), width), dtype=torch.long)
        position_ids = torch.zeros((len(chunks), width), dtype=torch.long)
        for row, chunk in enumerate(chunks):
            start = width - len(chunk)
            input_ids[row, start:] = torch.tensor(list(chunk), dtype=torch.long)
            chunk_mask[row, start:] = 1
            position_ids[row, :] = self._lengths[row]
            position_ids[row, start:] = torch.arange(
                self._lengths[row], self._lengths[row] + len(chunk)
            )
            self._lengths[row] += len(chunk)
        past_length = 0 if self._attention_mask is None else self._attention_mask.shape[1]
        self._attention_mask = (
            chunk_mask
            if self._attention_mask is None
            else torch.cat([self._attention_mask, chunk_mask], dim=1)
        )
        arguments = {
            "input_ids": input_ids.to(self.device),
            "attention_mask": self._attention_mask.to(self.device),
            "position_ids": position_ids.to(self.device),
            self._cache_argument: self._past,
            "use_cache": True,
            "logits_to_keep": 1,
        }
        if self._pass_cache_position:
            arguments["cache_position"] = torch.arange(
                past_length, past_length + width, device=self.device
            )
        with torch.inference_mode():
            output = self.model(**arguments)
        self._past = getattr(output, self._cache_argument)
        return output.logits[:, -1, :]

    def prefill(self, prompts: Sequence[Sequence[int]]) -> Any:
        if any(len(prompt) == 0 for prompt in prompts):
            raise InvalidArgumentError("every prompt needs at least one token (e.g. BOS)")
        self._past, self._attention_mask = None, None
        self._lengths = [0] * len(prompts)
        return self._forward(prompts)

    def extend(self, chunks: Sequence[Sequence[int]]) -> Any:
        return self._forward(chunks)


def as_logits_model(model: Any) -> Any:
    """Wrap ``model`` (see the module docstring) into something with ``prefill``/``extend``."""
    if hasattr(model, "prefill") and hasattr(model, "extend"):
        return model
    if hasattr(model, "config") and hasattr(model, "parameters") and callable(model):
        return TransformersCausalLM(model)
    if callable(model):
        return FullSequenceModel(model)
    raise InvalidArgumentError(
        f"cannot decode with a {type(model).__name__}: pass a transformers causal LM, an object "
        "with prefill/extend, or a callable mapping token sequences to logits"
    )
