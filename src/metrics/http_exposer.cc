#include "metrics/http_exposer.h"

#include <chrono>
#include <charconv>
#include <thread>

#include <httplib.h>

#include "common/log.h"

namespace hami::metrics {

StatusOr<BindAddress> ParseBindAddress(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgumentError("bind address \"" + std::string(text) + "\" lacks :port");
  }
  BindAddress out;
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  out.host = host.empty() ? "0.0.0.0" : std::string(host);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (ec != std::errc() || end != port.data() + port.size() || out.port < 0 || out.port > 65535) {
    return InvalidArgumentError("bad port in bind address \"" + std::string(text) + "\"");
  }
  return out;
}

struct HttpExposer::Impl {
  RenderFn render;
  httplib::Server server;
  std::thread thread;
  int port = 0;
};

HttpExposer::HttpExposer(RenderFn render) : impl_(std::make_unique<Impl>()) {
  impl_->render = std::move(render);
  impl_->server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(impl_->render(), std::string(kContentType));
  });
  impl_->server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
}

HttpExposer::HttpExposer(const Registry* registry)
    : HttpExposer([registry] {
        std::vector<std::string> errors;
        std::string text = registry->Render(&errors);
        for (const auto& e : errors) log::Warn("metrics", "series skipped", {{"error", e}});
        return text;
      }) {}

HttpExposer::~HttpExposer() { Stop(); }

Status HttpExposer::Start(std::string_view bind_address) {
  ASSIGN_OR_RETURN(BindAddress addr, ParseBindAddress(bind_address));
  if (impl_->thread.joinable()) return FailedPreconditionError("metrics server already started");
  int port = addr.port;
  if (port == 0) {
    port = impl_->server.bind_to_any_port(addr.host);
    if (port < 0) return UnavailableError("cannot bind metrics server to " + addr.host);
  } else if (!impl_->server.bind_to_port(addr.host, port)) {
    return UnavailableError("cannot bind metrics server to " + std::string(bind_address));
  }
  impl_->port = port;
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  // stop() is a no-op until the accept loop runs, so wait for it.
  for (int i = 0; i < 5000 && !impl_->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  log::Info("metrics", "serving metrics",
            {{"address", addr.host}, {"port", std::to_string(port)}});
  return OkStatus();
}

int HttpExposer::port() const { return impl_->port; }

void HttpExposer::Stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

}  // namespace hami::metrics
