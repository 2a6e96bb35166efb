// The optimisation pipeline: the passes of grammar_opt/, each in its own file, run in a fixed
// order. Every pass maps a Grammar to a Grammar with the same language, so the pipeline does.
//
// Order and why:
//  1. EliminateDeadRules  - unproductive alternatives and unreachable rules go before anything
//                           is copied into its users;
//  2. InlineRules         - small helper rules move into their users;
//  3. NormalizeStructure  - flattens what the front end and the inlining nested, merges
//                           single-code-point alternatives into classes, drops "" in sequences;
//  4. FuseByteStrings     - literals made adjacent by 3 become one.
// Each pass rebuilds the expression pool (about a microsecond per expression), so the list is
// kept short: normalising before inlining too would only let a few more rules fit the inlining
// threshold.
// An empty language comes out as the grammar described in eliminate_dead_rules.h.
#ifndef XGRAMMAR_GRAMMAR_OPT_PIPELINE_H_
#define XGRAMMAR_GRAMMAR_OPT_PIPELINE_H_

#include "cpp/grammar.h"

namespace xgrammar {

// Runs every pass in order; the result has the same language as `grammar`.
GrammarPtr OptimizeGrammar(const GrammarPtr& grammar);

}  // namespace xgrammar

#endif  // XGRAMMAR_GRAMMAR_OPT_PIPELINE_H_
