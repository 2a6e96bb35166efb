// Code-point ranges to UTF-8 byte-range sequences: the bridge between the IR's character
// classes (code points) and the byte automata. Strict UTF-8: surrogates (U+D800..U+DFFF) and
// anything above U+10FFFF are never produced, and every sequence is the shortest encoding.
#ifndef XGRAMMAR_CPP_UTF8_RANGES_H_
#define XGRAMMAR_CPP_UTF8_RANGES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "cpp/grammar.h"

namespace xgrammar {

struct ByteRange {
  uint8_t lo;
  uint8_t hi;
};

// A sequence of 1 to 4 byte ranges; the strings it matches are exactly the UTF-8 encodings of
// one contiguous block of code points.
using Utf8Sequence = std::vector<ByteRange>;

// The code points of a character class (negation applied, surrogates removed), as sorted,
// disjoint ranges.
std::vector<CodepointRange> ResolveCharClass(const std::vector<CodepointRange>& ranges,
                                             bool negated);

// Splits sorted, disjoint, surrogate-free code-point ranges into UTF-8 byte-range sequences
// whose union matches exactly the encodings of those code points.
std::vector<Utf8Sequence> CodepointRangesToUtf8(const std::vector<CodepointRange>& ranges);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_UTF8_RANGES_H_
