"""The CUDA backend of ``apply_token_bitmask_inplace``: one Triton kernel.

Entry point: ``apply_with_triton(application)``; importing this module raises ImportError when
Triton is not installed (the dispatcher then falls back to plain torch). Each program owns a
tile of ``ROWS`` rows x ``BLOCK`` tokens: every token reads its bitmask word (token // 32; the 32
tokens of a word share one cached load) and tests its bit, and -inf is stored only where the bit
is 0, so allowed logits are never read or written. The kernel is bound by those stores.

Tile shapes were measured on an H200 at batch 4096 x 128,256 tokens with mostly-disallowed
masks (bench/bench_kernels.py, see the commit message): 4 rows x 512 tokens with 4 warps for
32-bit logits, 1 row x 1024 tokens with 8 warps for 16-bit ones. Requires a unit stride along
the vocabulary (the dispatcher checks this and uses the torch backend otherwise).
"""

import triton
import triton.language as tl

from .arguments import MaskApplication

__all__ = ["apply_with_triton", "tile_shape"]


@triton.jit
def _mask_disallowed_logits(
    logits_ptr,
    bitmask_ptr,
    rows_ptr,
    num_rows,
    vocab_size,
    logits_row_stride,
    bitmask_row_stride,
    HAS_ROWS: tl.constexpr,
    ROWS: tl.constexpr,
    BLOCK: tl.constexpr,
):
    row_slots = tl.program_id(1) * ROWS + tl.arange(0, ROWS)
    row_inside = row_slots < num_rows
    if HAS_ROWS:
        rows = tl.load(rows_ptr + row_slots, mask=row_inside, other=0).to(tl.int64)
    else:
        rows = row_slots.to(tl.int64)

    tokens = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    inside = row_inside[:, None] & (tokens < vocab_size)[None, :]
    # A token outside the tile's range reads as "allowed" and is never stored.
    words = tl.load(
        bitmask_ptr + rows[:, None] * bitmask_row_stride + (tokens // 32)[None, :],
        mask=inside,
        other=-1,
    )
    disallowed = ((words >> (tokens % 32)[None, :]) & 1) == 0
    tl.store(
        logits_ptr + rows[:, None] * logits_row_stride + tokens[None, :],
        float("-inf"),
        mask=disallowed & inside,
    )


def tile_shape(element_size: int):
    """(rows, tokens, warps) per program for logits of ``element_size`` bytes."""
    return (4, 512, 4) if element_size >= 4 else (1, 1024, 8)


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
    tile_rows, tile_tokens, warps = tile_shape(logits.element_size())
    grid = (
        triton.cdiv(application.vocab_size, tile_tokens),
        triton.cdiv(application.num_rows, tile_rows),
    )
    _mask_disallowed_logits[grid](
        logits,
        bitmask,
        rows,
        application.num_rows,
        application.vocab_size,
        logits.stride(0),
        bitmask.stride(0),
        HAS_ROWS=rows is not None,
        ROWS=tile_rows,
        BLOCK=tile_tokens,
        num_warps=warps,
    )
