"""TokenizerInfo's API on small vocabularies: the three decoders, detection of the vocabulary
type and leading-space behaviour from a tokenizer's configuration, stop and special tokens,
padding, serialization, the sorted view, and every kind of bad input (a typed error, or a
documented fallback with a warning). Real vocabularies: test_tokenizer_info_vocabularies.py.
"""

from __future__ import annotations

import json
import warnings

import pytest
import tokenizers
from tokenizer_oracle import gpt2_byte_to_char, sorted_view

import xgrammar as xgr
from xgrammar import VocabType, _core
from xgrammar.exceptions import (
    DeserializeFormatError,
    DeserializeVersionError,
    InvalidArgumentError,
    InvalidJSONError,
    UnsupportedFeatureError,
)

# ---- decoders --------------------------------------------------------------------------------


def test_byte_level_alphabet_decodes_every_byte():
    for byte, char in gpt2_byte_to_char().items():
        assert _core.decode_token(char, VocabType.BYTE_LEVEL.value) == bytes([byte])
    assert _core.decode_token("ĠHello", 2) == b" Hello"
    assert _core.decode_token("Ã©", 2) == "é".encode()
    assert _core.decode_token("Ã", 2) == b"\xc3"  # half a character, kept as bytes
    # A character outside the alphabet (an added token): the token is kept as spelled.
    assert _core.decode_token("<｜end▁of▁sentence｜>", 2) == "<｜end▁of▁sentence｜>".encode()
    assert _core.decode_token("Ġ a", 2) == "Ġ a".encode()
    # Malformed or overlong UTF-8 handed in as bytes is not in the alphabet either.
    assert _core.decode_token(b"\xc1\xa1", 2) == b"\xc1\xa1"


def test_byte_fallback_decoder():
    assert _core.decode_token("<0x0A>", 1) == b"\n"
    assert _core.decode_token("<0xe2>", 1) == b"\xe2"
    assert _core.decode_token("▁▁the▁", 1) == b"  the "
    assert _core.decode_token("<0xZZ>", 1) == b"<0xZZ>"
    assert _core.decode_token("<0x0A>x", 1) == b"<0x0A>x"
    assert _core.decode_token("▁<0x0A>", 1) == b" <0x0A>"


def test_raw_tokens_are_their_bytes():
    info = xgr.TokenizerInfo(["▁a", "Ġb", b"\xff\xfe", "<0x0A>"], VocabType.RAW)
    assert info.decoded_vocab == ["▁a".encode(), "Ġb".encode(), b"\xff\xfe", b"<0x0A>"]


# ---- construction, stop and special tokens ---------------------------------------------------


def test_constructor_detects_well_known_stop_tokens_and_pads():
    vocab = ["a", "</s>", "<|im_end|>", "b", "<｜end▁of▁sentence｜>", "<|eot_id|>"]
    info = xgr.TokenizerInfo(vocab, VocabType.BYTE_LEVEL, vocab_size=8)
    assert info.stop_token_ids == [1, 2, 4, 5]
    assert info.vocab_size == 8
    assert len(info.decoded_vocab) == 6
    assert info.special_token_ids == [6, 7]  # padding ids, as upstream
    assert info._handle.sorted_token_ids() == [0, 3]


def test_constructor_stop_and_special_overrides():
    info = xgr.TokenizerInfo(
        ["a", "<s>", "</s>", "b"], stop_token_ids=3, special_token_ids=[1, 3], vocab_size=4
    )
    assert info.stop_token_ids == [3]
    assert info.special_token_ids == [1]  # a stop token is not also special
    assert info._handle.sorted_token_ids() == [2, 0]  # "</s>" is ordinary text now
    assert xgr.TokenizerInfo(["a", "</s>"], stop_token_ids=[]).stop_token_ids == []


def test_vocab_type_accepts_enum_int_and_name():
    for vocab_type in (VocabType.BYTE_LEVEL, 2, "byte_level"):
        assert xgr.TokenizerInfo(["Ġ"], vocab_type).decoded_vocab == [b" "]


def test_add_prefix_space_is_kept():
    assert xgr.TokenizerInfo(["a"], add_prefix_space=True).add_prefix_space
    with pytest.warns(DeprecationWarning):
        assert xgr.TokenizerInfo(["a"], add_prefix_space=True).prepend_space_in_tokenization


# ---- bad input -------------------------------------------------------------------------------


