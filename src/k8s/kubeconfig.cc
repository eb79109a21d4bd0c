// Kubeconfig and in-cluster configuration loading.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <yaml-cpp/yaml.h>

#include "k8s/client.h"
#include "k8s/internal/base64.h"

namespace hami::k8s {
namespace {

// Kubeconfigs, certificates and tokens are small; a path that names something
// endless (/dev/zero, a FIFO fed forever) must not hang or exhaust the process.
constexpr size_t kMaxFileBytes = 4 << 20;

StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path.string());
  std::string data(kMaxFileBytes + 1, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  if (in.bad()) return NotFoundError("cannot read " + path.string());
  data.resize(static_cast<size_t>(in.gcount()));
  if (data.size() > kMaxFileBytes) {
    return InvalidArgumentError(path.string() + " is larger than 4 MiB, not a kubeconfig, certificate or token");
  }
  return data;
}

std::filesystem::path Resolve(const std::filesystem::path& base, const std::string& p) {
  std::filesystem::path path(p);
  return path.is_absolute() ? path : base / path;
}

// Finds the entry named `name` in a kubeconfig list (clusters/users/contexts)
// and returns its inner map (`cluster`, `user` or `context`).
YAML::Node FindNamed(const YAML::Node& list, const std::string& name, const char* inner) {
  if (!list || !list.IsSequence()) return YAML::Node();
  for (const auto& item : list) {
    if (item["name"] && item["name"].as<std::string>() == name) return item[inner];
  }
  return YAML::Node();
}

std::string Str(const YAML::Node& n, const char* key) {
  if (!n || !n.IsMap() || !n[key] || !n[key].IsScalar()) return "";
  return n[key].as<std::string>();
}

// Loads "<key>-data" (base64) or "<key>" (file path) into *out.
Status LoadPem(const YAML::Node& n, const std::string& key, const std::filesystem::path& base,
               std::string* out) {
  std::string data = Str(n, (key + "-data").c_str());
  if (!data.empty()) {
    auto decoded = internal::Base64Decode(data);
    if (!decoded.ok()) return decoded.status().WithContext(key + "-data");
    *out = *std::move(decoded);
    return OkStatus();
  }
  std::string file = Str(n, key.c_str());
  if (!file.empty()) {
    auto content = ReadFile(Resolve(base, file));
    if (!content.ok()) return content.status().WithContext(key);
    *out = *std::move(content);
  }
  return OkStatus();
}

}  // namespace

StatusOr<ClientConfig> LoadKubeconfig(const std::string& path, const std::string& context) {
  ClientConfig cfg;
  try {
    YAML::Node root = YAML::LoadFile(path);
    std::filesystem::path base = std::filesystem::path(path).parent_path();
    std::string ctx_name = context.empty() ? Str(root, "current-context") : context;
    YAML::Node ctx;
    if (ctx_name.empty()) {
      if (root["contexts"] && root["contexts"].IsSequence() && root["contexts"].size() == 1) {
        ctx = root["contexts"][0]["context"];
      }
    } else {
      ctx = FindNamed(root["contexts"], ctx_name, "context");
    }
    if (!ctx) return InvalidArgumentError(path + ": context '" + ctx_name + "' not found");
    YAML::Node cluster = FindNamed(root["clusters"], Str(ctx, "cluster"), "cluster");
    if (!cluster) return InvalidArgumentError(path + ": cluster '" + Str(ctx, "cluster") + "' not found");
    YAML::Node user = FindNamed(root["users"], Str(ctx, "user"), "user");
    cfg.server = Str(cluster, "server");
    if (cfg.server.empty()) return InvalidArgumentError(path + ": cluster has no server");
    while (!cfg.server.empty() && cfg.server.back() == '/') cfg.server.pop_back();
    cfg.insecure_skip_tls_verify = Str(cluster, "insecure-skip-tls-verify") == "true";
    RETURN_IF_ERROR(LoadPem(cluster, "certificate-authority", base, &cfg.ca_pem).WithContext(path));
    if (user) {
      RETURN_IF_ERROR(LoadPem(user, "client-certificate", base, &cfg.client_cert_pem).WithContext(path));
      RETURN_IF_ERROR(LoadPem(user, "client-key", base, &cfg.client_key_pem).WithContext(path));
      cfg.bearer_token = Str(user, "token");
      std::string token_file = Str(user, "tokenFile");
      if (!token_file.empty()) cfg.bearer_token_file = Resolve(base, token_file).string();
    }
  } catch (const std::exception& e) {
    return InvalidArgumentError(path + ": " + e.what());
  }
  return cfg;
}

StatusOr<ClientConfig> InClusterConfig(const std::string& sa_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || port == nullptr || *host == '\0') {
    return FailedPreconditionError("not in a cluster: KUBERNETES_SERVICE_HOST/PORT unset");
  }
  ClientConfig cfg;
  std::string h(host);
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6
  cfg.server = "https://" + h + ":" + port;
  ASSIGN_OR_RETURN(cfg.ca_pem, ReadFile(std::filesystem::path(sa_dir) / "ca.crt"));
  cfg.bearer_token_file = (std::filesystem::path(sa_dir) / "token").string();
  return cfg;
}

StatusOr<ClientConfig> LoadClientConfig(const std::string& path) {
  if (!path.empty()) return LoadKubeconfig(path);
  const char* env = std::getenv("KUBECONFIG");
  if (env != nullptr && *env != '\0') {
    std::string first(env);
    first = first.substr(0, first.find(':'));
    return LoadKubeconfig(first);
  }
  return InClusterConfig();
}

}  // namespace hami::k8s
