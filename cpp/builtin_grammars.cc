// The builtin grammars; see builtin_grammars.h.
#include "cpp/builtin_grammars.h"

#include "cpp/ebnf_parser.h"

namespace xgrammar {

std::string_view BuiltinJsonGrammarEbnf() {
  // RFC 8259 section 2: JSON-text = ws value ws. Whitespace sits before and after structural
  // characters, never twice in a row, so the grammar has no ambiguity a matcher must carry.
  static constexpr std::string_view kJsonEbnf = R"(# JSON text, RFC 8259.
root ::= ws value ws
value ::= object | array | string | number | "true" | "false" | "null"
object ::= "{" ws (member (ws "," ws member)* ws)? "}"
member ::= string ws ":" ws value
array ::= "[" ws (value (ws "," ws value)* ws)? "]"
string ::= "\"" character* "\""
character ::= [^"\\\x00-\x1F] | "\\" escape
escape ::= ["\\/bfnrt] | "u" [0-9A-Fa-f]{4}
number ::= "-"? integer fraction? exponent?
integer ::= "0" | [1-9] [0-9]*
fraction ::= "." [0-9]+
exponent ::= [eE] [+\-]? [0-9]+
ws ::= [ \t\n\r]*
)";
  return kJsonEbnf;
}

GrammarPtr BuiltinJsonGrammar() {
  static const GrammarPtr grammar = ParseEbnf(BuiltinJsonGrammarEbnf());
  return grammar;
}

}  // namespace xgrammar
