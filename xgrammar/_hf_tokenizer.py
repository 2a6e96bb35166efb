"""Reading a tokenizer object into what TokenizerInfo needs: each token as the tokenizer spells
it, how that spelling maps to bytes (the vocabulary type and the leading-space behaviour), the
special tokens, and the tokens that end a sequence.

Entry point: :func:`describe_tokenizer`. It accepts a ``transformers`` tokenizer (fast, or slow
with a SentencePiece model), a ``tokenizers.Tokenizer``, a path to a ``tokenizer.json`` (or its
folder), a ``sentencepiece.SentencePieceProcessor`` and a ``tiktoken.Encoding``; none of those
packages is imported unless the object comes from it. Every guess that could be wrong is warned.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Union

from .exceptions import InvalidArgumentError, UnsupportedFeatureError
from .tokenizer_info import WELL_KNOWN_STOP_TOKENS, VocabType

# The 256 characters of GPT-2's byte-to-unicode alphabet, for recognizing a byte-level
# vocabulary by its spelling when the configuration does not say.
_PRINTABLE_LATIN1 = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
BYTE_LEVEL_ALPHABET = frozenset(
    [chr(byte) for byte in _PRINTABLE_LATIN1] + [chr(256 + offset) for offset in range(68)]
)
_SPACE_MARKER = "\u2581"  # SentencePiece's "▁"


@dataclass
class TokenizerDescription:
    """What :func:`describe_tokenizer` learns; token ids index ``encoded_vocab``."""

    encoded_vocab: List[Union[str, bytes]]
    vocab_type: VocabType
    add_prefix_space: bool
    special_token_ids: List[int] = field(default_factory=list)
    # The configured end-of-sequence tokens followed by well-known end markers found among the
    # special tokens.
    stop_token_ids: List[int] = field(default_factory=list)


def describe_tokenizer(tokenizer: Any) -> TokenizerDescription:
    if isinstance(tokenizer, (str, os.PathLike)):
        return _describe_tokenizer_file(Path(tokenizer))
    module = type(tokenizer).__module__
    if module.startswith("tokenizers") and type(tokenizer).__name__ == "Tokenizer":
        return _describe_backend(tokenizer, configured_eos_ids=[], extra_special_ids=[])
    if hasattr(tokenizer, "backend_tokenizer"):  # transformers' fast tokenizers
        eos_id = getattr(tokenizer, "eos_token_id", None)
        return _describe_backend(
            tokenizer.backend_tokenizer,
            configured_eos_ids=[eos_id] if isinstance(eos_id, int) else [],
            extra_special_ids=list(getattr(tokenizer, "all_special_ids", [])),
        )
    if module.startswith("sentencepiece"):
        return _describe_sentencepiece(tokenizer, configured_eos_ids=[])
    if module.startswith("tiktoken"):
        return _describe_tiktoken(tokenizer, configured_eos_ids=[])
    for attribute in ("sp_model", "tokenizer"):  # transformers' slow tokenizers
        inner = getattr(tokenizer, attribute, None)
        inner_module = type(inner).__module__ if inner is not None else ""
        eos_id = getattr(tokenizer, "eos_token_id", None)
        eos_ids = [eos_id] if isinstance(eos_id, int) else []
        if inner_module.startswith("sentencepiece"):
            return _describe_sentencepiece(inner, configured_eos_ids=eos_ids)
        if inner_module.startswith("tiktoken"):
            return _describe_tiktoken(inner, configured_eos_ids=eos_ids)
    if callable(getattr(tokenizer, "get_vocab", None)):
        return _describe_by_vocabulary_only(tokenizer)
    raise InvalidArgumentError(
        f"cannot read a vocabulary from a {type(tokenizer).__module__}."
        f"{type(tokenizer).__qualname__}: pass a transformers tokenizer, a tokenizers.Tokenizer, "
        "a path to a tokenizer.json, a sentencepiece.SentencePieceProcessor or a tiktoken.Encoding"
    )


# ---- tokenizers (tokenizer.json) -------------------------------------------------------------


def _describe_tokenizer_file(path: Path) -> TokenizerDescription:
    file = path / "tokenizer.json" if path.is_dir() else path
    if not file.is_file():
        raise InvalidArgumentError(f"no tokenizer file at {file}")
    try:
        import tokenizers
    except ImportError as error:
        raise ImportError("reading a tokenizer.json needs the `tokenizers` package") from error
    try:
        backend = tokenizers.Tokenizer.from_file(str(file))
    except Exception as error:  # tokenizers raises a bare Exception for malformed files
        raise InvalidArgumentError(f"{file} is not a tokenizer.json: {error}") from error
    return _describe_backend(
        backend,
        configured_eos_ids=_configured_eos_ids(file.parent, backend),
        extra_special_ids=[],
    )


def _configured_eos_ids(folder: Path, backend: Any) -> List[int]:
    """The EOS ids named by tokenizer_config.json and generation_config.json beside the file."""
    eos_ids: List[int] = []
    config = _read_json_if_present(folder / "tokenizer_config.json")
    eos_token = config.get("eos_token")
    if isinstance(eos_token, dict):
        eos_token = eos_token.get("content")
    eos_id = backend.token_to_id(eos_token) if isinstance(eos_token, str) else None
    if eos_id is not None:
        eos_ids.append(eos_id)
    generation_eos = _read_json_if_present(folder / "generation_config.json").get("eos_token_id")
    for eos_id in generation_eos if isinstance(generation_eos, list) else [generation_eos]:
        if isinstance(eos_id, int) and eos_id not in eos_ids:
            eos_ids.append(eos_id)
    return eos_ids


def _read_json_if_present(file: Path) -> Dict[str, Any]:
    if not file.is_file():
        return {}
    try:
        content = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        warnings.warn(f"ignoring {file}: it is not readable JSON", stacklevel=4)
        return {}
    return content if isinstance(content, dict) else {}


def _describe_backend(
    backend: Any, *, configured_eos_ids: List[int], extra_special_ids: Iterable[int]
) -> TokenizerDescription:
    model_type = type(backend.model).__name__
    if model_type in ("WordPiece", "WordLevel"):
        raise UnsupportedFeatureError(
            f"{model_type} tokenizers join tokens with spaces or '##' continuations when they "
            "decode, so a token has no fixed bytes; only BPE and Unigram models are supported"
        )
    vocab = backend.get_vocab(with_added_tokens=True)
    added_tokens = backend.get_added_tokens_decoder()
    size = max(vocab.values(), default=-1) + 1
    encoded_vocab: List[Union[str, bytes]] = [""] * size
    for token, token_id in vocab.items():
        encoded_vocab[token_id] = token
    for token_id, added in added_tokens.items():  # an added token wins over the model's own
        encoded_vocab[token_id] = added.content
    special_ids = {token_id for token_id, added in added_tokens.items() if added.special}
    special_ids.update(token_id for token_id in extra_special_ids if 0 <= token_id < size)

    vocab_type, add_prefix_space = _detect_spelling(
        decoder=_component_config(backend.decoder),
        pre_tokenizer=_component_config(backend.pre_tokenizer),
        normalizer=_component_config(backend.normalizer),
        model_byte_fallback=bool(getattr(backend.model, "byte_fallback", False)),
        vocab=vocab,
    )
    marker_ids = [i for i in sorted(special_ids) if encoded_vocab[i] in WELL_KNOWN_STOP_TOKENS]
    if not marker_ids and not configured_eos_ids:
        # Some files (GPT-2's) keep the end marker as an ordinary vocabulary entry.
        marker_ids = sorted(vocab[token] for token in WELL_KNOWN_STOP_TOKENS if token in vocab)
    return TokenizerDescription(
        encoded_vocab=encoded_vocab,
        vocab_type=vocab_type,
        add_prefix_space=add_prefix_space,
        special_token_ids=sorted(special_ids),
        stop_token_ids=_unique([*configured_eos_ids, *marker_ids]),
    )


def detect_spelling_from_json(tokenizer_json: str) -> tuple[VocabType, bool]:
    """(vocab type, add_prefix_space) of a serialized tokenizer.json; upstream's private
    TokenizerInfo._detect_metadata_from_hf, which some inference engines call, rests on this."""
    try:
        config = json.loads(tokenizer_json)
    except ValueError as error:
        raise InvalidArgumentError(f"the tokenizer is not valid JSON: {error}") from error
    if not isinstance(config, dict) or not isinstance(config.get("model"), dict):
        raise InvalidArgumentError("the tokenizer JSON has no model object")
    vocab = config["model"].get("vocab")
    return _detect_spelling(
        decoder=config.get("decoder"),
        pre_tokenizer=config.get("pre_tokenizer"),
        normalizer=config.get("normalizer"),
        model_byte_fallback=bool(config["model"].get("byte_fallback", False)),
        vocab=vocab if isinstance(vocab, dict) else {},
    )


def _component_config(component: Any) -> Dict[str, Any] | None:
    """The JSON configuration of a tokenizers normalizer, pre-tokenizer or decoder."""
    if component is None:
        return None
    return json.loads(component.__getstate__())


def _flatten(config: Dict[str, Any] | None, list_key: str) -> List[Dict[str, Any]]:
    """The steps of a (possibly nested) Sequence configuration, in order. Sequences nest only as
    deep as a tokenizer.json was written, and the explicit stack bounds the work by its size."""
    steps: List[Dict[str, Any]] = []
    pending = [config] if config else []
    while pending:
        step = pending.pop()
        if step.get("type") == "Sequence":
            pending.extend(reversed(step.get(list_key) or []))
        else:
            steps.append(step)
    return steps


def _is_space_marker_replace(step: Dict[str, Any], source: str, target: str) -> bool:
    pattern = step.get("pattern") or {}
    return (
        step.get("type") == "Replace"
        and pattern.get("String") == source
        and step.get("content") == target
    )


def _detect_spelling(
    *,
    decoder: Dict[str, Any] | None,
    pre_tokenizer: Dict[str, Any] | None,
    normalizer: Dict[str, Any] | None,
    model_byte_fallback: bool,
    vocab: Dict[str, int],
) -> tuple[VocabType, bool]:
    """The vocabulary type and add_prefix_space, from the tokenizer's own configuration."""
    decoders = _flatten(decoder, "decoders")
    pre_tokenizers = _flatten(pre_tokenizer, "pretokenizers")
    normalizers = _flatten(normalizer, "normalizers")
    decoder_types = [step.get("type") for step in decoders]

    byte_level = "ByteLevel" in decoder_types or any(
        step.get("type") == "ByteLevel" for step in pre_tokenizers
    )
    sentencepiece = (
        model_byte_fallback
        or "ByteFallback" in decoder_types
        or "Metaspace" in decoder_types
        or any(_is_space_marker_replace(step, _SPACE_MARKER, " ") for step in decoders)
        or any(step.get("type") == "Metaspace" for step in pre_tokenizers)
        or any(_is_space_marker_replace(step, " ", _SPACE_MARKER) for step in normalizers)
    )
    known_decoders = {"ByteLevel", "ByteFallback", "Metaspace", "Fuse", "Strip", "Replace"}
    unknown = sorted({str(kind) for kind in decoder_types} - known_decoders)
    if unknown:
        warnings.warn(
            f"tokenizer decoder steps {unknown} are not understood; tokens are decoded as the "
            "rest of the configuration says, which may differ from the tokenizer's own decode",
            stacklevel=4,
        )

    if byte_level and sentencepiece:
        vocab_type = _guess_vocab_type(vocab) or VocabType.BYTE_LEVEL
        warnings.warn(
            "the tokenizer configuration is both byte-level and SentencePiece-style; going by "
            f"the vocabulary's spelling: {vocab_type.name}",
            stacklevel=4,
        )
    elif byte_level:
        vocab_type = VocabType.BYTE_LEVEL
    elif sentencepiece:
        # SentencePiece spells a space "▁" with or without byte fallback pieces; BYTE_FALLBACK
        # decodes both.
        vocab_type = VocabType.BYTE_FALLBACK
    else:
        guessed = _guess_vocab_type(vocab)
        vocab_type = guessed or VocabType.RAW
        warnings.warn(
            "the tokenizer configuration names no byte encoding (no ByteLevel, ByteFallback or "
            f"Metaspace step); going by the vocabulary's spelling: {vocab_type.name}",
            stacklevel=4,
        )

    add_prefix_space = False
    if vocab_type == VocabType.BYTE_LEVEL:
        add_prefix_space = any(
            step.get("type") == "ByteLevel" and step.get("add_prefix_space") is True
            for step in pre_tokenizers
        )
    elif vocab_type == VocabType.BYTE_FALLBACK:
        add_prefix_space = any(
            step.get("type") == "Prepend" and step.get("prepend") == _SPACE_MARKER
            for step in normalizers
        ) or any(_metaspace_prepends(step) for step in pre_tokenizers)
    return vocab_type, add_prefix_space


