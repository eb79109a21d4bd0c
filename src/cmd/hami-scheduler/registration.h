// Node registration for hami-scheduler: turns Node objects into the scheduling
// core's inventory. On every node add/update it applies --node-label-selector
// and the per-vendor handshake health (see scheduler::DecideHandshake: a
// handshake older than 60 s with zero allocatable devices, or allocatable
// dropping to zero, removes that vendor's devices), and reports a malformed
// registration annotation as a Warning event on the node (the node keeps its
// last good inventory). The periodic Pass() re-evaluates health as time goes
// on and, on the leader only, writes the handshake annotations
// (`Requesting_<time>`, or null to clean up) — never from the informer thread.
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "k8s/client.h"
#include "k8s/event_recorder.h"
#include "k8s/informer.h"
#include "scheduler/scheduler.h"

namespace hami::schedulerd {

using NodeSelector = std::map<std::string, std::string>;
// "k=v,k2=v2" (a trailing comma is allowed); InvalidArgument when malformed.
StatusOr<NodeSelector> ParseNodeSelector(std::string_view text);

struct RegistrarDeps {
  scheduler::Scheduler* scheduler = nullptr;
  k8s::Client* client = nullptr;         // null: handshakes are not written
  k8s::EventRecorder* events = nullptr;  // null: no events
  const Clock* clock = nullptr;
  std::function<bool()> is_leader;       // null: always the leader
  NodeSelector node_selector;            // empty: every node
};

class Registrar {
 public:
  explicit Registrar(RegistrarDeps deps);
  ~Registrar();

  void OnNode(const k8s::Json& node);  // informer add/update
  void OnNodeDeleted(const k8s::Json& node);
  // Re-evaluates every node (health ages with time); as leader, writes the
  // handshake annotations the nodes need. Returns the number of writes that
  // failed.
  int Pass(const std::vector<k8s::ObjectPtr>& nodes);

  k8s::InformerHandlers Handlers();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hami::schedulerd
