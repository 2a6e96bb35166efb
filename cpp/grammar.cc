// GrammarBuilder: interning of expressions, normalisation of character classes and the final
// consistency check that makes a Grammar safe to hand to the passes and the compiler.
#include "cpp/grammar.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "cpp/error.h"

namespace xgrammar {

RuleId Grammar::FindRule(const std::string& name) const {
  for (RuleId i = 0; i < num_rules(); ++i) {
    if (rules_[i].name == name) return i;
  }
  return -1;
}

size_t GrammarBuilder::ExprHash::operator()(const Expr& expr) const {
  size_t h = std::hash<int>()(static_cast<int>(expr.kind));
  auto mix = [&h](size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  mix(std::hash<std::string>()(expr.bytes));
  mix(expr.negated);
  for (const CodepointRange& r : expr.ranges) mix((static_cast<size_t>(r.lo) << 21) ^ r.hi);
  for (ExprId c : expr.children) mix(static_cast<size_t>(c));
  mix(static_cast<size_t>(expr.rule));
  mix(static_cast<size_t>(expr.min) * 31 + static_cast<size_t>(expr.max));
  return h;
}

ExprId GrammarBuilder::Intern(Expr expr) {
  auto it = intern_index_.find(expr);
  if (it != intern_index_.end()) return it->second;
  ExprId id = static_cast<ExprId>(grammar_.exprs_.size());
  grammar_.exprs_.push_back(expr);
  intern_index_.emplace(std::move(expr), id);
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
  intern_index_.clear();
  rule_index_.clear();
  return result;
}

}  // namespace xgrammar
