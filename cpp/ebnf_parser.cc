// EBNF parser: tokens (ebnf_lexer.h) -> Grammar. See ebnf_parser.h for the contract.
//
// Two passes over the tokens. The first declares every rule in definition order (so forward
// references resolve and the printed grammar keeps the author's order) and reports duplicate
// definitions. The second parses each body with an explicit stack of open groups instead of
// recursion. A rule ends where the next `name ::=` starts (bodies may span lines), or at its
// lookahead assertion `(= ...)`.
#include "cpp/ebnf_parser.h"

#include <string>
#include <utility>
#include <vector>

#include "cpp/ebnf_lexer.h"
#include "cpp/error.h"
#include "cpp/resource_limits.h"
#include "cpp/text_location.h"

namespace xgrammar {
namespace {

using Kind = EbnfTokenKind;

class EbnfParser {
 public:
  EbnfParser(std::string_view text, EbnfTokens lexed, const Limits& limits)
      : text_(text), lexed_(std::move(lexed)), tokens_(lexed_.tokens), limits_(limits) {}

  GrammarPtr Parse(std::string_view root_rule_name) {
    DeclareRules();
    size_t index = 0;
    while (tokens_[index].kind != Kind::kEndOfText) {
      if (!IsRuleStart(index)) {
        Fail(index, std::string("expected a rule definition \"name ::= ...\", found ") +
                        EbnfTokenKindName(tokens_[index].kind));
      }
      const RuleId rule = builder_.FindRule(TokenText(index));
      index += 2;
      builder_.SetBody(rule, ParseExpression(&index, Context::kRuleBody));
      if (tokens_[index].kind == Kind::kLookaheadOpen) {
        ++index;
        builder_.SetLookahead(rule, ParseExpression(&index, Context::kLookahead));
        if (tokens_[index].kind != Kind::kEndOfText && !IsRuleStart(index)) {
          Fail(index, "a lookahead assertion must end its rule, found " +
                          std::string(EbnfTokenKindName(tokens_[index].kind)));
        }
      }
    }
    const RuleId root = builder_.FindRule(std::string(root_rule_name));
    if (root < 0) {
      ThrowError(ErrorKind::kInvalidGrammar,
                 "the root rule \"" + std::string(root_rule_name) + "\" is not defined",
                 SourceLocation{1, 1});
    }
    builder_.SetRoot(root);
    GrammarPtr grammar = builder_.Build();
    if (grammar->num_rules() + grammar->num_exprs() > limits_.max_grammar_size) {
      ThrowError(ErrorKind::kLimitExceeded,
                 "the grammar has " + std::to_string(grammar->num_rules() + grammar->num_exprs()) +
                     " rules and expressions, more than max_grammar_size = " +
                     std::to_string(limits_.max_grammar_size));
    }
    return grammar;
  }

 private:
  enum class Context { kRuleBody, kLookahead };

  // One open group: the rule body, a lookahead assertion or a parenthesised expression.
  struct OpenGroup {
    std::vector<ExprId> alternatives;  // finished alternatives
    std::vector<ExprId> sequence;      // elements of the alternative being read
    size_t open_token;                 // the "(" (or first body token) for error messages
  };

  [[noreturn]] void Fail(size_t token_index, const std::string& message,
                         ErrorKind kind = ErrorKind::kSyntax) const {
    ThrowError(kind, message, LocateOffset(text_, tokens_[token_index].offset));
  }

  std::string TokenText(size_t index) const {
    return std::string(text_.substr(tokens_[index].offset, tokens_[index].length));
  }

  bool IsRuleStart(size_t index) const {
    return tokens_[index].kind == Kind::kIdentifier && tokens_[index + 1].kind == Kind::kAssign;
  }

  bool StartsItsLine(size_t offset) const {
    while (offset > 0 && (text_[offset - 1] == ' ' || text_[offset - 1] == '\t')) --offset;
    return offset == 0 || text_[offset - 1] == '\n' || text_[offset - 1] == '\r';
  }

