"""Token bitmasks: allocation and reset; applying one to logits is re-exported from
``xgrammar.kernels`` (CPU: C++ or numpy; CUDA: Triton or plain torch).

Convention (as upstream XGrammar): an ``int32`` array of shape ``(batch, ceil(vocab_size / 32))``;
bit ``i`` of word ``j`` stands for token ``32 * j + i``; 1 means allowed. NumPy arrays and torch
tensors are both accepted everywhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .kernels import apply_token_bitmask_inplace

__all__ = [
    "bitmask_dtype",
    "get_bitmask_shape",
    "allocate_token_bitmask",
    "reset_token_bitmask",
    "apply_token_bitmask_inplace",
]


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


#: The dtype of bitmask words: ``torch.int32`` when torch is installed (upstream's value, which
#: engines pass to ``torch.empty``/``torch.full``), else ``numpy.int32``. Either kind of array is
#: accepted everywhere.
bitmask_dtype: Any = getattr(_torch_or_none(), "int32", np.int32)


def allocate_token_bitmask(batch_size: int, vocab_size: int) -> Any:
    """A bitmask with every token allowed (all bits set).

    Returns a torch ``int32`` tensor when torch is installed (as upstream does, so that engines
    can pin and move it), otherwise a NumPy array.
    """
    shape = get_bitmask_shape(batch_size, vocab_size)
    torch = _torch_or_none()
    if torch is not None:
        return torch.full(shape, -1, dtype=torch.int32)
    return np.full(shape, -1, dtype=np.int32)


def reset_token_bitmask(bitmask: Any) -> None:
    """Sets every bit of ``bitmask`` (every token allowed), in place."""
    bitmask.fill_(-1) if hasattr(bitmask, "fill_") else bitmask.fill(-1)
