"""The CUDA backend of ``apply_token_bitmask_inplace``: one Triton kernel.

Entry point: ``apply_with_triton(application)``; importing this module raises ImportError when
Triton is not installed (the dispatcher then falls back to plain torch). The grid is
(vocabulary blocks, rows): each program loads ``BLOCK_SIZE / 32`` bitmask words of one row,
expands them to ``BLOCK_SIZE`` flags in registers and writes -inf only where a flag is 0, so
allowed logits are never read or written and the kernel moves about one int32 per 32 tokens
plus the masked stores. Requires a unit stride along the vocabulary of the logits (the
dispatcher checks this and uses the torch backend otherwise).
"""

import triton
import triton.language as tl

from .arguments import MaskApplication

__all__ = ["apply_with_triton", "BLOCK_SIZE"]

#: Tokens handled by one Triton program (a multiple of 32, a power of two).
BLOCK_SIZE = 4096
_WORDS_PER_BLOCK = BLOCK_SIZE // 32


@triton.jit
def _mask_disallowed_logits(
    logits_ptr,
    bitmask_ptr,
    rows_ptr,
    vocab_size,
    logits_row_stride,
    bitmask_row_stride,
    HAS_ROWS: tl.constexpr,
    BLOCK: tl.constexpr,
    WORDS: tl.constexpr,
):
    block_id = tl.program_id(0)
    row_slot = tl.program_id(1)
    if HAS_ROWS:
        row = tl.load(rows_ptr + row_slot).to(tl.int64)
    else:
        row = row_slot.to(tl.int64)

    word_offsets = block_id * WORDS + tl.arange(0, WORDS)
    num_words = (vocab_size + 31) // 32
    # A word past the end reads as "all allowed", so it never produces a store.
    words = tl.load(
        bitmask_ptr + row * bitmask_row_stride + word_offsets,
        mask=word_offsets < num_words,
        other=-1,
    )
    bits = (words[:, None] >> tl.arange(0, 32)[None, :]) & 1
    disallowed = tl.reshape(bits == 0, (BLOCK,))

    token_offsets = block_id * BLOCK + tl.arange(0, BLOCK)
    tl.store(
        logits_ptr + row * logits_row_stride + token_offsets,
        float("-inf"),
        mask=disallowed & (token_offsets < vocab_size),
    )


def apply_with_triton(application: MaskApplication) -> None:
    """Set the disallowed logits of ``application`` to -inf, in place, with the Triton kernel."""
    import torch

    logits, bitmask = application.logits, application.bitmask
    if application.vocab_size == 0 or application.num_rows == 0:
        return
    rows = None
    if application.rows is not None:
        rows = torch.tensor(application.rows, dtype=torch.int32)
        rows = rows.to(logits.device, non_blocking=True)
    grid = (triton.cdiv(application.vocab_size, BLOCK_SIZE), application.num_rows)
    _mask_disallowed_logits[grid](
        logits,
        bitmask,
        rows,
        application.vocab_size,
        logits.stride(0),
        bitmask.stride(0),
        HAS_ROWS=rows is not None,
        BLOCK=BLOCK_SIZE,
        WORDS=_WORDS_PER_BLOCK,
        num_warps=8,
    )
