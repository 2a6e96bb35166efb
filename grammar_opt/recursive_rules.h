// Which rules are recursive: a rule is recursive when its body can reach a reference to itself,
// directly or through other rules' bodies (`a ::= "x" a?`, or `a ::= b`, `b ::= "(" a ")"`).
//
// Entry point: `FindRecursiveRules`. It finds the strongly connected components of the graph
// whose nodes are expressions and rules (expression -> children, reference -> rule, rule ->
// body) with Tarjan's algorithm on an explicit stack: linear time, no recursion. Lookaheads are
// not followed: text matched by an assertion is never expanded in place of a rule.
#ifndef XGRAMMAR_GRAMMAR_OPT_RECURSIVE_RULES_H_
#define XGRAMMAR_GRAMMAR_OPT_RECURSIVE_RULES_H_

#include <vector>

#include "cpp/grammar.h"

namespace xgrammar {

std::vector<bool> FindRecursiveRules(const Grammar& grammar);

}  // namespace xgrammar

#endif  // XGRAMMAR_GRAMMAR_OPT_RECURSIVE_RULES_H_