  void DeclareRules() {
    for (size_t index = 0; index < tokens_.size(); ++index) {
      if (tokens_[index].kind != Kind::kAssign) continue;
      if (index == 0 || tokens_[index - 1].kind != Kind::kIdentifier) {
        Fail(index, "\"::=\" must follow a rule name");
      }
      const size_t name_index = index - 1;
      if (!StartsItsLine(tokens_[name_index].offset)) {
        Fail(name_index, "a rule definition must start on its own line");
      }
      const std::string name = TokenText(name_index);
      if (builder_.FindRule(name) >= 0) {
        Fail(name_index, "rule \"" + name + "\" is defined more than once",
             ErrorKind::kInvalidGrammar);
      }
      builder_.AddRule(name);
    }
  }

  // Parses from *index up to the end of the rule body (not consumed: the end of the text, the
  // next rule, or "(=") or, for a lookahead, up to and including its closing ")".
  ExprId ParseExpression(size_t* index, Context context) {
    std::vector<OpenGroup> stack;
    stack.push_back(OpenGroup{{}, {}, context == Context::kLookahead ? *index - 1 : *index});
    while (true) {
      const size_t at = *index;
      const EbnfToken& token = tokens_[at];
      if (token.kind == Kind::kEndOfText || IsRuleStart(at)) {
        if (stack.size() > 1) Fail(stack.back().open_token, "\"(\" is never closed");
        if (context == Context::kLookahead) Fail(stack[0].open_token, "\"(=\" is never closed");
        return CloseGroup(&stack.back(), at);
      }
      switch (token.kind) {
        case Kind::kString:
          ++*index;
          AppendElement(&stack.back(), builder_.ByteString(lexed_.strings[token.integer]), index);
          break;
        case Kind::kCharClass: {
          const EbnfCharClass& char_class = lexed_.classes[token.integer];
          ++*index;
          AppendElement(&stack.back(), builder_.CharClass(char_class.ranges, char_class.negated),
                        index);
          break;
        }
        case Kind::kIdentifier: {
          const RuleId rule = builder_.FindRule(TokenText(at));
          if (rule < 0) {
            Fail(at, "rule \"" + TokenText(at) + "\" is not defined", ErrorKind::kInvalidGrammar);
          }
          ++*index;
          AppendElement(&stack.back(), builder_.RuleRef(rule), index);
          break;
        }
        case Kind::kLeftParen:
          // stack[0] is the body or lookahead itself; a lookahead's "(=" counts as one level.
          if (static_cast<int64_t>(stack.size()) - 1 + (context == Context::kLookahead) >=
              limits_.max_nesting_depth) {
            Fail(at,
                 "parentheses nest deeper than max_nesting_depth = " +
                     std::to_string(limits_.max_nesting_depth),
                 ErrorKind::kLimitExceeded);
          }
          stack.push_back(OpenGroup{{}, {}, at});
          ++*index;
          break;
        case Kind::kRightParen: {
          if (stack.size() == 1) {
            if (context == Context::kLookahead) {
              ++*index;
              return CloseGroup(&stack.back(), at);
            }
            Fail(at, "\")\" has no matching \"(\"");
          }
          const ExprId group = CloseGroup(&stack.back(), at);
          stack.pop_back();
          ++*index;
          AppendElement(&stack.back(), group, index);
          break;
        }
        case Kind::kPipe:
          if (stack.back().sequence.empty()) Fail(at, "expected an expression before \"|\"");
          stack.back().alternatives.push_back(builder_.Sequence(std::move(stack.back().sequence)));
          stack.back().sequence.clear();
          ++*index;
          break;
        case Kind::kLookaheadOpen:
          if (context == Context::kRuleBody && stack.size() == 1) {
            return CloseGroup(&stack.back(), at);
          }
          Fail(at, "a lookahead assertion \"(= ...)\" may only end a rule body");
        default:
          Fail(at, std::string("expected an expression, found ") + EbnfTokenKindName(token.kind));
      }
    }
  }

