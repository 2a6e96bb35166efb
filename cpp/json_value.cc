// JSON document model, parser and writer; see json_value.h.
#include "cpp/json_value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "cpp/error.h"
#include "cpp/resource_limits.h"
#include "cpp/text_location.h"
#include "cpp/utf8_codec.h"

namespace xgrammar {

JsonValue JsonValue::Bool(bool value) {
  JsonValue result;
  result.kind_ = Kind::kBool;
  result.bool_value_ = value;
  return result;
}

JsonValue JsonValue::Integer(int64_t value) { return NumberFromText(std::to_string(value)); }

JsonValue JsonValue::Double(double value) {
  if (!std::isfinite(value)) return JsonValue();
  char buffer[32];
  // 17 significant digits round-trip every double.
  snprintf(buffer, sizeof(buffer), "%.17g", value);
  return NumberFromText(buffer);
}

JsonValue JsonValue::NumberFromText(std::string text) {
  JsonValue result;
  result.kind_ = Kind::kNumber;
  result.text_ = std::move(text);
  return result;
}

JsonValue JsonValue::String(std::string utf8) {
  JsonValue result;
  result.kind_ = Kind::kString;
  result.text_ = std::move(utf8);
  return result;
}

JsonValue JsonValue::MakeArray(Array elements) {
  JsonValue result;
  result.kind_ = Kind::kArray;
  result.array_ = std::move(elements);
  return result;
}

JsonValue JsonValue::MakeObject(Object members) {
  JsonValue result;
  result.kind_ = Kind::kObject;
  result.object_ = std::move(members);
  return result;
}

double JsonValue::AsDouble() const {
  if (kind_ != Kind::kNumber) return 0.0;
  double value = 0.0;
  std::from_chars(text_.data(), text_.data() + text_.size(), value);
  return value;
}

std::optional<int64_t> JsonValue::AsInt64() const {
  if (kind_ != Kind::kNumber) return std::nullopt;
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text_.data(), text_.data() + text_.size(), value);
  if (error == std::errc() && end == text_.data() + text_.size()) return value;
  const double as_double = AsDouble();
  // 2^63 is exactly representable; anything at or above it does not fit.
  if (std::trunc(as_double) != as_double || as_double >= 9223372036854775808.0 ||
      as_double < -9223372036854775808.0) {
    return std::nullopt;
  }
  return static_cast<int64_t>(as_double);
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  for (size_t i = object_.size(); i-- > 0;) {
    if (object_[i].first == key) return &object_[i].second;
  }
  return nullptr;
}

void JsonValue::Add(std::string key, JsonValue value) {
  object_.emplace_back(std::move(key), std::move(value));
}

void JsonValue::Push(JsonValue value) { array_.push_back(std::move(value)); }

bool JsonValue::operator==(const JsonValue& other) const {
  // Iterative, like the parser: values built by hand are not depth-limited.
  std::vector<std::pair<const JsonValue*, const JsonValue*>> pending{{this, &other}};
  while (!pending.empty()) {
    const auto [a, b] = pending.back();
    pending.pop_back();
    if (a->kind_ != b->kind_ || a->bool_value_ != b->bool_value_ || a->text_ != b->text_ ||
        a->array_.size() != b->array_.size() || a->object_.size() != b->object_.size()) {
      return false;
    }
    for (size_t i = 0; i < a->array_.size(); ++i)
      pending.emplace_back(&a->array_[i], &b->array_[i]);
    for (size_t i = 0; i < a->object_.size(); ++i) {
      if (a->object_[i].first != b->object_[i].first) return false;
      pending.emplace_back(&a->object_[i].second, &b->object_[i].second);
    }
  }
  return true;
}

