// First and follow sets by worklist propagation; see follow.h.
#include "grammar_opt/follow.h"

#include <algorithm>
#include <utility>

#include "grammar_opt/code_points.h"
#include "grammar_opt/grammar_rewriter.h"
#include "grammar_opt/nullable.h"

namespace xgrammar {
namespace {

// A byte set plus one more member, "the end of the sentence".
struct ContinuationSet {
  ByteSet bytes;
  bool end = false;

  static ContinuationSet Everything() {
    ContinuationSet all;
    all.bytes.words.fill(~uint64_t{0});
    all.end = true;
    return all;
  }
  ContinuationSet Intersect(const ContinuationSet& mask) const {
    ContinuationSet result;
    for (int i = 0; i < 4; ++i) result.bytes.words[i] = bytes.words[i] & mask.bytes.words[i];
    result.end = end && mask.end;
    return result;
  }
  // Adds `other`; true when that added anything.
  bool MergeAndReportGrowth(const ContinuationSet& other) {
    bool grew = other.end && !end;
    for (int i = 0; i < 4; ++i) {
      uint64_t merged = bytes.words[i] | other.bytes.words[i];
      grew = grew || merged != bytes.words[i];
      bytes.words[i] = merged;
    }
    end = end || other.end;
    return grew;
  }
};

// The least sets with value[n] = mask[n] ∩ (seed[n] ∪ the values of n's inputs), found by
// propagating growth along the edges. Each set only grows and has 257 members, so each node is
// revisited at most 257 times; in practice a handful.
class UnionPropagation {
 public:
  explicit UnionPropagation(int32_t num_nodes)
      : value_(num_nodes), mask_(num_nodes, ContinuationSet::Everything()) {}
  void Seed(int32_t node, const ContinuationSet& seed) { value_[node].MergeAndReportGrowth(seed); }
  void Restrict(int32_t node, const ContinuationSet& mask) { mask_[node] = mask; }
  void AddEdge(int32_t from, int32_t to) { edges_.emplace_back(from, to); }

  std::vector<ContinuationSet> Solve() {
    const int32_t num_nodes = static_cast<int32_t>(value_.size());
    std::vector<int32_t> start(num_nodes + 1, 0);
    for (const auto& [from, to] : edges_) ++start[from + 1];
    for (int32_t i = 0; i < num_nodes; ++i) start[i + 1] += start[i];
    std::vector<int32_t> targets(edges_.size());
    std::vector<int32_t> fill = start;
    for (const auto& [from, to] : edges_) targets[fill[from]++] = to;

    std::vector<int32_t> worklist;
    std::vector<bool> queued(num_nodes, false);
    for (int32_t node = num_nodes - 1; node >= 0; --node) {
      value_[node] = value_[node].Intersect(mask_[node]);
      worklist.push_back(node);
      queued[node] = true;
    }
    while (!worklist.empty()) {
      int32_t node = worklist.back();
      worklist.pop_back();
      queued[node] = false;
      for (int32_t k = start[node]; k < start[node + 1]; ++k) {
        int32_t target = targets[k];
        if (value_[target].MergeAndReportGrowth(value_[node].Intersect(mask_[target])) &&
            !queued[target]) {
          worklist.push_back(target);
          queued[target] = true;
        }
      }
    }
    return std::move(value_);
  }