  // The expression of a finished group; `closing` is the token that ended it.
  ExprId CloseGroup(OpenGroup* group, size_t closing) {
    if (group->sequence.empty()) {
      const bool is_empty_parentheses = group->alternatives.empty() &&
                                        tokens_[group->open_token].kind == Kind::kLeftParen &&
                                        tokens_[closing].kind == Kind::kRightParen;
      if (is_empty_parentheses) return builder_.Empty();
      Fail(closing, group->alternatives.empty() ? "expected an expression"
                                                : "expected an expression after \"|\"");
    }
    group->alternatives.push_back(builder_.Sequence(std::move(group->sequence)));
    return builder_.Choice(std::move(group->alternatives));
  }

  // Applies the quantifier that may follow an element at *index, then appends it. Only one is
  // allowed (as upstream): `"a"**` is an error, `("a"*)*` is not. This also bounds the depth
  // of expression trees by the nesting limit.
  void AppendElement(OpenGroup* group, ExprId element, size_t* index) {
    const Kind kind = tokens_[*index].kind;
    if (kind == Kind::kStar) {
      element = builder_.Repeat(element, 0, kUnbounded);
      ++*index;
    } else if (kind == Kind::kPlus) {
      element = builder_.Repeat(element, 1, kUnbounded);
      ++*index;
    } else if (kind == Kind::kQuestion) {
      element = builder_.Repeat(element, 0, 1);
      ++*index;
    } else if (kind == Kind::kLeftBrace) {
      element = ParseRepetitionRange(element, index);
    }
    if (IsQuantifier(kind) && IsQuantifier(tokens_[*index].kind)) {
      Fail(*index, "a quantifier cannot follow another quantifier; add parentheses");
    }
    group->sequence.push_back(element);
  }

  static bool IsQuantifier(Kind kind) {
    return kind == Kind::kStar || kind == Kind::kPlus || kind == Kind::kQuestion ||
           kind == Kind::kLeftBrace;
  }

  // `{n}`, `{n,}`, `{n,m}` or `{,m}` at *index; advances past the "}".
  ExprId ParseRepetitionRange(ExprId element, size_t* index) {
    const size_t open = *index;
    ++*index;
    int64_t min = 0;
    int64_t max = kUnbounded;
    if (tokens_[*index].kind == Kind::kInteger) {
      min = ReadBound(*index);
      ++*index;
      if (tokens_[*index].kind == Kind::kRightBrace) {
        max = min;
      } else {
        Expect(*index, Kind::kComma, "\",\" or \"}\" in a repetition range");
        ++*index;
        if (tokens_[*index].kind == Kind::kInteger) max = ReadBound((*index)++);
      }
    } else {
      Expect(*index, Kind::kComma, "a number in a repetition range");
      ++*index;
      if (tokens_[*index].kind == Kind::kInteger) max = ReadBound((*index)++);
    }
    Expect(*index, Kind::kRightBrace, "\"}\" to close a repetition range");
    ++*index;
    if (max != kUnbounded && min > max) {
      Fail(open, "repetition range {" + std::to_string(min) + "," + std::to_string(max) +
                     "} has its minimum above its maximum");
    }
    return builder_.Repeat(element, static_cast<int32_t>(min), static_cast<int32_t>(max));
  }

  int64_t ReadBound(size_t index) const {
    const int64_t value = tokens_[index].integer;
    if (value > limits_.max_repetition_bound) {
      Fail(index,
           "repetition bound " + TokenText(index) +
               " exceeds max_repetition_bound = " + std::to_string(limits_.max_repetition_bound),
           ErrorKind::kLimitExceeded);
    }
    return value;
  }

  void Expect(size_t index, Kind kind, const std::string& what) const {
    if (tokens_[index].kind != kind) {
      Fail(index, "expected " + what + ", found " + EbnfTokenKindName(tokens_[index].kind));
    }
  }

  std::string_view text_;
  EbnfTokens lexed_;
  const std::vector<EbnfToken>& tokens_;
  Limits limits_;
  GrammarBuilder builder_;
};

}  // namespace

GrammarPtr ParseEbnf(std::string_view text, std::string_view root_rule_name) {
  if (text.size() >= (size_t{1} << 32) - 1) {
    ThrowError(ErrorKind::kLimitExceeded, "grammar text of 4 GiB or more");
  }
  const Limits limits = GetLimits();
  return EbnfParser(text, TokenizeEbnf(text), limits).Parse(root_rule_name);
}

}  // namespace xgrammar
