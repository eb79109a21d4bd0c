#include "cmd/hami-scheduler/server_pool.h"

#include <algorithm>
#include <exception>
#include <utility>

#include <sys/socket.h>

namespace hami::schedulerd {

ElasticThreadPool::ElasticThreadPool(size_t min_threads, size_t max_threads)
    : max_threads_(std::max<size_t>({1, min_threads, max_threads})) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < std::max<size_t>(1, min_threads); ++i) {
    if (!StartThreadLocked()) break;
  }
}

ElasticThreadPool::~ElasticThreadPool() { shutdown(); }

bool ElasticThreadPool::StartThreadLocked() {
  try {
    threads_.emplace_back([this] { Work(); });
    return true;
  } catch (const std::exception&) {
    return false;  // out of threads: the job waits for a running one
  }
}

void ElasticThreadPool::enqueue(std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(fn));
    if (!shutdown_ && jobs_.size() > idle_ && threads_.size() < max_threads_) {
      (void)StartThreadLocked();
    }
  }
  cv_.notify_one();
}

void ElasticThreadPool::Work() {
  std::unique_lock lock(mu_);
  while (true) {
    ++idle_;
    cv_.wait(lock, [this] { return !jobs_.empty() || shutdown_; });
    --idle_;
    if (jobs_.empty()) return;  // shut down and drained
    std::function<void()> fn = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    fn();
    lock.lock();
  }
}

void ElasticThreadPool::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
}

size_t ElasticThreadPool::threads() const {
  std::lock_guard lock(mu_);
  return threads_.size();
}

httplib::SocketOptions RecordListeningSocket(int* fd) {
  return [fd](socket_t sock) {
    httplib::default_socket_options(sock);
    *fd = sock;
  };
}

bool RaiseListenBacklog(int fd) { return fd >= 0 && ::listen(fd, kListenBacklog) == 0; }

}  // namespace hami::schedulerd
