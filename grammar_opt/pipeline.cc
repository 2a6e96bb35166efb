// The order of the passes; see pipeline.h.
#include "grammar_opt/pipeline.h"

namespace xgrammar {

GrammarPtr OptimizeGrammar(const GrammarPtr& grammar) { return grammar; }

}  // namespace xgrammar
