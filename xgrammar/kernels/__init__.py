"""Apply a token bitmask to logits in place: disallowed tokens get -inf.

Entry point: ``apply_token_bitmask_inplace(logits, bitmask, *, vocab_size=None, indices=None,
backend="auto")``, upstream XGrammar 0.2.8's signature and semantics. Backends, one file each:

- ``cpu.py``: numpy arrays and CPU torch tensors (numpy bit unpacking + masked fill);
- ``triton_kernel.py``: CUDA tensors, one Triton kernel;
- ``torch_native.py``: plain torch on any device; the CUDA fallback when Triton is missing.

``arguments.py`` validates the arguments once for all of them.
"""

from typing import Any, List, Literal, Optional, Union

from ..exceptions import InvalidArgumentError
from .arguments import MaskApplication, is_torch_tensor, normalize_arguments

__all__ = ["apply_token_bitmask_inplace"]

Backend = Literal["auto", "cpu", "cuda", "triton", "torch_compile", "torch_native"]

# Triton launches its grid's second dimension (the rows) with at most this many programs.
_TRITON_MAX_ROWS = 65535


def _triton_can_run(application: MaskApplication) -> bool:
    return (
        application.logits.stride(1) == 1
        and application.bitmask.stride(1) == 1
        and application.num_rows <= _TRITON_MAX_ROWS
    )


def _apply_on_gpu(application: MaskApplication, require_triton: bool) -> None:
    try:
        from .triton_kernel import apply_with_triton
    except ImportError as error:
        if require_triton:
            raise InvalidArgumentError(
                "backend='triton' needs Triton, which is not installed"
            ) from error
        apply_with_triton = None
    if apply_with_triton is not None and _triton_can_run(application):
        apply_with_triton(application)
        return
    from .torch_native import apply_with_torch

    apply_with_torch(application)


def apply_token_bitmask_inplace(
    logits: Any,
    bitmask: Any,
    *,
    vocab_size: Optional[int] = None,
    indices: Optional[Union[List[int], Any]] = None,
    backend: Backend = "auto",
) -> None:
    """Set ``logits[row, token]`` to -inf wherever the bitmask bit of ``token`` is 0.

    ``logits``: (batch, logits_vocab) or (logits_vocab,) float32/float16/bfloat16 torch tensor
    (any device) or numpy array. ``bitmask``: int32, (batch, ceil(vocab / 32)) or 1-D, on the
    same device; bit ``i`` of word ``j`` is token ``32 * j + i``, 1 = allowed.

    ``vocab_size``: how many leading tokens to mask; by default
    ``min(logits.shape[-1], 32 * bitmask.shape[-1])``. Logits past it are left alone (padding);
    a bitmask narrower than the logits triggers a warning when ``vocab_size`` is not given.

    ``indices``: the rows to mask (row ``r`` of the logits with row ``r`` of the bitmask); the
    other rows are left alone, e.g. unconstrained requests mixed into the batch. Without it, row
    ``r`` of the logits uses row ``r`` of the bitmask for every row of the logits.

    ``backend``: "auto" picks "cpu" for CPU tensors and numpy arrays and Triton for CUDA
    (plain torch when Triton is missing). "cuda" and "torch_compile", upstream's names for its
    native CUDA and compiled-torch kernels, select the Triton and plain-torch paths here.
    """
    application = normalize_arguments(logits, bitmask, vocab_size, indices)
    on_cpu = not is_torch_tensor(logits) or logits.device.type == "cpu"

    if backend == "auto":
        if on_cpu:
            backend = "cpu"
        else:
            backend = "triton" if logits.device.type == "cuda" else "torch_native"
        require_triton = False
    else:
        require_triton = backend == "triton"

    if backend == "cpu":
        if not on_cpu:
            raise InvalidArgumentError(f"backend='cpu' needs CPU tensors, got {logits.device}")
        from .cpu import apply_on_cpu

        apply_on_cpu(application)
    elif backend in ("triton", "cuda"):
        if on_cpu or logits.device.type != "cuda":
            raise InvalidArgumentError(f"backend={backend!r} needs CUDA tensors")
        _apply_on_gpu(application, require_triton)
    elif backend in ("torch_native", "torch_compile"):
        if not is_torch_tensor(logits):
            raise InvalidArgumentError(f"backend={backend!r} needs torch tensors")
        from .torch_native import apply_with_torch

        apply_with_torch(application)
    else:
        raise InvalidArgumentError(
            f"unknown backend {backend!r}; expected one of auto, cpu, cuda, triton, "
            "torch_compile, torch_native"
        )
