// ClassifyKey: annotation key -> codec, through the vendor registry first.
#include <string>

#include "cmd/hami/command.h"
#include "vendors/registry.h"

namespace hami::cli {

StatusOr<api::AnnotationKind> ClassifyKey(std::string_view key) {
  if (key.empty()) return api::ClassifyAnnotationKey(key);  // many vendor names are empty
  vendors::DevicesConfig config;
  config.enable_iluvatar = config.enable_ascend = true;
  for (const auto& v : vendors::MakeVendors(config)) {
    const vendors::VendorNames& n = v->names();
    if (key == n.allocated_annotation || key == n.to_allocate_annotation) {
      return api::AnnotationKind::kPodDevices;
    }
    if (key == n.handshake_annotation) return api::AnnotationKind::kHandshake;
    if (key == n.pair_score_annotation) return api::AnnotationKind::kPairScores;
    if (key == n.node_lock_annotation) return api::AnnotationKind::kNodeLock;
  }
  return api::ClassifyAnnotationKey(key);  // registrations and plugin values, by key
}

}  // namespace hami::cli
