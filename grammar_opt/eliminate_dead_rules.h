// Dead-rule elimination: drops what can never be part of a sentence.
//
// Entry point: `EliminateDeadRules`. Two steps, each exact:
//  1. Unproductive parts go. An expression is productive when it derives at least one finite
//     string; a rule when its body is productive and so is its lookahead assertion, if any
//     (nothing can follow a rule whose assertion matches nothing). An unproductive alternative
//     of a choice is dropped, an unproductive child of an optional repetition leaves "", and a
//     rule that is unproductive is removed together with every expression that needs it.
//  2. Rules the root cannot reach (through bodies and lookaheads) go.
// Character classes that match no valid code point (e.g. `[^\x00-\U0010FFFF]`) are
// unproductive.
//
// The empty language: when the root itself is unproductive, no sentence exists. The result is
// then the root rule alone, with the empty character class `[]` (no code point) as its body and
// no lookahead; the engine built from it allows no token and no end of input. `IsEmptyLanguage`
// recognises that shape.
#ifndef XGRAMMAR_GRAMMAR_OPT_ELIMINATE_DEAD_RULES_H_
#define XGRAMMAR_GRAMMAR_OPT_ELIMINATE_DEAD_RULES_H_

#include <vector>

#include "cpp/grammar.h"

namespace xgrammar {

// Productivity of every expression and rule (a least fixpoint, no recursion).
struct Productivity {
  std::vector<bool> rule_productive;
  std::vector<bool> expr_productive;
};
Productivity ComputeProductivity(const Grammar& grammar);

GrammarPtr EliminateDeadRules(const Grammar& grammar);

// Whether `grammar` is the canonical empty-language grammar described above.
bool IsEmptyLanguage(const Grammar& grammar);

}  // namespace xgrammar

#endif  // XGRAMMAR_GRAMMAR_OPT_ELIMINATE_DEAD_RULES_H_
