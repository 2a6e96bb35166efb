// Grammars that ship with xgrammar, as EBNF text (so they print and serialize like any other).
//
// The JSON grammar is RFC 8259's JSON-text: whitespace (space, tab, line feed, carriage return)
// around every value and structural character, `\uXXXX` escapes taken as escape text (so a
// surrogate pair such as `\uD83D\uDE00` is accepted, as the RFC allows), and strict UTF-8 for
// the characters of strings (no control characters below U+0020 unescaped).
#ifndef XGRAMMAR_CPP_BUILTIN_GRAMMARS_H_
#define XGRAMMAR_CPP_BUILTIN_GRAMMARS_H_

#include <string_view>

#include "cpp/grammar.h"

namespace xgrammar {

std::string_view BuiltinJsonGrammarEbnf();

// Parsed once per process and shared.
GrammarPtr BuiltinJsonGrammar();

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_BUILTIN_GRAMMARS_H_
