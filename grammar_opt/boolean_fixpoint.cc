// Worklist propagation of a monotone boolean system; see boolean_fixpoint.h.
#include "grammar_opt/boolean_fixpoint.h"

namespace xgrammar {

BooleanFixpoint::BooleanFixpoint(int32_t num_nodes) : needed_(num_nodes, 1) {}

void BooleanFixpoint::SetNeeded(int32_t node, int32_t needed) { needed_[node] = needed; }

void BooleanFixpoint::AddInput(int32_t node, int32_t input) { edges_.emplace_back(input, node); }

std::vector<bool> BooleanFixpoint::Solve() const {
  const int32_t num_nodes = static_cast<int32_t>(needed_.size());
  // Dependents of each input in compressed rows: dependents_of[start[i] .. start[i + 1]).
  std::vector<int32_t> start(num_nodes + 1, 0);
  for (const auto& [input, node] : edges_) ++start[input + 1];
  for (int32_t i = 0; i < num_nodes; ++i) start[i + 1] += start[i];
  std::vector<int32_t> dependents_of(edges_.size());
  std::vector<int32_t> fill = start;
  for (const auto& [input, node] : edges_) dependents_of[fill[input]++] = node;

  std::vector<int32_t> still_needed = needed_;
  std::vector<bool> is_true(num_nodes, false);
  std::vector<int32_t> worklist;
  for (int32_t node = 0; node < num_nodes; ++node) {
    if (still_needed[node] <= 0) {
      is_true[node] = true;
      worklist.push_back(node);
    }
  }
  while (!worklist.empty()) {
    int32_t input = worklist.back();
    worklist.pop_back();
    for (int32_t k = start[input]; k < start[input + 1]; ++k) {
      int32_t node = dependents_of[k];
      if (is_true[node]) continue;
      if (--still_needed[node] <= 0) {
        is_true[node] = true;
        worklist.push_back(node);
      }
    }
  }
  return is_true;
}

void AddCompositeExprEquation(const Grammar& grammar, ExprId id, BooleanFixpoint* system) {
  const Expr& expr = grammar.expr(id);
  switch (expr.kind) {
    case ExprKind::kSequence:
      system->SetNeeded(id, static_cast<int32_t>(expr.children.size()));
      for (ExprId child : expr.children) system->AddInput(id, child);
      break;
    case ExprKind::kChoice:
      for (ExprId child : expr.children) system->AddInput(id, child);
      break;
    case ExprKind::kRuleRef:
      system->AddInput(id, grammar.num_exprs() + expr.rule);
      break;
    case ExprKind::kRepeat:
      if (expr.min == 0) {
        system->SetNeeded(id, 0);
      } else {
        system->AddInput(id, expr.children[0]);
      }
      break;
    case ExprKind::kEmpty:
    case ExprKind::kByteString:
    case ExprKind::kCharClass:
      break;
  }
}

}  // namespace xgrammar
