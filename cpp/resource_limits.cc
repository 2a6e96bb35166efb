// Storage of the process-wide limits; see resource_limits.h.
#include "cpp/resource_limits.h"

#include <mutex>

namespace xgrammar {
namespace {
std::mutex limits_mutex;
Limits current_limits;
}  // namespace

Limits GetLimits() {
  std::lock_guard<std::mutex> lock(limits_mutex);
  return current_limits;
}

void SetLimits(const Limits& limits) {
  std::lock_guard<std::mutex> lock(limits_mutex);
  current_limits = limits;
}

}  // namespace xgrammar
