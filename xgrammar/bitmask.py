"""Token bitmasks: allocation, reset, and the CPU path of applying a mask to logits.

Convention (as upstream XGrammar): an ``int32`` array of shape ``(batch, ceil(vocab_size / 32))``;
bit ``i`` of word ``j`` stands for token ``32 * j + i``; 1 means allowed. NumPy arrays and torch
tensors are both accepted everywhere. The CUDA kernels live in ``xgrammar.kernels``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "bitmask_dtype",
    "get_bitmask_shape",
    "allocate_token_bitmask",
    "reset_token_bitmask",
]

#: The dtype of bitmask words. A torch ``int32`` tensor is accepted wherever NumPy is.
bitmask_dtype = np.int32


def get_bitmask_shape(batch_size: int, vocab_size: int) -> tuple[int, int]:
    """The shape of a bitmask for ``batch_size`` rows over ``vocab_size`` tokens."""
    if batch_size < 0 or vocab_size < 0:
        from .exceptions import InvalidArgumentError

        raise InvalidArgumentError(
            f"batch_size and vocab_size must be non-negative, got {batch_size}, {vocab_size}"
        )
    return (batch_size, (vocab_size + 31) // 32)


def _torch_or_none() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch


def allocate_token_bitmask(batch_size: int, vocab_size: int) -> Any:
    """A bitmask with every token allowed (all bits set).

    Returns a torch ``int32`` tensor when torch is installed (as upstream does, so that engines
    can pin and move it), otherwise a NumPy array.
    """
    shape = get_bitmask_shape(batch_size, vocab_size)
    torch = _torch_or_none()
    if torch is not None:
        return torch.full(shape, -1, dtype=torch.int32)
    return np.full(shape, -1, dtype=bitmask_dtype)


def reset_token_bitmask(bitmask: Any) -> None:
    """Sets every bit of ``bitmask`` (every token allowed), in place."""
    bitmask.fill_(-1) if hasattr(bitmask, "fill_") else bitmask.fill(-1)
