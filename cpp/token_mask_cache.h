// The adaptive token-mask cache: for every automaton state that can consume a byte, the
// vocabulary split once, at compile time, into tokens that are
//   accepted  -- the token's bytes can be consumed without leaving the state's rule instance,
//                so the token is allowed whatever the stack below holds;
//   rejected  -- the token dies inside the rule, or would leave the rule with a next byte that
//                can never follow the rule (context expansion through follow bytes);
//   uncertain -- the token can leave the rule and continue in the caller: only the real stack
//                decides, so the matcher checks these at run time.
// Each state stores whichever of (accepted list, rejected list, accepted bitset) is smallest;
// uncertain tokens are kept as positions in the byte-sorted vocabulary, the order in which the
// matcher checks them reusing common prefixes.
//
// Entry point: `BuildTokenMaskCache`. The result is immutable and shared by every matcher.
#ifndef XGRAMMAR_CPP_TOKEN_MASK_CACHE_H_
#define XGRAMMAR_CPP_TOKEN_MASK_CACHE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "cpp/grammar_automaton.h"
#include "cpp/tokenizer_info.h"

namespace xgrammar {

struct StateTokenMask {
  enum class Storage : uint8_t { kNone, kAcceptedList, kRejectedList, kAcceptedBitset };
  Storage storage = Storage::kNone;
  std::vector<int32_t> tokens;     // token ids, sorted: accepted or rejected, per `storage`
  std::vector<uint32_t> bitset;    // kAcceptedBitset: one bit per token id
  std::vector<int32_t> uncertain;  // sorted-vocabulary positions, ascending
  size_t memory_size_bytes() const {
    return sizeof(*this) + (tokens.capacity() + bitset.capacity() + uncertain.capacity()) * 4;
  }
};

// A set of bytes, one bit each.
using ByteBitset = std::array<uint64_t, 4>;

struct TokenMaskCacheStats {
  int64_t states = 0;
  int64_t accepted = 0;
  int64_t rejected = 0;
  int64_t uncertain = 0;
};

using StateTokenMaskPtr = std::shared_ptr<const StateTokenMask>;

// `follow_bytes[rule]`: bytes that can come right after `rule` ends (a superset). Runs on
// `num_threads` threads; polls `cancel` and throws Error(kCancelled) soon after it is set.
// Returns one entry per automaton state, null for states that need none: states with no edge,
// and states entered only by prediction (a rule's start, reached through a call edge, is
// covered by the mask of the calling state). States reached by a byte or call edge, and
// `start_state`, get an entry. States that
// behave alike on every string as long as the longest token share one entry: the copies of a
// counted repetition `x{m,n}` are computed once, not n times.
std::vector<StateTokenMaskPtr> BuildTokenMaskCache(const GrammarAutomaton& automaton,
                                                   const TokenizerInfo& tokenizer,
                                                   const std::vector<ByteBitset>& follow_bytes,
                                                   StateId start_state, int num_threads,
                                                   const std::atomic<bool>* cancel,
                                                   TokenMaskCacheStats* stats);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_TOKEN_MASK_CACHE_H_
