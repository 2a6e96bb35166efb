// Byte-string fusion; see fuse_byte_strings.h.
#include "grammar_opt/fuse_byte_strings.h"

#include <string>
#include <utility>

#include "grammar_opt/grammar_rewriter.h"

namespace xgrammar {

GrammarPtr FuseByteStrings(const Grammar& grammar) {
  GrammarRewriter rewriter(grammar, std::vector<bool>(grammar.num_rules(), true));
  std::vector<bool> used = ExprsUsedByRules(grammar, std::vector<bool>(grammar.num_rules(), true));
  std::vector<ExprId> new_id(grammar.num_exprs(), kNoExpr);
  for (ExprId id = 0; id < grammar.num_exprs(); ++id) {
    if (!used[id]) continue;
    const Expr& expr = grammar.expr(id);
    std::vector<ExprId> children;
    children.reserve(expr.children.size());
    for (ExprId child : expr.children) children.push_back(new_id[child]);
    if (expr.kind != ExprKind::kSequence) {
      new_id[id] = rewriter.CopyWithChildren(id, std::move(children));
      continue;
    }
    std::vector<ExprId> fused;
    std::string pending;  // the bytes of the current run of literals
    auto flush = [&]() {
      if (!pending.empty()) fused.push_back(rewriter.builder().ByteString(pending));
      pending.clear();
    };
    for (ExprId child : children) {
      const Expr& child_expr = rewriter.new_expr(child);
      if (child_expr.kind == ExprKind::kByteString) {
        pending += child_expr.bytes;
      } else if (child_expr.kind != ExprKind::kEmpty) {
        flush();
        fused.push_back(child);
      }
    }
    flush();
    new_id[id] = rewriter.Sequence(std::move(fused));
  }
  return rewriter.FinishWithExprMap(new_id);
}

}  // namespace xgrammar
