// Mutating admission webhook for pods (HAMi's algorithm, reference section 7):
// AdmissionReview (admission.k8s.io/v1 or v1beta1) in, AdmissionReview of the
// same version out, with an RFC 6902 JSON Patch when the pod changed. Never
// throws: malformed reviews get an error response (code 400).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "scheduler/scheduler.h"
#include "vendors/registry.h"

namespace hami::webhook {

struct WebhookOptions {
  std::string scheduler_name = "hami-scheduler";
  bool force_overwrite_default_scheduler = true;
};

class Webhook {
 public:
  // quota may be null (no quota check).
  Webhook(const vendors::VendorList& vendors, WebhookOptions options,
          const scheduler::Scheduler* quota);

  nlohmann::json Handle(std::string_view body) const;

 private:
  const vendors::VendorList& vendors_;
  WebhookOptions options_;
  const scheduler::Scheduler* quota_;
};

}  // namespace hami::webhook
