"""The CPU backend of ``apply_token_bitmask_inplace``: numpy arrays and CPU torch tensors.

Entry point: ``apply_on_cpu(application, native=True)`` with a validated ``MaskApplication``.

Two paths, same result:

- native (the default when the compiled core has it): ``_core.apply_token_bitmask_cpu``
  (cpp/bitmask_apply.cc) writes -inf word by word through a DLPack view, GIL released; an
  all-disallowed word is 32 plain stores, so a typical grammar mask costs about one store per
  token;
- vectorised numpy, for float64 logits and builds without the kernel: the bitmask is unpacked
  with ``numpy.unpackbits`` (little-endian bit order matches "bit i of word j is token
  32*j + i") into one byte per token, then written with ``torch.Tensor.masked_fill_`` or
  ``numpy.copyto``. The unpacked mask exists for a bounded number of rows at a time
  (``UNPACKED_TOKENS_PER_CHUNK``): 16 MiB of scratch for any batch, not 1 GiB at 4096 x 256k.

bench/bench_kernels.py --device cpu compares both with upstream 0.2.8's C++ kernel.
"""

import numpy as np

from .arguments import MaskApplication, is_torch_tensor

try:
    from .._core import apply_token_bitmask_cpu as _native_kernel
except ImportError:  # a build without the kernel (or a pure-Python checkout of this module)
    _native_kernel = None

__all__ = ["apply_on_cpu", "has_native_kernel", "UNPACKED_TOKENS_PER_CHUNK"]

_NATIVE_DTYPES = ("float32", "float16", "bfloat16")

#: Scratch budget: how many tokens' worth of unpacked mask (one byte each) exist at once.
UNPACKED_TOKENS_PER_CHUNK = 1 << 24


def _disallowed_tokens(words: np.ndarray, vocab_size: int) -> np.ndarray:
    """Bool array (rows, vocab_size): True where the bit is 0, i.e. the token is disallowed."""
    # Invert first so that the unpacked bytes are the "disallowed" flags directly; force the
    # little-endian layout so the byte view lists the low byte of each word first.
    inverted = np.invert(np.ascontiguousarray(words, dtype="<i4"))
    unpacked = np.unpackbits(inverted.view(np.uint8), axis=-1, count=vocab_size, bitorder="little")
    return unpacked.view(np.bool_)


def has_native_kernel() -> bool:
    """True when the compiled core provides the C++ CPU kernel."""
    return _native_kernel is not None


def apply_on_cpu(application: MaskApplication, native: bool = True) -> None:
    """Set the disallowed logits of ``application`` to -inf, in place (``native=False`` forces
    the numpy path)."""
    logits, vocab_size = application.logits, application.vocab_size
    if vocab_size == 0 or application.num_rows == 0:
        return
    dtype_name = str(logits.dtype).replace("torch.", "")
    if native and _native_kernel is not None and dtype_name in _NATIVE_DTYPES:
        _native_kernel(logits, application.bitmask, vocab_size, application.rows or [])
        return
    logits_are_torch = is_torch_tensor(logits)
    bitmask = application.bitmask.numpy() if logits_are_torch else application.bitmask
    words = bitmask[:, : application.num_words]
    rows_per_chunk = max(1, UNPACKED_TOKENS_PER_CHUNK // vocab_size)

    if application.rows is None:
        for start in range(0, logits.shape[0], rows_per_chunk):
            stop = min(start + rows_per_chunk, logits.shape[0])
            disallowed = _disallowed_tokens(words[start:stop], vocab_size)
            target = logits[start:stop, :vocab_size]
            if logits_are_torch:
                import torch

                target.masked_fill_(torch.from_numpy(disallowed), float("-inf"))
            else:
                np.copyto(target, -np.inf, where=disallowed)
        return

    for start in range(0, len(application.rows), rows_per_chunk):
        rows = application.rows[start : start + rows_per_chunk]
        disallowed = _disallowed_tokens(words[rows], vocab_size)
        # Advanced indexing copies: mask the gathered rows, then scatter them back.
        if logits_are_torch:
            import torch

            row_index = torch.tensor(rows, dtype=torch.long)
            gathered = logits[row_index, :vocab_size]
            gathered.masked_fill_(torch.from_numpy(disallowed), float("-inf"))
            logits[row_index, :vocab_size] = gathered
        else:
            gathered = logits[rows, :vocab_size]
            np.copyto(gathered, -np.inf, where=disallowed)
            logits[rows, :vocab_size] = gathered
