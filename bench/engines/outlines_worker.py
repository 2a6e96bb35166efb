"""Benchmark worker for outlines-core, run by bench/.venvs/outlines's interpreter. Entry point:
run as a script; see worker_protocol.py for the protocol.

outlines-core compiles a JSON schema to a regex (``json_schema.build_regex_from_schema``, default
whitespace pattern) and then to a token-level index over the vocabulary (``Index``); ``Guide``
walks it. It has no context-free grammars, so EBNF and the builtin (recursive) JSON grammar are
compile errors. Its ``Vocabulary`` wants each token's bytes, which this file decodes from
tokenizer.json itself (no model hub is reachable): byte-level BPE vocabularies spell bytes with
GPT-2's printable stand-ins; SentencePiece byte-fallback ones use ``<0xXX>`` pieces and ``▁`` for
a space. Special (added) tokens are left out; the first stop token is the end-of-sequence token.
"""

from __future__ import annotations

import json

import outlines_core
from outlines_core.json_schema import build_regex_from_schema
from worker_protocol import CompileError, EngineAdapter, serve


def byte_level_alphabet() -> dict:
    """GPT-2's map from the printable character that stands for a byte back to the byte."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    char_to_byte = {chr(byte): byte for byte in printable}
    next_stand_in = 256
    for byte in range(256):
        if byte not in printable:
            char_to_byte[chr(next_stand_in)] = byte
            next_stand_in += 1
    return char_to_byte


def uses_byte_level_decoder(decoder) -> bool:
    if not decoder:
        return False
    if decoder.get("type") == "ByteLevel":
        return True
    return any(uses_byte_level_decoder(part) for part in decoder.get("decoders", []))


def token_bytes_by_id(tokenizer_path: str) -> dict:
    """Maps every ordinary (non-special) token id to the bytes it stands for."""
    with open(tokenizer_path, encoding="utf-8") as tokenizer_file:
        tokenizer = json.load(tokenizer_file)
    special_ids = {added["id"] for added in tokenizer.get("added_tokens", []) if added["special"]}
    vocab = tokenizer["model"]["vocab"]
    if isinstance(vocab, list):  # Unigram models store [piece, score] pairs
        vocab = {piece: index for index, (piece, _score) in enumerate(vocab)}
    result = {}
    if uses_byte_level_decoder(tokenizer.get("decoder")):
        alphabet = byte_level_alphabet()
        for piece, token_id in vocab.items():
            if token_id not in special_ids:
                result[token_id] = bytes(alphabet[char] for char in piece)
        return result
    for piece, token_id in vocab.items():
        if token_id in special_ids:
            continue
        if len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">"):
            result[token_id] = bytes([int(piece[3:5], 16)])
        else:
            result[token_id] = piece.replace("\u2581", " ").encode("utf-8")
    return result


class OutlinesAdapter(EngineAdapter):
    def __init__(self, tokenizer_path, vocab_size, stop_token_ids, options):
        from importlib.metadata import version

        self.engine_version = version("outlines-core")
        ids_by_bytes = {}
        for token_id, token in token_bytes_by_id(tokenizer_path).items():
            ids_by_bytes.setdefault(token, []).append(token_id)
        self.vocabulary = outlines_core.Vocabulary(stop_token_ids[0], ids_by_bytes)

    def compile(self, grammar):
        if grammar["kind"] != "json_schema":
            raise CompileError("outlines-core compiles regular languages only")
        regex = build_regex_from_schema(json.dumps(grammar["schema"]))
        return outlines_core.Index(regex, self.vocabulary)

    def new_matcher(self, compiled):
        return outlines_core.Guide(compiled)

    def fill(self, matcher, bitmask):
        matcher.write_mask_into(bitmask.ctypes.data, bitmask.size, 4)

    def accept(self, matcher, token_id):
        try:
            matcher.advance(token_id, return_tokens=False)
        except ValueError:
            return False
        return True

    def may_end(self, matcher):
        return matcher.is_finished()


if __name__ == "__main__":
    serve(OutlinesAdapter)
