#include "vendors/common/text.h"

#include <cctype>

namespace hami::vendors::common {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string> SplitList(std::string_view s, bool lower) {
  std::vector<std::string> out;
  while (true) {
    size_t comma = s.find(',');
    std::string_view tok = Trim(s.substr(0, comma));
    if (!tok.empty()) out.push_back(lower ? Lower(tok) : std::string(tok));
    if (comma == std::string_view::npos) break;
    s = s.substr(comma + 1);
  }
  return out;
}

std::optional<bool> ParseBool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") return false;
  return std::nullopt;
}

const std::string* FindAnnotation(const AnnotationMap& m, std::string_view key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

const api::Quantity* Lookup(const ContainerResources& c, std::string_view resource) {
  if (auto it = c.limits.find(resource); it != c.limits.end()) return &it->second;
  if (auto it = c.requests.find(resource); it != c.requests.end()) return &it->second;
  return nullptr;
}

}  // namespace hami::vendors::common
