// Code-point facts the passes need about literals and character classes: UTF-8 encoding and
// decoding of a single code point, and the set of code points a class really matches.
//
// Text is strict UTF-8 (DESIGN.md): a class never matches a surrogate (U+D800..U+DFFF) nor
// anything above U+10FFFF, whatever its ranges say, and a negated class matches the valid code
// points outside its ranges. `MatchedCodepoints` is the one place that spells this out.
#ifndef XGRAMMAR_GRAMMAR_OPT_CODE_POINTS_H_
#define XGRAMMAR_GRAMMAR_OPT_CODE_POINTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cpp/grammar.h"

namespace xgrammar {

inline constexpr uint32_t kFirstSurrogate = 0xD800;
inline constexpr uint32_t kLastSurrogate = 0xDFFF;

// The UTF-8 encoding of a valid code point (not a surrogate, at most U+10FFFF).
std::string EncodeUtf8(uint32_t codepoint);

// The code point when `bytes` is exactly one well-formed UTF-8 sequence, else nullopt.
std::optional<uint32_t> DecodeSingleCodepoint(const std::string& bytes);

// The valid code points a character class expression matches, as sorted, disjoint ranges
// without surrogates. Empty when the class matches nothing.
std::vector<CodepointRange> MatchedCodepoints(const Expr& char_class);

}  // namespace xgrammar

#endif  // XGRAMMAR_GRAMMAR_OPT_CODE_POINTS_H_
