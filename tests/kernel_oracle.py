"""Test-only oracle for apply_token_bitmask_inplace, shared by the CPU and CUDA kernel tests.

``expected_masked_logits`` gathers each token's word and bit with integer arithmetic
(word = token // 32, bit = token % 32) into a bool mask and applies it with ``torch.where``: a
deliberately different, obviously-correct route from the kernels' bulk unpacking. It runs on
the logits' device, a bounded number of rows at a time, so it also checks 4096 x 256k batches
on a GPU.
``random_bitmask`` makes masks that look like real ones: mostly-rejecting rows with a few allowed
tokens, mixed words, all-allowed rows, and all-rejected rows.
"""

import torch


def expected_masked_logits(logits, bitmask, vocab_size=None, rows=None, rows_per_chunk=256):
    """Return a copy of ``logits`` (2-D, any device) masked as the kernels must mask it."""
    device = logits.device
    bitmask = bitmask.to(device)
    if vocab_size is None:
        vocab_size = min(logits.shape[-1], bitmask.shape[-1] * 32)
    tokens = torch.arange(vocab_size, device=device)
    word_of_token, bit_of_token = tokens // 32, tokens % 32
    negative_infinity = torch.tensor(float("-inf"), dtype=logits.dtype, device=device)
    expected = logits.clone()
    row_list = list(range(logits.shape[0]) if rows is None else rows)
    for start in range(0, len(row_list), rows_per_chunk):
        row_index = torch.tensor(row_list[start : start + rows_per_chunk], device=device)
        words = bitmask[row_index][:, word_of_token].to(torch.int64)
        allowed = ((words >> bit_of_token) & 1).bool()
        expected[row_index, :vocab_size] = torch.where(
            allowed, logits[row_index, :vocab_size], negative_infinity
        )
    return expected


def random_bitmask(batch, vocab_size, generator, device="cpu"):
    """An int32 bitmask (batch, ceil(vocab/32)) with a mix of realistic row patterns, by row
    number modulo 4: a handful of allowed tokens (a typical grammar state), everything allowed,
    nothing allowed (not reachable with a correct grammar, but must not crash), random words."""
    num_words = (vocab_size + 31) // 32
    bitmask = torch.randint(
        -(2**31), 2**31 - 1, (batch, num_words), dtype=torch.int32, generator=generator
    )
    few_rows = torch.arange(0, batch, 4)
    allowed = torch.zeros(len(few_rows), num_words * 32, dtype=torch.bool)
    picks = torch.randint(0, vocab_size, (len(few_rows), 7), generator=generator)
    allowed.scatter_(1, picks, True)
    weights = torch.ones(32, dtype=torch.int64) << torch.arange(32)
    words = (allowed.view(len(few_rows), num_words, 32).long() * weights).sum(-1)
    bitmask[few_rows] = torch.where(words >= 2**31, words - 2**32, words).to(torch.int32)
    bitmask[1::4] = -1
    bitmask[2::4] = 0
    return bitmask.to(device)