def test_empty_tokens_warn_and_are_never_allowed():
    with pytest.warns(UserWarning, match="1 tokens are empty"):
        info = xgr.TokenizerInfo(["a", "", "b"])
    assert info.special_token_ids == [1]
    assert 1 not in info._handle.sorted_token_ids()


def test_duplicate_tokens_warn_and_keep_their_ids():
    with pytest.warns(UserWarning, match="id 2 repeats id 0"):
        info = xgr.TokenizerInfo(["a", "b", "a"])
    assert info._handle.sorted_token_ids() == [0, 2, 1]


def test_partial_utf8_byte_level_tokens_are_legitimate():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        info = xgr.TokenizerInfo(["Ã", "Ġ", "ĠÃ"], VocabType.BYTE_LEVEL)
    assert info.decoded_vocab == [b"\xc3", b" ", b" \xc3"]


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(encoded_vocab="abc"), "list of str or bytes"),
        (dict(encoded_vocab=["a", 3]), "token 1 is of type int"),
        (dict(encoded_vocab=["a", "\udc80"]), "lone surrogate"),
        (dict(encoded_vocab=["a"], vocab_type=7), "vocab_type"),
        (dict(encoded_vocab=["a"], vocab_type="wordpiece"), "vocab_type"),
        (dict(encoded_vocab=["a"], vocab_size=-1), "vocab_size"),
        (dict(encoded_vocab=["a"], stop_token_ids=[5]), "outside the vocabulary"),
        (dict(encoded_vocab=["a"], stop_token_ids=["0"]), "token ids"),
        (dict(encoded_vocab=["a"], special_token_ids=[-1]), "out of range"),
    ],
)
def test_bad_constructor_arguments_raise_typed_errors(arguments, message):
    with pytest.raises(InvalidArgumentError, match=message):
        xgr.TokenizerInfo(**arguments)


def test_vocab_size_below_the_vocabulary_drops_tokens_with_a_warning():
    with pytest.warns(UserWarning, match="dropped"):
        info = xgr.TokenizerInfo(["a", "b", "c"], vocab_size=2)
    assert info.decoded_vocab == [b"a", b"b"]


def test_from_huggingface_rejects_unknown_objects_and_files(tmp_path):
    with pytest.raises(InvalidArgumentError, match="cannot read a vocabulary"):
        xgr.TokenizerInfo.from_huggingface(object())
    with pytest.raises(InvalidArgumentError, match="no tokenizer file"):
        xgr.TokenizerInfo.from_huggingface(tmp_path / "missing.json")
    broken = tmp_path / "tokenizer.json"
    broken.write_text('{"model": 3}')
    with pytest.raises(InvalidArgumentError, match="not a tokenizer.json"):
        xgr.TokenizerInfo.from_huggingface(tmp_path)  # a folder holding tokenizer.json


def test_wordpiece_tokenizers_are_unsupported():
    backend = tokenizers.Tokenizer(tokenizers.models.WordPiece({"[UNK]": 0, "a": 1, "##b": 2}))
    with pytest.raises(UnsupportedFeatureError, match="WordPiece"):
        xgr.TokenizerInfo.from_huggingface(backend)


def test_object_of_unknown_kind_with_get_vocab_is_read_with_a_warning():
    class VocabularyOnly:
        eos_token_id = 2

        def get_vocab(self):
            return {f"<0x{byte:02X}>": byte for byte in range(256)} | {"▁a": 256}

    with pytest.warns(UserWarning, match="not a tokenizer kind"):
        info = xgr.TokenizerInfo.from_huggingface(VocabularyOnly())
    assert info.vocab_type == VocabType.BYTE_FALLBACK
    assert info.stop_token_ids == [2]
    assert info.decoded_vocab[256] == b" a"


# ---- detection from tokenizer.json configurations --------------------------------------------


def _sentencepiece_style(pre_tokenizer=None, normalizer=None, decoder=None, byte_fallback=True):
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, "<0x0A>": 3, "▁a": 4, "a": 5, "▁": 6}
    backend = tokenizers.Tokenizer(
        tokenizers.models.BPE(vocab, [], unk_token="<unk>", byte_fallback=byte_fallback)
    )
    backend.add_special_tokens(["<unk>", "<s>", "</s>"])
    backend.pre_tokenizer = pre_tokenizer
    backend.normalizer = normalizer
    backend.decoder = decoder
    return backend


