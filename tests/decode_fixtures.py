"""Test-only building blocks for the decode loop tests: a small real vocabulary, a tokenizer for
it, and a seeded random "model".

The vocabulary mixes single characters with tokens that cross JSON structure (``{"``, ``":``,
``",``), so masks, jump-forward and stop tokens are exercised the way a BPE vocabulary does,
while grammars compile in milliseconds. Ids past the vocabulary (up to ``MODEL_VOCAB_SIZE``) are
model padding that no mask may allow.
"""

import torch

import xgrammar as xgr

# Every printable ASCII character (so any prefix the grammar allows can be completed), then
# multi-character tokens, some of which cross JSON structure.
VOCAB = (
    ["<eos>"]
    + [chr(code) for code in range(32, 127)]
    + ["ab", "abc", "ca", "10", "true", "false", "null", '{"', '":', '",', '"}', "name", "age"]
    + ["tags", "ok", "no"]
)
#: The tokenizer's vocabulary size, padded as model vocabularies are.
TOKENIZER_VOCAB_SIZE = 120
#: The logits' width: wider still, so the loop must also mask ids past the tokenizer's size.
MODEL_VOCAB_SIZE = 128
EOS = 0


def tokenizer_info():
    return xgr.TokenizerInfo(
        VOCAB, xgr.VocabType.RAW, vocab_size=TOKENIZER_VOCAB_SIZE, stop_token_ids=[EOS]
    )


class GreedyTokenizer:
    """Longest-match tokenizer over ``VOCAB`` with the ``encode``/``decode`` the loop uses."""

    def encode(self, text, add_special_tokens=False):
        ids, position = [], 0
        while position < len(text):
            best = max(
                (
                    i
                    for i, token in enumerate(VOCAB)
                    if i != EOS and text.startswith(token, position)
                ),
                key=lambda i: len(VOCAB[i]),
            )
            ids.append(best)
            position += len(VOCAB[best])
        return ids

    def decode(self, ids):
        return "".join(VOCAB[i] for i in ids)


class RandomLogits:
    """A seeded random model: ``fn(sequences) -> (batch, MODEL_VOCAB_SIZE)`` logits. Records
    the sequences it was called with, so tests can check what the loop fed it."""

    def __init__(self, seed):
        self.generator = torch.Generator().manual_seed(seed)
        self.calls = []

    def __call__(self, sequences):
        self.calls.append([list(sequence) for sequence in sequences])
        return torch.randn(len(sequences), MODEL_VOCAB_SIZE, generator=self.generator)
