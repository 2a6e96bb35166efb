// Follow analysis for context expansion: for every rule, the bytes its text can start with, the
// bytes that can come right after it in a sentence, and whether it can end a sentence. The
// compiler uses it to reject, without looking at the stack, a token that runs past the end of a
// rule into a byte that can never follow that rule.
//
// Entry point: `ComputeFollowInfo`. The sets are conservative supersets: if byte b follows rule
// R in some sentence of the grammar, b is in follow_bytes[R]; if some sentence ends right where
// R ends, can_end_input[R] is true. They are exact for grammars without lookaheads up to the
// usual approximation of follow sets (contexts are merged, so a byte that follows R in one
// place counts everywhere).
//
// Character classes are code points: their first bytes are the UTF-8 lead bytes of the code
// points they match (negated classes: of the valid code points outside their ranges), strict
// UTF-8 only, so never C0, C1 or F5..FF. A literal starts with its first byte.
//
// Lookahead assertions: a rule R with assertion L is always followed by text that starts with
// a string of L. When L cannot derive the empty string, follow_bytes[R] is intersected with
// L's first bytes and can_end_input[R] is false; the restriction then flows into the rules that
// end where R ends. A nullable L restricts nothing. The expressions inside an assertion match a
// prefix of the rest of the sentence, so the rules used there may be followed by anything.
//
// Rules that occur in no sentence (unreachable or unproductive ones) may get empty sets.
// Computed as least fixpoints by worklist propagation: no recursion, near-linear time.
#ifndef XGRAMMAR_GRAMMAR_OPT_FOLLOW_H_
#define XGRAMMAR_GRAMMAR_OPT_FOLLOW_H_

#include <array>
#include <cstdint>
#include <vector>

#include "cpp/grammar.h"

namespace xgrammar {

// A set of bytes, one bit each.
struct ByteSet {
  std::array<uint64_t, 4> words{};
  bool Test(uint8_t b) const { return (words[b >> 6] >> (b & 63)) & 1; }
  void Set(uint8_t b) { words[b >> 6] |= uint64_t{1} << (b & 63); }
  void Merge(const ByteSet& other) {
    for (int i = 0; i < 4; ++i) words[i] |= other.words[i];
  }
  bool Empty() const { return (words[0] | words[1] | words[2] | words[3]) == 0; }
};

struct FollowInfo {
  // Per rule: the bytes a non-empty string of the rule can start with.
  std::vector<ByteSet> first_bytes;
  // Per rule: the bytes that can come right after the rule ends in some sentence.
  std::vector<ByteSet> follow_bytes;
  // Per rule: the rule can end exactly at the end of a sentence.
  std::vector<bool> can_end_input;
};

FollowInfo ComputeFollowInfo(const Grammar& grammar);

}  // namespace xgrammar

#endif  // XGRAMMAR_GRAMMAR_OPT_FOLLOW_H_
