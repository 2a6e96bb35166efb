// Nullability as a boolean fixpoint over expressions and rules; see nullable.h.
#include "grammar_opt/nullable.h"

#include "grammar_opt/boolean_fixpoint.h"

namespace xgrammar {

Nullability ComputeNullability(const Grammar& grammar) {
  const int32_t num_exprs = grammar.num_exprs();
  // Nodes: expression i is node i, rule r is node num_exprs + r.
  BooleanFixpoint system(num_exprs + grammar.num_rules());
  for (ExprId id = 0; id < num_exprs; ++id) {
    const Expr& expr = grammar.expr(id);
    switch (expr.kind) {
      case ExprKind::kEmpty:
        system.SetNeeded(id, 0);
        break;
      case ExprKind::kByteString:
      case ExprKind::kCharClass:
        break;  // never empty
      case ExprKind::kSequence:
      case ExprKind::kChoice:
      case ExprKind::kRuleRef:
      case ExprKind::kRepeat:
        AddCompositeExprEquation(grammar, id, &system);
        break;
    }
  }
  for (RuleId rule = 0; rule < grammar.num_rules(); ++rule) {
    system.AddInput(num_exprs + rule, grammar.rule(rule).body);
  }
  std::vector<bool> solution = system.Solve();
  Nullability result;
  result.expr_nullable.assign(solution.begin(), solution.begin() + num_exprs);
  result.rule_nullable.assign(solution.begin() + num_exprs, solution.end());
  return result;
}

std::vector<bool> ComputeNullableRules(const Grammar& grammar) {
  return ComputeNullability(grammar).rule_nullable;
}

}  // namespace xgrammar
