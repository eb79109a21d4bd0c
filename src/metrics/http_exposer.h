// A small HTTP server for Prometheus scrapes: GET /metrics answers with the
// text produced by a render callback (called per scrape, possibly from several
// threads at once), GET /healthz answers "ok". Binds to "host:port" (":port"
// means every interface; port 0 picks a free one). Start/Stop are not
// thread-safe against each other; Stop is idempotent and joins the server thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "metrics/registry.h"

namespace hami::metrics {

struct BindAddress {
  std::string host;
  int port = 0;
};
// Parses "host:port", ":port", "[v6]:port".
StatusOr<BindAddress> ParseBindAddress(std::string_view text);

class HttpExposer {
 public:
  using RenderFn = std::function<std::string()>;
  explicit HttpExposer(RenderFn render);
  // Convenience: serves `registry` (must outlive the exposer).
  explicit HttpExposer(const Registry* registry);
  ~HttpExposer();
  HttpExposer(const HttpExposer&) = delete;
  HttpExposer& operator=(const HttpExposer&) = delete;

  // Binds and starts serving in a background thread.
  Status Start(std::string_view bind_address);
  // The bound port (after Start), e.g. when 0 was asked for.
  int port() const;
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hami::metrics
