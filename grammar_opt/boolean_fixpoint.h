// The least solution of a monotone system of boolean equations of the form
// "node is true once `needed` of its inputs are true", solved by propagation from the nodes
// that are true from the start. Nullability ("can derive the empty string") and productivity
// ("can derive some finite string") of expressions and rules are both such systems: a sequence
// needs all its children, a choice one of them, a rule reference its rule.
//
// Solving costs O(nodes + inputs) and uses no recursion, so rule cycles of any length and
// grammars of any depth are safe.
#ifndef XGRAMMAR_GRAMMAR_OPT_BOOLEAN_FIXPOINT_H_
#define XGRAMMAR_GRAMMAR_OPT_BOOLEAN_FIXPOINT_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "cpp/grammar.h"

namespace xgrammar {

class BooleanFixpoint {
 public:
  // Every node starts as "true once 1 input is true" with no inputs, i.e. never true.
  explicit BooleanFixpoint(int32_t num_nodes);
  // `node` becomes true once `needed` of its inputs are true; 0 makes it true from the start.
  // An input listed twice counts twice (a sequence `x x` needs both occurrences).
  void SetNeeded(int32_t node, int32_t needed);
  void AddInput(int32_t node, int32_t input);
  // The least solution: which nodes are true.
  std::vector<bool> Solve() const;

 private:
  std::vector<int32_t> needed_;
  std::vector<std::pair<int32_t, int32_t>> edges_;  // (input, node)
};

// The equations nullability and productivity share, with expression i as node i and rule r as
// node num_exprs + r: a sequence needs all its children, a choice one, a rule reference its
// rule, `x{0,n}` nothing, `x{m,n}` with m > 0 its child. Leaves (empty, byte string, character
// class) differ between the two analyses and are left to the caller.
void AddCompositeExprEquation(const Grammar& grammar, ExprId id, BooleanFixpoint* system);

}  // namespace xgrammar

#endif  // XGRAMMAR_GRAMMAR_OPT_BOOLEAN_FIXPOINT_H_
