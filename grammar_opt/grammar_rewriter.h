// The shared machinery of the passes that map a Grammar to a new Grammar.
//
// A pass walks the source expressions in increasing id order (children before parents), asks
// the rewriter for the new id of each one (a copy with new children, or whatever the pass builds
// instead), and finally hands over the new body and lookahead of every rule it keeps. `Finish`
// then drops the expressions no kept rule uses, so a pass may build scratch expressions freely,
// and checks the result against `Limits::max_grammar_size`.
//
// Rules keep their names and their relative order; the root always survives.
#ifndef XGRAMMAR_GRAMMAR_OPT_GRAMMAR_REWRITER_H_
#define XGRAMMAR_GRAMMAR_OPT_GRAMMAR_REWRITER_H_

#include <vector>

#include "cpp/grammar.h"

namespace xgrammar {

// Which expressions the bodies and lookaheads of the rules with `rule_used[r]` reach, not
// following rule references.
std::vector<bool> ExprsUsedByRules(const Grammar& grammar, const std::vector<bool>& rule_used);

// Which rules the root reaches through bodies and lookaheads, following rule references.
std::vector<bool> RulesReachableFromRoot(const Grammar& grammar);

class GrammarRewriter {
 public:
  // `keep_rule[r]`: whether rule r of `source` is in the result; the root is always kept.
  GrammarRewriter(const Grammar& source, std::vector<bool> keep_rule);

  GrammarBuilder& builder() { return builder_; }
  const Expr& new_expr(ExprId new_id) const { return builder_.expr(new_id); }
  // The id in the result of a kept source rule; -1 for a dropped one.
  RuleId NewRuleId(RuleId source_rule) const { return new_rule_id_[source_rule]; }

  // A copy of source expression `source_id` with `new_children` in place of its children (ignored
  // for leaves). A rule reference is renumbered; it must point to a kept rule.
  ExprId CopyWithChildren(ExprId source_id, std::vector<ExprId> new_children);
  // Sequence and choice of new expressions; they count the children they create against
  // `Limits::max_grammar_size` so that flattening shared structure cannot blow up silently.
  ExprId Sequence(std::vector<ExprId> new_children);
  ExprId Choice(std::vector<ExprId> new_children);

  // The result: kept rule r gets body `new_body[r]` and lookahead `new_lookahead[r]` (kNoExpr
  // for none), both indexed by source rule id.
  GrammarPtr Finish(const std::vector<ExprId>& new_body, const std::vector<ExprId>& new_lookahead);
  // `Finish` for a pass that mapped every used source expression `e` to `new_id[e]`: each kept
  // rule gets the images of its source body and lookahead.
  GrammarPtr FinishWithExprMap(const std::vector<ExprId>& new_id);

 private:
  void CountNewChildren(size_t count);
  const Grammar& source_;
  std::vector<bool> keep_rule_;
  std::vector<RuleId> new_rule_id_;
  GrammarBuilder builder_;
  int64_t children_created_ = 0;
  int64_t max_grammar_size_ = 0;
};

// A copy of `grammar` without the expressions that no rule uses, ids renumbered in order.
GrammarPtr DropUnusedExprs(const Grammar& grammar);

}  // namespace xgrammar

#endif  // XGRAMMAR_GRAMMAR_OPT_GRAMMAR_REWRITER_H_