 private:
  std::vector<ContinuationSet> value_;
  std::vector<ContinuationSet> mask_;
  std::vector<std::pair<int32_t, int32_t>> edges_;
};

// UTF-8 lead bytes of the code points a class matches. Within each encoding length the lead
// byte grows with the code point, so a range maps to a run of lead bytes.
ByteSet LeadBytesOfClass(const Expr& char_class) {
  struct EncodingLength {
    uint32_t first;
    uint32_t last;
    uint32_t lead_marker;
    uint32_t payload_shift;
  };
  static constexpr EncodingLength kLengths[] = {{0x0, 0x7F, 0x00, 0},
                                                {0x80, 0x7FF, 0xC0, 6},
                                                {0x800, 0xFFFF, 0xE0, 12},
                                                {0x10000, kMaxCodepoint, 0xF0, 18}};
  ByteSet leads;
  for (const CodepointRange& range : MatchedCodepoints(char_class)) {
    for (const EncodingLength& length : kLengths) {
      uint32_t lo = std::max(range.lo, length.first);
      uint32_t hi = std::min(range.hi, length.last);
      if (lo > hi) continue;
      uint32_t first_lead = length.lead_marker | (lo >> length.payload_shift);
      uint32_t last_lead = length.lead_marker | (hi >> length.payload_shift);
      for (uint32_t lead = first_lead; lead <= last_lead; ++lead) {
        leads.Set(static_cast<uint8_t>(lead));
      }
    }
  }
  return leads;
}

// First bytes of every expression (nodes 0..num_exprs) and rule (num_exprs + r).
std::vector<ContinuationSet> ComputeFirstSets(const Grammar& grammar, const std::vector<bool>& used,
                                              const Nullability& nullability) {
  const int32_t num_exprs = grammar.num_exprs();
  UnionPropagation first(num_exprs + grammar.num_rules());
  for (ExprId id = 0; id < num_exprs; ++id) {
    if (!used[id]) continue;
    const Expr& expr = grammar.expr(id);
    switch (expr.kind) {
      case ExprKind::kEmpty:
        break;
      case ExprKind::kByteString: {
        ContinuationSet seed;
        seed.bytes.Set(static_cast<uint8_t>(expr.bytes[0]));
        first.Seed(id, seed);
        break;
      }
      case ExprKind::kCharClass: {
        ContinuationSet seed;
        seed.bytes = LeadBytesOfClass(expr);
        first.Seed(id, seed);
        break;
      }
      case ExprKind::kSequence:
        // A sequence starts like its first child, or, past nullable children, like the next.
        for (ExprId child : expr.children) {
          first.AddEdge(child, id);
          if (!nullability.expr_nullable[child]) break;
        }
        break;
      case ExprKind::kChoice:
        for (ExprId child : expr.children) first.AddEdge(child, id);
        break;
      case ExprKind::kRuleRef:
        first.AddEdge(num_exprs + expr.rule, id);
        break;
      case ExprKind::kRepeat:
        if (expr.max != 0) first.AddEdge(expr.children[0], id);
        break;
    }
  }
  for (RuleId rule = 0; rule < grammar.num_rules(); ++rule) {
    first.AddEdge(grammar.rule(rule).body, num_exprs + rule);
  }
  return first.Solve();
}

}  // namespace

FollowInfo ComputeFollowInfo(const Grammar& grammar) {
  const int32_t num_exprs = grammar.num_exprs();
  const int32_t num_rules = grammar.num_rules();
  std::vector<bool> used = ExprsUsedByRules(grammar, std::vector<bool>(num_rules, true));
  Nullability nullability = ComputeNullability(grammar);
  std::vector<ContinuationSet> first = ComputeFirstSets(grammar, used, nullability);

  // Follow sets: what comes right after an expression (node id) or a rule (num_exprs + r).
  // Edges go from a context to what inherits it: a parent to a child that can end the parent,
  // a rule to its body, a reference to the rule it names.
  UnionPropagation follow(num_exprs + num_rules);
  for (ExprId id = 0; id < num_exprs; ++id) {
    if (!used[id]) continue;
    const Expr& expr = grammar.expr(id);
    switch (expr.kind) {
      case ExprKind::kSequence: {
        // Walk backwards: what starts the rest of the sequence follows each child; when the
        // rest can be empty, so does whatever follows the whole sequence.
        ContinuationSet rest_first;
        bool rest_nullable = true;
        for (auto child = expr.children.rbegin(); child != expr.children.rend(); ++child) {
          follow.Seed(*child, rest_first);
          if (rest_nullable) follow.AddEdge(id, *child);
          if (nullability.expr_nullable[*child]) {
            rest_first.MergeAndReportGrowth(first[*child]);
          } else {
            rest_first = first[*child];
            rest_nullable = false;
          }
        }
        break;
      }
      case ExprKind::kChoice:
        for (ExprId child : expr.children) follow.AddEdge(id, child);
        break;
      case ExprKind::kRuleRef:
        follow.AddEdge(id, num_exprs + expr.rule);
        break;
      case ExprKind::kRepeat:
        follow.AddEdge(id, expr.children[0]);
        // One round of the child can be followed by the next round.
        if (expr.max == kUnbounded || expr.max >= 2)
          follow.Seed(expr.children[0], first[expr.children[0]]);
        break;
      default:
        break;
    }
  }
  for (RuleId rule = 0; rule < num_rules; ++rule) {
    const Rule& definition = grammar.rule(rule);
    follow.AddEdge(num_exprs + rule, definition.body);
    if (definition.lookahead == kNoExpr) continue;
    // The assertion matches a prefix of the rest of the sentence: anything may follow it.
    follow.Seed(definition.lookahead, ContinuationSet::Everything());
    if (!nullability.expr_nullable[definition.lookahead]) {
      ContinuationSet allowed;
      allowed.bytes = first[definition.lookahead].bytes;
      follow.Restrict(num_exprs + rule, allowed);
    }
  }
  ContinuationSet sentence_end;
  sentence_end.end = true;
  follow.Seed(num_exprs + grammar.root(), sentence_end);
  std::vector<ContinuationSet> follow_sets = follow.Solve();

  FollowInfo info;
  info.first_bytes.resize(num_rules);
  info.follow_bytes.resize(num_rules);
  info.can_end_input.resize(num_rules);
  for (RuleId rule = 0; rule < num_rules; ++rule) {
    info.first_bytes[rule] = first[num_exprs + rule].bytes;
    info.follow_bytes[rule] = follow_sets[num_exprs + rule].bytes;
    info.can_end_input[rule] = follow_sets[num_exprs + rule].end;
  }
  return info;
}

}  // namespace xgrammar
