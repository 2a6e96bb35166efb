// The EBNF front end: GBNF-compatible grammar text -> Grammar IR (the dialect is specified in
// DESIGN.md, "The EBNF dialect").
//
// Entry point: `ParseEbnf`. The lexer (ebnf_lexer.h) decodes escapes and character classes;
// the parser here is iterative (an explicit stack of open parentheses), so no input can exhaust
// the C++ stack, and nesting beyond Limits::max_nesting_depth is a kLimitExceeded error.
//
// Errors: kSyntax for text that does not parse, kInvalidGrammar for undefined, duplicate or
// missing (root) rules, kLimitExceeded for a resource limit; each with the line:column where
// the problem is.
#ifndef XGRAMMAR_CPP_EBNF_PARSER_H_
#define XGRAMMAR_CPP_EBNF_PARSER_H_

#include <string_view>

#include "cpp/grammar.h"

namespace xgrammar {

// Rules keep the order of their definitions; the root is the rule named `root_rule_name`.
GrammarPtr ParseEbnf(std::string_view text, std::string_view root_rule_name = "root");

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_EBNF_PARSER_H_
