// Token decoding: from the way a tokenizer spells a token in its vocabulary file to the exact
// bytes the token stands for in text.
//
//   kRaw          the spelling is the bytes.
//   kByteLevel    GPT-2's byte-to-unicode alphabet: each byte is one printable character (e.g.
//                 "Ġ" is a space). A token with any character outside that alphabet (an added
//                 token such as "<｜end▁of▁sentence｜>") is kept as spelled, which is what the
//                 tokenizers library's ByteLevel decoder does. The bytes need not be valid UTF-8
//                 on their own (a token may hold half a character) and are kept as they are.
//   kByteFallback SentencePiece: a token spelled "<0xHH>" is the single byte HH; otherwise every
//                 "▁" (U+2581) is a space.
//
// Entry points: DecodeToken for one token, DecodeVocabulary for a whole vocabulary.
#ifndef XGRAMMAR_CPP_TOKEN_DECODER_H_
#define XGRAMMAR_CPP_TOKEN_DECODER_H_

#include <string>
#include <string_view>
#include <vector>

#include "cpp/tokenizer_info.h"

namespace xgrammar {

std::string DecodeToken(std::string_view encoded_token, VocabType vocab_type);

// Decodes in place: encoded_vocab[id] becomes the bytes of token id.
void DecodeVocabulary(std::vector<std::string>* encoded_vocab, VocabType vocab_type);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_TOKEN_DECODER_H_
