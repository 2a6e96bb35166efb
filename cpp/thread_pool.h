// A fixed pool of worker threads for data-parallel loops (batch mask filling). The calling
// thread takes part in the work, so a pool of n threads runs n + 1 loops at once.
#ifndef XGRAMMAR_CPP_THREAD_POOL_H_
#define XGRAMMAR_CPP_THREAD_POOL_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace xgrammar {

class ThreadPool {
 public:
  explicit ThreadPool(int num_workers);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Runs body(i) for every i in [0, count) and returns when all are done. The first exception
  // thrown by a body is rethrown here after the loop has drained. One loop at a time.
  void ParallelFor(int64_t count, const std::function<void(int64_t)>& body);
  int num_workers() const { return static_cast<int>(workers_.size()); }

 private:
  void WorkerLoop();
  void RunShare();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(int64_t)>* body_ = nullptr;
  int64_t count_ = 0;
  int64_t next_ = 0;
  int64_t finished_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  std::exception_ptr failure_;
};

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_THREAD_POOL_H_
