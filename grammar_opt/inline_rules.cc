// Rule inlining; see inline_rules.h.
#include "grammar_opt/inline_rules.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "cpp/error.h"
#include "grammar_opt/grammar_rewriter.h"
#include "grammar_opt/recursive_rules.h"

namespace xgrammar {

GrammarPtr InlineRules(const Grammar& grammar, int32_t max_inlined_rule_size) {
  const int32_t num_exprs = grammar.num_exprs();
  const int32_t num_rules = grammar.num_rules();
  std::vector<bool> recursive = FindRecursiveRules(grammar);
  std::vector<bool> candidate(num_rules, false);
  for (RuleId rule = 0; rule < num_rules; ++rule) {
    candidate[rule] =
        rule != grammar.root() && grammar.rule(rule).lookahead == kNoExpr && !recursive[rule];
  }
  std::vector<bool> used = ExprsUsedByRules(grammar, std::vector<bool>(num_rules, true));

  // The processing order (Kahn's algorithm): an expression is ready once its children are done
  // and, for a reference to a candidate rule, once that rule's body is done.
  std::vector<int32_t> pending_inputs(num_exprs, 0);
  std::vector<std::vector<ExprId>> dependents(num_exprs);
  for (ExprId id = 0; id < num_exprs; ++id) {
    if (!used[id]) continue;
    const Expr& expr = grammar.expr(id);
    for (ExprId child : expr.children) {
      dependents[child].push_back(id);
      ++pending_inputs[id];
    }
    if (expr.kind == ExprKind::kRuleRef && candidate[expr.rule]) {
      dependents[grammar.rule(expr.rule).body].push_back(id);
      ++pending_inputs[id];
    }
  }
  std::vector<ExprId> ready;
  for (ExprId id = num_exprs - 1; id >= 0; --id) {
    if (used[id] && pending_inputs[id] == 0) ready.push_back(id);
  }

  // Tree sizes saturate just above the threshold: only "small enough or not" matters.
  const int32_t size_cap = max_inlined_rule_size + 1;
  std::vector<int32_t> tree_size(num_exprs, 0);
  std::vector<bool> inlined(num_rules, false);
  std::vector<bool> decided(num_rules, false);
  std::vector<ExprId> new_id(num_exprs, kNoExpr);
  // The rewriter needs the surviving rules up front, so the first sweep only decides (by size)
  // and records the order; the second builds.
  std::vector<ExprId> order;
  order.reserve(num_exprs);
  while (!ready.empty()) {
    ExprId id = ready.back();
    ready.pop_back();
    order.push_back(id);
    const Expr& expr = grammar.expr(id);
    int32_t size = 1;
    if (expr.kind == ExprKind::kRuleRef && candidate[expr.rule]) {
      int32_t body_size = tree_size[grammar.rule(expr.rule).body];
      if (!decided[expr.rule]) {
        decided[expr.rule] = true;
        inlined[expr.rule] = body_size <= max_inlined_rule_size;
      }
      if (inlined[expr.rule]) size = body_size;
    }
    for (ExprId child : expr.children) size = std::min(size_cap, size + tree_size[child]);
    if (expr.kind == ExprKind::kRepeat) {
      // The automaton unrolls `x{m,n}` into n copies of x: inlining a rule that holds one
      // multiplies its copies by every use, so count what will be built, not the tree.
      int64_t copies = std::max<int64_t>(1, expr.max == kUnbounded ? expr.min : expr.max);
      size = static_cast<int32_t>(std::min<int64_t>(
          size_cap, 1 + copies * static_cast<int64_t>(tree_size[expr.children[0]])));
    }
    tree_size[id] = std::min(size, size_cap);
    for (ExprId dependent : dependents[id]) {
      if (--pending_inputs[dependent] == 0) ready.push_back(dependent);
    }
  }
  for (ExprId id = 0; id < num_exprs; ++id) {
    if (used[id] && pending_inputs[id] != 0) {
      ThrowError(ErrorKind::kInvalidGrammar,
                 "internal error: rule inlining found a cycle through non-recursive rules");
    }
  }

  if (std::find(inlined.begin(), inlined.end(), true) == inlined.end()) {
    return std::make_shared<const Grammar>(grammar);
  }
  std::vector<bool> keep_rule(num_rules);
  for (RuleId rule = 0; rule < num_rules; ++rule) keep_rule[rule] = !inlined[rule];
  GrammarRewriter rewriter(grammar, keep_rule);
  for (ExprId id : order) {
    const Expr& expr = grammar.expr(id);
    if (expr.kind == ExprKind::kRuleRef && inlined[expr.rule]) {
      new_id[id] = new_id[grammar.rule(expr.rule).body];
      continue;
    }
    std::vector<ExprId> children;
    children.reserve(expr.children.size());
    for (ExprId child : expr.children) children.push_back(new_id[child]);
    new_id[id] = rewriter.CopyWithChildren(id, std::move(children));
  }
  return rewriter.FinishWithExprMap(new_id);
}

}  // namespace xgrammar
