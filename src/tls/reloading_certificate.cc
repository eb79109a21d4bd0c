#include "tls/reloading_certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <utility>
#include <vector>

#include "common/log.h"

namespace hami::tls {
namespace {

constexpr std::string_view kComponent = "tls";

struct BioDeleter { void operator()(BIO* b) const { BIO_free(b); } };
struct X509Deleter { void operator()(X509* x) const { X509_free(x); } };
struct KeyDeleter { void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); } };
struct ChainDeleter { void operator()(STACK_OF(X509)* s) const { sk_X509_pop_free(s, X509_free); } };
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using ChainPtr = std::unique_ptr<STACK_OF(X509), ChainDeleter>;

// The oldest error on OpenSSL's queue, and the queue cleared.
std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no detail";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

std::string NameLine(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, n > 0 ? static_cast<size_t>(n) : 0);
}

std::string TimeLine(const ASN1_TIME* t) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(bio.get(), t);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, n > 0 ? static_cast<size_t>(n) : 0);
}

}  // namespace

struct ReloadingCertificate::Pair {
  X509Ptr leaf;
  ChainPtr chain;  // intermediates after the leaf, may be empty
  KeyPtr key;
};

namespace {

StatusOr<std::shared_ptr<const ReloadingCertificate::Pair>> ReadPair(const std::string& cert_path,
                                                                      const std::string& key_path) {
  auto pair = std::make_shared<ReloadingCertificate::Pair>();
  BioPtr cert_bio(BIO_new_file(cert_path.c_str(), "r"));
  if (!cert_bio) return InvalidArgumentError("cannot open certificate " + cert_path + ": " + OpenSslError());
  pair->leaf.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!pair->leaf) return InvalidArgumentError("no PEM certificate in " + cert_path + ": " + OpenSslError());
  pair->chain.reset(sk_X509_new_null());
  while (X509* extra = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)) {
    sk_X509_push(pair->chain.get(), extra);
  }
  ERR_clear_error();  // the loop ends on "no start line"
  BioPtr key_bio(BIO_new_file(key_path.c_str(), "r"));
  if (!key_bio) return InvalidArgumentError("cannot open key " + key_path + ": " + OpenSslError());
  pair->key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!pair->key) return InvalidArgumentError("no PEM private key in " + key_path + ": " + OpenSslError());
  if (X509_check_private_key(pair->leaf.get(), pair->key.get()) != 1) {
    ERR_clear_error();
    return InvalidArgumentError("the key in " + key_path + " does not match the certificate in " + cert_path);
  }
  return std::shared_ptr<const ReloadingCertificate::Pair>(std::move(pair));
}

}  // namespace

ReloadingCertificate::ReloadingCertificate(std::string cert_path, std::string key_path, const Clock& clock,
                                           std::chrono::milliseconds check_interval)
    : cert_path_(std::move(cert_path)),
      key_path_(std::move(key_path)),
      clock_(clock),
      check_interval_(check_interval) {}

ReloadingCertificate::~ReloadingCertificate() = default;

// stat() follows symlinks, so a Secret volume's "..data" swap changes the inode.
ReloadingCertificate::FileStamp ReloadingCertificate::StampOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          static_cast<int64_t>(st.st_size), static_cast<int64_t>(st.st_ino), static_cast<int64_t>(st.st_dev)};
}

StatusOr<std::unique_ptr<ReloadingCertificate>> ReloadingCertificate::Load(
    std::string cert_path, std::string key_path, const Clock& clock, std::chrono::milliseconds check_interval) {
  std::unique_ptr<ReloadingCertificate> rc(
      new ReloadingCertificate(std::move(cert_path), std::move(key_path), clock, check_interval));
  // Stamps before the read, as MaybeReload does: a rotation landing during the
  // read then shows as a change at the next check instead of being missed.
  rc->cert_stamp_ = StampOf(rc->cert_path_);
  rc->key_stamp_ = StampOf(rc->key_path_);
  auto pair = ReadPair(rc->cert_path_, rc->key_path_);
  if (!pair.ok()) return pair.status();
  rc->pair_ = std::move(*pair);
  rc->generation_ = 1;
  rc->next_check_ = clock.Monotonic() + check_interval;
  return rc;
}

bool ReloadingCertificate::MaybeReload() {
  std::lock_guard lock(mu_);
  const auto now = clock_.Monotonic();
  if (now < next_check_) return false;
  next_check_ = now + check_interval_;
  FileStamp cert = StampOf(cert_path_), key = StampOf(key_path_);
  if (cert == cert_stamp_ && key == key_stamp_) return false;
  auto pair = ReadPair(cert_path_, key_path_);
  if (!pair.ok()) {
    // Keep serving the previous pair; look again at the next check (the other
    // file of a rotation may not be written yet).
    if (pair.status().message() != last_error_) {
      last_error_ = std::string(pair.status().message());
      log::Warn(kComponent, "certificate files changed but cannot be used yet; still serving the previous one",
                {{"error", last_error_}});
    }
    return false;
  }
  last_error_.clear();
  cert_stamp_ = cert;
  key_stamp_ = key;
  pair_ = std::move(*pair);
  ++generation_;
  log::Info(kComponent, "certificate reloaded",
            {{"subject", NameLine(X509_get_subject_name(pair_->leaf.get()))},
             {"not_after", TimeLine(X509_get0_notAfter(pair_->leaf.get()))},
             {"generation", std::to_string(generation_)}});
  return true;
}

std::shared_ptr<const ReloadingCertificate::Pair> ReloadingCertificate::Current() const {
  std::lock_guard lock(mu_);
  return pair_;
}

uint64_t ReloadingCertificate::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

std::string ReloadingCertificate::Describe() const {
  auto pair = Current();
  return NameLine(X509_get_subject_name(pair->leaf.get())) + ", notAfter=" +
         TimeLine(X509_get0_notAfter(pair->leaf.get()));
}

int ReloadingCertificate::OnHandshake(SSL* ssl, void* self) {
  auto* rc = static_cast<ReloadingCertificate*>(self);
  rc->MaybeReload();
  std::shared_ptr<const Pair> pair = rc->Current();
  // SSL_use_* take their own references; the pair may be replaced meanwhile.
  if (SSL_use_certificate(ssl, pair->leaf.get()) != 1 || SSL_use_PrivateKey(ssl, pair->key.get()) != 1 ||
      SSL_set1_chain(ssl, pair->chain.get()) != 1) {
    log::Warn(kComponent, "cannot set the certificate on a handshake", {{"error", OpenSslError()}});
    return 0;  // fail this handshake
  }
  return 1;
}

Status ReloadingCertificate::InstallOn(SSL_CTX* ctx) {
  if (ctx == nullptr) return InvalidArgumentError("no SSL context");
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    return InternalError("cannot require TLS 1.2: " + OpenSslError());
  }
  SSL_CTX_set_cert_cb(ctx, &ReloadingCertificate::OnHandshake, this);
  return OkStatus();
}

}  // namespace hami::tls
