"""Token bitmask helpers: the buffer a matcher fills and a kernel applies to the logits.

A bitmask is an int32 array of shape ``(batch, ceil(vocab_size / 32))``: bit ``i`` of word ``j``
of a row says whether token ``32 * j + i`` is allowed (1) or not (0). int32 rather than uint32
because old torch versions have no uint32; only the bit pattern matters.

Entry points: ``bitmask_dtype``, ``get_bitmask_shape``, ``allocate_token_bitmask``,
``reset_token_bitmask``, and ``apply_token_bitmask_inplace`` (re-exported from
``xgrammar.kernels``). torch is optional: without it the helpers hand out numpy arrays, which
every function of the package also accepts.
"""

import math
from typing import Any, Tuple

import numpy as np

from .kernels import apply_token_bitmask_inplace

try:
    import torch
except ImportError:  # torch is an optional dependency
    torch = None

__all__ = [
    "bitmask_dtype",
    "get_bitmask_shape",
    "allocate_token_bitmask",
    "reset_token_bitmask",
    "apply_token_bitmask_inplace",
]

#: The bitmask element type: ``torch.int32`` when torch is installed (as upstream), else
#: ``numpy.int32``.
bitmask_dtype: Any = torch.int32 if torch is not None else np.int32

# Every bit set: all tokens allowed. -1 is 0xFFFFFFFF in two's complement.
_ALL_ALLOWED_WORD = -1


def get_bitmask_shape(batch_size: int, vocab_size: int) -> Tuple[int, int]:
    """Return the bitmask shape for a batch: ``(batch_size, ceil(vocab_size / 32))``."""
    return (batch_size, math.ceil(vocab_size / 32))


def allocate_token_bitmask(batch_size: int, vocab_size: int) -> Any:
    """Allocate a CPU bitmask with every token allowed.

    Returns a ``torch.Tensor`` when torch is installed (as upstream does), otherwise a
    ``numpy.ndarray``. To place it elsewhere (pinned or CUDA memory), build the tensor yourself
    from ``get_bitmask_shape`` and ``bitmask_dtype``.
    """
    shape = get_bitmask_shape(batch_size, vocab_size)
    if torch is not None:
        return torch.full(shape, _ALL_ALLOWED_WORD, dtype=torch.int32)
    return np.full(shape, _ALL_ALLOWED_WORD, dtype=np.int32)


def reset_token_bitmask(bitmask: Any) -> None:
    """Set every bit of ``bitmask`` (a torch tensor or numpy array), allowing every token."""
    if isinstance(bitmask, np.ndarray):
        bitmask.fill(_ALL_ALLOWED_WORD)
    else:
        bitmask.fill_(_ALL_ALLOWED_WORD)
