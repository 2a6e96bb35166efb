// Union and concatenation of grammars; see grammar_combinators.h.
#include "cpp/grammar_combinators.h"

#include <string>
#include <utility>

#include "cpp/error.h"

namespace xgrammar {
namespace {

std::string FreeRuleName(const GrammarBuilder& builder, const std::string& name) {
  if (builder.FindRule(name) < 0) return name;
  for (int suffix = 1;; ++suffix) {
    std::string candidate = name + "_" + std::to_string(suffix);
    if (builder.FindRule(candidate) < 0) return candidate;
  }
}

// Copies every rule and expression of `grammar` into `builder`; returns the new root's id.
RuleId CopyGrammar(const Grammar& grammar, GrammarBuilder* builder) {
  std::vector<RuleId> rule_ids;
  for (const Rule& rule : grammar.rules()) {
    rule_ids.push_back(builder->AddRule(FreeRuleName(*builder, rule.name)));
  }
  // Children precede parents in the pool, so one pass in id order maps every child first.
  std::vector<ExprId> expr_ids;
  expr_ids.reserve(grammar.exprs().size());
  for (const Expr& expr : grammar.exprs()) {
    std::vector<ExprId> children;
    for (ExprId child : expr.children) children.push_back(expr_ids[child]);
    ExprId id = kNoExpr;
    switch (expr.kind) {
      case ExprKind::kEmpty:
        id = builder->Empty();
        break;
      case ExprKind::kByteString:
        id = builder->ByteString(expr.bytes);
        break;
      case ExprKind::kCharClass:
        id = builder->CharClass(expr.ranges, expr.negated);
        break;
      case ExprKind::kSequence:
        id = builder->Sequence(std::move(children));
        break;
      case ExprKind::kChoice:
        id = builder->Choice(std::move(children));
        break;
      case ExprKind::kRuleRef:
        id = builder->RuleRef(rule_ids[expr.rule]);
        break;
      case ExprKind::kRepeat:
        id = builder->Repeat(children[0], expr.min, expr.max);
        break;
    }
    expr_ids.push_back(id);
  }
  for (RuleId rule = 0; rule < grammar.num_rules(); ++rule) {
    builder->SetBody(rule_ids[rule], expr_ids[grammar.rule(rule).body]);
    if (grammar.rule(rule).lookahead != kNoExpr) {
      builder->SetLookahead(rule_ids[rule], expr_ids[grammar.rule(rule).lookahead]);
    }
  }
  return rule_ids[grammar.root()];
}

GrammarPtr Combine(const std::vector<GrammarPtr>& grammars, bool is_union) {
  if (grammars.empty()) {
    ThrowError(ErrorKind::kInvalidArgument,
               std::string(is_union ? "union" : "concat") + " needs at least one grammar");
  }
  GrammarBuilder builder;
  const RuleId root = builder.AddRule("root");
  std::vector<ExprId> parts;
  for (const GrammarPtr& grammar : grammars) {
    if (grammar == nullptr) ThrowError(ErrorKind::kInvalidArgument, "a grammar is None");
    parts.push_back(builder.RuleRef(CopyGrammar(*grammar, &builder)));
  }
  builder.SetBody(root,
                  is_union ? builder.Choice(std::move(parts)) : builder.Sequence(std::move(parts)));
  builder.SetRoot(root);
  return builder.Build();
}

}  // namespace

GrammarPtr UnionGrammars(const std::vector<GrammarPtr>& grammars) {
  return Combine(grammars, /*is_union=*/true);
}

GrammarPtr ConcatGrammars(const std::vector<GrammarPtr>& grammars) {
  return Combine(grammars, /*is_union=*/false);
}

}  // namespace xgrammar
