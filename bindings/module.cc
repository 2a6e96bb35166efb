// The `xgrammar._core` extension module: registration of every binding file and the one place
// where core errors become Python exceptions (the classes live in xgrammar/exceptions.py).
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "bindings/registry.h"
#include "cpp/error.h"

namespace xgrammar_bindings {
namespace {

std::vector<std::pair<int, BindFunction>>& Registry() {
  static std::vector<std::pair<int, BindFunction>> registry;
  return registry;
}

}  // namespace

const char* ExceptionClassName(xgrammar::ErrorKind kind) {
  switch (kind) {
    case xgrammar::ErrorKind::kSyntax:
      return "GrammarSyntaxError";
    case xgrammar::ErrorKind::kInvalidGrammar:
      return "InvalidGrammarError";
    case xgrammar::ErrorKind::kUnsupported:
      return "UnsupportedFeatureError";
    case xgrammar::ErrorKind::kLimitExceeded:
      return "LimitExceededError";
    case xgrammar::ErrorKind::kInvalidArgument:
      return "InvalidArgumentError";
    case xgrammar::ErrorKind::kDeserialize:
      return "DeserializeFormatError";
    case xgrammar::ErrorKind::kDeserializeVersion:
      return "DeserializeVersionError";
    case xgrammar::ErrorKind::kCancelled:
      return "CompileCancelledError";
  }
  return "XGrammarError";
}

BindingRegistrar::BindingRegistrar(int order, BindFunction function) {
  Registry().emplace_back(order, function);
}

void BindAll(nb::module_& module) {
  std::vector<std::pair<int, BindFunction>> registry = Registry();
  std::stable_sort(registry.begin(), registry.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, function] : registry) function(module);
}

}  // namespace xgrammar_bindings

NB_MODULE(_core, module) {
  namespace nb = nanobind;
  nb::register_exception_translator([](const std::exception_ptr& pointer, void*) {
    try {
      std::rethrow_exception(pointer);
    } catch (const xgrammar::Error& error) {
      nb::gil_scoped_acquire gil;
      nb::object exceptions = nb::module_::import_("xgrammar.exceptions");
      nb::object cls = exceptions.attr(xgrammar_bindings::ExceptionClassName(error.kind()));
      nb::object instance =
          cls(error.what(), nb::arg("message") = error.message(),
              nb::arg("line") = error.location().line, nb::arg("column") = error.location().column);
      PyErr_SetObject(cls.ptr(), instance.ptr());
    }
  });
  xgrammar_bindings::BindAll(module);
}
