// libcurl transport of the API client: one request, with TLS settings from
// ClientConfig, bounded by timeouts, optionally streamed (watch) and
// cancellable through an atomic flag. Easy handles are pooled for reuse.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "k8s/client.h"

namespace hami::k8s::internal {

struct HttpRequest {
  std::string_view method;
  std::string url;
  std::string_view body;
  std::string_view content_type;
  std::chrono::milliseconds timeout{30000};  // 0 = none (stream)
  // Streaming: chunks go here instead of into HttpResponse::body; return
  // false to abort the transfer.
  std::function<bool(std::string_view chunk)> on_data;
  std::chrono::seconds low_speed_time{0};  // abort when idle that long (0 = off)
  const std::atomic<bool>* stop = nullptr;
};

struct HttpResponse {
  long code = 0;
  std::string body;
};

class HttpTransport {
 public:
  explicit HttpTransport(const ClientConfig& config);
  ~HttpTransport();
  // Transport-level failures become kUnavailable / kDeadlineExceeded /
  // kCancelled; any HTTP status is returned in the response.
  StatusOr<HttpResponse> Perform(const HttpRequest& req);
  std::string Escape(std::string_view text);

 private:
  void* Acquire();
  void Release(void* handle);
  std::string Token();

  ClientConfig config_;
  std::mutex mu_;
  std::vector<void*> pool_;
};

// Maps a non-2xx HTTP response (body usually a metav1.Status) to a Status.
Status StatusFromHttp(long code, const std::string& body, std::string_view what);

}  // namespace hami::k8s::internal
