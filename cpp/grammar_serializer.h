// JSON serialization of the Grammar IR, for Grammar.serialize_json / deserialize_json and as a
// part of serialized compiled grammars.
//
// Format (compact JSON, one object):
//   {"format": "xgrammar.grammar", "version": 1, "root": <rule id>,
//    "rules": [[name, body expr id, lookahead expr id or -1], ...],
//    "exprs": [expr, ...]}
// where each expr is an array tagged by its kind:
//   ["empty"] | ["bytes", utf8 string] | ["class", negated, [lo, hi, lo, hi, ...]]
//   | ["seq", [child ids]] | ["choice", [child ids]] | ["ref", rule id]
//   | ["repeat", child id, min, max (-1 for unbounded)]
// Children come before their parents, as in the IR.
//
// Deserialization trusts nothing: every id, bound, code point, name and size is checked, so
// hostile input is an error, never a crash. Another "version" is ErrorKind::kDeserializeVersion
// (Python DeserializeVersionError); anything else wrong is kDeserialize (DeserializeFormatError).
#ifndef XGRAMMAR_CPP_GRAMMAR_SERIALIZER_H_
#define XGRAMMAR_CPP_GRAMMAR_SERIALIZER_H_

#include <string>
#include <string_view>

#include "cpp/grammar.h"
#include "cpp/json_value.h"

namespace xgrammar {

inline constexpr const char* kGrammarFormatName = "xgrammar.grammar";
inline constexpr int kGrammarFormatVersion = 1;

std::string SerializeGrammarJson(const Grammar& grammar);
GrammarPtr DeserializeGrammarJson(std::string_view json_text);

// The same, as a JSON value, so that larger documents (a serialized CompiledGrammar) can embed
// a grammar.
JsonValue GrammarToJsonValue(const Grammar& grammar);
GrammarPtr GrammarFromJsonValue(const JsonValue& value);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_GRAMMAR_SERIALIZER_H_
