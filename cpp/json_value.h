// A small JSON document model: parse (RFC 8259, strict UTF-8) and write compactly.
//
// Entry points: `ParseJson` and `WriteJson`. Used wherever the core reads or writes JSON:
// grammar and compiled-grammar serialization, tokenizer metadata.
//
// - Objects keep their members in document order (JSON Schema `properties` order matters) and
//   may repeat a key; `Find` returns the last member with the key, as Python's json does.
// - Numbers keep their source text, so integers beyond 2^53 survive a round trip; `AsDouble`
//   and `AsInt64` convert on demand.
// - Strings are UTF-8. `\u` escapes must form scalar values: a lone surrogate is an error.
// - The parser is iterative; nesting deeper than `max_depth` (default Limits::max_nesting_depth)
//   is kLimitExceeded. Errors are kSyntax with line:column.
#ifndef XGRAMMAR_CPP_JSON_VALUE_H_
#define XGRAMMAR_CPP_JSON_VALUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xgrammar {

class JsonValue {
 public:
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
  using Array = std::vector<JsonValue>;
  using Member = std::pair<std::string, JsonValue>;
  using Object = std::vector<Member>;

  JsonValue() = default;  // null
  static JsonValue Null() { return JsonValue(); }
  static JsonValue Bool(bool value);
  static JsonValue Integer(int64_t value);
  static JsonValue Double(double value);  // finite values only; others become null
  // `text` must be a valid JSON number; the parser is the only caller that has one.
  static JsonValue NumberFromText(std::string text);
  static JsonValue String(std::string utf8);
  static JsonValue MakeArray(Array elements = {});
  static JsonValue MakeObject(Object members = {});

  Kind kind() const { return kind_; }
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsBool() const { return kind_ == Kind::kBool; }
  bool IsNumber() const { return kind_ == Kind::kNumber; }
  bool IsString() const { return kind_ == Kind::kString; }
  bool IsArray() const { return kind_ == Kind::kArray; }
  bool IsObject() const { return kind_ == Kind::kObject; }

  // Accessors; calling one on a value of another kind is a programming error and returns the
  // kind's empty value (false, "", an empty array or object) rather than crashing.
  bool AsBool() const { return bool_value_; }
  const std::string& AsString() const { return text_; }    // kString
  const std::string& NumberText() const { return text_; }  // kNumber
  double AsDouble() const;
  // The value if it is an integer that fits in int64 (`3`, `-7`, also `3.0` and `1e2`).
  std::optional<int64_t> AsInt64() const;
  const Array& AsArray() const { return array_; }
  Array& MutableArray() { return array_; }
  const Object& AsObject() const { return object_; }
  Object& MutableObject() { return object_; }

  // Object member lookup: the last member named `key`, or nullptr.
  const JsonValue* Find(std::string_view key) const;
  // Appends a member (objects only).
  void Add(std::string key, JsonValue value);
  void Push(JsonValue value);  // arrays only

  bool operator==(const JsonValue& other) const;

 private:
  Kind kind_ = Kind::kNull;
  bool bool_value_ = false;
  std::string text_;  // the string, or the number's text
  Array array_;
  Object object_;
};

// Parses one JSON text (surrounding whitespace allowed, nothing else after it).
JsonValue ParseJson(std::string_view text, int32_t max_depth = -1);

// Compact JSON (no spaces). Non-ASCII characters are written as UTF-8; control characters,
// '"' and '\' are escaped.
std::string WriteJson(const JsonValue& value);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_JSON_VALUE_H_
