// Vendor sections of device-config.yaml (kept as YAML text by
// api/device_config.h) read as plain fields, for the vendors' own defaults.
// Never throws.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hami::api {

// The scalar fields of a vendor section (values as written; scalars inside
// nested maps and lists keyed by their path, "configs.0.templates.1.name"):
// one entry for a map section, one per item for a list section (e.g.
// `iluvatars`). InvalidArgument when the text is not YAML.
using SectionFields = std::map<std::string, std::string, std::less<>>;
StatusOr<std::vector<SectionFields>> ParseSectionFields(std::string_view section_yaml);

}  // namespace hami::api
