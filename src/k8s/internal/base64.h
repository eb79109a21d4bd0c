// Base64 (RFC 4648, standard alphabet) for kubeconfig *-data fields and
// AdmissionReview patches.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace hami::k8s::internal {

std::string Base64Encode(std::string_view data);
// Ignores whitespace; rejects other characters outside the alphabet.
StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace hami::k8s::internal
