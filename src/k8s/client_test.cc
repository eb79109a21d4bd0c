#include "k8s/client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "k8s/internal/base64.h"
#include "k8s/internal/fake_apiserver.h"

namespace hami::k8s {
namespace {

using testing::FakeApiServer;

std::unique_ptr<Client> MakeClient(const std::string& url) {
  ClientConfig c;
  c.server = url;
  c.request_timeout = std::chrono::milliseconds(3000);
  auto client = Client::Create(c);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

Json Pod(const std::string& ns, const std::string& name, const std::string& node = "") {
  Json p = {{"apiVersion", "v1"}, {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", ns}}},
            {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "x"}}})}}}};
  if (!node.empty()) p["spec"]["nodeName"] = node;
  return p;
}

TEST(Base64Test, RoundTrip) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    auto d = internal::Base64Decode(internal::Base64Encode(s));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, s);
  }
  EXPECT_FALSE(internal::Base64Decode("ab$c").ok());
}

TEST(KubeconfigTest, LoadsDataFieldsTokenAndContext) {
  auto dir = std::filesystem::temp_directory_path() / ("kc" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "key.pem") << "KEYPEM";
  std::ofstream(dir / "config") << "apiVersion: v1\nkind: Config\ncurrent-context: b\n"
      "clusters:\n- name: c1\n  cluster:\n    server: https://127.0.0.1:6443/\n"
      "    certificate-authority-data: " << internal::Base64Encode("CAPEM") << "\n"
      "- name: c2\n  cluster:\n    server: https://10.0.0.1\n    insecure-skip-tls-verify: true\n"
      "users:\n- name: u1\n  user:\n    client-certificate-data: " << internal::Base64Encode("CERTPEM") << "\n"
      "    client-key: key.pem\n- name: u2\n  user:\n    token: abc\n"
      "contexts:\n- name: a\n  context: {cluster: c1, user: u1}\n- name: b\n  context: {cluster: c2, user: u2}\n";
  auto b = LoadKubeconfig((dir / "config").string());
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->server, "https://10.0.0.1");
  EXPECT_TRUE(b->insecure_skip_tls_verify);
  EXPECT_EQ(b->bearer_token, "abc");
  auto a = LoadKubeconfig((dir / "config").string(), "a");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->server, "https://127.0.0.1:6443");
  EXPECT_EQ(a->ca_pem, "CAPEM");
  EXPECT_EQ(a->client_cert_pem, "CERTPEM");
  EXPECT_EQ(a->client_key_pem, "KEYPEM");
  EXPECT_FALSE(LoadKubeconfig((dir / "config").string(), "zzz").ok());
  std::ofstream(dir / "bad") << "{{{ not yaml";
  EXPECT_EQ(LoadKubeconfig((dir / "bad").string()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(LoadKubeconfig((dir / "missing").string()).ok());
  // A file reference to something endless is refused, not read forever.
  std::ofstream(dir / "endless") << "apiVersion: v1\nkind: Config\ncurrent-context: x\n"
      "clusters:\n- name: c\n  cluster: {server: https://127.0.0.1, certificate-authority: /dev/zero}\n"
      "users:\n- name: u\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n";
  auto endless = LoadKubeconfig((dir / "endless").string());
  ASSERT_FALSE(endless.ok());
  EXPECT_NE(endless.status().message().find("larger than 4 MiB"), std::string::npos) << endless.status().ToString();
  std::filesystem::remove_all(dir);
}

TEST(KubeconfigTest, InClusterNeedsEnv) {
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  EXPECT_EQ(InClusterConfig("/nonexistent").status().code(), StatusCode::kFailedPrecondition);
}

TEST(ClientTest, CrudAndErrorsAsStatus) {
  FakeApiServer api;
  auto c = MakeClient(api.url());
  auto created = c->CreateObject(kPods, "default", Pod("default", "p1"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_FALSE(ResourceVersion(*created).empty());
  EXPECT_EQ(c->CreateObject(kPods, "default", Pod("default", "p1")).status().code(), StatusCode::kAlreadyExists);
  auto got = c->Get(kPods, "default", "p1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Name(*got), "p1");
  EXPECT_EQ(c->Get(kPods, "default", "nope").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(c->Delete(kPods, "default", "p1").ok());
  EXPECT_EQ(c->Delete(kPods, "default", "p1").code(), StatusCode::kNotFound);
  api.FailNext("GET", 503);
  EXPECT_EQ(c->Get(kPods, "default", "x").status().code(), StatusCode::kUnavailable);
}

TEST(ClientTest, ListFollowsPagesAndSelectors) {
  FakeApiServer api;
  auto c = MakeClient(api.url());
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(c->CreateObject(kPods, "ns", Pod("ns", "p" + std::to_string(i), i % 2 ? "n1" : "n2")).ok());
  }
  ListOptions lo;
  lo.limit = 2;
  auto all = c->List(kPods, "", lo);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ((*all)["items"].size(), 7u);
  EXPECT_FALSE((*all)["metadata"].contains("continue"));
  lo.field_selector = "spec.nodeName=n1";
  auto n1 = c->List(kPods, "ns", lo);
  ASSERT_TRUE(n1.ok());
  EXPECT_EQ((*n1)["items"].size(), 3u);
}

TEST(ClientTest, MergePatchConflictAndRetry) {
  FakeApiServer api;
  auto c = MakeClient(api.url());
  ASSERT_TRUE(c->CreateObject(kPods, "ns", Pod("ns", "p")).ok());
  Json stale = {{"metadata", {{"resourceVersion", "1"}, {"annotations", {{"a", "b"}}}}}};
  EXPECT_EQ(c->MergePatch(kPods, "ns", "p", stale).status().code(), StatusCode::kAborted);
  int calls = 0;
  auto res = c->PatchWithRetry(kPods, "ns", "p", [&](const Json& cur) -> StatusOr<std::optional<Json>> {
    if (++calls == 1) {  // a concurrent writer sneaks in after our GET
      Json other = cur;
      other["metadata"]["labels"]["x"] = "y";
      api.Put("/api/v1/pods", other);
    }
    return std::optional<Json>(Json{{"metadata", {{"annotations", {{"k", "v"}}}}}});
  });
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(Annotation(*res, "k"), "v");
  EXPECT_EQ((*res)["metadata"]["labels"]["x"], "y");
  auto jp = c->JsonPatch(kPods, "ns", "p", Json::array({{{"op", "add"}, {"path", "/metadata/annotations/j"}, {"value", "1"}}}));
  ASSERT_TRUE(jp.ok()) << jp.status().ToString();
  EXPECT_EQ(Annotation(*jp, "j"), "1");
  auto bad = c->JsonPatch(kPods, "ns", "p", Json::array({{{"op", "test"}, {"path", "/metadata/annotations/j"}, {"value", "2"}}}));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(ClientTest, BindAndEvent) {
  FakeApiServer api;
  auto c = MakeClient(api.url());
  auto p = c->CreateObject(kPods, "ns", Pod("ns", "p"));
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(c->Bind("ns", "p", Uid(*p), "node-a").ok());
  EXPECT_EQ(api.Object("/api/v1/pods", "ns/p")["spec"]["nodeName"], "node-a");
  EXPECT_FALSE(c->Bind("ns", "p", Uid(*p), "node-b").ok());
  ASSERT_TRUE(c->RecordEvent(*p, "Warning", "FilteringFailed", "no fit", "hami-scheduler").ok());
  auto evs = c->List(kEvents, "ns");
  ASSERT_TRUE(evs.ok());
  ASSERT_EQ((*evs)["items"].size(), 1u);
  EXPECT_EQ((*evs)["items"][0]["involvedObject"]["kind"], "Pod");
  EXPECT_EQ((*evs)["items"][0]["reason"], "FilteringFailed");
}

TEST(ClientTest, WatchStreamsEventsAndStops) {
  FakeApiServer api;
  auto c = MakeClient(api.url());
  std::atomic<bool> stop{false};
  std::vector<std::string> seen;
  std::thread w([&] {
    WatchOptions wo;
    wo.resource_version = "0";
    Status s = c->Watch(kPods, "", wo, [&](const WatchEvent& ev) {
      if (ev.type != "BOOKMARK") seen.push_back(ev.type + ":" + Name(ev.object));
      if (seen.size() == 2) stop = true;
      return true;
    }, &stop);
    EXPECT_TRUE(s.ok()) << s.ToString();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(c->CreateObject(kPods, "ns", Pod("ns", "a")).ok());
  ASSERT_TRUE(c->Delete(kPods, "ns", "a").ok());
  w.join();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], "ADDED:a");
  EXPECT_EQ(seen[1], "DELETED:a");
}

TEST(ClientTest, WatchReportsGone) {
  FakeApiServer api;
  auto c = MakeClient(api.url());
  ASSERT_TRUE(c->CreateObject(kPods, "ns", Pod("ns", "a")).ok());
  api.Compact();
  WatchOptions wo;
  wo.resource_version = "1";
  Status s = c->Watch(kPods, "", wo, [](const WatchEvent&) { return true; }, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange) << s.ToString();
}

TEST(ClientTest, TimeoutsNeverHang) {
  // A server that accepts and never answers.
  httplib::Server slow;
  slow.Get(".*", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    res.set_content("{}", "application/json");
  });
  int port = slow.bind_to_any_port("127.0.0.1");
  std::thread t([&] { slow.listen_after_bind(); });
  while (!slow.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ClientConfig cfg;
  cfg.server = "http://127.0.0.1:" + std::to_string(port);
  cfg.request_timeout = std::chrono::milliseconds(300);
  auto c = Client::Create(cfg);
  ASSERT_TRUE(c.ok());
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ((*c)->Get(kNodes, "", "n").status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  slow.stop();
  t.join();
  // Nothing listening: a prompt kUnavailable.
  cfg.server = "http://127.0.0.1:1";
  auto c2 = Client::Create(cfg);
  EXPECT_EQ((*c2)->Get(kNodes, "", "n").status().code(), StatusCode::kUnavailable);
  cfg.server = "ftp://x";
  EXPECT_FALSE(Client::Create(cfg).ok());
}

}  // namespace
}  // namespace hami::k8s
