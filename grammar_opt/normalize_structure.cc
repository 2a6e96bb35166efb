// Structure normalisation; see normalize_structure.h for the rewrites.
#include "grammar_opt/normalize_structure.h"

#include <algorithm>
#include <optional>
#include <unordered_set>
#include <utility>

#include "grammar_opt/code_points.h"
#include "grammar_opt/grammar_rewriter.h"

namespace xgrammar {
namespace {

class StructureNormalizer {
 public:
  explicit StructureNormalizer(const Grammar& grammar)
      : source_(grammar), rewriter_(grammar, std::vector<bool>(grammar.num_rules(), true)) {}

  GrammarPtr Run() {
    std::vector<bool> used =
        ExprsUsedByRules(source_, std::vector<bool>(source_.num_rules(), true));
    std::vector<ExprId> new_id(source_.num_exprs(), kNoExpr);
    for (ExprId id = 0; id < source_.num_exprs(); ++id) {
      if (!used[id]) continue;
      const Expr& expr = source_.expr(id);
      std::vector<ExprId> children;
      children.reserve(expr.children.size());
      for (ExprId child : expr.children) children.push_back(new_id[child]);
      switch (expr.kind) {
        case ExprKind::kSequence:
          new_id[id] = NormalizeSequence(children);
          break;
        case ExprKind::kChoice:
          new_id[id] = NormalizeChoice(children);
          break;
        case ExprKind::kRepeat:
          new_id[id] = NormalizeRepeat(children[0], expr.min, expr.max);
          break;
        case ExprKind::kCharClass:
          new_id[id] = NormalizeCharClass(expr);
          break;
        default:
          new_id[id] = rewriter_.CopyWithChildren(id, std::move(children));
          break;
      }
    }
    return rewriter_.FinishWithExprMap(new_id);
  }

 private:
  const Expr& New(ExprId id) const { return rewriter_.new_expr(id); }

  ExprId NormalizeSequence(const std::vector<ExprId>& children) {
    std::vector<ExprId> flat;
    for (ExprId child : children) {
      const Expr& expr = New(child);
      if (expr.kind == ExprKind::kEmpty) continue;
      if (expr.kind == ExprKind::kSequence) {
        // The child is already normalised, so its own children are neither sequences nor "".
        flat.insert(flat.end(), expr.children.begin(), expr.children.end());
      } else {
        flat.push_back(child);
      }
    }
    return rewriter_.Sequence(std::move(flat));
  }

  // The code points an alternative matches when it matches exactly one code point each time.
  std::optional<std::vector<CodepointRange>> SingleCodepointSet(ExprId id) const {
    const Expr& expr = New(id);
    if (expr.kind == ExprKind::kCharClass && !expr.negated) return expr.ranges;
    if (expr.kind == ExprKind::kByteString) {
      if (std::optional<uint32_t> codepoint = DecodeSingleCodepoint(expr.bytes)) {
        return std::vector<CodepointRange>{{*codepoint, *codepoint}};
      }
    }
    return std::nullopt;
  }

  ExprId NormalizeChoice(const std::vector<ExprId>& children) {
    std::vector<ExprId> flat;
    for (ExprId child : children) {
      const Expr& expr = New(child);
      if (expr.kind == ExprKind::kChoice) {
        flat.insert(flat.end(), expr.children.begin(), expr.children.end());
      } else {
        flat.push_back(child);
      }
    }
    // Merge the single-code-point alternatives into the place of the first one.
    std::vector<CodepointRange> merged_ranges;
    int32_t single_codepoint_alternatives = 0;
    size_t merged_position = flat.size();
    for (size_t i = 0; i < flat.size(); ++i) {
      if (std::optional<std::vector<CodepointRange>> ranges = SingleCodepointSet(flat[i])) {
        merged_ranges.insert(merged_ranges.end(), ranges->begin(), ranges->end());
        ++single_codepoint_alternatives;
        merged_position = std::min(merged_position, i);
      }
    }
    std::vector<ExprId> alternatives;
    std::unordered_set<ExprId> seen;
    for (size_t i = 0; i < flat.size(); ++i) {
      ExprId alternative = flat[i];
      if (single_codepoint_alternatives >= 2 && SingleCodepointSet(alternative)) {
        if (i != merged_position) continue;
        Expr merged;
        merged.kind = ExprKind::kCharClass;
        merged.ranges = std::move(merged_ranges);
        alternative = NormalizeCharClass(merged);
      }
      // Interning gives identical alternatives the same id.
      if (seen.insert(alternative).second) alternatives.push_back(alternative);
    }
    return rewriter_.Choice(std::move(alternatives));
  }

  ExprId NormalizeCharClass(const Expr& char_class) {
    GrammarBuilder& builder = rewriter_.builder();
    ExprId normalized = builder.CharClass(char_class.ranges, char_class.negated);
    const Expr& expr = New(normalized);
    if (!expr.negated && expr.ranges.size() == 1 && expr.ranges[0].lo == expr.ranges[0].hi) {
      uint32_t codepoint = expr.ranges[0].lo;
      bool valid =
          codepoint <= kMaxCodepoint && (codepoint < kFirstSurrogate || codepoint > kLastSurrogate);
      if (valid) return builder.ByteString(EncodeUtf8(codepoint));
    }
    return normalized;
  }

  ExprId NormalizeRepeat(ExprId child, int32_t min, int32_t max) {
    GrammarBuilder& builder = rewriter_.builder();
    if (max == 0 || New(child).kind == ExprKind::kEmpty) return builder.Empty();
    if (min == 1 && max == 1) return child;
    const Expr& inner = New(child);
    if (inner.kind == ExprKind::kRepeat) {
      // (x{0,n})? is x{0,n}: the inner repetition already allows "" and one round of it.
      if (min == 0 && max == 1 && inner.min == 0) return child;
      // With both bounds in {?, *, +}, x{c,d}{a,b} is x{a*c, d*b} (any unbounded is unbounded):
      // e.g. (x+)? = x*, (x?)+ = x*, (x+)+ = x+.
      auto is_simple = [](int32_t lo, int32_t hi) {
        return (lo == 0 || lo == 1) && (hi == 1 || hi == kUnbounded);
      };
      if (is_simple(min, max) && is_simple(inner.min, inner.max)) {
        int32_t merged_max = (max == kUnbounded || inner.max == kUnbounded) ? kUnbounded : 1;
        ExprId grandchild = inner.children[0];
        int32_t merged_min = min * inner.min;
        return NormalizeRepeat(grandchild, merged_min, merged_max);
      }
    }
    return builder.Repeat(child, min, max);
  }

  const Grammar& source_;
  GrammarRewriter rewriter_;
};

}  // namespace

GrammarPtr NormalizeStructure(const Grammar& grammar) { return StructureNormalizer(grammar).Run(); }

}  // namespace xgrammar
