// Rule inlining: a small rule that is not recursive is replaced by its body at every reference,
// and removed. Fewer rules mean fewer stack frames in the matcher and larger automata whose
// tokens can be decided without the stack.
//
// Entry point: `InlineRules`. A rule is inlined when
//  - it is not the root, has no lookahead assertion (the assertion belongs to the rule's end,
//    which would vanish), and is not recursive (grammar_opt/recursive_rules.h);
//  - its body, after its own small rules are inlined, has at most `max_inlined_rule_size`
//    expression nodes counted as a tree (a shared subexpression counts at every use), so that
//    inlining grows the grammar by at most that factor.
// References inside lookahead assertions are inlined too. The language is unchanged because a
// lookahead assertion constrains the text after its rule in the whole sentence, which inlining
// does not move.
//
// The expressions are processed in an order where every child comes before its parent and the
// body of an inlined rule before its references (a topological order that exists because the
// inlined rules are not recursive), so the pass is linear and has no recursion.
#ifndef XGRAMMAR_GRAMMAR_OPT_INLINE_RULES_H_
#define XGRAMMAR_GRAMMAR_OPT_INLINE_RULES_H_

#include <cstdint>

#include "cpp/grammar.h"

namespace xgrammar {

// 16 nodes covers the typical helper rules (`ws ::= [ \t\n]*`, `digits ::= [0-9]+`, a keyword
// choice of a few literals, `sign ::= ("+" | "-")?`) while keeping any single reference from
// growing by more than a small constant.
inline constexpr int32_t kMaxInlinedRuleSize = 16;

GrammarPtr InlineRules(const Grammar& grammar, int32_t max_inlined_rule_size = kMaxInlinedRuleSize);

}  // namespace xgrammar

#endif  // XGRAMMAR_GRAMMAR_OPT_INLINE_RULES_H_
