"""Test-only oracle for apply_token_bitmask_inplace, shared by the CPU and CUDA kernel tests.

``expected_masked_logits`` unpacks the bitmask one token at a time with integer arithmetic
(word = token // 32, bit = token % 32) into a bool mask and applies it with ``torch.where``: a
deliberately different, obviously-correct route from the kernels' bulk unpacking.
``random_bitmask`` makes masks that look like real ones: mostly-rejecting rows with a few allowed
tokens, mixed words, all-allowed rows, and all-rejected rows.
"""

import torch


def expected_masked_logits(logits, bitmask, vocab_size=None, rows=None):
    """Return a copy of ``logits`` (2-D) masked as the kernels must mask it."""
    bitmask = bitmask.cpu()
    logits_cpu = logits.cpu()
    if vocab_size is None:
        vocab_size = min(logits.shape[-1], bitmask.shape[-1] * 32)
    tokens = torch.arange(vocab_size)
    words = bitmask[:, tokens // 32].to(torch.int64)
    allowed = ((words >> (tokens % 32)) & 1).bool()
    expected = logits_cpu.clone()
    negative_infinity = torch.tensor(float("-inf"), dtype=logits.dtype)
    for row in range(logits.shape[0]) if rows is None else rows:
        expected[row, :vocab_size] = torch.where(
            allowed[row], logits_cpu[row, :vocab_size], negative_infinity
        )
    return expected


def random_bitmask(batch, vocab_size, generator, device="cpu"):
    """An int32 bitmask (batch, ceil(vocab/32)) with a mix of realistic row patterns."""
    num_words = (vocab_size + 31) // 32
    bitmask = torch.randint(
        -(2**31), 2**31 - 1, (batch, num_words), dtype=torch.int32, generator=generator
    )
    for row in range(batch):
        kind = row % 4
        if kind == 0:  # a grammar state that allows a handful of tokens
            bitmask[row] = 0
            allowed = torch.randint(0, vocab_size, (7,), generator=generator)
            for token in allowed.tolist():
                bitmask[row, token // 32] |= torch.tensor(1 << (token % 32)).to(torch.int32)
        elif kind == 1:  # everything allowed
            bitmask[row] = -1
        elif kind == 2:  # nothing allowed (only reachable in tests, but must not crash)
            bitmask[row] = 0
    return bitmask.to(device)
