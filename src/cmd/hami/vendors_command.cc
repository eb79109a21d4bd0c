// `hami vendors [--device-config-file FILE] [--by-keyword]`: one line per
// supported vendor, its common word then its resource names, tab-separated;
// a multi-chip family (Iluvatar, Ascend) is one line with every chip's
// resources, or, with --by-keyword, one line per chip's scheduler keyword.
// Vendors HAMi keeps behind a flag (Iluvatar, Ascend) are listed too.
#include <algorithm>
#include <iostream>
#include <memory>

#include "api/device_config.h"
#include "cmd/hami/command.h"
#include "vendors/registry.h"

namespace hami::cli {

std::function<int()> DefineVendorsCommand(CLI::App& command) {
  auto path = std::make_shared<std::string>();
  auto by_keyword = std::make_shared<bool>(false);
  command.add_option("--device-config-file", *path, "device-config.yaml (resource names)");
  command.add_flag("--by-keyword", *by_keyword, "one line per scheduler keyword (each chip of a family)");
  return [path, by_keyword] {
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
    // Word -> resources, words in registry order.
    std::vector<std::pair<std::string, std::vector<std::string>>> lines;
    for (const auto& v : vendors::MakeVendors(config)) {
      const vendors::VendorNames& n = v->names();
      const std::string& word = *by_keyword || n.family.empty() ? n.keyword : n.family;
      auto line = std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.first == word; });
      if (line == lines.end()) line = lines.insert(lines.end(), {word, {}});
      for (const std::string& r : n.managed_resources) {
        if (!r.empty() && std::find(line->second.begin(), line->second.end(), r) == line->second.end()) {
          line->second.push_back(r);
        }
      }
    }
    for (const auto& [word, resources] : lines) {
      std::cout << word;
      for (const std::string& r : resources) std::cout << '\t' << r;
      std::cout << '\n';
    }
    return 0;
  };
}

}  // namespace hami::cli
