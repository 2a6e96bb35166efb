// Strict UTF-8 encoding and decoding of single code points, shared by the text front ends (EBNF,
// JSON), the grammar printer and the deserializers.
//
// "Strict" is the definition of DESIGN.md: no overlong forms, no encoded surrogates
// (U+D800..U+DFFF) and nothing above U+10FFFF. Every byte sequence the decoder accepts is
// exactly what the encoder produces for the same code point.
#ifndef XGRAMMAR_CPP_UTF8_CODEC_H_
#define XGRAMMAR_CPP_UTF8_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace xgrammar {

struct DecodedCodepoint {
  uint32_t codepoint = 0;
  int32_t length = 0;  // bytes consumed; 0 when the bytes at the position are not valid UTF-8
};

inline bool IsSurrogateCodepoint(uint32_t codepoint) {
  return codepoint >= 0xD800 && codepoint <= 0xDFFF;
}

// Decodes the code point that starts at `text[position]` (position < text.size()).
DecodedCodepoint DecodeUtf8Codepoint(std::string_view text, size_t position);

// Appends the UTF-8 encoding of `codepoint`, which must be a scalar value (not a surrogate,
// at most U+10FFFF).
void AppendUtf8Codepoint(std::string* out, uint32_t codepoint);

// The offset of the first byte that does not start a valid UTF-8 sequence, or npos.
size_t FindInvalidUtf8(std::string_view text);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_UTF8_CODEC_H_
