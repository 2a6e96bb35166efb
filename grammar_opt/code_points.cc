// UTF-8 encoding and class semantics; see code_points.h.
#include "grammar_opt/code_points.h"

#include <algorithm>

namespace xgrammar {

std::string EncodeUtf8(uint32_t codepoint) {
  std::string out;
  if (codepoint < 0x80) {
    out.push_back(static_cast<char>(codepoint));
  } else if (codepoint < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (codepoint >> 6)));
    out.push_back(static_cast<char>(0x80 | (codepoint & 0x3F)));
  } else if (codepoint < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (codepoint >> 12)));
    out.push_back(static_cast<char>(0x80 | ((codepoint >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (codepoint & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (codepoint >> 18)));
    out.push_back(static_cast<char>(0x80 | ((codepoint >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((codepoint >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (codepoint & 0x3F)));
  }
  return out;
}

std::optional<uint32_t> DecodeSingleCodepoint(const std::string& bytes) {
  if (bytes.empty() || bytes.size() > 4) return std::nullopt;
  const auto byte = [&bytes](size_t i) { return static_cast<uint8_t>(bytes[i]); };
  size_t length = 0;
  uint32_t codepoint = 0;
  uint8_t lead = byte(0);
  if (lead < 0x80) {
    length = 1;
    codepoint = lead;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    codepoint = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    codepoint = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    codepoint = lead & 0x07;
  } else {
    return std::nullopt;
  }
  if (bytes.size() != length) return std::nullopt;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return std::nullopt;
    codepoint = (codepoint << 6) | (byte(i) & 0x3F);
  }
  // Re-encoding rejects overlong forms; the range checks reject surrogates and > U+10FFFF.
  if (codepoint > kMaxCodepoint) return std::nullopt;
  if (codepoint >= kFirstSurrogate && codepoint <= kLastSurrogate) return std::nullopt;
  if (EncodeUtf8(codepoint) != bytes) return std::nullopt;
  return codepoint;
}

std::vector<CodepointRange> MatchedCodepoints(const Expr& char_class) {
  // Clip the written ranges to valid code points, then complement if negated, then remove the
  // surrogate block; the written ranges are already sorted and disjoint (GrammarBuilder).
  std::vector<CodepointRange> written;
  for (const CodepointRange& range : char_class.ranges) {
    if (range.lo > kMaxCodepoint || range.lo > range.hi) continue;
    written.push_back({range.lo, std::min(range.hi, kMaxCodepoint)});
  }
  std::vector<CodepointRange> matched;
  if (!char_class.negated) {
    matched = std::move(written);
  } else {
    uint32_t next = 0;
    for (const CodepointRange& range : written) {
      if (range.lo > next) matched.push_back({next, range.lo - 1});
      next = range.hi + 1;
    }
    if (next <= kMaxCodepoint) matched.push_back({next, kMaxCodepoint});
  }
  std::vector<CodepointRange> without_surrogates;
  for (const CodepointRange& range : matched) {
    if (range.lo < kFirstSurrogate) {
      without_surrogates.push_back({range.lo, std::min(range.hi, kFirstSurrogate - 1)});
    }
    if (range.hi > kLastSurrogate) {
      without_surrogates.push_back({std::max(range.lo, kLastSurrogate + 1), range.hi});
    }
  }
  return without_surrogates;
}

}  // namespace xgrammar
