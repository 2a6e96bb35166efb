// The optimisation pipeline: the passes of grammar_opt/, each in its own file, run in a fixed
// order. Every pass maps a Grammar to a Grammar with the same language.
#ifndef XGRAMMAR_GRAMMAR_OPT_PIPELINE_H_
#define XGRAMMAR_GRAMMAR_OPT_PIPELINE_H_

#include "cpp/grammar.h"

namespace xgrammar {

// Runs every pass in order; the result has the same language as `grammar`.
GrammarPtr OptimizeGrammar(const GrammarPtr& grammar);

}  // namespace xgrammar

#endif  // XGRAMMAR_GRAMMAR_OPT_PIPELINE_H_
