#include "metrics/http_exposer.h"

#include <httplib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hami::metrics {
namespace {

TEST(BindAddressTest, Parses) {
  auto a = ParseBindAddress(":9394");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "0.0.0.0");
  EXPECT_EQ(a->port, 9394);
  auto b = ParseBindAddress("127.0.0.1:0");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "127.0.0.1");
  EXPECT_EQ(b->port, 0);
  auto c = ParseBindAddress("[::1]:80");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_FALSE(ParseBindAddress("9394").ok());
  EXPECT_FALSE(ParseBindAddress("host:99999").ok());
  EXPECT_FALSE(ParseBindAddress("host:9x").ok());
}

TEST(HttpExposerTest, ServesMetrics) {
  Registry registry(Labels{{"zone", "vGPU"}});
  registry.AddGauge("hami_up", "Up.", {})->Set({}, 1);
  HttpExposer exposer(&registry);
  ASSERT_TRUE(exposer.Start("127.0.0.1:0").ok());
  ASSERT_GT(exposer.port(), 0);
  httplib::Client client("127.0.0.1", exposer.port());
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), std::string(kContentType));
  EXPECT_EQ(res->body, "# HELP hami_up Up.\n# TYPE hami_up gauge\nhami_up{zone=\"vGPU\"} 1\n");
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto missing = client.Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  exposer.Stop();
  exposer.Stop();  // idempotent
}

TEST(HttpExposerTest, StopRightAfterStart) {
  HttpExposer exposer([] { return std::string(); });
  ASSERT_TRUE(exposer.Start("127.0.0.1:0").ok());
  exposer.Stop();
}

}  // namespace
}  // namespace hami::metrics
