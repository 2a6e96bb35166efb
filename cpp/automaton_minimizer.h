// Merges automaton states that behave identically (bisimilar): same rule, same final flag, and
// edges on the same bytes and rule calls into merged states. Fewer states mean fewer mask-cache
// entries to precompute and fewer Earley items per step; the language is unchanged.
// Entry point: `MergeEquivalentStates`. Lookahead-machine states are kept as they are.
//
// Work bound: Moore's refinement needs one round per distinguishable "distance", so a long
// chain such as `[^"]{0,2000}` (16,000 states, 2,000 rounds) costs rounds x states signature
// computations -- measured 35 s before this bound. Stopping refinement early would merge
// states that differ (a wrong automaton), so past kMaxRefinementSignatures the input is returned
// unmerged instead: always correct, only less compact. `cancel` is polled with a CancelPoller
// (cpp/cancel_poller.h) for every state of every round.
#ifndef XGRAMMAR_CPP_AUTOMATON_MINIMIZER_H_
#define XGRAMMAR_CPP_AUTOMATON_MINIMIZER_H_

#include <atomic>
#include <cstdint>

#include "cpp/grammar_automaton.h"

namespace xgrammar {

// State signatures computed over all rounds before giving up on merging (about 0.5 s).
inline constexpr int64_t kMaxRefinementSignatures = 2'000'000;

GrammarAutomaton MergeEquivalentStates(const GrammarAutomaton& automaton,
                                       const std::atomic<bool>* cancel = nullptr);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_AUTOMATON_MINIMIZER_H_
