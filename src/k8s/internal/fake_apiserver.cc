#include "k8s/internal/fake_apiserver.h"

#include <httplib.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace hami::k8s::testing {
namespace {
using Json = nlohmann::json;

struct Parsed {
  std::string collection;  // e.g. /api/v1/pods
  std::string ns, name, sub;
};

bool ParsePath(const std::string& path, Parsed* out) {
  std::vector<std::string> seg;
  size_t i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    seg.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  size_t k;
  std::string prefix;
  if (seg.size() >= 2 && seg[0] == "api") {
    prefix = "/api/" + seg[1];
    k = 2;
  } else if (seg.size() >= 3 && seg[0] == "apis") {
    prefix = "/apis/" + seg[1] + "/" + seg[2];
    k = 3;
  } else {
    return false;
  }
  if (seg.size() >= k + 3 && seg[k] == "namespaces") {
    out->ns = seg[k + 1];
    k += 2;
  }
  if (k >= seg.size()) return false;
  out->collection = prefix + "/" + seg[k];
  if (k + 1 < seg.size()) out->name = seg[k + 1];
  if (k + 2 < seg.size()) out->sub = seg[k + 2];
  return true;
}

std::string KeyOf(const Json& o) {
  std::string ns = o["metadata"].value("namespace", "");
  std::string name = o["metadata"].value("name", "");
  return ns.empty() ? name : ns + "/" + name;
}

Json StatusJson(int code, const std::string& reason, const std::string& msg) {
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
          {"code", code}, {"reason", reason}, {"message", msg}};
}

}  // namespace

struct FakeApiServer::Impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::map<std::string, Json>> store;
  struct Event { int64_t rv; std::string collection, type; Json obj; };
  std::vector<Event> events;
  int64_t rv = 100;
  int64_t compacted = 0;
  int64_t watch_epoch = 0;
  bool shutting_down = false;
  std::map<std::string, std::pair<int, int>> failures;  // method -> code,count
  int requests = 0;

  void Record(const std::string& coll, const std::string& type, const Json& obj) {
    events.push_back({rv, coll, type, obj});
    cv.notify_all();
  }

  Json Stamp(Json obj) {
    obj["metadata"]["resourceVersion"] = std::to_string(++rv);
    if (!obj["metadata"].contains("uid")) obj["metadata"]["uid"] = "uid-" + std::to_string(rv);
    return obj;
  }

  static bool Matches(const Json& o, const std::string& label_sel, const std::string& field_sel) {
    if (!field_sel.empty()) {
      auto eq = field_sel.find('=');
      std::string f = field_sel.substr(0, eq), v = field_sel.substr(eq + 1);
      std::string actual = f == "spec.nodeName" ? (o.contains("spec") ? o["spec"].value("nodeName", "") : "")
                                                : o["metadata"].value("name", "");
      if (actual != v) return false;
    }
    if (!label_sel.empty()) {
      auto eq = label_sel.find('=');
      std::string k = label_sel.substr(0, eq), v = label_sel.substr(eq + 1);
      auto& labels = o["metadata"]["labels"];
      if (!labels.is_object() || !labels.contains(k) || labels[k] != v) return false;
    }
    return true;
  }

  void Handle(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock<std::mutex> lock(mu);
    ++requests;
    auto f = failures.find(req.method);
    if (f != failures.end() && f->second.second > 0) {
      --f->second.second;
      res.status = f->second.first;
      res.set_content(StatusJson(f->second.first, "InternalError", "injected").dump(), "application/json");
      return;
    }
    Parsed p;
    if (!ParsePath(req.path, &p)) {
      res.status = 404;
      res.set_content(StatusJson(404, "NotFound", "bad path").dump(), "application/json");
      return;
    }
    auto& coll = store[p.collection];
    std::string key = p.ns.empty() ? p.name : p.ns + "/" + p.name;
    auto reply = [&](int code, const Json& j) { res.status = code; res.set_content(j.dump(), "application/json"); };
    auto not_found = [&] { reply(404, StatusJson(404, "NotFound", key + " not found")); };

    if (req.method == "GET" && p.name.empty() && req.has_param("watch")) {
      int64_t from = std::stoll(req.get_param_value("resourceVersion").empty() ? "0" : req.get_param_value("resourceVersion"));
      std::string ls = req.get_param_value("labelSelector"), fs = req.get_param_value("fieldSelector");
      std::string c = p.collection, ns = p.ns;
      int64_t epoch = watch_epoch;
      bool gone = from < compacted;
      res.set_chunked_content_provider("application/json", [this, from, c, ns, ls, fs, epoch, gone,
                                                            next = size_t(0), sent_gone = false](size_t, httplib::DataSink& sink) mutable {
        if (gone) {
          if (!sent_gone) {
            sent_gone = true;
            std::string line = Json{{"type", "ERROR"}, {"object", StatusJson(410, "Expired", "too old resource version")}}.dump() + "\n";
            sink.write(line.data(), line.size());
          }
          sink.done();
          return true;
        }
        std::unique_lock<std::mutex> l(mu);
        cv.wait_for(l, std::chrono::milliseconds(200));
        if (shutting_down || epoch != watch_epoch) { sink.done(); return true; }
        std::string out;
        for (; next < events.size(); ++next) {
          const auto& e = events[next];
          if (e.rv <= from || e.collection != c) continue;
          if (!ns.empty() && e.obj["metadata"].value("namespace", "") != ns) continue;
          if (!Matches(e.obj, ls, fs)) continue;
          out += Json{{"type", e.type}, {"object", e.obj}}.dump() + "\n";
        }
        if (out.empty()) out = Json{{"type", "BOOKMARK"}, {"object", {{"kind", "Pod"}, {"metadata", {{"resourceVersion", std::to_string(rv)}}}}}}.dump() + "\n";
        l.unlock();
        return sink.write(out.data(), out.size());
      });
      return;
    }
    if (req.method == "GET" && p.name.empty()) {
      Json items = Json::array();
      std::string ls = req.get_param_value("labelSelector"), fs = req.get_param_value("fieldSelector");
      size_t limit = req.has_param("limit") ? std::stoul(req.get_param_value("limit")) : 0;
      std::string cont = req.get_param_value("continue");
      std::string next;
      for (auto it = cont.empty() ? coll.begin() : coll.lower_bound(cont); it != coll.end(); ++it) {
        if (!p.ns.empty() && it->second["metadata"].value("namespace", "") != p.ns) continue;
        if (!Matches(it->second, ls, fs)) continue;
        if (limit > 0 && items.size() == limit) { next = it->first; break; }
        items.push_back(it->second);
      }
      Json meta = {{"resourceVersion", std::to_string(rv)}};
      if (!next.empty()) meta["continue"] = next;
      reply(200, {{"kind", "List"}, {"metadata", meta}, {"items", items}});
      return;
    }
    Json body;
    if (!req.body.empty()) {
      try { body = Json::parse(req.body); } catch (...) { reply(400, StatusJson(400, "BadRequest", "bad json")); return; }
    }
    if (req.method == "POST" && p.sub == "binding") {
      auto it = coll.find(key);
      if (it == coll.end()) return not_found();
      if (it->second["spec"].contains("nodeName")) return reply(409, StatusJson(409, "Conflict", "already bound"));
      Json obj = it->second;
      obj["spec"]["nodeName"] = body["target"]["name"];
      it->second = Stamp(obj);
      Record(p.collection, "MODIFIED", it->second);
      return reply(201, body);
    }
    if (req.method == "POST") {
      if (!p.ns.empty()) body["metadata"]["namespace"] = p.ns;
      std::string k = KeyOf(body);
      if (coll.count(k)) return reply(409, StatusJson(409, "AlreadyExists", k + " already exists"));
      coll[k] = Stamp(body);
      Record(p.collection, "ADDED", coll[k]);
      return reply(201, coll[k]);
    }
    auto it = coll.find(key);
    if (it == coll.end()) return not_found();
    if (req.method == "GET") return reply(200, it->second);
    if (req.method == "DELETE") {
      Json obj = it->second;
      coll.erase(it);
      ++rv;
      obj["metadata"]["resourceVersion"] = std::to_string(rv);
      Record(p.collection, "DELETED", obj);
      return reply(200, obj);
    }
    Json updated;
    std::string want_rv;
    if (req.method == "PUT") {
      updated = body;
      want_rv = body["metadata"].value("resourceVersion", "");
    } else if (req.get_header_value("Content-Type") == "application/json-patch+json") {
      try { updated = it->second.patch(body); } catch (const std::exception& e) {
        return reply(422, StatusJson(422, "Invalid", e.what()));
      }
    } else {
      if (body.contains("metadata") && body["metadata"].contains("resourceVersion")) {
        want_rv = body["metadata"]["resourceVersion"].get<std::string>();
      }
      updated = it->second;
      updated.merge_patch(body);
    }
    if (!want_rv.empty() && want_rv != it->second["metadata"].value("resourceVersion", "")) {
      return reply(409, StatusJson(409, "Conflict", "the object has been modified"));
    }
    it->second = Stamp(updated);
    Record(p.collection, "MODIFIED", it->second);
    reply(200, it->second);
  }
};

