// Test double: an in-memory Kubernetes API server over plain HTTP on
// 127.0.0.1 (cpp-httplib), enough for the client's unit tests: CRUD, merge
// and JSON patch with resourceVersion conflicts, label/field selector on
// name/spec.nodeName, pagination, watch with bookmarks and 410 after Compact().
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace hami::k8s::testing {

class FakeApiServer {
 public:
  FakeApiServer();
  ~FakeApiServer();
  std::string url() const;  // http://127.0.0.1:<port>
  // Stores an object directly (collection path like "/api/v1/nodes").
  void Put(const std::string& collection, const nlohmann::json& obj);
  nlohmann::json Object(const std::string& collection, const std::string& key) const;
  // Forgets history: watches from older versions get 410 Gone.
  void Compact();
  // Fails the next `n` requests whose method matches with the given code.
  void FailNext(const std::string& method, int code, int n = 1);
  int requests() const;
  void CloseWatches();  // ends all open watch streams

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hami::k8s::testing
