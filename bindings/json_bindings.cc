// Test hook for the core JSON module (cpp/json_value.h): parse a JSON text and write it back
// compactly. Only tests call it (tests/test_json_value.py checks the parser and writer against
// Python's json module); the library itself uses the JSON module from C++.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <string>

#include "bindings/registry.h"
#include "cpp/json_value.h"

namespace xgrammar_bindings {
namespace {

void BindJson(nb::module_& module) {
  module.def(
      "_json_parse_and_write",
      [](const nb::bytes& text, int max_depth) {
        const std::string owned(text.c_str(), text.size());
        nb::gil_scoped_release release;
        return xgrammar::WriteJson(xgrammar::ParseJson(owned, max_depth));
      },
      nb::arg("text"), nb::arg("max_depth") = -1,
      "Parses UTF-8 JSON bytes and writes the value back compactly (test hook).");
}

const BindingRegistrar kRegistrar(11, BindJson);

}  // namespace
}  // namespace xgrammar_bindings
