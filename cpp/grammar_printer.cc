// Canonical EBNF printer and structural equality; see grammar_printer.h.
#include "cpp/grammar_printer.h"

#include <cstdint>
#include <cstdio>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "cpp/utf8_codec.h"

namespace xgrammar {
namespace {

// Binding strength: a child printed where a stronger one is needed gets parentheses.
constexpr int kChoicePrecedence = 0;
constexpr int kSequencePrecedence = 1;
constexpr int kRepeatPrecedence = 2;
constexpr int kAtomPrecedence = 3;

int Precedence(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kChoice:
      return kChoicePrecedence;
    case ExprKind::kSequence:
      return kSequencePrecedence;
    case ExprKind::kRepeat:
      return kRepeatPrecedence;
    default:
      return kAtomPrecedence;
  }
}

void AppendHexEscape(std::string* out, char letter, uint32_t value, int digits) {
  char buffer[16];
  snprintf(buffer, sizeof(buffer), "\\%c%0*X", letter, digits, value);
  out->append(buffer);
}

// Writes one code point so that the lexer reads it back as the same code point and the output
// stays printable ASCII. `special` lists the ASCII characters that need a backslash here.
void AppendEscapedCodepoint(std::string* out, uint32_t codepoint, std::string_view special) {
  if (codepoint == '\n') {
    out->append("\\n");
  } else if (codepoint == '\r') {
    out->append("\\r");
  } else if (codepoint == '\t') {
    out->append("\\t");
  } else if (codepoint < 0x20 || codepoint == 0x7F) {
    AppendHexEscape(out, 'x', codepoint, 2);
  } else if (codepoint < 0x80) {
    if (special.find(static_cast<char>(codepoint)) != std::string_view::npos) out->push_back('\\');
    out->push_back(static_cast<char>(codepoint));
  } else if (codepoint <= 0xFFFF) {
    AppendHexEscape(out, 'u', codepoint, 4);
  } else {
    AppendHexEscape(out, 'U', codepoint, 8);
  }
}

void AppendStringLiteral(std::string* out, std::string_view utf8) {
  out->push_back('"');
  size_t position = 0;
  while (position < utf8.size()) {
    const DecodedCodepoint decoded = DecodeUtf8Codepoint(utf8, position);
    if (decoded.length == 0) {
      // Not reachable for a grammar from the builder's front ends, which hold valid UTF-8;
      // printed as the byte's Latin-1 code point so that printing never fails.
      AppendHexEscape(out, 'x', static_cast<uint8_t>(utf8[position]), 2);
      ++position;
      continue;
    }
    AppendEscapedCodepoint(out, decoded.codepoint, "\"\\");
    position += decoded.length;
  }
  out->push_back('"');
}

void AppendCharClass(std::string* out, const Expr& expr) {
  constexpr std::string_view kClassSpecial = "\\]-^[";
  out->push_back('[');
  if (expr.negated) out->push_back('^');
  for (const CodepointRange& range : expr.ranges) {
    AppendEscapedCodepoint(out, range.lo, kClassSpecial);
    if (range.hi != range.lo) {
      out->push_back('-');
      AppendEscapedCodepoint(out, range.hi, kClassSpecial);
    }
  }
  out->push_back(']');
}

std::string QuantifierText(const Expr& expr) {
  if (expr.min == 0 && expr.max == kUnbounded) return "*";
  if (expr.min == 1 && expr.max == kUnbounded) return "+";
  if (expr.min == 0 && expr.max == 1) return "?";
  // Appended piece by piece: gcc 12 warns falsely (-Wrestrict) on `"{" + std::string`.
  std::string text = "{";
  text.append(std::to_string(expr.min));
  if (expr.max != expr.min) {
    text.push_back(',');
    if (expr.max != kUnbounded) text.append(std::to_string(expr.max));
  }
  text.push_back('}');
  return text;
}

// One step of the printing walk: either text to emit or an expression to print with the
// binding strength its position requires.
struct PrintTask {
  ExprId expr;
  int required_precedence;
  std::string text;
};

void AppendExpr(std::string* out, const Grammar& grammar, ExprId root) {
  std::vector<PrintTask> stack;
  stack.push_back(PrintTask{root, kChoicePrecedence, {}});
  while (!stack.empty()) {
    PrintTask task = std::move(stack.back());
    stack.pop_back();
    if (task.expr == kNoExpr) {
      out->append(task.text);
      continue;
    }
    const Expr& expr = grammar.expr(task.expr);
    const bool parenthesise = Precedence(expr) < task.required_precedence;
    // Tasks are pushed in reverse order of output.
    if (parenthesise) stack.push_back(PrintTask{kNoExpr, 0, ")"});
    switch (expr.kind) {
      case ExprKind::kEmpty:
        out->append("\"\"");
        break;
      case ExprKind::kByteString:
        AppendStringLiteral(out, expr.bytes);
        break;
      case ExprKind::kCharClass:
        AppendCharClass(out, expr);
        break;
      case ExprKind::kRuleRef:
        out->append(grammar.rule(expr.rule).name);
        break;
      case ExprKind::kSequence:
      case ExprKind::kChoice: {
        const bool is_sequence = expr.kind == ExprKind::kSequence;
        for (size_t i = expr.children.size(); i-- > 0;) {
          stack.push_back(PrintTask{
              expr.children[i], is_sequence ? kRepeatPrecedence : kSequencePrecedence, {}});
          if (i > 0) stack.push_back(PrintTask{kNoExpr, 0, is_sequence ? " " : " | "});
        }
        break;
      }
      case ExprKind::kRepeat:
        stack.push_back(PrintTask{kNoExpr, 0, QuantifierText(expr)});
        stack.push_back(PrintTask{expr.children[0], kAtomPrecedence, {}});
        break;
    }
    if (parenthesise) {
      // The atoms above were written directly, so they never need the parentheses; only the
      // composite kinds reach here with parenthesise set.
      stack.push_back(PrintTask{kNoExpr, 0, "("});
    }
  }
}

}  // namespace

