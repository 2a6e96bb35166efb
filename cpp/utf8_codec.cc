// Strict UTF-8 code point codec; see utf8_codec.h.
#include "cpp/utf8_codec.h"

namespace xgrammar {

DecodedCodepoint DecodeUtf8Codepoint(std::string_view text, size_t position) {
  const auto byte_at = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte_at(position);
  if (lead < 0x80) return {lead, 1};
  int32_t length = 0;
  uint32_t codepoint = 0;
  uint32_t smallest = 0;  // the smallest code point of this length: anything below is overlong
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    codepoint = lead & 0x1F;
    smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    codepoint = lead & 0x0F;
    smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    codepoint = lead & 0x07;
    smallest = 0x10000;
  } else {
    return {};
  }
  if (position + length > text.size()) return {};
  for (int32_t i = 1; i < length; ++i) {
    const uint8_t continuation = byte_at(position + i);
    if ((continuation & 0xC0) != 0x80) return {};
    codepoint = (codepoint << 6) | (continuation & 0x3F);
  }
  if (codepoint < smallest || codepoint > 0x10FFFF || IsSurrogateCodepoint(codepoint)) return {};
  return {codepoint, length};
}

void AppendUtf8Codepoint(std::string* out, uint32_t codepoint) {
  if (codepoint < 0x80) {
    out->push_back(static_cast<char>(codepoint));
  } else if (codepoint < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (codepoint >> 6)));
    out->push_back(static_cast<char>(0x80 | (codepoint & 0x3F)));
  } else if (codepoint < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (codepoint >> 12)));
    out->push_back(static_cast<char>(0x80 | ((codepoint >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (codepoint & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (codepoint >> 18)));
    out->push_back(static_cast<char>(0x80 | ((codepoint >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((codepoint >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (codepoint & 0x3F)));
  }
}

size_t FindInvalidUtf8(std::string_view text) {
  size_t position = 0;
  while (position < text.size()) {
    if (static_cast<uint8_t>(text[position]) < 0x80) {
      ++position;
      continue;
    }
    const DecodedCodepoint decoded = DecodeUtf8Codepoint(text, position);
    if (decoded.length == 0) return position;
    position += decoded.length;
  }
  return std::string_view::npos;
}

}  // namespace xgrammar
