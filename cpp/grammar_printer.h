// The canonical EBNF printer of the Grammar IR, and structural comparison of grammars.
//
// `PrintGrammar` writes one rule per line, `name ::= body` plus ` (= lookahead)` where a rule
// has one, in rule order, with only the parentheses the tree needs and every string and class
// escaped to printable ASCII. For every grammar the EBNF parser can produce,
// ParseEbnf(PrintGrammar(g), root name) is StructurallyEqual to g. Passes and converters are
// tested against this text, so it is stable: change it only on purpose.
//
// Both functions walk expressions with explicit stacks, so deep trees cannot overflow the C++
// stack.
#ifndef XGRAMMAR_CPP_GRAMMAR_PRINTER_H_
#define XGRAMMAR_CPP_GRAMMAR_PRINTER_H_

#include <string>

#include "cpp/grammar.h"

namespace xgrammar {

std::string PrintGrammar(const Grammar& grammar);

// The text of one expression, as it would appear as a whole rule body.
std::string PrintExpr(const Grammar& grammar, ExprId expr);

// Same rule names in the same order, same root, and the same expression trees under every rule
// body and lookahead (compared as trees, so two grammars whose expression pools are numbered
// differently can still be equal).
bool StructurallyEqual(const Grammar& a, const Grammar& b);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_GRAMMAR_PRINTER_H_
