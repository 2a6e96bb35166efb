// Dead-rule elimination; see eliminate_dead_rules.h.
#include "grammar_opt/eliminate_dead_rules.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "grammar_opt/boolean_fixpoint.h"
#include "grammar_opt/code_points.h"
#include "grammar_opt/grammar_rewriter.h"

namespace xgrammar {

Productivity ComputeProductivity(const Grammar& grammar) {
  const int32_t num_exprs = grammar.num_exprs();
  // Nodes: expression i is node i, rule r is node num_exprs + r.
  BooleanFixpoint system(num_exprs + grammar.num_rules());
  for (ExprId id = 0; id < num_exprs; ++id) {
    const Expr& expr = grammar.expr(id);
    switch (expr.kind) {
      case ExprKind::kEmpty:
      case ExprKind::kByteString:
        system.SetNeeded(id, 0);
        break;
      case ExprKind::kCharClass:
        if (!MatchedCodepoints(expr).empty()) system.SetNeeded(id, 0);
        break;
      case ExprKind::kSequence:
      case ExprKind::kChoice:
      case ExprKind::kRuleRef:
      case ExprKind::kRepeat:
        AddCompositeExprEquation(grammar, id, &system);
        break;
    }
  }
  for (RuleId rule = 0; rule < grammar.num_rules(); ++rule) {
    const Rule& definition = grammar.rule(rule);
    system.AddInput(num_exprs + rule, definition.body);
    if (definition.lookahead != kNoExpr) {
      system.SetNeeded(num_exprs + rule, 2);
      system.AddInput(num_exprs + rule, definition.lookahead);
    }
  }
  std::vector<bool> solution = system.Solve();
  Productivity result;
  result.expr_productive.assign(solution.begin(), solution.begin() + num_exprs);
  result.rule_productive.assign(solution.begin() + num_exprs, solution.end());
  return result;
}

namespace {

GrammarPtr EmptyLanguageGrammar(const Grammar& grammar) {
  GrammarBuilder builder;
  RuleId root = builder.AddRule(grammar.rule(grammar.root()).name);
  builder.SetBody(root, builder.CharClass({}, /*negated=*/false));
  builder.SetRoot(root);
  return builder.Build();
}

GrammarPtr DropUnproductive(const Grammar& grammar, const Productivity& productivity) {
  GrammarRewriter rewriter(grammar, productivity.rule_productive);
  std::vector<bool> used = ExprsUsedByRules(grammar, productivity.rule_productive);
  std::vector<ExprId> new_id(grammar.num_exprs(), kNoExpr);
  for (ExprId id = 0; id < grammar.num_exprs(); ++id) {
    if (!used[id] || !productivity.expr_productive[id]) continue;
    const Expr& expr = grammar.expr(id);
    std::vector<ExprId> children;
    for (ExprId child : expr.children) {
      if (new_id[child] == kNoExpr) continue;
      // An optional repetition of something unproductive became ""; a sequence needs no "".
      bool empty = rewriter.new_expr(new_id[child]).kind == ExprKind::kEmpty;
      if (expr.kind == ExprKind::kSequence && empty &&
          grammar.expr(child).kind != ExprKind::kEmpty) {
        continue;
      }
      children.push_back(new_id[child]);
    }
    if (expr.kind == ExprKind::kRepeat && children.empty()) {
      new_id[id] = rewriter.builder().Empty();  // x{0,n} with x unproductive is just ""
    } else {
      // A productive sequence has only productive children, a productive choice at least one.
      new_id[id] = rewriter.CopyWithChildren(id, std::move(children));
    }
  }
  return rewriter.FinishWithExprMap(new_id);
}

GrammarPtr DropUnreachable(const Grammar& grammar) {
  std::vector<bool> reachable = RulesReachableFromRoot(grammar);
  GrammarRewriter rewriter(grammar, reachable);
  std::vector<bool> used = ExprsUsedByRules(grammar, reachable);
  std::vector<ExprId> new_id(grammar.num_exprs(), kNoExpr);
  for (ExprId id = 0; id < grammar.num_exprs(); ++id) {
    if (!used[id]) continue;
    std::vector<ExprId> children;
    for (ExprId child : grammar.expr(id).children) children.push_back(new_id[child]);
    new_id[id] = rewriter.CopyWithChildren(id, std::move(children));
  }
  return rewriter.FinishWithExprMap(new_id);
}

}  // namespace

GrammarPtr EliminateDeadRules(const Grammar& grammar) {
  Productivity productivity = ComputeProductivity(grammar);
  if (!productivity.rule_productive[grammar.root()]) return EmptyLanguageGrammar(grammar);
  // Most grammars have nothing to drop: skip the rebuilds then.
  const auto all_true = [](const std::vector<bool>& flags) {
    return std::find(flags.begin(), flags.end(), false) == flags.end();
  };
  GrammarPtr productive =
      all_true(productivity.rule_productive) && all_true(productivity.expr_productive)
          ? std::make_shared<const Grammar>(grammar)
          : DropUnproductive(grammar, productivity);
  if (all_true(RulesReachableFromRoot(*productive))) return productive;
  return DropUnreachable(*productive);
}

bool IsEmptyLanguage(const Grammar& grammar) {
  if (grammar.num_rules() != 1) return false;
  const Rule& root = grammar.rule(grammar.root());
  const Expr& body = grammar.expr(root.body);
  return root.lookahead == kNoExpr && body.kind == ExprKind::kCharClass && !body.negated &&
         body.ranges.empty();
}

}  // namespace xgrammar
