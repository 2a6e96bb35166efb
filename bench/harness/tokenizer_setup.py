"""What every engine must agree on about the tokenizer: its size, its stop tokens, and the token
ids of each document. Entry points: ``TokenizerSetup.load(path, stop_token_ids=None)``,
``encode(text)``.

The parent process tokenizes every document once with ``tokenizers`` (no special tokens added)
and hands the same ids to every engine, so no engine is measured on a different token sequence.
Stop tokens are read from the tokenizer's special tokens by name, because a bare tokenizer.json
has no ``eos_token`` setting; pass them explicitly for a vocabulary whose names are not known.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

# Special tokens that end a generation in the vocabularies we benchmark on (Llama-3, Qwen2,
# Mistral, GPT-2, DeepSeek).
KNOWN_STOP_TOKENS = (
    "<|end_of_text|>",
    "<|eot_id|>",
    "<|eom_id|>",
    "<|endoftext|>",
    "<|im_end|>",
    "</s>",
    "<｜end▁of▁sentence｜>",
)


@dataclass
class TokenizerSetup:
    path: Path
    tokenizer: object
    vocab_size: int
    stop_token_ids: list
    sha256: str

    @classmethod
    def load(cls, path, stop_token_ids=None) -> TokenizerSetup:
        import tokenizers

        path = Path(path).resolve()
        tokenizer = tokenizers.Tokenizer.from_file(str(path))
        if not stop_token_ids:
            special = {
                token.content: token_id
                for token_id, token in tokenizer.get_added_tokens_decoder().items()
                if token.special
            }
            stop_token_ids = sorted(special[name] for name in KNOWN_STOP_TOKENS if name in special)
        if not stop_token_ids:
            raise ValueError(f"no known stop token in {path}; pass --stop-tokens")
        return cls(
            path=path,
            tokenizer=tokenizer,
            vocab_size=tokenizer.get_vocab_size(with_added_tokens=True),
            stop_token_ids=list(stop_token_ids),
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        )

    def encode(self, text: str) -> list:
        return self.tokenizer.encode(text, add_special_tokens=False).ids