def test_llama2_style_byte_fallback_with_metaspace_prefix():
    decoders = tokenizers.decoders
    backend = _sentencepiece_style(
        pre_tokenizer=tokenizers.pre_tokenizers.Metaspace(prepend_scheme="first"),
        decoder=decoders.Sequence(
            [decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse()]
        ),
    )
    info = xgr.TokenizerInfo.from_huggingface(backend)
    assert info.vocab_type == VocabType.BYTE_FALLBACK
    assert info.add_prefix_space
    assert info.decoded_vocab[3:] == [b"\n", b" a", b"a", b" "]
    assert info.stop_token_ids == [2]
    assert info.special_token_ids == [0, 1]


def test_detect_metadata_from_serialized_tokenizer_json():
    decoders = tokenizers.decoders
    backend = _sentencepiece_style(
        pre_tokenizer=tokenizers.pre_tokenizers.Metaspace(prepend_scheme="always"),
        decoder=decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback()]),
    )
    metadata = xgr.TokenizerInfo._detect_metadata_from_hf(backend.to_str())
    assert metadata == {"vocab_type": VocabType.BYTE_FALLBACK, "add_prefix_space": True}
    with pytest.raises(InvalidArgumentError):
        xgr.TokenizerInfo._detect_metadata_from_hf("[1, 2]")


def test_metaspace_prepend_never_and_prepend_normalizer():
    never = _sentencepiece_style(
        pre_tokenizer=tokenizers.pre_tokenizers.Metaspace(prepend_scheme="never"),
        decoder=tokenizers.decoders.Metaspace(prepend_scheme="never"),
    )
    assert not xgr.TokenizerInfo.from_huggingface(never).add_prefix_space
    prepend = _sentencepiece_style(
        normalizer=tokenizers.normalizers.Sequence(
            [tokenizers.normalizers.Prepend("▁"), tokenizers.normalizers.Replace(" ", "▁")]
        ),
        decoder=tokenizers.decoders.Sequence(
            [tokenizers.decoders.Replace("▁", " "), tokenizers.decoders.ByteFallback()]
        ),
    )
    info = xgr.TokenizerInfo.from_huggingface(prepend)
    assert info.add_prefix_space and info.vocab_type == VocabType.BYTE_FALLBACK


def test_metaspace_without_byte_fallback_still_decodes_spaces():
    backend = _sentencepiece_style(
        pre_tokenizer=tokenizers.pre_tokenizers.Metaspace(),
        decoder=tokenizers.decoders.Metaspace(),
        byte_fallback=False,
    )
    info = xgr.TokenizerInfo.from_huggingface(backend)
    assert info.vocab_type == VocabType.BYTE_FALLBACK
    assert info.decoded_vocab[4] == b" a"


def test_configuration_without_byte_encoding_warns_and_reads_the_spelling():
    alphabet = gpt2_byte_to_char()
    vocab = {char: byte for byte, char in alphabet.items()} | {"ĠĠ": 256}
    backend = tokenizers.Tokenizer(tokenizers.models.BPE(vocab, []))
    with pytest.warns(UserWarning, match="BYTE_LEVEL"):
        info = xgr.TokenizerInfo.from_huggingface(backend, stop_token_ids=[0])
    assert info.vocab_type == VocabType.BYTE_LEVEL
    assert info.decoded_vocab[256] == b"  "


def test_holes_in_the_id_space_are_empty_and_warned():
    backend = tokenizers.Tokenizer(tokenizers.models.BPE({"a": 0, "b": 2}, []))
    backend.decoder = tokenizers.decoders.ByteLevel()
    with pytest.warns(UserWarning, match="empty"):
        info = xgr.TokenizerInfo.from_huggingface(backend, stop_token_ids=[0])
    assert info.special_token_ids == [1]


def test_from_huggingface_vocab_size_and_stop_overrides():
    backend = _sentencepiece_style(decoder=tokenizers.decoders.ByteFallback())
    backend.add_special_tokens(["<pad>"])  # id 7, dropped silently by a smaller model vocab
    info = xgr.TokenizerInfo.from_huggingface(backend, vocab_size=7, stop_token_ids=[5])
    assert info.vocab_size == 7 and len(info.decoded_vocab) == 7
    assert info.stop_token_ids == [5]
    with pytest.warns(UserWarning, match="drops 2 ordinary tokens"):
        xgr.TokenizerInfo.from_huggingface(backend, vocab_size=5)
    with pytest.raises(InvalidArgumentError, match="cannot be empty"):
        xgr.TokenizerInfo.from_huggingface(backend, stop_token_ids=[])


# ---- metadata and serialization --------------------------------------------------------------


