// The optimisation pipeline: the passes of grammar_opt/, each in its own file, run in a fixed
// order. Every pass maps a Grammar to a Grammar with the same language, so the pipeline does.
//
// Order and why:
//  1. NormalizeStructure  - flat sequences and choices make every later pass see one shape;
//  2. EliminateDeadRules  - unproductive alternatives and unreachable rules go before anything
//                           is copied into its users;
//  3. InlineRules         - small helper rules move into their users;
//  4. NormalizeStructure  - inlined bodies are spliced into the sequences and choices around
//                           them, and merged character classes form;
//  5. FuseByteStrings     - literals made adjacent by 3 and 4 become one.
// An empty language comes out as the grammar described in eliminate_dead_rules.h.
#ifndef XGRAMMAR_GRAMMAR_OPT_PIPELINE_H_
#define XGRAMMAR_GRAMMAR_OPT_PIPELINE_H_

#include "cpp/grammar.h"

namespace xgrammar {

// Runs every pass in order; the result has the same language as `grammar`.
GrammarPtr OptimizeGrammar(const GrammarPtr& grammar);

}  // namespace xgrammar

#endif  // XGRAMMAR_GRAMMAR_OPT_PIPELINE_H_
