"""The device-agnostic torch backend of ``apply_token_bitmask_inplace``.

Entry point: ``apply_with_torch(application)``. Plain torch operations on whatever device the
tensors live on: the CUDA fallback when Triton is missing, and the path for devices without a
dedicated kernel. Each bitmask word is shifted by 0..31 to expose its bits, which is
endian-independent. Rows are processed in chunks (``UNPACKED_TOKENS_PER_CHUNK`` tokens at a
time) so that the int32 scratch stays bounded (64 MiB) whatever the batch.
"""

from .arguments import MaskApplication

__all__ = ["apply_with_torch", "UNPACKED_TOKENS_PER_CHUNK"]

#: Scratch budget: tokens' worth of unpacked mask held at once (4 bytes each while unpacking).
UNPACKED_TOKENS_PER_CHUNK = 1 << 24


def apply_with_torch(application: MaskApplication) -> None:
    """Set the disallowed logits of ``application`` to -inf, in place, with torch ops."""
    import torch

    logits, vocab_size = application.logits, application.vocab_size
    num_words = application.num_words
    if vocab_size == 0 or application.num_rows == 0:
        return
    device = logits.device
    shifts = torch.arange(32, dtype=torch.int32, device=device)
    rows_per_chunk = max(1, UNPACKED_TOKENS_PER_CHUNK // vocab_size)

    def disallowed_tokens(words):
        bits = (words.unsqueeze(-1) >> shifts) & 1
        return bits.eq(0).reshape(words.shape[0], num_words * 32)[:, :vocab_size]

    if application.rows is None:
        for start in range(0, logits.shape[0], rows_per_chunk):
            stop = min(start + rows_per_chunk, logits.shape[0])
            disallowed = disallowed_tokens(application.bitmask[start:stop, :num_words])
            logits[start:stop, :vocab_size].masked_fill_(disallowed, float("-inf"))
        return

    for start in range(0, len(application.rows), rows_per_chunk):
        row_index = torch.tensor(
            application.rows[start : start + rows_per_chunk], dtype=torch.long, device=device
        )
        disallowed = disallowed_tokens(application.bitmask[row_index, :num_words])
        gathered = logits[row_index, :vocab_size]
        gathered.masked_fill_(disallowed, float("-inf"))
        logits[row_index, :vocab_size] = gathered
