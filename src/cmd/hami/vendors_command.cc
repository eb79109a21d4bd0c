// `hami vendors [--device-config-file FILE]`: one line per supported vendor,
// its common word then its resource names, tab-separated. Vendors HAMi keeps
// behind a flag (Iluvatar, Ascend) are listed too.
#include <algorithm>
#include <iostream>
#include <memory>

#include "api/device_config.h"
#include "cmd/hami/command.h"
#include "vendors/registry.h"

namespace hami::cli {

std::function<int()> DefineVendorsCommand(CLI::App& command) {
  auto path = std::make_shared<std::string>();
  command.add_option("--device-config-file", *path, "device-config.yaml (resource names)");
  return [path] {
    api::DeviceConfig parsed;
    if (!path->empty()) {
      auto loaded = api::LoadDeviceConfigFile(*path);
      if (!loaded.ok()) {
        PrintError("vendors", loaded.status().message());
        return 1;
      }
      parsed = std::move(*loaded);
    }
    vendors::DevicesConfig config = vendors::DevicesConfigFrom(parsed);
    config.enable_iluvatar = config.enable_ascend = true;
    for (const auto& v : vendors::MakeVendors(config)) {
      const vendors::VendorNames& n = v->names();
      std::cout << n.keyword;
      std::vector<std::string> seen;
      for (const std::string& r : n.managed_resources) {
        if (r.empty() || std::find(seen.begin(), seen.end(), r) != seen.end()) continue;
        seen.push_back(r);
        std::cout << '\t' << r;
      }
      std::cout << '\n';
    }
    return 0;
  };
}

}  // namespace hami::cli
