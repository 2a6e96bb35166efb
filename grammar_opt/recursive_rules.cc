// Tarjan's strongly connected components without recursion; see recursive_rules.h.
#include "grammar_opt/recursive_rules.h"

#include <algorithm>
#include <cstdint>

namespace xgrammar {
namespace {

// The graph: node e < num_exprs is expression e, node num_exprs + r is rule r.
class ExprRuleGraph {
 public:
  explicit ExprRuleGraph(const Grammar& grammar)
      : grammar_(grammar), num_exprs_(grammar.num_exprs()) {}
  int32_t num_nodes() const { return num_exprs_ + grammar_.num_rules(); }
  int32_t num_successors(int32_t node) const {
    if (node >= num_exprs_) return 1;
    const Expr& expr = grammar_.expr(node);
    return static_cast<int32_t>(expr.children.size()) + (expr.kind == ExprKind::kRuleRef ? 1 : 0);
  }
  int32_t successor(int32_t node, int32_t index) const {
    if (node >= num_exprs_) return grammar_.rule(node - num_exprs_).body;
    const Expr& expr = grammar_.expr(node);
    if (expr.kind == ExprKind::kRuleRef) return num_exprs_ + expr.rule;
    return expr.children[index];
  }
  int32_t num_exprs() const { return num_exprs_; }

 private:
  const Grammar& grammar_;
  int32_t num_exprs_;
};

}  // namespace

std::vector<bool> FindRecursiveRules(const Grammar& grammar) {
  ExprRuleGraph graph(grammar);
  const int32_t num_nodes = graph.num_nodes();
  constexpr int32_t kUnvisited = -1;
  std::vector<int32_t> order(num_nodes, kUnvisited);  // Tarjan's index
  std::vector<int32_t> low(num_nodes, 0);
  std::vector<bool> on_stack(num_nodes, false);
  std::vector<int32_t> component_stack;
  struct Frame {
    int32_t node;
    int32_t next_successor;
  };
  std::vector<Frame> frames;
  std::vector<bool> recursive(grammar.num_rules(), false);
  int32_t next_order = 0;

  auto visit = [&](int32_t node) {
    order[node] = low[node] = next_order++;
    component_stack.push_back(node);
    on_stack[node] = true;
    frames.push_back({node, 0});
  };

  for (int32_t start = 0; start < num_nodes; ++start) {
    if (order[start] != kUnvisited) continue;
    visit(start);
    while (!frames.empty()) {
      Frame& frame = frames.back();
      int32_t node = frame.node;
      if (frame.next_successor < graph.num_successors(node)) {
        int32_t next = graph.successor(node, frame.next_successor++);
        if (order[next] == kUnvisited) {
          visit(next);  // invalidates `frame`
        } else if (on_stack[next]) {
          low[node] = std::min(low[node], order[next]);
        }
        continue;
      }
      frames.pop_back();
      if (!frames.empty()) {
        int32_t parent = frames.back().node;
        low[parent] = std::min(low[parent], low[node]);
      }
      if (low[node] != order[node]) continue;
      // `node` roots a component; it is a cycle when it has more than one node (a node never
      // succeeds itself directly in this graph).
      std::vector<int32_t> component;
      int32_t member;
      do {
        member = component_stack.back();
        component_stack.pop_back();
        on_stack[member] = false;
        component.push_back(member);
      } while (member != node);
      if (component.size() > 1) {
        for (int32_t m : component) {
          if (m >= graph.num_exprs()) recursive[m - graph.num_exprs()] = true;
        }
      }
    }
  }
  return recursive;
}

}  // namespace xgrammar
