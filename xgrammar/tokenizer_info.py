"""TokenizerInfo: a model's vocabulary as the engine sees it, with upstream XGrammar 0.2.8's API.

For every token id it holds the exact bytes the token stands for, decoded from the tokenizer's
own spelling (see :class:`VocabType`), plus the stop tokens, the special tokens (never allowed
by a grammar) and the model's vocabulary size, which may be padded beyond the tokenizer's.
Decoding and the sorted view the compiler walks are built once, in C++ (cpp/tokenizer_info.h);
this object holds that immutable core as ``_handle`` and can be shared between threads.

Entry points: ``TokenizerInfo(encoded_vocab, ...)`` for a vocabulary in hand and
:meth:`TokenizerInfo.from_huggingface` for a tokenizer object or a ``tokenizer.json``.

Documented fallbacks, each with a warning: empty tokens and holes in the id space are never
allowed; duplicate tokens keep their ids and are allowed alike; a ``vocab_size`` below the
vocabulary drops the ids beyond it; a configuration that names no byte encoding is read by the
vocabulary's spelling. Tokens whose bytes are not valid UTF-8 on their own (half a character
of a byte-level vocabulary) are legitimate and kept as bytes, without a warning.
"""

from __future__ import annotations

import json
import warnings
from enum import Enum
from typing import Any, Dict, List, Sequence, Union

from . import _core
from .exceptions import (
    DeserializeFormatError,
    DeserializeVersionError,
    InvalidArgumentError,
    InvalidJSONError,
)

__all__ = ["VocabType", "TokenizerInfo"]

_SERIALIZATION_VERSION = "xgrammar-tokenizer-info-1"

# End-of-turn and end-of-text markers of well-known model families. A vocabulary's copy of one
# of these is a stop token unless the caller names the stop tokens.
WELL_KNOWN_STOP_TOKENS = frozenset(
    [
        "</s>",  # Llama 2, Mistral, T5
        "<|endoftext|>",  # GPT-2, Qwen, Phi
        "<|end_of_text|>",  # Llama 3
        "<|eot_id|>",  # Llama 3 instruct
        "<|eom_id|>",  # Llama 3.1 tool calls
        "<|im_end|>",  # ChatML (Qwen, Yi)
        "<|end|>",  # Phi-3
        "<｜end▁of▁sentence｜>",  # DeepSeek
        "<end_of_turn>",  # Gemma
        "<eos>",  # Gemma
        "<|eos|>",
        "<|return|>",  # gpt-oss
        "<|call|>",  # gpt-oss
    ]
)


class VocabType(Enum):
    """How a tokenizer spells the bytes of its tokens (values as upstream)."""

    RAW = 0
    """Tokens are their bytes (tiktoken-style vocabularies)."""
    BYTE_FALLBACK = 1
    """SentencePiece: "▁" is a space and "<0xHH>" is the single byte HH."""
    BYTE_LEVEL = 2
    """GPT-2's byte-to-unicode alphabet: every byte is one printable character ("Ġ" is a space)."""


TokenIds = Union[int, Sequence[int], None]