def _metaspace_prepends(step: Dict[str, Any]) -> bool:
    if step.get("type") != "Metaspace":
        return False
    if "prepend_scheme" in step:  # tokenizers >= 0.14
        return step["prepend_scheme"] in ("always", "first")
    return bool(step.get("add_prefix_space", True))  # older files; true was the default


def _guess_vocab_type(vocab: Iterable[str]) -> VocabType | None:
    """BYTE_FALLBACK when most of the 256 pieces "<0xHH>" exist, BYTE_LEVEL when nearly every
    token is spelled in GPT-2's alphabet, None when the spelling shows neither."""
    tokens = [token for token in vocab if isinstance(token, str)]
    token_set = set(tokens)
    if sum(f"<0x{byte:02X}>" in token_set for byte in range(256)) >= 128:
        return VocabType.BYTE_FALLBACK
    if not tokens or sum(char in token_set for char in BYTE_LEVEL_ALPHABET) < 128:
        return None
    in_alphabet = sum(all(char in BYTE_LEVEL_ALPHABET for char in token) for token in tokens)
    # Added tokens (chat markers) may use other characters.
    return VocabType.BYTE_LEVEL if in_alphabet >= 0.99 * len(tokens) else None


def _unique(ids: Iterable[int]) -> List[int]:
    return list(dict.fromkeys(ids))


