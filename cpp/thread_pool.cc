// ThreadPool; see thread_pool.h. Work is handed out one index at a time under the mutex: the
// bodies (one matcher's mask each) take tens of microseconds, far more than the lock.
#include "cpp/thread_pool.h"

#include <exception>

namespace xgrammar {

ThreadPool::ThreadPool(int num_workers) {
  for (int i = 0; i < num_workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::RunShare() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (next_ < count_) {
    int64_t i = next_++;
    const std::function<void(int64_t)>* body = body_;
    lock.unlock();
    try {
      (*body)(i);
    } catch (...) {
      lock.lock();
      if (!failure_) failure_ = std::current_exception();
      lock.unlock();
    }
    lock.lock();
    if (++finished_ == count_) done_.notify_all();
  }
}

void ThreadPool::WorkerLoop() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    RunShare();
  }
}

void ThreadPool::ParallelFor(int64_t count, const std::function<void(int64_t)>& body) {
  if (count <= 0) return;
  if (workers_.empty() || count == 1) {
    for (int64_t i = 0; i < count; ++i) body(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    body_ = &body;
    count_ = count;
    next_ = 0;
    finished_ = 0;
    failure_ = nullptr;
    ++generation_;
  }
  wake_.notify_all();
  RunShare();
  std::exception_ptr failure;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return finished_ == count_; });
    count_ = 0;
    failure = failure_;
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace xgrammar
