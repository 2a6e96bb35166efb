// Each bindings/*.cc file registers one function that adds its classes to the `_core` module, so
// that files never need to know about each other. `order` fixes the registration order: types
// used in signatures are bound first.
#ifndef XGRAMMAR_BINDINGS_REGISTRY_H_
#define XGRAMMAR_BINDINGS_REGISTRY_H_

#include <nanobind/nanobind.h>

namespace xgrammar_bindings {

namespace nb = nanobind;

using BindFunction = void (*)(nb::module_&);

struct BindingRegistrar {
  BindingRegistrar(int order, BindFunction function);
};

void BindAll(nb::module_& module);

}  // namespace xgrammar_bindings

#endif  // XGRAMMAR_BINDINGS_REGISTRY_H_
