// A TLS server certificate and private key read from PEM files and re-read when
// the files change, for servers that must survive certificate rotation without a
// restart (cert-manager, kube-webhook-certgen and Secret volume updates replace
// the files in place or swap a symlink).
//
// Contract:
//  - Load() fails unless both files parse and the key matches the certificate.
//  - InstallOn(ctx) makes every TLS handshake on ctx ask for the current pair, so
//    a rotation applies to new connections at once and open connections carry on
//    undisturbed.
//  - The files are looked at (stat) at most once per check interval, from the
//    handshake path; a changed pair is taken only when both files parse and match,
//    so a half-written rotation (certificate before key) keeps the previous pair
//    serving and is retried at the next check.
//  - Thread-safe: handshakes run on many threads at once.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace hami::tls {

class ReloadingCertificate {
 public:
  // What one handshake serves: leaf, intermediates, key (owned, immutable).
  struct Pair;

  static StatusOr<std::unique_ptr<ReloadingCertificate>> Load(
      std::string cert_path, std::string key_path, const Clock& clock,
      std::chrono::milliseconds check_interval = std::chrono::seconds(1));
  ~ReloadingCertificate();
  ReloadingCertificate(const ReloadingCertificate&) = delete;
  ReloadingCertificate& operator=(const ReloadingCertificate&) = delete;

  // Server defaults (TLS 1.2 or newer, no compression) and the per-handshake
  // certificate callback. The object must outlive ctx.
  Status InstallOn(SSL_CTX* ctx);

  // Re-reads the files if the check interval passed and they changed; true when
  // a new pair is now served.
  bool MaybeReload();

  // How many pairs have been taken so far (1 after Load).
  uint64_t generation() const;
  // Subject and expiry of the served certificate, for logs ("CN=..., notAfter=...").
  std::string Describe() const;

 private:
  struct FileStamp {
    int64_t mtime_ns = 0, size = 0, inode = 0, device = 0;
    bool operator==(const FileStamp&) const = default;
  };

  ReloadingCertificate(std::string cert_path, std::string key_path, const Clock& clock,
                       std::chrono::milliseconds check_interval);
  static FileStamp StampOf(const std::string& path);
  std::shared_ptr<const Pair> Current() const;
  static int OnHandshake(SSL* ssl, void* self);

  const std::string cert_path_, key_path_;
  const Clock& clock_;
  const std::chrono::milliseconds check_interval_;

  mutable std::mutex mu_;
  std::shared_ptr<const Pair> pair_;
  FileStamp cert_stamp_, key_stamp_;
  std::chrono::steady_clock::time_point next_check_{};
  uint64_t generation_ = 0;
  std::string last_error_;  // logged once per distinct failure
};

}  // namespace hami::tls
