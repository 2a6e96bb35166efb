// Code-point ranges to UTF-8 byte-range sequences; see utf8_ranges.h. The split follows the
// classic construction: first cut a range where the encoded length changes, then cut it until
// every continuation position spans a whole 6-bit block or lies under one common prefix.
#include "cpp/utf8_ranges.h"

#include <algorithm>
#include <utility>

#include "cpp/utf8_codec.h"

namespace xgrammar {
namespace {

constexpr uint32_t kSurrogateLo = 0xD800;
constexpr uint32_t kSurrogateHi = 0xDFFF;

int EncodedLength(uint32_t codepoint) {
  if (codepoint < 0x80) return 1;
  if (codepoint < 0x800) return 2;
  if (codepoint < 0x10000) return 3;
  return 4;
}

}  // namespace

std::vector<CodepointRange> ResolveCharClass(const std::vector<CodepointRange>& ranges,
                                             bool negated) {
  std::vector<CodepointRange> sorted = ranges;
  std::sort(sorted.begin(), sorted.end(),
            [](const CodepointRange& a, const CodepointRange& b) { return a.lo < b.lo; });
  std::vector<CodepointRange> merged;
  for (CodepointRange r : sorted) {
    r.hi = std::min(r.hi, kMaxCodepoint);
    if (r.lo > r.hi) continue;
    if (!merged.empty() && r.lo <= merged.back().hi + 1) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  std::vector<CodepointRange> positive;
  if (negated) {
    uint32_t next = 0;
    for (const CodepointRange& r : merged) {
      if (r.lo > next) positive.push_back({next, r.lo - 1});
      next = r.hi + 1;
    }
    if (next <= kMaxCodepoint) positive.push_back({next, kMaxCodepoint});
  } else {
    positive = std::move(merged);
  }
  // Remove the surrogate block: strict UTF-8 never encodes it.
  std::vector<CodepointRange> result;
  for (const CodepointRange& r : positive) {
    if (r.hi < kSurrogateLo || r.lo > kSurrogateHi) {
      result.push_back(r);
      continue;
    }
    if (r.lo < kSurrogateLo) result.push_back({r.lo, kSurrogateLo - 1});
    if (r.hi > kSurrogateHi) result.push_back({kSurrogateHi + 1, r.hi});
  }
  return result;
}

std::vector<Utf8Sequence> CodepointRangesToUtf8(const std::vector<CodepointRange>& ranges) {
  static constexpr uint32_t kLengthEnds[] = {0x7F, 0x7FF, 0xFFFF, 0x10FFFF};
  std::vector<Utf8Sequence> result;
  std::vector<CodepointRange> work(ranges.rbegin(), ranges.rend());
  while (!work.empty()) {
    CodepointRange r = work.back();
    work.pop_back();
    // Cut where the encoded length changes.
    bool was_cut = false;
    for (uint32_t end : kLengthEnds) {
      if (r.lo <= end && r.hi > end) {
        work.push_back({end + 1, r.hi});
        work.push_back({r.lo, end});
        was_cut = true;
        break;
      }
    }
    if (was_cut) continue;
    int length = EncodedLength(r.lo);
    // Cut until every continuation byte either spans its full block or shares the prefix.
    for (int i = 1; i < length && !was_cut; ++i) {
      uint32_t mask = (1u << (6 * i)) - 1;
      if ((r.lo & ~mask) != (r.hi & ~mask)) {
        if ((r.lo & mask) != 0) {
          work.push_back({(r.lo | mask) + 1, r.hi});
          work.push_back({r.lo, r.lo | mask});
          was_cut = true;
        } else if ((r.hi & mask) != mask) {
          work.push_back({r.hi & ~mask, r.hi});
          work.push_back({r.lo, (r.hi & ~mask) - 1});
          was_cut = true;
        }
      }
    }
    if (was_cut) continue;
    std::string lo_bytes;
    std::string hi_bytes;
    AppendUtf8Codepoint(&lo_bytes, r.lo);
    AppendUtf8Codepoint(&hi_bytes, r.hi);
    Utf8Sequence sequence;
    for (size_t i = 0; i < lo_bytes.size(); ++i) {
      sequence.push_back({static_cast<uint8_t>(lo_bytes[i]), static_cast<uint8_t>(hi_bytes[i])});
    }
    result.push_back(std::move(sequence));
  }
  return result;
}

}  // namespace xgrammar
