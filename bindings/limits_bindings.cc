// Python access to the process-wide resource limits of cpp/resource_limits.h.
#include <nanobind/nanobind.h>

#include "bindings/registry.h"
#include "cpp/resource_limits.h"

namespace xgrammar_bindings {
namespace {

void BindLimits(nb::module_& module) {
  using xgrammar::Limits;
  nb::class_<Limits>(module, "Limits", "Resource limits; see cpp/resource_limits.h.")
      .def(nb::init<>())
      .def_rw("max_nesting_depth", &Limits::max_nesting_depth)
      .def_rw("max_recursion_depth", &Limits::max_recursion_depth)
      .def_rw("max_grammar_size", &Limits::max_grammar_size)
      .def_rw("max_repetition_bound", &Limits::max_repetition_bound)
      .def_rw("max_automaton_states", &Limits::max_automaton_states)
      .def_rw("max_vocab_size", &Limits::max_vocab_size);
  module.def("get_limits", &xgrammar::GetLimits);
  module.def("set_limits", &xgrammar::SetLimits, nb::arg("limits"));
}

const BindingRegistrar kRegistrar(5, BindLimits);

}  // namespace
}  // namespace xgrammar_bindings
