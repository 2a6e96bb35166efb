// The stack-free continuation approximation; see continuation_approximation.h.
#include "cpp/continuation_approximation.h"

#include <algorithm>

#include "cpp/cancel_poller.h"

namespace xgrammar {

ContinuationApproximation::ContinuationApproximation(const GrammarAutomaton& automaton,
                                                     const std::atomic<bool>* cancel)
    : automaton_(automaton),
      call_targets_(automaton.num_rules()),
      after_rule_(automaton.num_rules()),
      after_rule_unbounded_(automaton.num_rules(), 0) {
  for (StateId s = 0; s < automaton.num_states(); ++s) {
    for (const CallEdge& call : automaton.call_edges(s)) {
      call_targets_[call.rule].push_back(call.target);
    }
  }
  Scratch scratch;
  InitScratch(&scratch);
  CancelPoller poller(cancel);
  for (RuleId r = 0; r < automaton.num_rules(); ++r) {
    std::vector<StateId> states = call_targets_[r];
    // A closure visits at most kMaxTrackedStates states.
    poller.Tick(1 + static_cast<int64_t>(std::min(states.size(), kMaxTrackedStates)));
    if (!Close(&states, &scratch)) {
      after_rule_unbounded_[r] = 1;
      states.clear();
    }
    after_rule_[r] = std::move(states);
  }
}

void ContinuationApproximation::InitScratch(Scratch* scratch) const {
  scratch->mark.assign(static_cast<size_t>(automaton_.num_states()), 0);
  scratch->generation = 0;
}

bool ContinuationApproximation::Close(std::vector<StateId>* states, Scratch* scratch) const {
  if (++scratch->generation == 0) {
    std::fill(scratch->mark.begin(), scratch->mark.end(), 0);
    scratch->generation = 1;
  }
  const uint32_t gen = scratch->generation;
  std::vector<StateId>& stack = scratch->stack;
  stack.clear();
  std::vector<StateId>& result = scratch->result;
  result.clear();
  auto visit = [&](StateId s) {
    if (scratch->mark[s] != gen) {
      scratch->mark[s] = gen;
      stack.push_back(s);
    }
  };
  for (StateId s : *states) visit(s);
  while (!stack.empty()) {
    StateId s = stack.back();
    stack.pop_back();
    result.push_back(s);
    if (result.size() > kMaxTrackedStates) return false;
    if (automaton_.is_final(s)) {
      for (StateId t : call_targets_[automaton_.state_rule(s)]) visit(t);
    }
    for (const CallEdge& call : automaton_.call_edges(s)) {
      visit(automaton_.rule_start(call.rule));
      if (automaton_.rule_nullable(call.rule)) visit(call.target);
    }
  }
  std::sort(result.begin(), result.end());
  states->swap(result);
  return true;
}

bool ContinuationApproximation::Step(const std::vector<StateId>& from, uint8_t byte,
                                     std::vector<StateId>* out, Scratch* scratch) const {
  for (StateId s : from) {
    for (const ByteEdge& edge : automaton_.byte_edges(s)) {
      if (edge.lo <= byte && byte <= edge.hi) out->push_back(edge.target);
    }
  }
  return Close(out, scratch);
}

bool ContinuationApproximation::MergeClosed(const std::vector<StateId>& extra,
                                            std::vector<StateId>* out, Scratch* scratch) const {
  out->insert(out->end(), extra.begin(), extra.end());
  return Close(out, scratch);
}

}  // namespace xgrammar
