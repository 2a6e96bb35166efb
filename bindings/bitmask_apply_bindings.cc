// Binds the CPU bitmask kernel (cpp/bitmask_apply.h) as _core.apply_token_bitmask_cpu. It takes
// numpy arrays and CPU torch tensors alike through DLPack views (no copy) and releases the GIL
// while it writes. Argument checking lives in xgrammar/kernels/arguments.py; this file only
// maps dtypes and strides.
#include <nanobind/ndarray.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <vector>

#include "bindings/registry.h"
#include "cpp/bitmask_apply.h"
#include "cpp/error.h"

namespace xgrammar_bindings {
namespace {

using LogitsArray = nb::ndarray<nb::ndim<2>, nb::device::cpu>;
using BitmaskArray = nb::ndarray<const int32_t, nb::ndim<2>, nb::device::cpu>;

xgrammar::LogitsFormat FormatOf(const LogitsArray& logits) {
  const nb::dlpack::dtype dtype = logits.dtype();
  if (dtype == nb::dtype<float>()) return xgrammar::LogitsFormat::kFloat32;
  if (dtype.bits == 16 && dtype.lanes == 1) {
    if (dtype.code == static_cast<uint8_t>(nb::dlpack::dtype_code::Float)) {
      return xgrammar::LogitsFormat::kFloat16;
    }
    if (dtype.code == static_cast<uint8_t>(nb::dlpack::dtype_code::Bfloat)) {
      return xgrammar::LogitsFormat::kBFloat16;
    }
  }
  xgrammar::ThrowError(xgrammar::ErrorKind::kInvalidArgument,
                       "logits must be float32, float16 or bfloat16");
}

template <typename Array>
xgrammar::StridedMatrix MatrixOf(const Array& array, void* data) {
  return {data, static_cast<int64_t>(array.shape(0)), static_cast<int64_t>(array.shape(1)),
          static_cast<int64_t>(array.stride(0)), static_cast<int64_t>(array.stride(1))};
}

void ApplyTokenBitmaskCpu(LogitsArray logits, BitmaskArray bitmask, int64_t vocab_size,
                          const std::vector<int64_t>& rows) {
  xgrammar::ApplyTokenBitmaskCpu(MatrixOf(logits, logits.data()), FormatOf(logits),
                                 MatrixOf(bitmask, const_cast<int32_t*>(bitmask.data())),
                                 vocab_size, rows);
}

void BindBitmaskApply(nb::module_& module) {
  module.def("apply_token_bitmask_cpu", &ApplyTokenBitmaskCpu, nb::arg("logits"),
             nb::arg("bitmask"), nb::arg("vocab_size"), nb::arg("rows"),
             nb::call_guard<nb::gil_scoped_release>(),
             "Set logits[row, token] to -inf where the bitmask bit is 0 (rows: all if empty).");
}

const BindingRegistrar kRegistrar(50, BindBitmaskApply);

}  // namespace
}  // namespace xgrammar_bindings
