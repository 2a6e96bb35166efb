// The byte-level, byte-fallback and raw token decoders; see token_decoder.h.
#include "cpp/token_decoder.h"

#include <array>
#include <cstdint>
#include <optional>

namespace xgrammar {
namespace {

// GPT-2's alphabet keeps the printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') as their own
// code points and gives each remaining byte, in increasing order, the next code point from 256
// on. So every byte maps to a code point below 256 + 68 = 324.
constexpr int kByteLevelAlphabetEnd = 324;

bool KeepsItsOwnCodePoint(int byte) {
  return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) ||
         (byte >= 0xAE && byte <= 0xFF);
}

// code point -> byte, -1 where the code point is not in the alphabet.
const std::array<int16_t, kByteLevelAlphabetEnd>& ByteLevelCodePointToByte() {
  static const std::array<int16_t, kByteLevelAlphabetEnd> table = [] {
    std::array<int16_t, kByteLevelAlphabetEnd> result;
    result.fill(-1);
    int next_shifted = 256;
    for (int byte = 0; byte < 256; ++byte) {
      int code_point = KeepsItsOwnCodePoint(byte) ? byte : next_shifted++;
      result[code_point] = static_cast<int16_t>(byte);
    }
    return result;
  }();
  return table;
}

// Reads the UTF-8 sequence at text[*position] (advancing past it); nullopt when malformed or
// overlong. Only code points below kByteLevelAlphabetEnd matter, so a 4-byte lead is not checked
// further: whatever it decodes to lies outside the alphabet.
std::optional<int> NextCodePoint(std::string_view text, size_t* position) {
  const auto lead = static_cast<unsigned char>(text[*position]);
  if (lead < 0x80) {
    *position += 1;
    return lead;
  }
  int length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (length == 0 || *position + length > text.size()) return std::nullopt;
  int code_point = lead & (0x7F >> length);
  for (int offset = 1; offset < length; ++offset) {
    const auto continuation = static_cast<unsigned char>(text[*position + offset]);
    if ((continuation & 0xC0) != 0x80) return std::nullopt;
    code_point = (code_point << 6) | (continuation & 0x3F);
  }
  constexpr int kSmallestCodePoint[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kSmallestCodePoint[length]) return std::nullopt;  // overlong form
  *position += length;
  return code_point;
}

std::string DecodeByteLevel(std::string_view token) {
  const auto& code_point_to_byte = ByteLevelCodePointToByte();
  std::string bytes;
  bytes.reserve(token.size());
  size_t position = 0;
  while (position < token.size()) {
    std::optional<int> code_point = NextCodePoint(token, &position);
    if (!code_point || *code_point >= kByteLevelAlphabetEnd ||
        code_point_to_byte[*code_point] < 0) {
      return std::string(token);  // not spelled in the alphabet: an added token, kept as is
    }
    bytes.push_back(static_cast<char>(code_point_to_byte[*code_point]));
  }
  return bytes;
}

int HexDigitValue(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit >= 'A' && digit <= 'F') return digit - 'A' + 10;
  if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
  return -1;
}

std::string DecodeByteFallback(std::string_view token) {
  if (token.size() == 6 && token.substr(0, 3) == "<0x" && token[5] == '>') {
    int high = HexDigitValue(token[3]);
    int low = HexDigitValue(token[4]);
    if (high >= 0 && low >= 0) return std::string(1, static_cast<char>(high * 16 + low));
  }
  constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";  // U+2581 "▁"
  std::string bytes;
  bytes.reserve(token.size());
  size_t position = 0;
  while (position < token.size()) {
    if (token.compare(position, kSpaceMarker.size(), kSpaceMarker) == 0) {
      bytes.push_back(' ');
      position += kSpaceMarker.size();
    } else {
      bytes.push_back(token[position++]);
    }
  }
  return bytes;
}

}  // namespace

std::string DecodeToken(std::string_view encoded_token, VocabType vocab_type) {
  switch (vocab_type) {
    case VocabType::kByteLevel:
      return DecodeByteLevel(encoded_token);
    case VocabType::kByteFallback:
      return DecodeByteFallback(encoded_token);
    case VocabType::kRaw:
      break;
  }
  return std::string(encoded_token);
}

void DecodeVocabulary(std::vector<std::string>* encoded_vocab, VocabType vocab_type) {
  if (vocab_type == VocabType::kRaw) return;
  for (std::string& token : *encoded_vocab) token = DecodeToken(token, vocab_type);
}

}  // namespace xgrammar
