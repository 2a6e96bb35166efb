// Grammar <-> JSON; see grammar_serializer.h for the format.
#include "cpp/grammar_serializer.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "cpp/error.h"
#include "cpp/resource_limits.h"
#include "cpp/utf8_codec.h"

namespace xgrammar {
namespace {

// The format nests four levels; anything deeper is not ours and is rejected while parsing.
constexpr int32_t kGrammarJsonMaxDepth = 8;

// The deepest expression tree the EBNF parser can build: each level of parentheses adds at most
// a choice, a sequence and one repetition. Deserialized grammars obey the same bound, so code
// downstream never meets a tree deeper than a parsed grammar could be.
int64_t MaxExprDepth(const Limits& limits) { return 3 * int64_t{limits.max_nesting_depth} + 4; }

JsonValue IdArray(const std::vector<ExprId>& ids) {
  JsonValue array = JsonValue::MakeArray();
  for (ExprId id : ids) array.Push(JsonValue::Integer(id));
  return array;
}

JsonValue ExprToJson(const Expr& expr) {
  JsonValue out = JsonValue::MakeArray();
  switch (expr.kind) {
    case ExprKind::kEmpty:
      out.Push(JsonValue::String("empty"));
      break;
    case ExprKind::kByteString:
      out.Push(JsonValue::String("bytes"));
      out.Push(JsonValue::String(expr.bytes));
      break;
    case ExprKind::kCharClass: {
      out.Push(JsonValue::String("class"));
      out.Push(JsonValue::Bool(expr.negated));
      JsonValue bounds = JsonValue::MakeArray();
      for (const CodepointRange& range : expr.ranges) {
        bounds.Push(JsonValue::Integer(range.lo));
        bounds.Push(JsonValue::Integer(range.hi));
      }
      out.Push(std::move(bounds));
      break;
    }
    case ExprKind::kSequence:
      out.Push(JsonValue::String("seq"));
      out.Push(IdArray(expr.children));
      break;
    case ExprKind::kChoice:
      out.Push(JsonValue::String("choice"));
      out.Push(IdArray(expr.children));
      break;
    case ExprKind::kRuleRef:
      out.Push(JsonValue::String("ref"));
      out.Push(JsonValue::Integer(expr.rule));
      break;
    case ExprKind::kRepeat:
      out.Push(JsonValue::String("repeat"));
      out.Push(JsonValue::Integer(expr.children[0]));
      out.Push(JsonValue::Integer(expr.min));
      out.Push(JsonValue::Integer(expr.max));
      break;
  }
  return out;
}

[[noreturn]] void FailFormat(const std::string& message) {
  ThrowError(ErrorKind::kDeserialize, "serialized grammar: " + message);
}

const JsonValue& Member(const JsonValue& object, const char* key) {
  const JsonValue* value = object.Find(key);
  if (value == nullptr) FailFormat(std::string("missing field \"") + key + "\"");
  return *value;
}

int64_t ReadInteger(const JsonValue& value, int64_t min, int64_t max, const std::string& what) {
  const std::optional<int64_t> integer = value.IsNumber() ? value.AsInt64() : std::nullopt;
  if (!integer.has_value() || *integer < min || *integer > max) {
    FailFormat(what + " must be an integer in [" + std::to_string(min) + ", " +
               std::to_string(max) + "]");
  }
  return *integer;
}

const JsonValue::Array& ReadArray(const JsonValue& value, const std::string& what) {
  if (!value.IsArray()) FailFormat(what + " must be an array");
  return value.AsArray();
}

bool IsValidRuleName(const std::string& name) {
  if (name.empty()) return false;
  const auto is_start = [](char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  if (!is_start(name[0])) return false;
  for (char c : name) {
    if (!is_start(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.') return false;
  }
  return true;
}

// Reads the expressions of `exprs` into the builder; returns input id -> builder id.
std::vector<ExprId> ReadExprs(const JsonValue::Array& exprs, int32_t num_rules,
                              const Limits& limits, GrammarBuilder* builder) {
  std::vector<ExprId> builder_ids;
  builder_ids.reserve(exprs.size());
  std::vector<int64_t> depths;  // by input id
  depths.reserve(exprs.size());
  for (size_t index = 0; index < exprs.size(); ++index) {
    const std::string where = "expression " + std::to_string(index);
    const JsonValue::Array& fields = ReadArray(exprs[index], where);
    if (fields.empty() || !fields[0].IsString()) FailFormat(where + " has no kind tag");
    const std::string& tag = fields[0].AsString();
    const auto expect_fields = [&](size_t count) {
      if (fields.size() != count) FailFormat(where + " (\"" + tag + "\") has the wrong arity");
    };
    // Children must precede their parent: that keeps the pool acyclic.
    int64_t depth = 1;
    const auto read_child = [&](const JsonValue& value) {
      const int64_t child =
          ReadInteger(value, 0, static_cast<int64_t>(index) - 1, where + " child");
      depth = std::max(depth, depths[child] + 1);
      return builder_ids[child];
    };
    ExprId id = kNoExpr;
    if (tag == "empty") {
      expect_fields(1);
      id = builder->Empty();
    } else if (tag == "bytes") {
      expect_fields(2);
      if (!fields[1].IsString()) FailFormat(where + " bytes must be a string");
      // The JSON parser already guarantees strict UTF-8.
      id = builder->ByteString(fields[1].AsString());
    } else if (tag == "class") {
      expect_fields(3);
      if (!fields[1].IsBool()) FailFormat(where + " negated must be a boolean");
      const JsonValue::Array& bounds = ReadArray(fields[2], where + " ranges");
      if (bounds.size() % 2 != 0) FailFormat(where + " ranges must come in pairs");
      std::vector<CodepointRange> ranges;
      for (size_t i = 0; i < bounds.size(); i += 2) {
        const auto lo = static_cast<uint32_t>(ReadInteger(bounds[i], 0, kMaxCodepoint, where));
        const auto hi = static_cast<uint32_t>(ReadInteger(bounds[i + 1], lo, kMaxCodepoint, where));
        if (IsSurrogateCodepoint(lo) || IsSurrogateCodepoint(hi)) {
          FailFormat(where + " has a surrogate code point as a range end");
        }
        ranges.push_back(CodepointRange{lo, hi});
      }
      id = builder->CharClass(std::move(ranges), fields[1].AsBool());
    } else if (tag == "seq" || tag == "choice") {
      expect_fields(2);
      std::vector<ExprId> children;
      for (const JsonValue& child : ReadArray(fields[1], where + " children")) {
        children.push_back(read_child(child));
      }
      if (tag == "choice" && children.empty()) FailFormat(where + " is a choice of nothing");
      id = tag == "seq" ? builder->Sequence(std::move(children))
                        : builder->Choice(std::move(children));
    } else if (tag == "ref") {
      expect_fields(2);
      id = builder->RuleRef(static_cast<RuleId>(ReadInteger(fields[1], 0, num_rules - 1, where)));
    } else if (tag == "repeat") {
      expect_fields(4);
      const ExprId child = read_child(fields[1]);
      const int64_t bound = limits.max_repetition_bound;
      const int64_t min = ReadInteger(fields[2], 0, bound, where + " min");
      const int64_t max = ReadInteger(fields[3], -1, bound, where + " max");
      if (max != kUnbounded && max < min) FailFormat(where + " has min above max");
      id = builder->Repeat(child, static_cast<int32_t>(min), static_cast<int32_t>(max));
    } else {
      FailFormat(where + " has an unknown kind \"" + tag + "\"");
    }
    if (depth > MaxExprDepth(limits)) {
      FailFormat(where + " nests deeper than " + std::to_string(MaxExprDepth(limits)) +
                 " expressions (3 * max_nesting_depth + 4)");
    }
    builder_ids.push_back(id);
    depths.push_back(depth);
  }
  return builder_ids;
}

}  // namespace

JsonValue GrammarToJsonValue(const Grammar& grammar) {
  JsonValue rules = JsonValue::MakeArray();
  for (const Rule& rule : grammar.rules()) {
    JsonValue entry = JsonValue::MakeArray();
    entry.Push(JsonValue::String(rule.name));
    entry.Push(JsonValue::Integer(rule.body));
    entry.Push(JsonValue::Integer(rule.lookahead));
    rules.Push(std::move(entry));
  }
  JsonValue exprs = JsonValue::MakeArray();
  for (const Expr& expr : grammar.exprs()) exprs.Push(ExprToJson(expr));
  JsonValue out = JsonValue::MakeObject();
  out.Add("format", JsonValue::String(kGrammarFormatName));
  out.Add("version", JsonValue::Integer(kGrammarFormatVersion));
  out.Add("root", JsonValue::Integer(grammar.root()));
  out.Add("rules", std::move(rules));
  out.Add("exprs", std::move(exprs));
  return out;
}

std::string SerializeGrammarJson(const Grammar& grammar) {
  return WriteJson(GrammarToJsonValue(grammar));
}

GrammarPtr GrammarFromJsonValue(const JsonValue& value) {
  if (!value.IsObject()) FailFormat("the document must be a JSON object");
  const JsonValue& format = Member(value, "format");
  if (!format.IsString() || format.AsString() != kGrammarFormatName) {
    FailFormat(std::string("\"format\" must be \"") + kGrammarFormatName + "\"");
  }
  const JsonValue& version = Member(value, "version");
  if (!version.IsNumber() || version.AsInt64() != kGrammarFormatVersion) {
    ThrowError(ErrorKind::kDeserializeVersion,
               "serialized grammar has format version " +
                   (version.IsNumber() ? version.NumberText() : std::string("(not a number)")) +
                   "; this xgrammar reads version " + std::to_string(kGrammarFormatVersion));
  }
  const Limits limits = GetLimits();
  const JsonValue::Array& rules = ReadArray(Member(value, "rules"), "\"rules\"");
  const JsonValue::Array& exprs = ReadArray(Member(value, "exprs"), "\"exprs\"");
  if (rules.empty()) FailFormat("the grammar has no rules");
  if (static_cast<int64_t>(rules.size() + exprs.size()) > limits.max_grammar_size) {
    ThrowError(ErrorKind::kLimitExceeded, "serialized grammar is larger than max_grammar_size = " +
                                              std::to_string(limits.max_grammar_size));
  }
  GrammarBuilder builder;
  for (size_t index = 0; index < rules.size(); ++index) {
    const JsonValue::Array& fields = ReadArray(rules[index], "rule " + std::to_string(index));
    if (fields.size() != 3 || !fields[0].IsString() || !IsValidRuleName(fields[0].AsString())) {
      FailFormat("rule " + std::to_string(index) + " must be [valid name, body, lookahead]");
    }
    if (builder.FindRule(fields[0].AsString()) >= 0) {
      FailFormat("rule \"" + fields[0].AsString() + "\" appears twice");
    }
    builder.AddRule(fields[0].AsString());
  }
  const std::vector<ExprId> builder_ids =
      ReadExprs(exprs, static_cast<int32_t>(rules.size()), limits, &builder);
  const auto num_exprs = static_cast<int64_t>(exprs.size());
  for (size_t index = 0; index < rules.size(); ++index) {
    const JsonValue::Array& fields = rules[index].AsArray();
    const std::string where = "rule " + std::to_string(index);
    const auto rule = static_cast<RuleId>(index);
    builder.SetBody(rule, builder_ids[ReadInteger(fields[1], 0, num_exprs - 1, where + " body")]);
    const int64_t lookahead = ReadInteger(fields[2], -1, num_exprs - 1, where + " lookahead");
    if (lookahead >= 0) builder.SetLookahead(rule, builder_ids[lookahead]);
  }
  builder.SetRoot(static_cast<RuleId>(
      ReadInteger(Member(value, "root"), 0, static_cast<int64_t>(rules.size()) - 1, "\"root\"")));
  return builder.Build();
}

GrammarPtr DeserializeGrammarJson(std::string_view json_text) {
  JsonValue document;
  try {
    document = ParseJson(json_text, kGrammarJsonMaxDepth);
  } catch (const Error& error) {
    ThrowError(ErrorKind::kDeserialize, "serialized grammar is not valid JSON: " + error.message(),
               error.location());
  }
  return GrammarFromJsonValue(document);
}

}  // namespace xgrammar
