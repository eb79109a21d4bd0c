// The thread pool and listening socket of hami-scheduler's HTTP(S) servers.
// cpp-httplib (0.11) serves each connection, keep-alive idle time included, on
// one pool thread, and queues accepted connections without bound when every
// thread is busy: with a fixed pool, a flood of connections queues health
// probes behind it. ElasticThreadPool keeps `min_threads` and starts more, up
// to `max_threads`, whenever a connection would otherwise wait; only beyond
// `max_threads` connections wait in its queue. Threads never exceed the bound,
// so memory stays bounded; started ones stay (idle) until shutdown().
// Thread-safe; no exceptions escape.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

namespace hami::schedulerd {

class ElasticThreadPool final : public httplib::TaskQueue {
 public:
  ElasticThreadPool(size_t min_threads, size_t max_threads);
  ~ElasticThreadPool() override;
  void enqueue(std::function<void()> fn) override;
  void shutdown() override;  // runs what is queued, then joins every thread
  size_t threads() const;

 private:
  bool StartThreadLocked();
  void Work();

  const size_t max_threads_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool shutdown_ = false;
};

// Listen backlog set on the servers' sockets (httplib's own is 5, which drops
// connection attempts during a burst: clients then wait 1 s or more to retry).
inline constexpr int kListenBacklog = 1024;

// Socket options for httplib::Server::set_socket_options: httplib's default
// ones, and records the listening socket in `*fd` so that the
// caller can raise its backlog (RaiseListenBacklog) after bind_to_port.
httplib::SocketOptions RecordListeningSocket(int* fd);
// Re-listens on `fd` with kListenBacklog; false on error.
bool RaiseListenBacklog(int fd);

}  // namespace hami::schedulerd