# ---- other tokenizer libraries ---------------------------------------------------------------


def _describe_sentencepiece(
    processor: Any, *, configured_eos_ids: List[int]
) -> TokenizerDescription:
    size = processor.get_piece_size()
    pieces = [processor.id_to_piece(token_id) for token_id in range(size)]
    special_ids = [
        token_id
        for token_id in range(size)
        if processor.is_control(token_id)
        or processor.is_unknown(token_id)
        or processor.is_unused(token_id)
    ]
    # SentencePiece prepends "▁" to the text when its normalizer adds a dummy prefix; encoding
    # one letter shows it without parsing the model's protobuf.
    first_piece = processor.encode("a", out_type=str)[:1]
    eos_ids = list(configured_eos_ids)
    if processor.eos_id() >= 0:
        eos_ids.append(processor.eos_id())
    marker_ids = [
        token_id for token_id in special_ids if pieces[token_id] in WELL_KNOWN_STOP_TOKENS
    ]
    return TokenizerDescription(
        encoded_vocab=list(pieces),
        vocab_type=VocabType.BYTE_FALLBACK,
        add_prefix_space=bool(first_piece) and first_piece[0].startswith(_SPACE_MARKER),
        special_token_ids=special_ids,
        stop_token_ids=_unique([*eos_ids, *marker_ids]),
    )


