// The lexer of the EBNF front end: text -> tokens, with every escape, UTF-8 sequence and
// character class already decoded, so that the parser (ebnf_parser.cc) only sees structure.
//
// Entry point: `TokenizeEbnf`. Private to the EBNF front end; nothing else includes it.
// Errors are kSyntax with the line:column of the offending byte.
#ifndef XGRAMMAR_CPP_EBNF_LEXER_H_
#define XGRAMMAR_CPP_EBNF_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cpp/grammar.h"

namespace xgrammar {

enum class EbnfTokenKind : uint8_t {
  kIdentifier,     // a rule name: [a-zA-Z_][a-zA-Z0-9_.-]*
  kAssign,         // ::=
  kString,         // "..."; payload indexes EbnfTokens::strings (UTF-8)
  kCharClass,      // [...]; payload indexes EbnfTokens::classes
  kLeftParen,      // (
  kLookaheadOpen,  // (=
  kRightParen,     // )
  kPipe,           // |
  kStar,           // *
  kPlus,           // +
  kQuestion,       // ?
  kLeftBrace,      // {
  kRightBrace,     // }
  kComma,          // ,
  kInteger,        // decimal digits; `integer` holds the value, saturated at kMaxLexedInteger
  kEndOfText,
};

struct EbnfToken {
  EbnfTokenKind kind;
  uint32_t offset;  // of the first byte in the text
  uint32_t length;  // in bytes, for identifiers
  int64_t integer;  // kInteger; payload index for kString and kCharClass
};

struct EbnfCharClass {
  std::vector<CodepointRange> ranges;  // as written; GrammarBuilder normalises them
  bool negated = false;
};

struct EbnfTokens {
  std::vector<EbnfToken> tokens;  // ends with kEndOfText
  std::vector<std::string> strings;
  std::vector<EbnfCharClass> classes;
};

// Integers above this are kept at this value; any of them exceeds every repetition limit.
inline constexpr int64_t kMaxLexedInteger = int64_t{1} << 40;

// The text must be at most 4 GiB (offsets are 32-bit); the caller checks.
EbnfTokens TokenizeEbnf(std::string_view text);

// Human-readable name of a token kind, for "expected X, found Y" messages.
const char* EbnfTokenKindName(EbnfTokenKind kind);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_EBNF_LEXER_H_