class TokenizerInfo:
    """Vocabulary information for grammar-guided decoding (see the module docstring)."""

    _handle: Any

    def __init__(
        self,
        encoded_vocab: Sequence[Union[str, bytes]],
        vocab_type: VocabType = VocabType.RAW,
        *,
        vocab_size: int | None = None,
        stop_token_ids: TokenIds = None,
        add_prefix_space: bool = False,
        special_token_ids: TokenIds = None,
    ) -> None:
        """``encoded_vocab[id]`` is token ``id`` as the tokenizer spells it (str or bytes).
        ``vocab_size`` is the model's (bitmask) size, by default ``len(encoded_vocab)``.
        ``stop_token_ids`` defaults to the well-known end markers found in the vocabulary.
        ``special_token_ids`` (an extension of upstream's API) names tokens never allowed."""
        encoded_vocab = _as_token_list(encoded_vocab)
        vocab_type = _as_vocab_type(vocab_type)
        if vocab_size is not None:
            vocab_size = _as_count(vocab_size, "vocab_size")
            if vocab_size < len(encoded_vocab):
                warnings.warn(
                    f"vocab_size {vocab_size} is smaller than the {len(encoded_vocab)} tokens "
                    "given; the tokens beyond it are dropped",
                    stacklevel=2,
                )
                encoded_vocab = encoded_vocab[:vocab_size]
        if stop_token_ids is None:
            stop_ids = [
                i for i, t in enumerate(encoded_vocab) if _text(t) in WELL_KNOWN_STOP_TOKENS
            ]
        else:
            stop_ids = _as_id_list(stop_token_ids, "stop_token_ids")
        special_ids = (
            [] if special_token_ids is None else _as_id_list(special_token_ids, "special_token_ids")
        )
        _warn_about_suspicious_tokens(encoded_vocab)
        self._handle = _core.TokenizerInfo.from_encoded_vocab(
            encoded_vocab, vocab_type.value, vocab_size, stop_ids, special_ids,
            bool(add_prefix_space),
        )  # fmt: skip
        self._decoded_vocab_cache: List[bytes] | None = None

    @classmethod
    def _create_from_handle(cls, handle: Any) -> TokenizerInfo:
        info = cls.__new__(cls)
        info._handle = handle
        info._decoded_vocab_cache = None
        return info

    # ---- construction from tokenizers ---------------------------------------------------------

    @staticmethod
    def from_huggingface(
        tokenizer: Any, *, vocab_size: int | None = None, stop_token_ids: TokenIds = None
    ) -> TokenizerInfo:
        """Reads a ``transformers`` tokenizer, a ``tokenizers.Tokenizer`` or a path to a
        ``tokenizer.json`` (also a SentencePiece processor or a tiktoken encoding).

        ``vocab_size`` is the model's vocabulary size (its lm_head rows): larger than the
        tokenizer's when the model pads it, smaller when the tokenizer has tokens the model never
        produces (those are dropped). ``stop_token_ids`` replaces the detected stop tokens: the
        configured end-of-sequence token and the well-known end markers among special tokens.
        """
        from ._hf_tokenizer import describe_tokenizer

        description = describe_tokenizer(tokenizer)
        encoded_vocab = description.encoded_vocab
        special_ids = set(description.special_token_ids)
        if vocab_size is not None:
            vocab_size = _as_count(vocab_size, "vocab_size")
            dropped = range(vocab_size, len(encoded_vocab))
            ordinary_dropped = [i for i in dropped if i not in special_ids]
            if ordinary_dropped:
                warnings.warn(
                    f"vocab_size {vocab_size} drops {len(ordinary_dropped)} ordinary tokens of "
                    f"the tokenizer's {len(encoded_vocab)} (first: id {ordinary_dropped[0]})",
                    stacklevel=2,
                )
            encoded_vocab = encoded_vocab[:vocab_size]
        size = vocab_size if vocab_size is not None else len(encoded_vocab)
        if stop_token_ids is None:
            stop_ids = [i for i in description.stop_token_ids if i < size]
            if not stop_ids:
                warnings.warn(
                    "no stop token found in the tokenizer; pass stop_token_ids, or a matcher can "
                    "only end with terminate_without_stop_token",
                    stacklevel=2,
                )
        else:
            stop_ids = _as_id_list(stop_token_ids, "stop_token_ids")
            if not stop_ids:
                raise InvalidArgumentError("stop_token_ids cannot be empty")
        _warn_about_suspicious_tokens(encoded_vocab)
        handle = _core.TokenizerInfo.from_encoded_vocab(
            encoded_vocab, description.vocab_type.value, vocab_size, stop_ids,
            sorted(i for i in special_ids if i < size), description.add_prefix_space,
        )  # fmt: skip
        return TokenizerInfo._create_from_handle(handle)

    @staticmethod
    def from_vocab_and_metadata(
        encoded_vocab: Sequence[Union[str, bytes]], metadata: str
    ) -> TokenizerInfo:
        """Rebuilds from the encoded vocabulary and the string of :meth:`dump_metadata`."""
        fields = _parse_json_object(metadata, "metadata")
        return TokenizerInfo(
            encoded_vocab,
            VocabType(_field(fields, "vocab_type", int, choices=(0, 1, 2))),
            vocab_size=_field(fields, "vocab_size", int),
            stop_token_ids=_field(fields, "stop_token_ids", list),
            add_prefix_space=_field(fields, "add_prefix_space", bool),
            special_token_ids=_field(fields, "special_token_ids", list, default=[]),
        )

    @staticmethod
    def _detect_metadata_from_hf(backend_str: str) -> Dict[str, Any]:
        """Upstream's private helper, kept because inference engines call it: the vocabulary
        type and add_prefix_space of a serialized tokenizer.json."""
        from ._hf_tokenizer import detect_spelling_from_json

        vocab_type, add_prefix_space = detect_spelling_from_json(backend_str)
        return {"vocab_type": vocab_type, "add_prefix_space": add_prefix_space}

    def dump_metadata(self) -> str:
        """Everything but the vocabulary, as JSON (upstream's fields plus special_token_ids)."""
        return json.dumps(
            {
                "vocab_type": self.vocab_type.value,
                "vocab_size": self.vocab_size,
                "add_prefix_space": self.add_prefix_space,
                "stop_token_ids": self.stop_token_ids,
                "special_token_ids": list(self._handle.special_token_ids()),
            },
            separators=(",", ":"),
        )

    # ---- serialization -----------------------------------------------------------------------

    def serialize_json(self) -> str:
        """The decoded vocabulary and metadata as JSON. A token that is valid UTF-8 is a JSON
        string; any other is ``{"hex": "..."}``."""
        tokens: List[Union[str, Dict[str, str]]] = []
        for token in self._cached_decoded_vocab():
            try:
                tokens.append(token.decode("utf-8"))
            except UnicodeDecodeError:
                tokens.append({"hex": token.hex()})
        return json.dumps(
            {
                "__VERSION__": _SERIALIZATION_VERSION,
                "vocab_type": self.vocab_type.value,
                "vocab_size": self.vocab_size,
                "add_prefix_space": self.add_prefix_space,
                "stop_token_ids": self.stop_token_ids,
                "special_token_ids": list(self._handle.special_token_ids()),
                "decoded_vocab": tokens,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @staticmethod
    def deserialize_json(json_string: str) -> TokenizerInfo:
        """Inverse of :meth:`serialize_json`. Raises InvalidJSONError, DeserializeVersionError
        (another format version) or DeserializeFormatError (fields missing or wrong)."""
        fields = _parse_json_object(json_string, "serialized tokenizer info")
        version = fields.get("__VERSION__")
        if version != _SERIALIZATION_VERSION:
            raise DeserializeVersionError(
                f"serialized tokenizer info has version {version!r}; this xgrammar reads "
                f"{_SERIALIZATION_VERSION!r}"
            )
        decoded_vocab: List[bytes] = []
        for token_id, token in enumerate(_field(fields, "decoded_vocab", list)):
            if isinstance(token, str):
                decoded_vocab.append(token.encode("utf-8"))
            elif isinstance(token, dict) and isinstance(token.get("hex"), str):
                try:
                    decoded_vocab.append(bytes.fromhex(token["hex"]))
                except ValueError as error:
                    raise DeserializeFormatError(f"token {token_id}: {error}") from error
            else:
                raise DeserializeFormatError(f"token {token_id} is neither a string nor hex")
        try:
            handle = _core.TokenizerInfo.from_decoded_vocab(
                decoded_vocab,
                _field(fields, "vocab_type", int, choices=(0, 1, 2)),
                _field(fields, "vocab_size", int),
                _as_id_list(_field(fields, "stop_token_ids", list), "stop_token_ids"),
                _as_id_list(_field(fields, "special_token_ids", list), "special_token_ids"),
                _field(fields, "add_prefix_space", bool),
            )
        except InvalidArgumentError as error:
            raise DeserializeFormatError(str(error)) from error
        return TokenizerInfo._create_from_handle(handle)

    # ---- properties --------------------------------------------------------------------------

    @property
    def vocab_type(self) -> VocabType:
        return VocabType(self._handle.vocab_type)

    @property
    def vocab_size(self) -> int:
        """The model's vocabulary size: the width of the token bitmask."""
        return self._handle.vocab_size

    @property
    def add_prefix_space(self) -> bool:
        """Whether the tokenizer prepends a space to the text it encodes."""
        return self._handle.add_prefix_space

    @property
    def prepend_space_in_tokenization(self) -> bool:
        """Deprecated upstream name of :attr:`add_prefix_space`."""
        warnings.warn(
            "prepend_space_in_tokenization is deprecated; use add_prefix_space",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.add_prefix_space

    @property
    def decoded_vocab(self) -> List[bytes]:
        """The exact bytes of each token id of the tokenizer (padding ids have none)."""
        return list(self._cached_decoded_vocab())

    @property
    def stop_token_ids(self) -> List[int]:
        return list(self._handle.stop_token_ids())

    @property
    def special_token_ids(self) -> List[int]:
        """Tokens a grammar never allows: special or control tokens that do not stop, empty
        tokens, and (as upstream) the padding ids between the tokenizer's size and vocab_size."""
        padding = range(self._handle.num_decoded_tokens, self.vocab_size)
        return list(self._handle.special_token_ids()) + list(padding)

    def _cached_decoded_vocab(self) -> List[bytes]:
        # Built once (150k bytes objects); the public property hands out copies.
        if self._decoded_vocab_cache is None:
            self._decoded_vocab_cache = self._handle.decoded_vocab()
        return self._decoded_vocab_cache

    def __repr__(self) -> str:
        return (
            f"TokenizerInfo(vocab_type={self.vocab_type.name}, vocab_size={self.vocab_size}, "
            f"stop_token_ids={self.stop_token_ids}, add_prefix_space={self.add_prefix_space})"
        )


# ---- argument checking -----------------------------------------------------------------------


def _as_token_list(encoded_vocab: Any) -> List[Union[str, bytes]]:
    if isinstance(encoded_vocab, (str, bytes)) or not hasattr(encoded_vocab, "__len__"):
        raise InvalidArgumentError("encoded_vocab must be a list of str or bytes tokens")
    return list(encoded_vocab)


def _as_vocab_type(vocab_type: Any) -> VocabType:
    if isinstance(vocab_type, VocabType):
        return vocab_type
    if isinstance(vocab_type, int) and not isinstance(vocab_type, bool):
        if vocab_type in (0, 1, 2):
            return VocabType(vocab_type)
    elif isinstance(vocab_type, str) and vocab_type.upper() in VocabType.__members__:
        return VocabType[vocab_type.upper()]
    raise InvalidArgumentError(
        f"vocab_type must be a VocabType (RAW, BYTE_FALLBACK, BYTE_LEVEL), not {vocab_type!r}"
    )


def _as_count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgumentError(f"{name} must be a non-negative int, not {value!r}")
    return value


def _as_id_list(ids: Any, name: str) -> List[int]:
    if isinstance(ids, int) and not isinstance(ids, bool):
        ids = [ids]
    if not isinstance(ids, (list, tuple, set, frozenset, range)):
        raise InvalidArgumentError(f"{name} must be an int or a list of ints, not {ids!r}")
    result = []
    for token_id in ids:
        if isinstance(token_id, bool) or not isinstance(token_id, int):
            raise InvalidArgumentError(f"{name} must hold token ids (ints), not {token_id!r}")
        if not 0 <= token_id < 2**31:
            raise InvalidArgumentError(f"{name}: token id {token_id} is out of range")
        result.append(token_id)
    return result


def _text(token: Union[str, bytes]) -> Union[str, bytes]:
    if isinstance(token, bytes):
        try:
            return token.decode("utf-8")
        except UnicodeDecodeError:
            return token
    return token


def _warn_about_suspicious_tokens(encoded_vocab: List[Union[str, bytes]]) -> None:
    """Empty and duplicate tokens are accepted with a warning: empty ones are never allowed (a
    token that emits nothing could repeat forever); duplicates keep their ids and are allowed
    alike. The common case, neither, costs two C-level passes."""
    num_empty = encoded_vocab.count("") + encoded_vocab.count(b"")
    if num_empty:
        first = next(i for i, token in enumerate(encoded_vocab) if len(token) == 0)
        warnings.warn(
            f"{num_empty} tokens are empty (first: id {first}); they are never allowed",
            stacklevel=3,
        )
    num_distinct = len(set(encoded_vocab))
    if num_distinct + max(num_empty - 1, 0) == len(encoded_vocab):
        return
    first_id: Dict[Union[str, bytes], int] = {}
    for token_id, token in enumerate(encoded_vocab):
        if token and first_id.setdefault(token, token_id) != token_id:
            warnings.warn(
                f"{len(encoded_vocab) - num_distinct} tokens repeat an earlier one (first: id "
                f"{token_id} repeats id {first_id[token]}, {token!r}); each keeps its id and "
                "is allowed alike",
                stacklevel=3,
            )
            return


def _parse_json_object(text: Any, what: str) -> Dict[str, Any]:
    if not isinstance(text, str):
        raise InvalidArgumentError(f"{what} must be a JSON string, not {type(text).__name__}")
    try:
        value = json.loads(text)
    except ValueError as error:
        raise InvalidJSONError(f"{what} is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise DeserializeFormatError(f"{what} must be a JSON object")
    return value


_MISSING = object()


def _field(fields: Dict[str, Any], name: str, kind: type, *, choices=None, default=_MISSING):
    value = fields.get(name, default)
    if value is _MISSING:
        raise DeserializeFormatError(f"field {name!r} is missing")
    # bool is an int in Python; a field of one must not pass for the other.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise DeserializeFormatError(f"field {name!r} must be a {kind.__name__}, not {value!r}")
    if choices is not None and value not in choices:
        raise DeserializeFormatError(f"field {name!r} must be one of {choices}, not {value!r}")
    return value