std::string PrintExpr(const Grammar& grammar, ExprId expr) {
  std::string out;
  AppendExpr(&out, grammar, expr);
  return out;
}

std::string PrintGrammar(const Grammar& grammar) {
  std::string out;
  for (const Rule& rule : grammar.rules()) {
    out.append(rule.name);
    out.append(" ::= ");
    AppendExpr(&out, grammar, rule.body);
    if (rule.lookahead != kNoExpr) {
      out.append(" (= ");
      AppendExpr(&out, grammar, rule.lookahead);
      out.append(")");
    }
    out.push_back('\n');
  }
  return out;
}

bool StructurallyEqual(const Grammar& a, const Grammar& b) {
  if (a.num_rules() != b.num_rules() || a.root() != b.root()) return false;
  std::vector<std::pair<ExprId, ExprId>> pending;
  for (RuleId id = 0; id < a.num_rules(); ++id) {
    const Rule& rule_a = a.rule(id);
    const Rule& rule_b = b.rule(id);
    if (rule_a.name != rule_b.name) return false;
    if ((rule_a.lookahead == kNoExpr) != (rule_b.lookahead == kNoExpr)) return false;
    pending.emplace_back(rule_a.body, rule_b.body);
    if (rule_a.lookahead != kNoExpr) pending.emplace_back(rule_a.lookahead, rule_b.lookahead);
  }
  // Pools are DAGs (identical subtrees are shared), so a pair once queued is either being
  // compared or already equal: skipping repeats keeps this linear in the pool sizes.
  std::unordered_set<uint64_t> queued;
  while (!pending.empty()) {
    const auto [id_a, id_b] = pending.back();
    pending.pop_back();
    const uint64_t key =
        (static_cast<uint64_t>(static_cast<uint32_t>(id_a)) << 32) | static_cast<uint32_t>(id_b);
    if (!queued.insert(key).second) continue;
    const Expr& expr_a = a.expr(id_a);
    const Expr& expr_b = b.expr(id_b);
    if (expr_a.kind != expr_b.kind || expr_a.bytes != expr_b.bytes ||
        expr_a.negated != expr_b.negated || expr_a.ranges != expr_b.ranges ||
        expr_a.rule != expr_b.rule || expr_a.min != expr_b.min || expr_a.max != expr_b.max ||
        expr_a.children.size() != expr_b.children.size()) {
      return false;
    }
    for (size_t i = 0; i < expr_a.children.size(); ++i) {
      pending.emplace_back(expr_a.children[i], expr_b.children[i]);
    }
  }
  return true;
}

}  // namespace xgrammar
