// Nullability analysis: which rules and which expressions can derive the empty string.
//
// Entry points: `ComputeNullability` (rules and expressions) and `ComputeNullableRules` (rules
// only). A lookahead assertion does not change whether a rule's own text can be empty, so it is
// ignored here. The analysis is a least fixpoint (grammar_opt/boolean_fixpoint.h): linear time,
// no recursion, correct for left recursion and rule cycles (`a ::= a` is not nullable).
#ifndef XGRAMMAR_GRAMMAR_OPT_NULLABLE_H_
#define XGRAMMAR_GRAMMAR_OPT_NULLABLE_H_

#include <vector>

#include "cpp/grammar.h"

namespace xgrammar {

struct Nullability {
  std::vector<bool> rule_nullable;  // indexed by RuleId
  std::vector<bool> expr_nullable;  // indexed by ExprId
};

Nullability ComputeNullability(const Grammar& grammar);

std::vector<bool> ComputeNullableRules(const Grammar& grammar);

}  // namespace xgrammar

#endif  // XGRAMMAR_GRAMMAR_OPT_NULLABLE_H_
