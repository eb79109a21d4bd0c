#include "tls/reloading_certificate.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace hami::tls {
namespace {

namespace fs = std::filesystem;

// A self-signed EC certificate with CN=cn, written to dir/cn.crt and dir/cn.key.
void MakeCert(const fs::path& dir, const std::string& cn) {
  std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=" +
                    cn + " -keyout " + (dir / (cn + ".key")).string() + " -out " +
                    (dir / (cn + ".crt")).string() + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// Replaces dst with src the way Secret volumes and cert tools do: a new file
// renamed over the old one.
void Install(const fs::path& src, const fs::path& dst) {
  fs::path tmp = dst;
  tmp += ".tmp";
  fs::copy_file(src, tmp, fs::copy_options::overwrite_existing);
  fs::rename(tmp, dst);
}

// The CN of the certificate a fresh TLS connection to 127.0.0.1:port is served.
std::string ServedCommonName(int port) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  BIO* bio = BIO_new_ssl_connect(ctx);
  std::string target = "127.0.0.1:" + std::to_string(port);
  BIO_set_conn_hostname(bio, target.c_str());
  std::string cn = "<no connection>";
  if (BIO_do_handshake(bio) == 1) {
    SSL* ssl = nullptr;
    BIO_get_ssl(bio, &ssl);
    if (X509* cert = SSL_get1_peer_certificate(ssl)) {
      char buf[256] = {};
      X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
      cn = buf;
      X509_free(cert);
    }
  }
  BIO_free_all(bio);
  SSL_CTX_free(ctx);
  return cn;
}

class ReloadingCertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hami-tls-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    for (const char* cn : {"first", "second", "third"}) MakeCert(dir_, cn);
    Install(dir_ / "first.crt", cert_);
    Install(dir_ / "first.key", key_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  fs::path cert_ = fs::temp_directory_path() / ("hami-tls-test-" + std::to_string(::getpid())) / "tls.crt";
  fs::path key_ = fs::temp_directory_path() / ("hami-tls-test-" + std::to_string(::getpid())) / "tls.key";
  SystemClock clock_;
};

TEST_F(ReloadingCertificateTest, LoadRejectsMissingGarbageAndMismatchedFiles) {
  EXPECT_FALSE(ReloadingCertificate::Load((dir_ / "absent.crt").string(), key_.string(), clock_).ok());
  std::ofstream(dir_ / "garbage.crt") << "not a certificate\n";
  auto garbage = ReloadingCertificate::Load((dir_ / "garbage.crt").string(), key_.string(), clock_);
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("no PEM certificate"), std::string::npos);
  auto mismatched = ReloadingCertificate::Load(cert_.string(), (dir_ / "second.key").string(), clock_);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_NE(mismatched.status().message().find("does not match"), std::string::npos);
  auto good = ReloadingCertificate::Load(cert_.string(), key_.string(), clock_);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ((*good)->generation(), 1u);
  EXPECT_NE((*good)->Describe().find("CN = first"), std::string::npos) << (*good)->Describe();
}

TEST_F(ReloadingCertificateTest, RotationReachesNewConnectionsAndKeepsOpenOnes) {
  auto rc = ReloadingCertificate::Load(cert_.string(), key_.string(), clock_, std::chrono::milliseconds(0));
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  ReloadingCertificate* cert = rc->get();
  httplib::SSLServer server([cert](SSL_CTX& ctx) { return cert->InstallOn(&ctx).ok(); });
  ASSERT_TRUE(server.is_valid());
  server.Get("/ping", [](const httplib::Request&, httplib::Response& res) { res.set_content("pong", "text/plain"); });
  int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&server] { server.listen_after_bind(); });

  EXPECT_EQ(ServedCommonName(port), "first");
  httplib::SSLClient open_connection("127.0.0.1", port);
  open_connection.enable_server_certificate_verification(false);
  open_connection.set_keep_alive(true);
  auto before = open_connection.Get("/ping");
  ASSERT_TRUE(before) << httplib::to_string(before.error());
  EXPECT_EQ(before->body, "pong");

  // A complete rotation: new connections get the new certificate at once.
  Install(dir_ / "second.crt", cert_);
  Install(dir_ / "second.key", key_);
  EXPECT_EQ(ServedCommonName(port), "second");
  EXPECT_EQ(cert->generation(), 2u);
  // The connection opened before the rotation is still served.
  auto after = open_connection.Get("/ping");
  ASSERT_TRUE(after) << httplib::to_string(after.error());
  EXPECT_EQ(after->body, "pong");

  // Half a rotation (certificate written, key not yet): the previous pair stays.
  Install(dir_ / "third.crt", cert_);
  EXPECT_EQ(ServedCommonName(port), "second");
  EXPECT_EQ(cert->generation(), 2u);
  Install(dir_ / "third.key", key_);
  EXPECT_EQ(ServedCommonName(port), "third");
  EXPECT_EQ(cert->generation(), 3u);

  // A garbage file never replaces a working pair.
  std::ofstream(cert_) << "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  EXPECT_EQ(ServedCommonName(port), "third");

  open_connection.stop();
  server.stop();
  serving.join();
}

TEST_F(ReloadingCertificateTest, FilesAreLookedAtOncePerInterval) {
  FakeClock clock;
  auto rc = ReloadingCertificate::Load(cert_.string(), key_.string(), clock, std::chrono::seconds(1));
  ASSERT_TRUE(rc.ok());
  Install(dir_ / "second.crt", cert_);
  Install(dir_ / "second.key", key_);
  EXPECT_FALSE((*rc)->MaybeReload());  // inside the interval: not even a stat
  clock.Advance(std::chrono::milliseconds(1001));
  EXPECT_TRUE((*rc)->MaybeReload());
  EXPECT_FALSE((*rc)->MaybeReload());
  clock.Advance(std::chrono::seconds(2));
  EXPECT_FALSE((*rc)->MaybeReload());  // unchanged files: nothing to do
  EXPECT_EQ((*rc)->generation(), 2u);
}

}  // namespace
}  // namespace hami::tls
