// Python binding of the grammar IR handle and its front-end functions: EBNF parsing, printing,
// JSON serialization, union/concat and the builtin JSON grammar. `xgrammar/grammar.py` wraps
// this in the public `Grammar` class; nothing here has logic of its own.
//
// Grammars cross the boundary as `std::shared_ptr<xgrammar::Grammar>` (nanobind does not hold
// pointers to const), always created from an immutable GrammarPtr and never mutated.
#include <nanobind/nanobind.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <memory>
#include <string>
#include <vector>

#include "bindings/registry.h"
#include "cpp/builtin_grammars.h"
#include "cpp/ebnf_parser.h"
#include "cpp/grammar.h"
#include "cpp/grammar_combinators.h"
#include "cpp/grammar_printer.h"
#include "cpp/grammar_serializer.h"

namespace xgrammar_bindings {
namespace {

using xgrammar::Grammar;
using xgrammar::GrammarPtr;
using GrammarHandle = std::shared_ptr<Grammar>;

GrammarHandle ToHandle(const GrammarPtr& grammar) {
  return std::const_pointer_cast<Grammar>(grammar);
}

std::vector<GrammarPtr> FromHandles(const std::vector<GrammarHandle>& handles) {
  return std::vector<GrammarPtr>(handles.begin(), handles.end());
}

// Text arrives as UTF-8 bytes (Python encodes with "surrogatepass"), so that a lone surrogate
// in a Python str reaches the parser and becomes a located syntax error.
GrammarHandle ParseEbnfBytes(const nb::bytes& text, const std::string& root_rule_name) {
  const std::string owned(text.c_str(), text.size());
  nb::gil_scoped_release release;
  return ToHandle(xgrammar::ParseEbnf(owned, root_rule_name));
}

void BindGrammar(nb::module_& module) {
  nb::class_<Grammar>(module, "Grammar", "An immutable grammar (the IR of cpp/grammar.h).")
      .def_static("from_ebnf", &ParseEbnfBytes, nb::arg("text"), nb::arg("root_rule_name"))
      .def_static(
          "builtin_json", [] { return ToHandle(xgrammar::BuiltinJsonGrammar()); },
          nb::call_guard<nb::gil_scoped_release>())
      .def_static(
          "union",
          [](const std::vector<GrammarHandle>& grammars) {
            return ToHandle(xgrammar::UnionGrammars(FromHandles(grammars)));
          },
          nb::arg("grammars"), nb::call_guard<nb::gil_scoped_release>())
      .def_static(
          "concat",
          [](const std::vector<GrammarHandle>& grammars) {
            return ToHandle(xgrammar::ConcatGrammars(FromHandles(grammars)));
          },
          nb::arg("grammars"), nb::call_guard<nb::gil_scoped_release>())
      .def_static(
          "deserialize_json",
          [](const std::string& text) { return ToHandle(xgrammar::DeserializeGrammarJson(text)); },
          nb::arg("text"), nb::call_guard<nb::gil_scoped_release>())
      .def("to_string", &xgrammar::PrintGrammar, nb::call_guard<nb::gil_scoped_release>())
      .def("serialize_json", &xgrammar::SerializeGrammarJson,
           nb::call_guard<nb::gil_scoped_release>())
      .def("structurally_equal", &xgrammar::StructurallyEqual, nb::arg("other"),
           nb::call_guard<nb::gil_scoped_release>())
      .def("__eq__", [](const Grammar& a, const Grammar& b) { return a == b; })
      .def_prop_ro("num_rules", &Grammar::num_rules)
      .def_prop_ro("num_exprs", &Grammar::num_exprs)
      .def_prop_ro("rule_names",
                   [](const Grammar& grammar) {
                     std::vector<std::string> names;
                     for (const xgrammar::Rule& rule : grammar.rules()) names.push_back(rule.name);
                     return names;
                   })
      .def_prop_ro("root_rule_name",
                   [](const Grammar& grammar) { return grammar.rule(grammar.root()).name; });
}

const BindingRegistrar kRegistrar(10, BindGrammar);

}  // namespace
}  // namespace xgrammar_bindings
