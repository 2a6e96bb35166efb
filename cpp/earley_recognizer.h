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
// is shared and immutable.
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
  // `memo_sets` > 0 turns on the transition memo (see below) with room for that many sets.
  explicit EarleyRecognizer(const GrammarAutomaton* automaton, int32_t memo_sets = 0);

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
  // The memo id of the current set when it is interned and self-contained (every item that
  // can still act began in it or is of the bottom rule instance), so that the sets to come
  // depend on it alone; -1 otherwise or with the memo off.
  int32_t SelfContainedMemoId() const {
    const size_t last = set_memo_id_.size() - 1;
    return set_slot_begin_[last] == set_slot_begin_[last + 1] ? set_memo_id_[last] : -1;
  }
  // Empties the transition memo when it is full, so that the walks to come can fill it again;
  // returns whether it did (memo ids given out before are then void). Call between walks.
  bool ClearMemoIfFull();
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

  // Transition memo. The next set depends only on the items of the current set that can
  // still act (those with a byte or a call edge: an item that has ended has done its work)
  // and on the sets their completions look up. Sets are interned in a canonical form (origins
  // written as kBottomOrigin, kMemoCurrent for "began in this set", or a slot number for an
  // older set), and a transition is recorded when its completions looked up no set older than
  // the one it came from: then it is a function of the canonical form and the byte, and the
  // slots of the new set are slots of the old one or the old set itself. A walk through string
  // content, a loop of one-byte rules or any repeated shape then copies a few items per byte
  // instead of scanning and closing, and the walks from many start states share the memo.
  struct MemoTransition {
    int32_t to;         // memo id of the new set
    int32_t map_begin;  // memo_slot_sources_[map_begin, + slots of `to`)
  };
  static constexpr int32_t kMemoCurrent = -2;  // canonical origin: began in its own set
  static constexpr int32_t kMemoUnknown = -1;  // memo_next_: not seen yet, or not memoizable
  static constexpr int32_t kMemoDead = -2;     // memo_next_: no parse takes the byte
  int32_t MemoizeCurrentSet();
  void AppendMemoTransition(int32_t transition, int32_t from_set);
  void RecordMemoTransition(int32_t from_memo_id, uint8_t byte, int32_t from_set);

  int32_t memo_capacity_ = 0;
  std::vector<int32_t> set_memo_id_;        // per set: its memo id, or -1
  std::vector<int32_t> set_slot_begin_{0};  // set i's slots: slot_origins_[[i], [i + 1])
  std::vector<int32_t> slot_origins_;       // the set index each slot stands for
  std::vector<EarleyItem> memo_items_;      // memo set i: memo_items_[memo_begin_[i], [i + 1])
  std::vector<int32_t> memo_begin_{0};
  std::vector<uint8_t> memo_flags_;
  std::vector<int32_t> memo_slot_count_;
  std::vector<int32_t> memo_next_;  // memo id * 256 + byte: a memo_transitions_ index or kMemo*
  std::vector<MemoTransition> memo_transitions_;
  std::vector<int32_t> memo_slot_sources_;  // -1: the set it came from; j: that set's slot j
  std::unordered_map<uint64_t, std::vector<int32_t>> memo_index_;
  std::vector<EarleyItem> memo_scratch_;
  std::vector<int32_t> memo_scratch_slots_;
  bool closure_left_window_ = false;  // the closure looked up a set older than the previous
};

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_EARLEY_RECOGNIZER_H_
