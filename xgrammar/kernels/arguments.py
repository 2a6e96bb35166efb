"""Checks and normalises the arguments of ``apply_token_bitmask_inplace`` for every backend.

Entry point: ``normalize_arguments(logits, bitmask, vocab_size, indices)`` returns a
``MaskApplication``: 2-D views of the logits and the bitmask (1-D inputs become one row, and the
views share memory with the caller's arrays, so writes land in place), the number of tokens to
mask, and the rows to touch. Every backend relies on these checks, so none of them can read or
write out of bounds. Bad arguments raise ``InvalidArgumentError`` (a ``ValueError``).
"""

import warnings
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Union

import numpy as np

from ..exceptions import InvalidArgumentError

__all__ = ["MaskApplication", "normalize_arguments", "is_torch_tensor"]


@dataclass
class MaskApplication:
    """What to mask, after validation.

    ``rows`` is None when every row of ``logits`` is masked by the same row of ``bitmask``;
    otherwise it lists the row numbers (each valid for both arrays).
    """

    logits: Any
    bitmask: Any
    vocab_size: int
    rows: Optional[List[int]]

    @property
    def num_words(self) -> int:
        """How many bitmask words cover ``vocab_size`` tokens."""
        return (self.vocab_size + 31) // 32

    @property
    def num_rows(self) -> int:
        return self.logits.shape[0] if self.rows is None else len(self.rows)


def is_torch_tensor(value: Any) -> bool:
    """True for a torch tensor, without importing torch when the caller never did."""
    return type(value).__module__.startswith("torch") and hasattr(value, "data_ptr")


def _as_rows(array: Any, name: str) -> Any:
    if array.ndim == 1:
        return array[None, :] if isinstance(array, np.ndarray) else array.unsqueeze(0)
    if array.ndim == 2:
        return array
    raise InvalidArgumentError(f"{name} must be 1-D or 2-D, got {array.ndim}-D")


def _dtype_name(array: Any) -> str:
    return str(array.dtype).replace("torch.", "")


def _rows_from_indices(indices: Union[Sequence[int], Any]) -> List[int]:
    if is_torch_tensor(indices) or isinstance(indices, np.ndarray):
        return [int(row) for row in indices.tolist()]
    return [int(row) for row in indices]


def normalize_arguments(
    logits: Any, bitmask: Any, vocab_size: Optional[int], indices: Optional[Any]
) -> MaskApplication:
    """Validate the arguments and return the normalised request (see the module docstring)."""
    logits_is_torch, bitmask_is_torch = is_torch_tensor(logits), is_torch_tensor(bitmask)
    if logits_is_torch != bitmask_is_torch:
        raise InvalidArgumentError(
            "logits and bitmask must both be torch tensors or both be numpy arrays, got "
            f"{type(logits).__name__} and {type(bitmask).__name__}"
        )
    if not logits_is_torch and not (
        isinstance(logits, np.ndarray) and isinstance(bitmask, np.ndarray)
    ):
        raise InvalidArgumentError("logits and bitmask must be torch tensors or numpy arrays")
    if logits_is_torch and logits.device != bitmask.device:
        raise InvalidArgumentError(
            f"logits and bitmask must be on the same device, got {logits.device} and "
            f"{bitmask.device}; copy the bitmask with bitmask.to(logits.device) first"
        )
    if _dtype_name(bitmask) != "int32":
        raise InvalidArgumentError(f"bitmask must be int32, got {_dtype_name(bitmask)}")
    if _dtype_name(logits) not in ("float32", "float16", "bfloat16", "float64"):
        raise InvalidArgumentError(
            f"logits must be float32, float16 or bfloat16, got {_dtype_name(logits)}"
        )

    logits_rows, bitmask_rows = _as_rows(logits, "logits"), _as_rows(bitmask, "bitmask")
    covered_tokens = bitmask_rows.shape[1] * 32
    detected_vocab_size = min(logits_rows.shape[1], covered_tokens)
    if vocab_size is None:
        if covered_tokens < logits_rows.shape[1]:
            warnings.warn(
                f"the bitmask covers {covered_tokens} tokens but the logits have "
                f"{logits_rows.shape[1]}, so logits[..., {covered_tokens}:] stay unmasked; "
                "allocate the bitmask for the model's full vocabulary or pass vocab_size",
                stacklevel=3,
            )
        vocab_size = detected_vocab_size
    elif not 0 <= vocab_size <= detected_vocab_size:
        raise InvalidArgumentError(
            f"vocab_size {vocab_size} is outside [0, {detected_vocab_size}], the tokens that "
            f"both the logits ({logits_rows.shape[1]}) and the bitmask ({covered_tokens}) cover"
        )

    rows = None
    if indices is not None:
        rows = _rows_from_indices(indices)
        row_limit = min(logits_rows.shape[0], bitmask_rows.shape[0])
        bad_rows = [row for row in rows if not 0 <= row < row_limit]
        if bad_rows:
            raise InvalidArgumentError(
                f"indices {bad_rows[:5]} are outside [0, {row_limit}), the rows that both the "
                f"logits ({logits_rows.shape[0]}) and the bitmask ({bitmask_rows.shape[0]}) have"
            )
    elif bitmask_rows.shape[0] < logits_rows.shape[0]:
        # A bitmask with more rows than the logits is allowed: buffers are often allocated for
        # the largest batch, and row i of the logits uses row i of the bitmask.
        raise InvalidArgumentError(
            f"logits have {logits_rows.shape[0]} rows but the bitmask only "
            f"{bitmask_rows.shape[0]}; pass indices to mask a subset of rows"
        )
    return MaskApplication(logits_rows, bitmask_rows, int(vocab_size), rows)
