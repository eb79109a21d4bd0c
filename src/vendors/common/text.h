// Small helpers shared by every vendor: case folding, comma lists, Go's
// ParseBool, annotation and resource look-ups. No state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vendors/vendor.h"

namespace hami::vendors::common {

std::string Lower(std::string_view s);
std::string_view Trim(std::string_view s);
// Comma list, items trimmed, empty items dropped.
std::vector<std::string> SplitList(std::string_view s, bool lower);
// Go strconv.ParseBool.
std::optional<bool> ParseBool(std::string_view s);
const std::string* FindAnnotation(const AnnotationMap& m, std::string_view key);
// limits first, then requests (as HAMi reads container resources).
const api::Quantity* Lookup(const ContainerResources& c, std::string_view resource);

}  // namespace hami::vendors::common
