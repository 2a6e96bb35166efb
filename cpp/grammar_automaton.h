// The pushdown structure of a compiled grammar: one byte automaton per rule, all states in one
// pool. A state has byte edges (consume one byte in a range), call edges (run another rule to
// its end, then continue at the target) and a final flag (the rule may end here). Epsilon
// edges are removed at build time, states that cannot reach a final state are trimmed, and
// rules whose language is empty lose every edge that calls them, so every state of the
// automaton lies on the way to a complete string: the matcher relies on that (a live parse is
// a viable prefix).
//
// Lookahead assertions compile to separate call-free automata ("lookahead machines"): when a
// rule with an assertion ends, the matcher keeps the machine's state beside the parse until the
// machine reaches a final state (satisfied) or gets stuck (that parse dies).
//
// Entry point: `BuildGrammarAutomaton(const Grammar&)`. The result is immutable.
#ifndef XGRAMMAR_CPP_GRAMMAR_AUTOMATON_H_
#define XGRAMMAR_CPP_GRAMMAR_AUTOMATON_H_

#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "cpp/grammar.h"

namespace xgrammar {

using StateId = int32_t;

struct ByteEdge {
  uint8_t lo;
  uint8_t hi;  // inclusive
  StateId target;
};

struct CallEdge {
  RuleId rule;
  StateId target;
};

class GrammarAutomaton {
 public:
  int32_t num_states() const { return static_cast<int32_t>(state_rule_.size()); }
  int32_t num_rules() const { return static_cast<int32_t>(rule_start_.size()); }
  // The rule a state belongs to; -1 for states of lookahead machines.
  RuleId state_rule(StateId s) const { return state_rule_[s]; }
  bool is_final(StateId s) const { return state_final_[s] != 0; }
  std::span<const ByteEdge> byte_edges(StateId s) const {
    return {byte_edges_.data() + byte_edge_offsets_[s],
            byte_edges_.data() + byte_edge_offsets_[s + 1]};
  }
  std::span<const CallEdge> call_edges(StateId s) const {
    return {call_edges_.data() + call_edge_offsets_[s],
            call_edges_.data() + call_edge_offsets_[s + 1]};
  }
  StateId rule_start(RuleId r) const { return rule_start_[r]; }
  // The rule derives the empty string.
  bool rule_nullable(RuleId r) const { return rule_nullable_[r] != 0; }
  // The rule derives at least one finite string.
  bool rule_productive(RuleId r) const { return rule_productive_[r] != 0; }
  // Start state of the rule's lookahead machine, or -1 when the rule has no assertion.
  StateId rule_lookahead_start(RuleId r) const { return rule_lookahead_start_[r]; }
  // For a lookahead machine state: the unique successor on `byte`, or -1 (machines are DFAs).
  StateId LookaheadStep(StateId s, uint8_t byte) const;
  size_t memory_size_bytes() const;

 private:
  friend class GrammarAutomatonBuilder;
  friend class GrammarAutomatonMinimizer;
  std::vector<RuleId> state_rule_;
  std::vector<uint8_t> state_final_;
  std::vector<int32_t> byte_edge_offsets_;
  std::vector<ByteEdge> byte_edges_;
  std::vector<int32_t> call_edge_offsets_;
  std::vector<CallEdge> call_edges_;
  std::vector<StateId> rule_start_;
  std::vector<uint8_t> rule_nullable_;
  std::vector<uint8_t> rule_productive_;
  std::vector<StateId> rule_lookahead_start_;
};

// Throws Error(kLimitExceeded) past Limits::max_automaton_states or max_nesting_depth,
// Error(kUnsupported) for a lookahead assertion that is not a regular language, and
// Error(kCancelled) soon after `cancel` is set (see cpp/cancel_poller.h).
GrammarAutomaton BuildGrammarAutomaton(const Grammar& grammar,
                                       const std::atomic<bool>* cancel = nullptr);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_GRAMMAR_AUTOMATON_H_
