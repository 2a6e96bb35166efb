// GrammarBuilder: interning of expressions, normalisation of character classes and the final
// consistency check that makes a Grammar safe to hand to the passes and the compiler.
#include "cpp/grammar.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "cpp/cancel_poller.h"
#include "cpp/error.h"

namespace xgrammar {

RuleId Grammar::FindRule(const std::string& name) const {
  for (RuleId i = 0; i < num_rules(); ++i) {
    if (rules_[i].name == name) return i;
  }
  return -1;
}

size_t GrammarBuilder::HashExpr(const Expr& expr) {
  size_t h = std::hash<int>()(static_cast<int>(expr.kind));
  auto mix = [&h](size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  mix(std::hash<std::string>()(expr.bytes));
  mix(expr.negated);
  for (const CodepointRange& r : expr.ranges) mix((static_cast<size_t>(r.lo) << 21) ^ r.hi);
  for (ExprId c : expr.children) mix(static_cast<size_t>(c));
  mix(static_cast<size_t>(expr.rule));
  mix(static_cast<size_t>(expr.min) * 31 + static_cast<size_t>(expr.max));
  // Final avalanche (MurmurHash3's fmix64): the intern table indexes by the low bits.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

void GrammarBuilder::GrowInternTable() {
  std::vector<InternSlot> old = std::move(intern_table_);
  intern_table_.assign(old.empty() ? 64 : old.size() * 2, InternSlot{});
  const size_t mask = intern_table_.size() - 1;
  for (const InternSlot& slot : old) {
    if (slot.id == kNoExpr) continue;
    size_t index = slot.hash & mask;
    while (intern_table_[index].id != kNoExpr) index = (index + 1) & mask;
    intern_table_[index] = slot;
  }
}

ExprId GrammarBuilder::Intern(Expr expr) {
  // Inside a compile, the grammar passes build every expression here: a cancel is seen here.
  ThreadCancelScope::Tick();
  if ((grammar_.exprs_.size() + 1) * 2 > intern_table_.size()) GrowInternTable();
  const size_t hash = HashExpr(expr);
  const size_t mask = intern_table_.size() - 1;
  size_t index = hash & mask;
  while (intern_table_[index].id != kNoExpr) {
    const InternSlot& slot = intern_table_[index];
    if (slot.hash == hash && grammar_.exprs_[slot.id] == expr) return slot.id;
    index = (index + 1) & mask;
  }
  const ExprId id = static_cast<ExprId>(grammar_.exprs_.size());
  grammar_.exprs_.push_back(std::move(expr));
  intern_table_[index] = InternSlot{hash, id};
  return id;
}

RuleId GrammarBuilder::AddRule(const std::string& name) {
  if (FindRule(name) >= 0) {
    ThrowError(ErrorKind::kInvalidGrammar, "rule \"" + name + "\" is defined more than once");
  }
  grammar_.rules_.push_back(Rule{name, kNoExpr, kNoExpr});
  rule_index_.emplace(name, num_rules() - 1);
  return num_rules() - 1;
}

RuleId GrammarBuilder::FindRule(const std::string& name) const {
  auto it = rule_index_.find(name);
  return it == rule_index_.end() ? -1 : it->second;
}

void GrammarBuilder::SetBody(RuleId rule, ExprId body) { grammar_.rules_[rule].body = body; }

void GrammarBuilder::SetLookahead(RuleId rule, ExprId lookahead) {
  grammar_.rules_[rule].lookahead = lookahead;
}

void GrammarBuilder::SetRoot(RuleId rule) { grammar_.root_ = rule; }

ExprId GrammarBuilder::Empty() { return Intern(Expr{}); }

ExprId GrammarBuilder::ByteString(const std::string& utf8) {
  if (utf8.empty()) return Empty();
  Expr e;
  e.kind = ExprKind::kByteString;
  e.bytes = utf8;
  return Intern(std::move(e));
}

ExprId GrammarBuilder::CharClass(std::vector<CodepointRange> ranges, bool negated) {
  std::sort(ranges.begin(), ranges.end(), [](const CodepointRange& a, const CodepointRange& b) {
    return a.lo < b.lo || (a.lo == b.lo && a.hi < b.hi);
  });
  std::vector<CodepointRange> merged;
  for (const CodepointRange& r : ranges) {
    if (!merged.empty() && r.lo <= merged.back().hi + 1) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  Expr e;
  e.kind = ExprKind::kCharClass;
  e.negated = negated;
  e.ranges = std::move(merged);
  return Intern(std::move(e));
}

ExprId GrammarBuilder::Sequence(std::vector<ExprId> children) {
  if (children.empty()) return Empty();
  if (children.size() == 1) return children[0];
  Expr e;
  e.kind = ExprKind::kSequence;
  e.children = std::move(children);
  return Intern(std::move(e));
}

ExprId GrammarBuilder::Choice(std::vector<ExprId> children) {
  if (children.empty()) {
    ThrowError(ErrorKind::kInvalidGrammar, "a choice needs at least one alternative");
  }
  if (children.size() == 1) return children[0];
  Expr e;
  e.kind = ExprKind::kChoice;
  e.children = std::move(children);
  return Intern(std::move(e));
}

ExprId GrammarBuilder::RuleRef(RuleId rule) {
  Expr e;
  e.kind = ExprKind::kRuleRef;
  e.rule = rule;
  return Intern(std::move(e));
}

ExprId GrammarBuilder::Repeat(ExprId child, int32_t min, int32_t max) {
  if (min < 0 || (max != kUnbounded && max < min)) {
    ThrowError(ErrorKind::kInvalidGrammar, "repetition bounds {" + std::to_string(min) + "," +
                                               std::to_string(max) + "} are not a valid range");
  }
  Expr e;
  e.kind = ExprKind::kRepeat;
  e.children = {child};
  e.min = min;
  e.max = max;
  return Intern(std::move(e));
}

GrammarPtr GrammarBuilder::Build() {
  if (grammar_.rules_.empty()) {
    ThrowError(ErrorKind::kInvalidGrammar, "the grammar has no rules");
  }
  if (grammar_.root_ < 0 || grammar_.root_ >= num_rules()) {
    ThrowError(ErrorKind::kInvalidGrammar, "the root rule is not defined");
  }
  for (const Rule& rule : grammar_.rules_) {
    if (rule.body == kNoExpr) {
      ThrowError(ErrorKind::kInvalidGrammar, "rule \"" + rule.name + "\" has no definition");
    }
  }
  for (const Expr& e : grammar_.exprs_) {
    if (e.kind == ExprKind::kRuleRef && (e.rule < 0 || e.rule >= num_rules())) {
      ThrowError(ErrorKind::kInvalidGrammar, "a rule reference points to no rule");
    }
  }
  auto result = std::make_shared<Grammar>(std::move(grammar_));
  grammar_ = Grammar();
  intern_table_.clear();
  rule_index_.clear();
  return result;
}

}  // namespace xgrammar
