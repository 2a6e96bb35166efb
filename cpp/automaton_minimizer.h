// Merges automaton states that behave identically (bisimilar): same rule, same final flag, and
// edges on the same bytes and rule calls into merged states. Fewer states mean fewer mask-cache
// entries to precompute and fewer Earley items per step; the language is unchanged.
// Entry point: `MergeEquivalentStates`. Lookahead-machine states are kept as they are.
#ifndef XGRAMMAR_CPP_AUTOMATON_MINIMIZER_H_
#define XGRAMMAR_CPP_AUTOMATON_MINIMIZER_H_

#include "cpp/grammar_automaton.h"

namespace xgrammar {

GrammarAutomaton MergeEquivalentStates(const GrammarAutomaton& automaton);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_AUTOMATON_MINIMIZER_H_
