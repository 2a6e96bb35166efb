// Context expansion beyond one byte: a stack-free over-approximation of what can follow a rule.
//
// When a token runs past the end of the rule instance it started in, the precomputation cannot
// know the real stack. This approximation forgets it: after rule R ends, the parse may go on at
// the target of ANY call edge that calls R, and when that caller's rule ends, at the target of
// any call of the caller, and so on. Every real continuation is a path here, so a token whose
// remaining bytes have no path is rejected at compile time; only tokens that survive stay
// "uncertain" and are checked on the real stack at run time.
//
// Sets of automaton states are sorted vectors. Immutable after construction; `Step` takes
// caller-owned scratch so that one approximation serves all compile threads.
#ifndef XGRAMMAR_CPP_CONTINUATION_APPROXIMATION_H_
#define XGRAMMAR_CPP_CONTINUATION_APPROXIMATION_H_

#include <atomic>
#include <cstdint>
#include <vector>

#include "cpp/grammar_automaton.h"

namespace xgrammar {

class ContinuationApproximation {
 public:
  // Sets larger than this are not tracked: the approximation then answers "anything may
  // follow" (kUnbounded), which keeps compile time bounded on huge grammars at the price of
  // more run-time checks.
  static constexpr size_t kMaxTrackedStates = 4096;

  // Throws Error(kCancelled) soon after `cancel` is set (see cpp/cancel_poller.h).
  ContinuationApproximation(const GrammarAutomaton& automaton,
                            const std::atomic<bool>* cancel = nullptr);

  // The states where parsing may go on right after `rule` ends (closed: calls entered,
  // ended rules left again). `unbounded` is set instead when the set is too large.
  const std::vector<StateId>& AfterRule(RuleId rule) const { return after_rule_[rule]; }
  bool AfterRuleUnbounded(RuleId rule) const { return after_rule_unbounded_[rule] != 0; }

  // Scratch for Step/Close: one per thread.
  struct Scratch {
    std::vector<uint32_t> mark;
    uint32_t generation = 0;
    std::vector<StateId> stack;
    std::vector<StateId> result;  // reused by Close, so that steps allocate nothing
  };
  void InitScratch(Scratch* scratch) const;
  // The closed set of states reached from `from` by consuming `byte`, merged into `out`
  // (which may already hold states). Returns false when the set would exceed the bound.
  bool Step(const std::vector<StateId>& from, uint8_t byte, std::vector<StateId>* out,
            Scratch* scratch) const;
  // `out` := closure(out ∪ extra), sorted. Returns false when the set would exceed the bound.
  bool MergeClosed(const std::vector<StateId>& extra, std::vector<StateId>* out,
                   Scratch* scratch) const;

 private:
  bool Close(std::vector<StateId>* states, Scratch* scratch) const;

  const GrammarAutomaton& automaton_;
  // Per rule: the targets of every call edge that calls it.
  std::vector<std::vector<StateId>> call_targets_;
  std::vector<std::vector<StateId>> after_rule_;
  std::vector<uint8_t> after_rule_unbounded_;
};

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_CONTINUATION_APPROXIMATION_H_