namespace {

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class JsonParser {
 public:
  JsonParser(std::string_view text, int32_t max_depth) : text_(text), max_depth_(max_depth) {}

  JsonValue Run() {
    // Each open container is a frame; a finished value is attached to the innermost frame.
    struct Frame {
      JsonValue container;
      std::string key;  // objects: the key of the member whose value is being read
    };
    std::vector<Frame> stack;
    while (true) {
      SkipWhitespace();
      JsonValue value;
      const size_t start = position_;
      const char c = Peek();
      if (c == '{' || c == '[') {
        if (static_cast<int64_t>(stack.size()) >= max_depth_) {
          ThrowError(ErrorKind::kLimitExceeded,
                     "JSON nests deeper than max_nesting_depth = " + std::to_string(max_depth_),
                     LocateOffset(text_, start));
        }
        ++position_;
        SkipWhitespace();
        const bool is_object = c == '{';
        const char closing = is_object ? '}' : ']';
        if (Peek() != closing) {
          stack.push_back(Frame{is_object ? JsonValue::MakeObject() : JsonValue::MakeArray(), {}});
          if (is_object) stack.back().key = ReadKey();
          continue;
        }
        ++position_;
        value = is_object ? JsonValue::MakeObject() : JsonValue::MakeArray();
      } else {
        value = ReadScalar();
      }
      // Attach the finished value, closing every container that ends right after it.
      while (true) {
        if (stack.empty()) {
          SkipWhitespace();
          if (position_ < text_.size()) Fail(position_, "unexpected text after the JSON value");
          return value;
        }
        Frame& frame = stack.back();
        const bool is_object = frame.container.IsObject();
        if (is_object) {
          frame.container.Add(std::move(frame.key), std::move(value));
        } else {
          frame.container.Push(std::move(value));
        }
        SkipWhitespace();
        if (Peek() == ',') {
          ++position_;
          if (is_object) frame.key = ReadKey();
          break;
        }
        if (Peek() != (is_object ? '}' : ']')) {
          Fail(position_,
               is_object ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array");
        }
        ++position_;
        value = std::move(frame.container);
        stack.pop_back();
      }
    }
  }

 private:
  [[noreturn]] void Fail(size_t offset, const std::string& message) const {
    ThrowError(ErrorKind::kSyntax, message, LocateOffset(text_, offset));
  }

  char Peek() const { return position_ < text_.size() ? text_[position_] : '\0'; }

  void SkipWhitespace() {
    while (position_ < text_.size()) {
      const char c = text_[position_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++position_;
    }
  }

  std::string ReadKey() {
    SkipWhitespace();
    if (Peek() != '"') Fail(position_, "expected a string key in an object");
    std::string key = ReadString();
    SkipWhitespace();
    if (Peek() != ':') Fail(position_, "expected ':' after an object key");
    ++position_;
    return key;
  }

  bool ConsumeWord(std::string_view word) {
    if (text_.substr(position_, word.size()) != word) return false;
    position_ += word.size();
    return true;
  }

  JsonValue ReadScalar() {
    const char c = Peek();
    if (c == '"') return JsonValue::String(ReadString());
    if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
    if (ConsumeWord("true")) return JsonValue::Bool(true);
    if (ConsumeWord("false")) return JsonValue::Bool(false);
    if (ConsumeWord("null")) return JsonValue::Null();
    if (position_ >= text_.size()) Fail(position_, "unexpected end of the JSON text");
    Fail(position_, "expected a JSON value");
  }

  JsonValue ReadNumber() {
    const size_t start = position_;
    const auto digits = [&] {
      const size_t first = position_;
      while (Peek() >= '0' && Peek() <= '9') ++position_;
      return position_ > first;
    };
    if (Peek() == '-') ++position_;
    if (Peek() == '0') {
      ++position_;
    } else if (!digits()) {
      Fail(start, "malformed number");
    }
    if (Peek() == '.') {
      ++position_;
      if (!digits()) Fail(start, "malformed number: a digit must follow '.'");
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++position_;
      if (Peek() == '+' || Peek() == '-') ++position_;
      if (!digits()) Fail(start, "malformed number: the exponent has no digits");
    }
    return JsonValue::NumberFromText(std::string(text_.substr(start, position_ - start)));
  }

  uint32_t ReadHex4(size_t escape_start) {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = position_ < text_.size() ? HexDigitValue(text_[position_]) : -1;
      if (digit < 0) Fail(escape_start, "\\u needs four hexadecimal digits");
      value = value * 16 + static_cast<uint32_t>(digit);
      ++position_;
    }
    return value;
  }

  std::string ReadString() {
    const size_t start = position_;
    ++position_;
    std::string out;
    while (true) {
      if (position_ >= text_.size()) Fail(start, "string is not closed");
      const unsigned char c = static_cast<unsigned char>(text_[position_]);
      if (c == '"') {
        ++position_;
        return out;
      }
      if (c < 0x20) Fail(position_, "control character in a string must be escaped");
      if (c >= 0x80) {
        const DecodedCodepoint decoded = DecodeUtf8Codepoint(text_, position_);
        if (decoded.length == 0) Fail(position_, "invalid UTF-8 in a string");
        out.append(text_.substr(position_, decoded.length));
        position_ += decoded.length;
        continue;
      }
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        ++position_;
        continue;
      }
      const size_t escape_start = position_;
      ++position_;
      const char escaped = Peek();
      ++position_;
      switch (escaped) {
        case '"':
        case '\\':
        case '/':
          out.push_back(escaped);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          uint32_t codepoint = ReadHex4(escape_start);
          if (codepoint >= 0xDC00 && codepoint <= 0xDFFF) {
            Fail(escape_start, "lone low surrogate in a \\u escape");
          }
          if (codepoint >= 0xD800 && codepoint <= 0xDBFF) {
            if (text_.substr(position_, 2) != "\\u") {
              Fail(escape_start, "high surrogate not followed by a low surrogate");
            }
            position_ += 2;
            const uint32_t low = ReadHex4(escape_start);
            if (low < 0xDC00 || low > 0xDFFF) {
              Fail(escape_start, "high surrogate not followed by a low surrogate");
            }
            codepoint = 0x10000 + ((codepoint - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8Codepoint(&out, codepoint);
          break;
        }
        default:
          Fail(escape_start, "unknown escape sequence in a string");
      }
    }
  }

  std::string_view text_;
  int32_t max_depth_;
  size_t position_ = 0;
};

void WriteJsonString(std::string* out, const std::string& utf8) {
  out->push_back('"');
  for (const char c : utf8) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          snprintf(buffer, sizeof(buffer), "\\u%04x", static_cast<unsigned>(c));
          out->append(buffer);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

}  // namespace

JsonValue ParseJson(std::string_view text, int32_t max_depth) {
  if (max_depth < 0) max_depth = GetLimits().max_nesting_depth;
  return JsonParser(text, max_depth).Run();
}

std::string WriteJson(const JsonValue& value) {
  std::string out;
  // Each frame is a container being written and the index of its next element.
  struct Frame {
    const JsonValue* container;
    size_t next;
  };
  std::vector<Frame> stack;
  const JsonValue* current = &value;
  while (true) {
    if (current != nullptr) {
      switch (current->kind()) {
        case JsonValue::Kind::kNull:
          out.append("null");
          break;
        case JsonValue::Kind::kBool:
          out.append(current->AsBool() ? "true" : "false");
          break;
        case JsonValue::Kind::kNumber:
          out.append(current->NumberText());
          break;
        case JsonValue::Kind::kString:
          WriteJsonString(&out, current->AsString());
          break;
        case JsonValue::Kind::kArray:
          out.push_back('[');
          stack.push_back(Frame{current, 0});
          break;
        case JsonValue::Kind::kObject:
          out.push_back('{');
          stack.push_back(Frame{current, 0});
          break;
      }
      current = nullptr;
    }
    if (stack.empty()) return out;
    Frame& frame = stack.back();
    const bool is_object = frame.container->IsObject();
    const size_t size =
        is_object ? frame.container->AsObject().size() : frame.container->AsArray().size();
    if (frame.next == size) {
      out.push_back(is_object ? '}' : ']');
      stack.pop_back();
      continue;
    }
    if (frame.next > 0) out.push_back(',');
    if (is_object) {
      const JsonValue::Member& member = frame.container->AsObject()[frame.next];
      WriteJsonString(&out, member.first);
      out.push_back(':');
      current = &member.second;
    } else {
      current = &frame.container->AsArray()[frame.next];
    }
    ++frame.next;
  }
}

}  // namespace xgrammar
