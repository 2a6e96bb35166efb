// The byte-level Earley recognizer over a GrammarAutomaton: the "persistent stack" of the
// matcher. Each accepted byte adds one Earley set; an item is (automaton state, origin set),
// and the origin links of all items form a graph-structured stack whose identical tops are
// merged, so ambiguity costs polynomial work and left recursion terminates. Rolling back is
// truncating the sets.
//
// The same recognizer precomputes the token-mask cache: started from a single state with no
// context ("bottom" origin), it records where the bottom rule could end.
//
// Not thread-safe: one recognizer per matcher (or per compile worker); the automaton it reads
// is shared and immutable. Inside a compile (a ThreadCancelScope, cpp/cancel_poller.h) a push
// may throw Error(kCancelled); the recognizer is then in no defined state and is discarded.
#ifndef XGRAMMAR_CPP_EARLEY_RECOGNIZER_H_
#define XGRAMMAR_CPP_EARLEY_RECOGNIZER_H_

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "cpp/grammar_automaton.h"

namespace xgrammar {

// The origin of the items the recognizer starts from: they have no parent.
inline constexpr int32_t kBottomOrigin = -1;

struct EarleyItem {
  StateId state;
  int32_t origin;   // index of the set where the item's rule instance started
  int32_t la_init;  // pending lookahead assertions when the rule instance started (an id)
  int32_t la_cur;   // pending lookahead assertions now; 0 = none
  // Field by field: the defaulted operator compiles to a memcmp call on this hot path.
  bool operator==(const EarleyItem& other) const {
    return state == other.state && origin == other.origin && la_init == other.la_init &&
           la_cur == other.la_cur;
  }
};

class EarleyRecognizer {
 public:
  explicit EarleyRecognizer(const GrammarAutomaton* automaton);

  // Drops all sets and starts over from `start_state` with no context.
  void Reset(StateId start_state);
  // Consumes one byte: adds a set and returns true, or returns false and changes nothing when
  // no parse can take the byte.
  bool PushByte(uint8_t byte);
  // Consumes bytes one by one; on failure restores the sets it started with.
  bool PushBytes(std::span<const uint8_t> bytes);
  // Keeps the first `num_sets` sets (num_sets >= 1).
  void Truncate(int32_t num_sets);
  int32_t num_sets() const { return static_cast<int32_t>(set_begin_.size()) - 1; }

  std::span<const EarleyItem> Items(int32_t set) const {
    return {items_.data() + set_begin_[set], items_.data() + set_begin_[set + 1]};
  }
  std::span<const EarleyItem> CurrentItems() const { return Items(num_sets() - 1); }
  // In the current set the starting rule instance has ended with no assertion pending: the
  // input so far is a complete string.
  bool CanEnd() const { return (set_flags_.back() & kEndedClean) != 0; }
  // In the current set the starting rule instance has ended (assertions may be pending).
  bool EndedAny() const { return (set_flags_.back() & (kEndedClean | kEndedPending)) != 0; }
  // Every byte some item of the current set can consume next.
  void NextBytes(bool out[256]) const;
  size_t memory_size_bytes() const;

 private:
  static constexpr uint8_t kEndedClean = 1;
  static constexpr uint8_t kEndedPending = 2;

  void AddItem(const EarleyItem& item);
  void CloseCurrentSet();
  int32_t InternLookahead(std::vector<StateId> states);
  int32_t AddAssertion(int32_t la, RuleId rule);
  int32_t AdvanceLookahead(int32_t la, uint8_t byte);  // -1 when an assertion fails

  const GrammarAutomaton* automaton_;
  std::vector<EarleyItem> items_;
  std::vector<int32_t> set_begin_;  // set i is items_[set_begin_[i], set_begin_[i + 1])
  std::vector<uint8_t> set_flags_;
  // Deduplication of the set under construction, used once it outgrows a linear scan.
  std::unordered_map<uint64_t, std::vector<int32_t>> dedup_;
  bool dedup_active_ = false;
  // Interned sets of pending lookahead-machine states; id 0 is the empty set.
  std::vector<std::vector<StateId>> lookaheads_;
  std::unordered_map<uint64_t, std::vector<int32_t>> lookahead_index_;
};

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_EARLEY_RECOGNIZER_H_
