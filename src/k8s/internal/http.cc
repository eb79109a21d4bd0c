#include "k8s/internal/http.h"

#include <curl/curl.h>

#include <cctype>
#include <fstream>
#include <sstream>

namespace hami::k8s::internal {
namespace {

std::once_flag g_curl_init;

struct Transfer {
  const HttpRequest* req;
  HttpResponse* resp;
  bool aborted_by_callback = false;
};

size_t OnWrite(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (t->req->on_data) {
    if (!t->req->on_data(std::string_view(data, len))) {
      t->aborted_by_callback = true;
      return 0;
    }
    return len;
  }
  t->resp->body.append(data, len);
  return len;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->req->stop != nullptr && t->req->stop->load(std::memory_order_relaxed)) return 1;
  return 0;
}

void SetBlob(CURL* h, CURLoption opt, const std::string& data) {
  curl_blob blob;
  blob.data = const_cast<char*>(data.data());
  blob.len = data.size();
  blob.flags = CURL_BLOB_COPY;
  curl_easy_setopt(h, opt, &blob);
}

}  // namespace

HttpTransport::HttpTransport(const ClientConfig& config) : config_(config) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpTransport::~HttpTransport() {
  for (void* h : pool_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HttpTransport::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pool_.empty()) {
      void* h = pool_.back();
      pool_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HttpTransport::Release(void* handle) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pool_.size() < 16) {
    pool_.push_back(handle);
  } else {
    curl_easy_cleanup(static_cast<CURL*>(handle));
  }
}

std::string HttpTransport::Token() {
  if (!config_.bearer_token_file.empty()) {
    std::ifstream in(config_.bearer_token_file);
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string t = ss.str();
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    if (!t.empty()) return t;
  }
  return config_.bearer_token;
}

std::string HttpTransport::Escape(std::string_view text) {
  std::string out;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

StatusOr<HttpResponse> HttpTransport::Perform(const HttpRequest& req) {
  CURL* h = static_cast<CURL*>(Acquire());
  if (h == nullptr) return InternalError("curl_easy_init failed");
  curl_easy_reset(h);
  HttpResponse resp;
  Transfer t{&req, &resp};
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, std::string(req.method).c_str());
  if (req.method == "GET") curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  if (!req.body.empty() || req.method == "POST" || req.method == "PATCH" || req.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(req.body.size()));
  }
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, long(config_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, long(req.timeout.count()));
  if (req.low_speed_time.count() > 0) {
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, long(req.low_speed_time.count()));
  }
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnWrite);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(h, CURLOPT_USERAGENT, config_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  if (config_.insecure_skip_tls_verify) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (!config_.ca_pem.empty()) {
    SetBlob(h, CURLOPT_CAINFO_BLOB, config_.ca_pem);
  }
  if (!config_.client_cert_pem.empty()) {
    SetBlob(h, CURLOPT_SSLCERT_BLOB, config_.client_cert_pem);
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
  }
  if (!config_.client_key_pem.empty()) {
    SetBlob(h, CURLOPT_SSLKEY_BLOB, config_.client_key_pem);
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
  }
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/json");
  std::string ct = "Content-Type: " + std::string(req.content_type);
  if (!req.content_type.empty()) headers = curl_slist_append(headers, ct.c_str());
  std::string token = Token();
  std::string auth = "Authorization: Bearer " + token;
  if (!token.empty()) headers = curl_slist_append(headers, auth.c_str());
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

  CURLcode rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.code);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  Release(h);

  if (rc == CURLE_OK) return resp;
  if (t.aborted_by_callback) return resp;  // the consumer chose to stop
  std::string msg = std::string(req.method) + " " + req.url + ": " +
                    (errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
  if (rc == CURLE_ABORTED_BY_CALLBACK) return Status(StatusCode::kCancelled, msg);
  if (rc == CURLE_OPERATION_TIMEDOUT) return DeadlineExceededError(msg);
  return UnavailableError(msg);
}

Status StatusFromHttp(long code, const std::string& body, std::string_view what) {
  std::string reason, message;
  try {
    auto j = nlohmann::json::parse(body);
    if (j.is_object()) {
      reason = j.value("reason", "");
      message = j.value("message", "");
    }
  } catch (const std::exception&) {
    message = body.substr(0, 200);
  }
  std::string m = std::string(what) + ": HTTP " + std::to_string(code);
  if (!reason.empty()) m += " " + reason;
  if (!message.empty()) m += ": " + message;
  switch (code) {
    case 404: return NotFoundError(m);
    case 409: return reason == "AlreadyExists" ? AlreadyExistsError(m) : AbortedError(m);
    case 410: return OutOfRangeError(m);
    case 401:
    case 403: return PermissionDeniedError(m);
    case 400:
    case 415:
    case 422: return InvalidArgumentError(m);
    case 408:
    case 504: return DeadlineExceededError(m);
    default: break;
  }
  if (code == 429 || code >= 500) return UnavailableError(m);
  return InternalError(m);
}

}  // namespace hami::k8s::internal
