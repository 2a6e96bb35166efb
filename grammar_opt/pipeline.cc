// The order of the passes; see pipeline.h.
#include "grammar_opt/pipeline.h"

#include "grammar_opt/eliminate_dead_rules.h"
#include "grammar_opt/fuse_byte_strings.h"
#include "grammar_opt/inline_rules.h"
#include "grammar_opt/normalize_structure.h"

namespace xgrammar {

GrammarPtr OptimizeGrammar(const GrammarPtr& grammar) {
  GrammarPtr result = NormalizeStructure(*grammar);
  result = EliminateDeadRules(*result);
  result = InlineRules(*result);
  result = NormalizeStructure(*result);
  return FuseByteStrings(*result);
}

}  // namespace xgrammar
