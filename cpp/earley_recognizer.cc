// The Earley recognizer over byte automata; see earley_recognizer.h.
//
// A set is built in two steps: scan (items of the previous set whose byte edges take the byte)
// and closure (predict the rules called from each item, complete items whose rule has ended
// by advancing the parents that called it). Nullable rules are also stepped over at
// prediction time (Aycock and Horspool), so completions never miss a parent added later to
// the same set.
#include "cpp/earley_recognizer.h"

#include <algorithm>
#include <utility>

namespace xgrammar {
namespace {

constexpr size_t kLinearDedupLimit = 24;

uint64_t ItemKey(const EarleyItem& item) {
  uint64_t key = (static_cast<uint64_t>(static_cast<uint32_t>(item.state)) << 32) |
                 static_cast<uint32_t>(item.origin);
  key ^= static_cast<uint64_t>(item.la_init) * 0x9E3779B97F4A7C15ULL;
  key ^= static_cast<uint64_t>(item.la_cur) * 0xC2B2AE3D27D4EB4FULL;
  return key;
}

}  // namespace

EarleyRecognizer::EarleyRecognizer(const GrammarAutomaton* automaton, int32_t memo_sets)
    : automaton_(automaton), memo_capacity_(memo_sets) {
  lookaheads_.emplace_back();  // id 0: nothing pending
}

void EarleyRecognizer::Reset(StateId start_state) {
  items_.clear();
  set_begin_.assign(1, 0);
  set_flags_.clear();
  set_memo_id_.clear();
  set_slot_begin_.assign(1, 0);
  slot_origins_.clear();
  AddItem({start_state, kBottomOrigin, 0, 0});
  CloseCurrentSet();
}

// Interns the set just closed and records its slots; returns its memo id, or -1.
int32_t EarleyRecognizer::MemoizeCurrentSet() {
  if (memo_capacity_ == 0) {
    set_slot_begin_.push_back(static_cast<int32_t>(slot_origins_.size()));
    return -1;
  }
  const int32_t current = num_sets() - 1;
  memo_scratch_.clear();
  memo_scratch_slots_.clear();
  uint64_t hash = set_flags_.back();
  for (const EarleyItem& item : CurrentItems()) {
    if (automaton_->byte_edges(item.state).empty() && automaton_->call_edges(item.state).empty()) {
      continue;
    }
    EarleyItem canonical = item;
    if (item.origin == current) {
      canonical.origin = kMemoCurrent;
    } else if (item.origin != kBottomOrigin) {
      auto slot = std::find(memo_scratch_slots_.begin(), memo_scratch_slots_.end(), item.origin);
      canonical.origin = static_cast<int32_t>(slot - memo_scratch_slots_.begin());
      if (slot == memo_scratch_slots_.end()) memo_scratch_slots_.push_back(item.origin);
    }
    memo_scratch_.push_back(canonical);
    hash = (hash * 0x100000001B3ULL) ^ ItemKey(canonical);
  }
  int32_t id = -1;
  std::vector<int32_t>& bucket = memo_index_[hash];
  for (int32_t candidate : bucket) {
    if (memo_flags_[candidate] == set_flags_.back() &&
        std::equal(memo_scratch_.begin(), memo_scratch_.end(),
                   memo_items_.begin() + memo_begin_[candidate],
                   memo_items_.begin() + memo_begin_[candidate + 1])) {
      id = candidate;
      break;
    }
  }
  if (id < 0 && static_cast<int32_t>(memo_flags_.size()) < memo_capacity_) {
    id = static_cast<int32_t>(memo_flags_.size());
    memo_items_.insert(memo_items_.end(), memo_scratch_.begin(), memo_scratch_.end());
    memo_begin_.push_back(static_cast<int32_t>(memo_items_.size()));
    memo_flags_.push_back(set_flags_.back());
    memo_slot_count_.push_back(static_cast<int32_t>(memo_scratch_slots_.size()));
    memo_next_.resize(memo_next_.size() + 256, kMemoUnknown);
    bucket.push_back(id);
  }
  if (id >= 0) {
    slot_origins_.insert(slot_origins_.end(), memo_scratch_slots_.begin(),
                         memo_scratch_slots_.end());
  }
  set_slot_begin_.push_back(static_cast<int32_t>(slot_origins_.size()));
  return id;
}

bool EarleyRecognizer::ClearMemoIfFull() {
  if (memo_capacity_ == 0 || static_cast<int32_t>(memo_flags_.size()) < memo_capacity_) {
    return false;
  }
  std::fill(set_memo_id_.begin(), set_memo_id_.end(), -1);
  memo_items_.clear();
  memo_begin_.assign(1, 0);
  memo_flags_.clear();
  memo_slot_count_.clear();
  memo_next_.clear();
  memo_transitions_.clear();
  memo_slot_sources_.clear();
  memo_index_.clear();
  return true;
}

// Appends the set a recorded transition from set `from_set` leads to.
void EarleyRecognizer::AppendMemoTransition(int32_t transition, int32_t from_set) {
  const MemoTransition move = memo_transitions_[transition];
  const int32_t index = num_sets();  // the index the new set gets
  const int32_t from_slots = set_slot_begin_[from_set];
  const size_t new_slots = slot_origins_.size();
  for (int32_t k = 0; k < memo_slot_count_[move.to]; ++k) {
    const int32_t source = memo_slot_sources_[move.map_begin + k];
    const int32_t origin = source < 0 ? from_set : slot_origins_[from_slots + source];
    slot_origins_.push_back(origin);
  }
  set_slot_begin_.push_back(static_cast<int32_t>(slot_origins_.size()));
  for (int32_t k = memo_begin_[move.to]; k < memo_begin_[move.to + 1]; ++k) {
    EarleyItem item = memo_items_[k];
    if (item.origin == kMemoCurrent) {
      item.origin = index;
    } else if (item.origin != kBottomOrigin) {
      item.origin = slot_origins_[new_slots + static_cast<size_t>(item.origin)];
    }
    items_.push_back(item);
  }
  set_begin_.push_back(static_cast<int32_t>(items_.size()));
  set_flags_.push_back(memo_flags_[move.to]);
  set_memo_id_.push_back(move.to);
}

// Records how the set after `from_set` (just closed, interned) came from it on `byte`.
void EarleyRecognizer::RecordMemoTransition(int32_t from_memo_id, uint8_t byte, int32_t from_set) {
  const int32_t to = set_memo_id_.back();
  const int32_t new_set = num_sets() - 1;
  const int32_t map_begin = static_cast<int32_t>(memo_slot_sources_.size());
  for (int32_t k = set_slot_begin_[new_set]; k < set_slot_begin_[new_set + 1]; ++k) {
    const int32_t origin = slot_origins_[k];
    int32_t source = -1;
    if (origin != from_set) {
      const auto first = slot_origins_.begin() + set_slot_begin_[from_set];
      const auto last = slot_origins_.begin() + set_slot_begin_[from_set + 1];
      const auto found = std::find(first, last, origin);
      if (found == last) {  // cannot happen without a completion into an older set
        memo_slot_sources_.resize(static_cast<size_t>(map_begin));
        return;
      }
      source = static_cast<int32_t>(found - first);
    }
    memo_slot_sources_.push_back(source);
  }
  memo_next_[static_cast<size_t>(from_memo_id) * 256 + byte] =
      static_cast<int32_t>(memo_transitions_.size());
  memo_transitions_.push_back({to, map_begin});
}

void EarleyRecognizer::AddItem(const EarleyItem& item) {
  size_t begin = static_cast<size_t>(set_begin_.back());
  size_t size = items_.size() - begin;
  if (!dedup_active_) {
    for (size_t i = begin; i < items_.size(); ++i) {
      if (items_[i] == item) return;
    }
    if (size + 1 > kLinearDedupLimit) {
      dedup_active_ = true;
      dedup_.clear();
      for (size_t i = begin; i < items_.size(); ++i) {
        dedup_[ItemKey(items_[i])].push_back(static_cast<int32_t>(i));
      }
    }
  } else {
    auto it = dedup_.find(ItemKey(item));
    if (it != dedup_.end()) {
      for (int32_t i : it->second) {
        if (items_[i] == item) return;
      }
    }
  }
  if (dedup_active_) dedup_[ItemKey(item)].push_back(static_cast<int32_t>(items_.size()));
  items_.push_back(item);
}

int32_t EarleyRecognizer::InternLookahead(std::vector<StateId> states) {
  if (states.empty()) return 0;
  std::sort(states.begin(), states.end());
  states.erase(std::unique(states.begin(), states.end()), states.end());
  uint64_t hash = states.size();
  for (StateId s : states) hash = hash * 0x100000001B3ULL ^ static_cast<uint32_t>(s);
  std::vector<int32_t>& bucket = lookahead_index_[hash];
  for (int32_t id : bucket) {
    if (lookaheads_[id] == states) return id;
  }
  lookaheads_.push_back(std::move(states));
  bucket.push_back(static_cast<int32_t>(lookaheads_.size()) - 1);
  return bucket.back();
}

int32_t EarleyRecognizer::AddAssertion(int32_t la, RuleId rule) {
  StateId start = automaton_->rule_lookahead_start(rule);
  if (start < 0) return la;
  std::vector<StateId> states = lookaheads_[la];
  states.push_back(start);
  return InternLookahead(std::move(states));
}

int32_t EarleyRecognizer::AdvanceLookahead(int32_t la, uint8_t byte) {
  if (la == 0) return 0;
  std::vector<StateId> next;
  for (StateId s : lookaheads_[la]) {
    StateId t = automaton_->LookaheadStep(s, byte);
    if (t < 0) return -1;
    if (!automaton_->is_final(t)) next.push_back(t);
  }
  return InternLookahead(std::move(next));
}

void EarleyRecognizer::CloseCurrentSet() {
  const int32_t current = static_cast<int32_t>(set_begin_.size()) - 1;
  uint8_t flags = 0;
  for (size_t k = static_cast<size_t>(set_begin_.back()); k < items_.size(); ++k) {
    const EarleyItem item = items_[k];
    if (automaton_->is_final(item.state)) {
      RuleId rule = automaton_->state_rule(item.state);
      int32_t la = AddAssertion(item.la_cur, rule);
      if (item.origin == kBottomOrigin) {
        flags |= la == 0 ? kEndedClean : kEndedPending;
      } else {
        closure_left_window_ = closure_left_window_ || item.origin < current - 1;
        size_t lo = static_cast<size_t>(set_begin_[item.origin]);
        size_t hi = item.origin == current ? items_.size()
                                           : static_cast<size_t>(set_begin_[item.origin + 1]);
        for (size_t p = lo; p < hi; ++p) {
          const EarleyItem parent = items_[p];
          if (parent.la_cur != item.la_init) continue;
          for (const CallEdge& call : automaton_->call_edges(parent.state)) {
            if (call.rule == rule) AddItem({call.target, parent.origin, parent.la_init, la});
          }
        }
      }
    }
    for (const CallEdge& call : automaton_->call_edges(item.state)) {
      AddItem({automaton_->rule_start(call.rule), current, item.la_cur, item.la_cur});
      if (automaton_->rule_nullable(call.rule)) {
        AddItem({call.target, item.origin, item.la_init, AddAssertion(item.la_cur, call.rule)});
      }
    }
  }
  dedup_active_ = false;
  set_begin_.push_back(static_cast<int32_t>(items_.size()));
  set_flags_.push_back(flags);
  set_memo_id_.push_back(MemoizeCurrentSet());
}

bool EarleyRecognizer::PushByte(uint8_t byte) {
  const int32_t last = num_sets() - 1;
  const int32_t from = set_memo_id_.back();
  if (from >= 0) {
    const int32_t transition = memo_next_[static_cast<size_t>(from) * 256 + byte];
    if (transition == kMemoDead) return false;
    if (transition >= 0) {
      AppendMemoTransition(transition, last);
      return true;
    }
  }
  const size_t begin = static_cast<size_t>(set_begin_[last]);
  const size_t end = static_cast<size_t>(set_begin_[last + 1]);
  for (size_t i = begin; i < end; ++i) {
    const EarleyItem item = items_[i];
    for (const ByteEdge& edge : automaton_->byte_edges(item.state)) {
      if (byte < edge.lo || byte > edge.hi) continue;
      int32_t la = AdvanceLookahead(item.la_cur, byte);
      if (la < 0) continue;
      AddItem({edge.target, item.origin, item.la_init, la});
    }
  }
  if (items_.size() == end) {
    dedup_active_ = false;
    if (from >= 0) memo_next_[static_cast<size_t>(from) * 256 + byte] = kMemoDead;
    return false;
  }
  closure_left_window_ = false;
  CloseCurrentSet();
  if (from >= 0 && !closure_left_window_ && set_memo_id_.back() >= 0) {
    RecordMemoTransition(from, byte, last);
  }
  return true;
}

bool EarleyRecognizer::PushBytes(std::span<const uint8_t> bytes) {
  int32_t start = num_sets();
  for (uint8_t b : bytes) {
    if (!PushByte(b)) {
      Truncate(start);
      return false;
    }
  }
  return true;
}

void EarleyRecognizer::Truncate(int32_t num_sets_to_keep) {
  items_.resize(static_cast<size_t>(set_begin_[num_sets_to_keep]));
  set_begin_.resize(static_cast<size_t>(num_sets_to_keep) + 1);
  set_flags_.resize(static_cast<size_t>(num_sets_to_keep));
  set_memo_id_.resize(static_cast<size_t>(num_sets_to_keep));
  set_slot_begin_.resize(static_cast<size_t>(num_sets_to_keep) + 1);
  slot_origins_.resize(static_cast<size_t>(set_slot_begin_.back()));
}

void EarleyRecognizer::NextBytes(bool out[256]) const {
  std::fill(out, out + 256, false);
  for (const EarleyItem& item : CurrentItems()) {
    for (const ByteEdge& edge : automaton_->byte_edges(item.state)) {
      std::fill(out + edge.lo, out + edge.hi + 1, true);
    }
  }
}

size_t EarleyRecognizer::memory_size_bytes() const {
  return items_.capacity() * sizeof(EarleyItem) + set_begin_.capacity() * sizeof(int32_t) +
         set_flags_.capacity() + set_memo_id_.capacity() * sizeof(int32_t) +
         slot_origins_.capacity() * sizeof(int32_t) + memo_items_.capacity() * sizeof(EarleyItem) +
         (memo_next_.capacity() + memo_slot_sources_.capacity()) * sizeof(int32_t) +
         memo_transitions_.capacity() * sizeof(MemoTransition);
}

}  // namespace xgrammar