def _info_with_everything():
    return xgr.TokenizerInfo(
        ["Ġa", "Ã", "</s>", "<s>", "Ġ"],
        VocabType.BYTE_LEVEL,
        vocab_size=8,
        add_prefix_space=True,
        special_token_ids=[3],
    )


def _same(a: xgr.TokenizerInfo, b: xgr.TokenizerInfo) -> None:
    assert a.decoded_vocab == b.decoded_vocab
    assert (a.vocab_type, a.vocab_size, a.add_prefix_space) == (
        b.vocab_type,
        b.vocab_size,
        b.add_prefix_space,
    )
    assert (a.stop_token_ids, a.special_token_ids) == (b.stop_token_ids, b.special_token_ids)


def test_metadata_round_trip():
    info = _info_with_everything()
    metadata = info.dump_metadata()
    assert json.loads(metadata) == {
        "vocab_type": 2,
        "vocab_size": 8,
        "add_prefix_space": True,
        "stop_token_ids": [2],
        "special_token_ids": [3],
    }
    _same(
        xgr.TokenizerInfo.from_vocab_and_metadata(["Ġa", "Ã", "</s>", "<s>", "Ġ"], metadata), info
    )
    # Upstream's metadata has no special_token_ids.
    upstream = '{"vocab_type":1,"vocab_size":3,"add_prefix_space":true,"stop_token_ids":[2]}'
    rebuilt = xgr.TokenizerInfo.from_vocab_and_metadata(["▁a", "<0x0A>", "</s>"], upstream)
    assert rebuilt.decoded_vocab == [b" a", b"\n", b"</s>"] and rebuilt.stop_token_ids == [2]


def test_json_round_trip_keeps_invalid_utf8_tokens():
    info = _info_with_everything()
    text = info.serialize_json()
    assert '{"hex":"c3"}' in text
    _same(xgr.TokenizerInfo.deserialize_json(text), info)


@pytest.mark.parametrize(
    "mutate, error",
    [
        (lambda fields: "{not json", InvalidJSONError),
        (lambda fields: fields | {"__VERSION__": "v16"}, DeserializeVersionError),
        (
            lambda fields: {k: v for k, v in fields.items() if k != "vocab_size"},
            DeserializeFormatError,
        ),
        (lambda fields: fields | {"vocab_type": 9}, DeserializeFormatError),
        (lambda fields: fields | {"add_prefix_space": 1}, DeserializeFormatError),
        (lambda fields: fields | {"decoded_vocab": [{"hex": "zz"}]}, DeserializeFormatError),
        (lambda fields: fields | {"decoded_vocab": [3]}, DeserializeFormatError),
        (lambda fields: fields | {"stop_token_ids": [99]}, DeserializeFormatError),
        (lambda fields: [fields], DeserializeFormatError),
    ],
)
def test_bad_serialized_input_raises_typed_errors(mutate, error):
    fields = json.loads(_info_with_everything().serialize_json())
    mutated = mutate(fields)
    text = mutated if isinstance(mutated, str) else json.dumps(mutated)
    with pytest.raises(error):
        xgr.TokenizerInfo.deserialize_json(text)


def test_bad_metadata_raises_typed_errors():
    with pytest.raises(InvalidJSONError):
        xgr.TokenizerInfo.from_vocab_and_metadata(["a"], "{")
    with pytest.raises(DeserializeFormatError, match="stop_token_ids"):
        xgr.TokenizerInfo.from_vocab_and_metadata(
            ["a"], '{"vocab_type":0,"vocab_size":1,"add_prefix_space":false}'
        )


# ---- sorted view -----------------------------------------------------------------------------


def test_sorted_view_on_prefixes_duplicates_and_high_bytes():
    vocab = [b"ab", b"a", b"abc", b"b", b"\xff", b"a", b"", b"abd", b"\x80a", b"ac", b"</s>"]
    with pytest.warns(UserWarning):
        info = xgr.TokenizerInfo(vocab)
    ids, common, subtree_end = sorted_view(info.decoded_vocab, [6, 10])
    assert info._handle.sorted_token_ids() == ids == [1, 5, 0, 2, 7, 9, 3, 8, 4]
    assert info._handle.sorted_common_prefix() == common == [0, 1, 1, 2, 2, 1, 0, 0, 0]
    assert info._handle.sorted_subtree_end() == subtree_end == [6, 6, 5, 4, 5, 6, 7, 8, 9]
    assert info._handle.memory_size_bytes() > 0
