"""Oracle for TokenizerInfo's decoded vocabulary: asks the tokenizer library itself what text
each token produces, and compares with the bytes xgrammar decoded. Test-only; slow and simple.

A tokenizer's decode returns text, so a token that holds part of a UTF-8 character (common in
byte-level vocabularies) decodes to U+FFFD and its bytes cannot be compared directly. The oracle
then surrounds it with single-byte tokens that complete the character(s) (e.g. token b"\\xe2"
followed by the tokens for b"\\x82" and b"\\xac" must decode to "€"): if the tokenizer returns
exactly the completed text, the token's bytes are exactly ours. Only tokens that no short
completion can repair (a byte that never occurs in UTF-8, such as 0xC0) fall back to comparing
the lossy texts. Every token is decoded after an anchor token ("a") so that decoders which strip
the first token's leading space (Metaspace, Strip) leave the token under test intact.

Entry point: :func:`check_decoded_vocab`. Also :func:`gpt2_byte_to_char`, an independent
implementation of GPT-2's byte-to-unicode alphabet for building byte-level vocabularies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Sequence, Tuple

# Completions tried around a token that is not valid UTF-8 alone: leading bytes (a lead byte
# for continuation bytes at the start) and trailing bytes (continuations for an unfinished
# character; 0x90 and 0xA0 cover the leads F0 and E0, whose second byte is restricted).
_PREFIXES = [b"", b"\xc2", b"\xe1", b"\xe1\x80", b"\xf1", b"\xf1\x80", b"\xf1\x80\x80"]
_SUFFIXES = [
    b"",
    b"\x80",
    b"\x80\x80",
    b"\x80\x80\x80",
    b"\xa0",
    b"\xa0\x80",
    b"\x90",
    b"\x90\x80",
    b"\x90\x80\x80",
]


def gpt2_byte_to_char() -> Dict[int, str]:
    """GPT-2's alphabet: printable Latin-1 bytes keep their code point; the other bytes, in
    increasing order, take code points 256, 257, ..."""
    printable = [*range(0x21, 0x7F), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    table = {byte: chr(byte) for byte in printable}
    shifted = 256
    for byte in range(256):
        if byte not in table:
            table[byte] = chr(shifted)
            shifted += 1
    return table


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _completion(token: bytes) -> Tuple[bytes, bytes] | None:
    for prefix in _PREFIXES:
        for suffix in _SUFFIXES:
            if _is_utf8(prefix + token + suffix):
                return prefix, suffix
    return None


@dataclass
class OracleReport:
    checked: int = 0
    exact: int = 0  # valid UTF-8 alone, compared directly
    completed: int = 0  # compared exactly inside a completed character sequence
    lossy: int = 0  # only the U+FFFD-replaced texts could be compared
    mismatches: List[Tuple[int, bytes, str]] = field(default_factory=list)


def check_decoded_vocab(
    decoded_vocab: Sequence[bytes],
    decode_batch: Callable[[List[List[int]]], List[str]],
    *,
    skip_ids: Iterable[int] = (),
) -> OracleReport:
    """Compares ``decoded_vocab[id]`` with ``decode_batch([[anchor, id], ...])`` for every id
    not in ``skip_ids``; ``decode_batch`` must keep special tokens."""
    skipped = set(skip_ids)
    # The last token spelling "a": SentencePiece lists its byte pieces ("<0x61>") first, and a
    # byte piece would fuse with a byte piece under test into one decoded group.
    anchor = max(i for i, token in enumerate(decoded_vocab) if token == b"a")
    (anchor_text,) = decode_batch([[anchor]])
    byte_token = {}
    for token_id, token in enumerate(decoded_vocab):
        if len(token) == 1 and token_id not in skipped:
            byte_token.setdefault(token[0], token_id)

    report = OracleReport()
    token_ids = [i for i in range(len(decoded_vocab)) if i not in skipped]
    sequences: List[List[int]] = []
    expected: List[str] = []
    kinds: List[str] = []
    for token_id in token_ids:
        token = decoded_vocab[token_id]
        completion = None if _is_utf8(token) else _completion(token)
        if completion is not None and all(b in byte_token for b in b"".join(completion)):
            prefix, suffix = completion
            sequences.append(
                [
                    anchor,
                    *[byte_token[b] for b in prefix],
                    token_id,
                    *[byte_token[b] for b in suffix],
                ]
            )
            expected.append(anchor_text + (prefix + token + suffix).decode("utf-8"))
            kinds.append("exact" if not prefix and not suffix else "completed")
        else:
            sequences.append([anchor, token_id])
            expected.append(anchor_text + token.decode("utf-8", errors="replace"))
            kinds.append("exact" if _is_utf8(token) else "lossy")

    for token_id, kind, want, got in zip(token_ids, kinds, expected, decode_batch(sequences)):
        report.checked += 1
        setattr(report, kind, getattr(report, kind) + 1)
        if got != want:
            report.mismatches.append((token_id, decoded_vocab[token_id], got[len(anchor_text) :]))
    return report


def sorted_view(decoded_vocab: Sequence[bytes], excluded: Iterable[int]):
    """The sorted view of cpp/tokenizer_info.h computed the obvious way: (sorted ids, common
    prefix with the previous token, end of the run of tokens extending each token)."""
    skip = set(excluded)
    ids = sorted(
        (i for i in range(len(decoded_vocab)) if i not in skip), key=lambda i: (decoded_vocab[i], i)
    )
    tokens = [decoded_vocab[i] for i in ids]
    common = [0]
    for previous, current in zip(tokens, tokens[1:]):
        length = 0
        while length < min(len(previous), len(current)) and previous[length] == current[length]:
            length += 1
        common.append(length)
    subtree_end = []
    for position, token in enumerate(tokens):
        end = position + 1
        while end < len(tokens) and tokens[end].startswith(token):
            end += 1
        subtree_end.append(end)
    return ids, common, subtree_end
