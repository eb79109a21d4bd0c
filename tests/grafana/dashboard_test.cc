#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "monitor/node_monitor.h"
#include "schedmetrics/scheduler_metrics.h"

namespace hami {
namespace {
using Json = nlohmann::json;

// Every metric name the two services can export (histogram series included).
std::set<std::string> KnownMetricNames() {
  std::vector<metrics::MetricFamily> families;
  FakeClock clock;
  monitor::NodeMonitor node({"n", "/nonexistent"}, nullptr, nullptr, &clock);
  node.Refresh();
  node.Collect(&families);
  schedmetrics::SchedulerMetrics sched([] { return schedmetrics::ClusterView{}; });
  sched.Collect(&families);
  std::set<std::string> names;
  for (const auto& f : families) {
    names.insert(f.name);
    if (f.type == metrics::MetricType::kHistogram) {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) names.insert(f.name + suffix);
    }
  }
  return names;
}

// Identifiers outside quotes, label matchers and ranges that look like ours.
std::vector<std::string> HamiNamesIn(const std::string& expr) {
  std::vector<std::string> out;
  int brace = 0, bracket = 0;
  bool quoted = false;
  for (size_t i = 0; i < expr.size();) {
    char c = expr[i];
    if (quoted) {
      if (c == '\\') i += 2;
      else {
        if (c == '"') quoted = false;
        ++i;
      }
      continue;
    }
    if (c == '"') { quoted = true; ++i; continue; }
    if (c == '{') ++brace;
    if (c == '}') --brace;
    if (c == '[') ++bracket;
    if (c == ']') --bracket;
    if (brace == 0 && bracket == 0 && (std::isalpha(static_cast<unsigned char>(c)) || c == '_')) {
      size_t j = i;
      while (j < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[j])) ||
                                 expr[j] == '_' || expr[j] == ':')) ++j;
      std::string word = expr.substr(i, j - i);
      if (word.rfind("hami_", 0) == 0) out.push_back(word);
      i = j;
      continue;
    }
    ++i;
  }
  return out;
}

void CollectPanels(const Json& panels, std::vector<const Json*>* out) {
  for (const Json& p : panels) {
    out->push_back(&p);
    if (p.contains("panels")) CollectPanels(p["panels"], out);
  }
}

TEST(GrafanaDashboardTest, TokenizerSeesOnlyMetricNames) {
  EXPECT_EQ(HamiNamesIn("sum by (le) (rate(hami_x_bucket{a=\"hami_no\"}[5m])) / hami_y"),
            (std::vector<std::string>{"hami_x_bucket", "hami_y"}));
}

TEST(GrafanaDashboardTest, ValidModelUsingKnownMetrics) {
  std::ifstream in(HAMI_DASHBOARD_JSON);
  ASSERT_TRUE(in) << "cannot open " << HAMI_DASHBOARD_JSON;
  std::stringstream buf;
  buf << in.rdbuf();
  Json dash = Json::parse(buf.str(), nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(dash.is_discarded()) << "dashboard is not valid JSON";
  ASSERT_TRUE(dash.is_object());
  EXPECT_TRUE(dash.value("uid", "") != "");
  EXPECT_TRUE(dash.value("title", "") != "");
  EXPECT_TRUE(dash.contains("schemaVersion") && dash["schemaVersion"].is_number_integer());
  ASSERT_TRUE(dash.contains("panels") && dash["panels"].is_array());

  const std::set<std::string> known = KnownMetricNames();
  std::vector<const Json*> panels;
  CollectPanels(dash["panels"], &panels);
  std::set<int> ids;
  std::set<std::string> views;
  int queries = 0;
  for (const Json* p : panels) {
    ASSERT_TRUE(p->contains("id") && (*p)["id"].is_number_integer());
    EXPECT_TRUE(ids.insert((*p)["id"].get<int>()).second) << "duplicate panel id " << (*p)["id"];
    ASSERT_TRUE(p->contains("type") && (*p)["type"].is_string());
    ASSERT_TRUE(p->contains("gridPos")) << (*p)["title"];
    for (const char* k : {"h", "w", "x", "y"}) {
      EXPECT_TRUE((*p)["gridPos"].contains(k));
    }
    EXPECT_LE((*p)["gridPos"]["x"].get<int>() + (*p)["gridPos"]["w"].get<int>(), 24);
    if ((*p)["type"] == "row") {
      views.insert((*p)["title"].get<std::string>());
      continue;
    }
    ASSERT_TRUE(p->contains("targets") && (*p)["targets"].is_array()) << (*p)["title"];
    EXPECT_FALSE((*p)["targets"].empty()) << (*p)["title"];
    for (const Json& t : (*p)["targets"]) {
      ASSERT_TRUE(t.contains("expr") && t["expr"].is_string());
      const std::string expr = t["expr"];
      auto names = HamiNamesIn(expr);
      EXPECT_FALSE(names.empty()) << "query uses no hami metric: " << expr;
      for (const auto& n : names) EXPECT_EQ(known.count(n), 1u) << "unknown metric " << n << " in " << expr;
      ++queries;
    }
  }
  EXPECT_GT(queries, 20);
  for (const char* view : {"Cluster", "Node", "GPU", "Container"}) {
    EXPECT_EQ(views.count(view), 1u) << "missing view " << view;
  }
  for (const Json& var : dash["templating"]["list"]) {
    if (var.value("type", "") != "query") continue;
    for (const auto& n : HamiNamesIn(var["definition"].get<std::string>())) {
      EXPECT_EQ(known.count(n), 1u) << "unknown metric " << n << " in variable " << var["name"];
    }
  }
}

}  // namespace
}  // namespace hami
