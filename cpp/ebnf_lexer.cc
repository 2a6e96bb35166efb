// EBNF lexer; see ebnf_lexer.h. One pass over the text, no backtracking beyond one byte.
#include "cpp/ebnf_lexer.h"

#include <cstdio>
#include <utility>

#include "cpp/error.h"
#include "cpp/text_location.h"
#include "cpp/utf8_codec.h"

namespace xgrammar {
namespace {

bool IsNameStart(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Upstream XGrammar also allows '.' and '-' inside names; GBNF allows '-'.
bool IsNameContinuation(char c) {
  return IsNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class EbnfLexer {
 public:
  explicit EbnfLexer(std::string_view text) : text_(text) {}

  EbnfTokens Run() {
    const size_t invalid = FindInvalidUtf8(text_);
    if (invalid != std::string_view::npos) Fail(invalid, "invalid UTF-8 byte in the grammar text");
    while (true) {
      SkipSpaceAndComments();
      if (position_ >= text_.size()) break;
      LexToken();
    }
    Push(EbnfTokenKind::kEndOfText, position_);
    return std::move(result_);
  }

 private:
  [[noreturn]] void Fail(size_t offset, const std::string& message) {
    ThrowError(ErrorKind::kSyntax, message, LocateOffset(text_, offset));
  }

  char Peek(size_t ahead = 0) const {
    return position_ + ahead < text_.size() ? text_[position_ + ahead] : '\0';
  }

  bool AtEnd(size_t ahead = 0) const { return position_ + ahead >= text_.size(); }

  void Push(EbnfTokenKind kind, size_t offset, size_t length = 1, int64_t integer = 0) {
    result_.tokens.push_back(
        EbnfToken{kind, static_cast<uint32_t>(offset), static_cast<uint32_t>(length), integer});
  }

  void SkipSpaceAndComments() {
    while (!AtEnd()) {
      const char c = Peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++position_;
      } else if (c == '#') {
        while (!AtEnd() && Peek() != '\n' && Peek() != '\r') ++position_;
      } else {
        return;
      }
    }
  }

  void LexToken() {
    const size_t start = position_;
    const char c = Peek();
    switch (c) {
      case '(':
        if (Peek(1) == '=') {
          Push(EbnfTokenKind::kLookaheadOpen, start, 2);
          position_ += 2;
        } else {
          Push(EbnfTokenKind::kLeftParen, start);
          ++position_;
        }
        return;
      case ')':
        return PushSingle(EbnfTokenKind::kRightParen);
      case '|':
        return PushSingle(EbnfTokenKind::kPipe);
      case '*':
        return PushSingle(EbnfTokenKind::kStar);
      case '+':
        return PushSingle(EbnfTokenKind::kPlus);
      case '?':
        return PushSingle(EbnfTokenKind::kQuestion);
      case '{':
        return PushSingle(EbnfTokenKind::kLeftBrace);
      case '}':
        return PushSingle(EbnfTokenKind::kRightBrace);
      case ',':
        return PushSingle(EbnfTokenKind::kComma);
      case ':':
        if (Peek(1) == ':' && Peek(2) == '=') {
          Push(EbnfTokenKind::kAssign, start, 3);
          position_ += 3;
          return;
        }
        Fail(start, "expected \"::=\"");
      case '"':
        return LexString();
      case '[':
        return LexCharClass();
      default:
        break;
    }
    if (IsNameStart(c)) {
      while (!AtEnd() && IsNameContinuation(Peek())) ++position_;
      Push(EbnfTokenKind::kIdentifier, start, position_ - start);
      return;
    }
    if (IsDigit(c)) {
      int64_t value = 0;
      while (!AtEnd() && IsDigit(Peek())) {
        value = value * 10 + (Peek() - '0');
        if (value > kMaxLexedInteger) value = kMaxLexedInteger;
        ++position_;
      }
      Push(EbnfTokenKind::kInteger, start, position_ - start, value);
      return;
    }
    Fail(start, "unexpected character " + DescribeCharacterAt(start));
  }

  void PushSingle(EbnfTokenKind kind) {
    Push(kind, position_);
    ++position_;
  }

  std::string DescribeCharacterAt(size_t offset) const {
    const DecodedCodepoint decoded = DecodeUtf8Codepoint(text_, offset);
    if (decoded.codepoint >= 0x21 && decoded.codepoint < 0x7F) {
      return std::string("'") + text_[offset] + "'";
    }
    char buffer[16];
    snprintf(buffer, sizeof(buffer), "U+%04X", decoded.codepoint);
    return buffer;
  }

  // Reads one character of a string literal or class at position_ (an escape or one UTF-8
  // sequence) and advances past it.
  uint32_t LexCharacter() {
    if (Peek() != '\\') {
      const DecodedCodepoint decoded = DecodeUtf8Codepoint(text_, position_);
      position_ += decoded.length;  // the whole text was validated, so length > 0
      return decoded.codepoint;
    }
    const size_t escape_start = position_;
    if (AtEnd(1)) Fail(escape_start, "the text ends inside an escape sequence");
    const char escaped = Peek(1);
    position_ += 2;
    switch (escaped) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case 'a':
        return '\a';
      case 'b':
        return '\b';
      case '0':
        return 0;
      case 'x':
        return LexHexEscape(escape_start, 2);
      case 'u':
        return LexHexEscape(escape_start, 4);
      case 'U':
        return LexHexEscape(escape_start, 8);
      case '\\':
      case '"':
      case '\'':
      case '/':
      case '?':
      case '[':
      case ']':
      case '-':
      case '^':
      case '.':
      case '*':
      case '+':
      case '(':
      case ')':
      case '{':
      case '}':
      case '|':
      case '$':
        return static_cast<uint32_t>(escaped);
      default:
        Fail(escape_start,
             "unknown escape sequence \"\\" + DescribeEscaped(escape_start + 1) + "\"");
    }
  }

  std::string DescribeEscaped(size_t offset) const {
    const DecodedCodepoint decoded = DecodeUtf8Codepoint(text_, offset);
    return std::string(text_.substr(offset, decoded.length > 0 ? decoded.length : 1));
  }

  uint32_t LexHexEscape(size_t escape_start, int digits) {
    uint32_t value = 0;
    for (int i = 0; i < digits; ++i) {
      const int digit = AtEnd() ? -1 : HexValue(Peek());
      if (digit < 0) {
        Fail(escape_start, std::string("\"\\") + text_[escape_start + 1] + "\" needs exactly " +
                               std::to_string(digits) + " hexadecimal digits");
      }
      value = value * 16 + static_cast<uint32_t>(digit);
      ++position_;
    }
    if (value > kMaxCodepoint) Fail(escape_start, "code point beyond U+10FFFF");
    if (IsSurrogateCodepoint(value)) {
      char buffer[64];
      snprintf(buffer, sizeof(buffer), "surrogate code point U+%04X is not a character", value);
      Fail(escape_start, buffer);
    }
    return value;
  }

  void LexString() {
    const size_t start = position_;
    ++position_;
    std::string value;
    while (true) {
      if (AtEnd() || Peek() == '\n' || Peek() == '\r') {
        Fail(start, "string literal is not closed on its line");
      }
      if (Peek() == '"') break;
      AppendUtf8Codepoint(&value, LexCharacter());
    }
    ++position_;
    Push(EbnfTokenKind::kString, start, position_ - start,
         static_cast<int64_t>(result_.strings.size()));
    result_.strings.push_back(std::move(value));
  }

  void LexCharClass() {
    const size_t start = position_;
    ++position_;
    EbnfCharClass char_class;
    if (Peek() == '^') {
      char_class.negated = true;
      ++position_;
    }
    while (true) {
      if (AtEnd() || Peek() == '\n' || Peek() == '\r') {
        Fail(start, "character class is not closed on its line");
      }
      if (Peek() == ']') break;
      const size_t item_start = position_;
      const uint32_t lo = LexCharacter();
      uint32_t hi = lo;
      // A '-' between two characters makes a range; first or last in the class it is literal.
      if (Peek() == '-' && !AtEnd(1) && Peek(1) != ']') {
        ++position_;
        if (Peek() == '\n' || Peek() == '\r')
          Fail(start, "character class is not closed on its line");
        hi = LexCharacter();
        if (hi < lo)
          Fail(item_start, "character range is out of order (its end precedes its start)");
      }
      char_class.ranges.push_back(CodepointRange{lo, hi});
    }
    ++position_;
    Push(EbnfTokenKind::kCharClass, start, position_ - start,
         static_cast<int64_t>(result_.classes.size()));
    result_.classes.push_back(std::move(char_class));
  }

  std::string_view text_;
  size_t position_ = 0;
  EbnfTokens result_;
};

}  // namespace

EbnfTokens TokenizeEbnf(std::string_view text) { return EbnfLexer(text).Run(); }

const char* EbnfTokenKindName(EbnfTokenKind kind) {
  switch (kind) {
    case EbnfTokenKind::kIdentifier:
      return "a rule name";
    case EbnfTokenKind::kAssign:
      return "\"::=\"";
    case EbnfTokenKind::kString:
      return "a string literal";
    case EbnfTokenKind::kCharClass:
      return "a character class";
    case EbnfTokenKind::kLeftParen:
      return "\"(\"";
    case EbnfTokenKind::kLookaheadOpen:
      return "\"(=\"";
    case EbnfTokenKind::kRightParen:
      return "\")\"";
    case EbnfTokenKind::kPipe:
      return "\"|\"";
    case EbnfTokenKind::kStar:
      return "\"*\"";
    case EbnfTokenKind::kPlus:
      return "\"+\"";
    case EbnfTokenKind::kQuestion:
      return "\"?\"";
    case EbnfTokenKind::kLeftBrace:
      return "\"{\"";
    case EbnfTokenKind::kRightBrace:
      return "\"}\"";
    case EbnfTokenKind::kComma:
      return "\",\"";
    case EbnfTokenKind::kInteger:
      return "a number";
    case EbnfTokenKind::kEndOfText:
      return "the end of the text";
  }
  return "a token";
}

}  // namespace xgrammar