def _describe_tiktoken(encoding: Any, *, configured_eos_ids: List[int]) -> TokenizerDescription:
    special_ids = {encoding.encode_single_token(name): name for name in encoding.special_tokens_set}
    encoded_vocab: List[Union[str, bytes]] = []
    for token_id in range(encoding.n_vocab):
        if token_id in special_ids:
            encoded_vocab.append(special_ids[token_id])
            continue
        try:
            encoded_vocab.append(encoding.decode_single_token_bytes(token_id))
        except KeyError:  # a hole in the id space
            encoded_vocab.append(b"")
    marker_ids = [
        token_id for token_id, name in special_ids.items() if name in WELL_KNOWN_STOP_TOKENS
    ]
    return TokenizerDescription(
        encoded_vocab=encoded_vocab,
        vocab_type=VocabType.RAW,
        add_prefix_space=False,
        special_token_ids=sorted(special_ids),
        stop_token_ids=_unique([*configured_eos_ids, *sorted(marker_ids)]),
    )


def _describe_by_vocabulary_only(tokenizer: Any) -> TokenizerDescription:
    """Fallback for tokenizer objects of unknown kind that still have get_vocab()."""
    vocab = tokenizer.get_vocab()
    size = max(vocab.values(), default=-1) + 1
    encoded_vocab: List[Union[str, bytes]] = [""] * size
    for token, token_id in vocab.items():
        encoded_vocab[token_id] = token
    vocab_type = _guess_vocab_type(vocab) or VocabType.RAW
    warnings.warn(
        f"{type(tokenizer).__qualname__} is not a tokenizer kind xgrammar knows; its vocabulary "
        f"is read with get_vocab() and taken as {vocab_type.name} from its spelling",
        stacklevel=3,
    )
    special_ids = [i for i in getattr(tokenizer, "all_special_ids", []) if 0 <= i < size]
    eos_id = getattr(tokenizer, "eos_token_id", None)
    marker_ids = [i for i in special_ids if encoded_vocab[i] in WELL_KNOWN_STOP_TOKENS]
    return TokenizerDescription(
        encoded_vocab=encoded_vocab,
        vocab_type=vocab_type,
        add_prefix_space=False,
        special_token_ids=special_ids,
        stop_token_ids=_unique([*([eos_id] if isinstance(eos_id, int) else []), *marker_ids]),
    )