FakeApiServer::FakeApiServer() : impl_(std::make_unique<Impl>()) {
  auto h = [this](const httplib::Request& req, httplib::Response& res) { impl_->Handle(req, res); };
  impl_->server.Get(".*", h);
  impl_->server.Post(".*", h);
  impl_->server.Put(".*", h);
  impl_->server.Patch(".*", h);
  impl_->server.Delete(".*", h);
  impl_->port = impl_->server.bind_to_any_port("127.0.0.1");
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeApiServer::~FakeApiServer() {
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    impl_->shutting_down = true;
    impl_->cv.notify_all();
  }
  impl_->server.stop();
  impl_->thread.join();
}

std::string FakeApiServer::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }

void FakeApiServer::Put(const std::string& collection, const Json& obj) {
  std::lock_guard<std::mutex> l(impl_->mu);
  std::string k = KeyOf(obj);
  bool existed = impl_->store[collection].count(k) > 0;
  impl_->store[collection][k] = impl_->Stamp(obj);
  impl_->Record(collection, existed ? "MODIFIED" : "ADDED", impl_->store[collection][k]);
}

Json FakeApiServer::Object(const std::string& collection, const std::string& key) const {
  std::lock_guard<std::mutex> l(impl_->mu);
  auto c = impl_->store.find(collection);
  if (c == impl_->store.end()) return nullptr;
  auto it = c->second.find(key);
  return it == c->second.end() ? Json(nullptr) : it->second;
}

void FakeApiServer::Compact() {
  std::lock_guard<std::mutex> l(impl_->mu);
  impl_->compacted = impl_->rv + 1;
  impl_->watch_epoch++;
  impl_->cv.notify_all();
}

void FakeApiServer::FailNext(const std::string& method, int code, int n) {
  std::lock_guard<std::mutex> l(impl_->mu);
  impl_->failures[method] = {code, n};
}

int FakeApiServer::requests() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->requests;
}

void FakeApiServer::CloseWatches() {
  std::lock_guard<std::mutex> l(impl_->mu);
  impl_->watch_epoch++;
  impl_->cv.notify_all();
}

}  // namespace hami::k8s::testing
