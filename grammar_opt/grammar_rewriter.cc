// Rebuilding grammars expression by expression; see grammar_rewriter.h.
#include "grammar_opt/grammar_rewriter.h"

#include <string>
#include <utility>

#include "cpp/error.h"
#include "cpp/resource_limits.h"

namespace xgrammar {

std::vector<bool> ExprsUsedByRules(const Grammar& grammar, const std::vector<bool>& rule_used) {
  std::vector<bool> used(grammar.num_exprs(), false);
  for (RuleId rule = 0; rule < grammar.num_rules(); ++rule) {
    if (!rule_used[rule]) continue;
    used[grammar.rule(rule).body] = true;
    if (grammar.rule(rule).lookahead != kNoExpr) used[grammar.rule(rule).lookahead] = true;
  }
  // Children have smaller ids, so one descending sweep marks everything below a used parent.
  for (ExprId id = grammar.num_exprs() - 1; id >= 0; --id) {
    if (!used[id]) continue;
    for (ExprId child : grammar.expr(id).children) used[child] = true;
  }
  return used;
}

std::vector<bool> RulesReachableFromRoot(const Grammar& grammar) {
  std::vector<bool> rule_reached(grammar.num_rules(), false);
  std::vector<bool> expr_seen(grammar.num_exprs(), false);
  std::vector<RuleId> rule_stack = {grammar.root()};
  rule_reached[grammar.root()] = true;
  std::vector<ExprId> expr_stack;
  while (!rule_stack.empty()) {
    const Rule& rule = grammar.rule(rule_stack.back());
    rule_stack.pop_back();
    expr_stack.push_back(rule.body);
    if (rule.lookahead != kNoExpr) expr_stack.push_back(rule.lookahead);
    while (!expr_stack.empty()) {
      ExprId id = expr_stack.back();
      expr_stack.pop_back();
      if (expr_seen[id]) continue;
      expr_seen[id] = true;
      const Expr& expr = grammar.expr(id);
      if (expr.kind == ExprKind::kRuleRef && !rule_reached[expr.rule]) {
        rule_reached[expr.rule] = true;
        rule_stack.push_back(expr.rule);
      }
      for (ExprId child : expr.children) expr_stack.push_back(child);
    }
  }
  return rule_reached;
}

GrammarRewriter::GrammarRewriter(const Grammar& source, std::vector<bool> keep_rule)
    : source_(source),
      keep_rule_(std::move(keep_rule)),
      new_rule_id_(source.num_rules(), -1),
      max_grammar_size_(GetLimits().max_grammar_size) {
  keep_rule_[source.root()] = true;
  for (RuleId rule = 0; rule < source.num_rules(); ++rule) {
    if (keep_rule_[rule]) new_rule_id_[rule] = builder_.AddRule(source.rule(rule).name);
  }
  builder_.SetRoot(new_rule_id_[source.root()]);
}

void GrammarRewriter::CountNewChildren(size_t count) {
  children_created_ += static_cast<int64_t>(count);
  if (children_created_ > max_grammar_size_) {
    ThrowError(ErrorKind::kLimitExceeded, "optimising the grammar would exceed max_grammar_size (" +
                                              std::to_string(max_grammar_size_) +
                                              " rules and expressions)");
  }
}

ExprId GrammarRewriter::Sequence(std::vector<ExprId> new_children) {
  CountNewChildren(new_children.size());
  return builder_.Sequence(std::move(new_children));
}

ExprId GrammarRewriter::Choice(std::vector<ExprId> new_children) {
  CountNewChildren(new_children.size());
  return builder_.Choice(std::move(new_children));
}

ExprId GrammarRewriter::CopyWithChildren(ExprId source_id, std::vector<ExprId> new_children) {
  const Expr& expr = source_.expr(source_id);
  switch (expr.kind) {
    case ExprKind::kEmpty:
      return builder_.Empty();
    case ExprKind::kByteString:
      return builder_.ByteString(expr.bytes);
    case ExprKind::kCharClass:
      return builder_.CharClass(expr.ranges, expr.negated);
    case ExprKind::kSequence:
      return Sequence(std::move(new_children));
    case ExprKind::kChoice:
      return Choice(std::move(new_children));
    case ExprKind::kRuleRef:
      if (new_rule_id_[expr.rule] < 0) {
        ThrowError(ErrorKind::kInvalidGrammar,
                   "internal error: a grammar pass kept a reference "
                   "to the dropped rule \"" +
                       source_.rule(expr.rule).name + "\"");
      }
      return builder_.RuleRef(new_rule_id_[expr.rule]);
    case ExprKind::kRepeat:
      return builder_.Repeat(new_children[0], expr.min, expr.max);
  }
  return builder_.Empty();
}

GrammarPtr GrammarRewriter::Finish(const std::vector<ExprId>& new_body,
                                   const std::vector<ExprId>& new_lookahead) {
  for (RuleId rule = 0; rule < source_.num_rules(); ++rule) {
    if (!keep_rule_[rule]) continue;
    builder_.SetBody(new_rule_id_[rule], new_body[rule]);
    if (new_lookahead[rule] != kNoExpr)
      builder_.SetLookahead(new_rule_id_[rule], new_lookahead[rule]);
  }
  GrammarPtr result = DropUnusedExprs(*builder_.Build());
  if (result->num_rules() + result->num_exprs() > max_grammar_size_) {
    ThrowError(ErrorKind::kLimitExceeded, "optimising the grammar would exceed max_grammar_size (" +
                                              std::to_string(max_grammar_size_) +
                                              " rules and expressions)");
  }
  return result;
}

GrammarPtr GrammarRewriter::FinishWithExprMap(const std::vector<ExprId>& new_id) {
  std::vector<ExprId> body(source_.num_rules(), kNoExpr);
  std::vector<ExprId> lookahead(source_.num_rules(), kNoExpr);
  for (RuleId rule = 0; rule < source_.num_rules(); ++rule) {
    if (!keep_rule_[rule]) continue;
    body[rule] = new_id[source_.rule(rule).body];
    if (source_.rule(rule).lookahead != kNoExpr) {
      lookahead[rule] = new_id[source_.rule(rule).lookahead];
    }
  }
  return Finish(body, lookahead);
}

GrammarPtr DropUnusedExprs(const Grammar& grammar) {
  std::vector<bool> all_rules(grammar.num_rules(), true);
  std::vector<bool> used = ExprsUsedByRules(grammar, all_rules);
  GrammarBuilder builder;
  for (const Rule& rule : grammar.rules()) builder.AddRule(rule.name);
  builder.SetRoot(grammar.root());
  std::vector<ExprId> new_id(grammar.num_exprs(), kNoExpr);
  for (ExprId id = 0; id < grammar.num_exprs(); ++id) {
    if (!used[id]) continue;
    const Expr& expr = grammar.expr(id);
    switch (expr.kind) {
      case ExprKind::kEmpty:
        new_id[id] = builder.Empty();
        break;
      case ExprKind::kByteString:
        new_id[id] = builder.ByteString(expr.bytes);
        break;
      case ExprKind::kCharClass:
        new_id[id] = builder.CharClass(expr.ranges, expr.negated);
        break;
      case ExprKind::kSequence:
      case ExprKind::kChoice: {
        std::vector<ExprId> children;
        children.reserve(expr.children.size());
        for (ExprId child : expr.children) children.push_back(new_id[child]);
        new_id[id] = expr.kind == ExprKind::kSequence ? builder.Sequence(std::move(children))
                                                      : builder.Choice(std::move(children));
        break;
      }
      case ExprKind::kRuleRef:
        new_id[id] = builder.RuleRef(expr.rule);
        break;
      case ExprKind::kRepeat:
        new_id[id] = builder.Repeat(new_id[expr.children[0]], expr.min, expr.max);
        break;
    }
  }
  for (RuleId rule = 0; rule < grammar.num_rules(); ++rule) {
    builder.SetBody(rule, new_id[grammar.rule(rule).body]);
    if (grammar.rule(rule).lookahead != kNoExpr) {
      builder.SetLookahead(rule, new_id[grammar.rule(rule).lookahead]);
    }
  }
  return builder.Build();
}

}  // namespace xgrammar
