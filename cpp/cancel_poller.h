// Cooperative cancellation inside the long loops of a compile.
//
// A compile must stop within 100 ms of its caller's cancel (or timeout), whatever stage it is
// in. Every loop whose trip count grows with the grammar or the vocabulary owns a CancelPoller
// and calls `Tick(work)` once per iteration, with `work` roughly proportional to the
// iteration's cost; every kWorkBetweenChecks units the poller loads the flag and throws
// Error(kCancelled) if it is set. Counting locally keeps the common path to one subtraction,
// so a poll may sit in a loop that runs millions of times.
//
// A null flag (no caller flag) never throws. Entry point: `CancelPoller`.
#ifndef XGRAMMAR_CPP_CANCEL_POLLER_H_
#define XGRAMMAR_CPP_CANCEL_POLLER_H_

#include <atomic>
#include <cstdint>

#include "cpp/error.h"

namespace xgrammar {

// Throws Error(kCancelled) when `cancel` is set.
inline void ThrowIfCancelled(const std::atomic<bool>* cancel) {
  if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
    ThrowError(ErrorKind::kCancelled, "compilation was cancelled");
  }
}

class CancelPoller {
 public:
  // Work units between two looks at the flag. A unit is about one elementary step (one state
  // visited, one edge copied): tens of nanoseconds, so a check happens every few hundred
  // microseconds at most, and the relaxed load is not measurable against the work.
  static constexpr int64_t kWorkBetweenChecks = 4096;

  explicit CancelPoller(const std::atomic<bool>* cancel) : cancel_(cancel) {}

  void Tick(int64_t work = 1) {
    remaining_ -= work;
    if (remaining_ <= 0) {
      remaining_ = kWorkBetweenChecks;
      ThrowIfCancelled(cancel_);
    }
  }

 private:
  const std::atomic<bool>* cancel_;
  int64_t remaining_ = kWorkBetweenChecks;
};

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_CANCEL_POLLER_H_
