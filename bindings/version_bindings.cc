// Build information of the extension.
#include "bindings/registry.h"

namespace xgrammar_bindings {
namespace {

void BindVersion(nb::module_& module) {
  module.attr("__core_version__") = "0.2.8.post1";
#ifdef NDEBUG
  module.attr("__core_debug__") = false;
#else
  module.attr("__core_debug__") = true;
#endif
}

const BindingRegistrar kRegistrar(0, BindVersion);

}  // namespace
}  // namespace xgrammar_bindings
