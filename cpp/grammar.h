// The grammar IR: an immutable set of rules whose bodies are expressions in a flat pool.
//
// Every front end (EBNF, JSON Schema via EBNF, regex, Lark, structural tags) produces a
// `Grammar` through `GrammarBuilder`; the optimisation passes in grammar_opt/ map a Grammar to a
// new Grammar; the compiler turns it into byte automata. A Grammar never changes once built, so
// it is shared by `std::shared_ptr<const Grammar>` across threads.
//
// Expressions live in one vector and refer to each other by index (`ExprId`). Children always
// have smaller ids than their parents (the builder only accepts existing ids), so any walk in
// increasing id order sees children first: passes use that instead of recursion.
//
// Text is code points: byte strings hold the UTF-8 encoding of the literal, character classes
// hold code-point ranges, and the automaton builder turns both into UTF-8 byte automata.
#ifndef XGRAMMAR_CPP_GRAMMAR_H_
#define XGRAMMAR_CPP_GRAMMAR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace xgrammar {

using ExprId = int32_t;
using RuleId = int32_t;
inline constexpr ExprId kNoExpr = -1;
inline constexpr int32_t kUnbounded = -1;  // Repeat::max for `*`, `+`, `{n,}`.
inline constexpr uint32_t kMaxCodepoint = 0x10FFFF;

enum class ExprKind : uint8_t {
  kEmpty,       // the empty string ""
  kByteString,  // a non-empty literal, as UTF-8 bytes
  kCharClass,   // one code point in (or, negated, not in) a set of ranges
  kSequence,    // children in order; at least two
  kChoice,      // any one child; at least two
  kRuleRef,     // the language of another rule
  kRepeat,      // child repeated min..max times (max may be kUnbounded)
};

struct CodepointRange {
  uint32_t lo;
  uint32_t hi;  // inclusive
  bool operator==(const CodepointRange&) const = default;
};

struct Expr {
  ExprKind kind = ExprKind::kEmpty;
  std::string bytes;                   // kByteString
  bool negated = false;                // kCharClass
  std::vector<CodepointRange> ranges;  // kCharClass: sorted, disjoint, non-adjacent
  std::vector<ExprId> children;        // kSequence, kChoice; kRepeat has exactly one
  RuleId rule = -1;                    // kRuleRef
  int32_t min = 0;                     // kRepeat
  int32_t max = 0;                     // kRepeat, or kUnbounded
  bool operator==(const Expr&) const = default;
};

struct Rule {
  std::string name;
  ExprId body = kNoExpr;
  ExprId lookahead = kNoExpr;  // `(= ...)`: what follows the rule must start with this
  bool operator==(const Rule&) const = default;
};

class Grammar {
 public:
  const std::vector<Rule>& rules() const { return rules_; }
  const std::vector<Expr>& exprs() const { return exprs_; }
  const Rule& rule(RuleId id) const { return rules_[id]; }
  const Expr& expr(ExprId id) const { return exprs_[id]; }
  RuleId root() const { return root_; }
  int32_t num_rules() const { return static_cast<int32_t>(rules_.size()); }
  int32_t num_exprs() const { return static_cast<int32_t>(exprs_.size()); }
  // The rule with this name, or -1.
  RuleId FindRule(const std::string& name) const;
  // Structural equality: same rules, same expression pool, same root.
  bool operator==(const Grammar& other) const = default;

 private:
  friend class GrammarBuilder;
  std::vector<Rule> rules_;
  std::vector<Expr> exprs_;
  RuleId root_ = 0;
};

using GrammarPtr = std::shared_ptr<const Grammar>;

// Builds a Grammar. Rules may be declared before their bodies exist (forward references);
// `Build` checks that every rule has a body and every reference is in range. Identical
// expressions are interned, so building the same structure twice yields the same ids.
class GrammarBuilder {
 public:
  RuleId AddRule(const std::string& name);  // throws GrammarError on a duplicate name
  RuleId FindRule(const std::string& name) const;
  void SetBody(RuleId rule, ExprId body);
  void SetLookahead(RuleId rule, ExprId lookahead);
  void SetRoot(RuleId rule);
  const Expr& expr(ExprId id) const { return grammar_.exprs_[id]; }
  int32_t num_rules() const { return static_cast<int32_t>(grammar_.rules_.size()); }
  const Rule& rule(RuleId id) const { return grammar_.rules_[id]; }

  ExprId Empty();
  ExprId ByteString(const std::string& utf8);  // "" gives Empty()
  // Normalises the ranges (sort, merge); surrogates and > U+10FFFF are rejected by the callers.
  ExprId CharClass(std::vector<CodepointRange> ranges, bool negated);
  ExprId Sequence(std::vector<ExprId> children);  // one child gives the child, none Empty()
  ExprId Choice(std::vector<ExprId> children);    // one child gives the child
  ExprId RuleRef(RuleId rule);
  ExprId Repeat(ExprId child, int32_t min, int32_t max);

  GrammarPtr Build();

 private:
  static size_t HashExpr(const Expr& expr);
  ExprId Intern(Expr expr);
  void GrowInternTable();
  Grammar grammar_;
  // Open-addressing hash set of expression ids (hash cached beside each id), keyed by the
  // expression in grammar_.exprs_: no second copy of any expression, one probe sequence per
  // Intern. Size is a power of two, kept at most half full.
  struct InternSlot {
    size_t hash = 0;
    ExprId id = kNoExpr;
  };
  std::vector<InternSlot> intern_table_;
  std::unordered_map<std::string, RuleId> rule_index_;
};

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_GRAMMAR_H_
