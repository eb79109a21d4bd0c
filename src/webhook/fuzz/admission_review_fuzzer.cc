// Fuzzes the admission webhook with arbitrary request bodies (what the API
// server, or anything that reaches the port, may send): Handle never throws and
// always answers a JSON object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vendors/config.h"
#include "vendors/registry.h"
#include "webhook/webhook.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const hami::vendors::VendorList vendors = hami::vendors::MakeVendors(hami::vendors::DevicesConfig{});
  static const hami::webhook::Webhook hook(vendors, hami::webhook::WebhookOptions{}, nullptr);
  nlohmann::json answer = hook.Handle(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!answer.is_object()) std::abort();
  return 0;
}
