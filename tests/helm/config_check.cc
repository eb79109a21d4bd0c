// hami_chart_config_check: parses a device-config.yaml and a per-node config.json
// with the project's own parsers (src/api/device_config.h), as the scheduler and the
// device plugin will, and prints the effective NVIDIA settings as key=value lines.
//   hami_chart_config_check DEVICE_CONFIG_YAML NODE_CONFIG_JSON [NODE_NAME]
// Exit 0 when both parse, 1 with one line on stderr otherwise.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "api/device_config.h"

namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: hami_chart_config_check DEVICE_CONFIG_YAML NODE_CONFIG_JSON [NODE]\n";
    return 2;
  }
  std::string yaml_text, json_text;
  if (!ReadFile(argv[1], &yaml_text) || !ReadFile(argv[2], &json_text)) {
    std::cerr << "cannot read " << argv[1] << " or " << argv[2] << "\n";
    return 1;
  }
  auto config = hami::api::ParseDeviceConfigYaml(yaml_text);
  if (!config.ok()) {
    std::cerr << "device-config.yaml: " << config.status().ToString() << "\n";
    return 1;
  }
  auto overrides = hami::api::ParseNodeConfigJson(json_text);
  if (!overrides.ok()) {
    std::cerr << "config.json: " << overrides.status().ToString() << "\n";
    return 1;
  }
  const hami::api::NvidiaConfig& nv = config->nvidia;
  auto node = hami::api::ResolveNodeSettings(nv, *overrides, argc > 3 ? argv[3] : "");
  std::cout << "resourceCountName=" << nv.resource_count_name << "\n"
            << "resourceMemoryName=" << nv.resource_memory_name << "\n"
            << "resourceCoreName=" << nv.resource_core_name << "\n"
            << "defaultGPUNum=" << nv.default_gpu_num << "\n"
            << "gpuCorePolicy=" << nv.gpu_core_policy << "\n"
            << "disableCoreLimit=" << nv.disable_core_limit << "\n"
            << "node.deviceSplitCount=" << node.device_split_count << "\n"
            << "node.deviceMemoryScaling=" << node.device_memory_scaling << "\n";
  return 0;
}
