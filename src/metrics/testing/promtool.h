// Test helper: runs `promtool check metrics` on exposition text.
// Returns nullopt when promtool is not installed; otherwise its exit code and
// combined output.
#pragma once

#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>

namespace hami::metrics::testing {

struct PromtoolResult {
  int exit_code = -1;
  std::string output;
};

inline std::optional<PromtoolResult> PromtoolCheck(const std::string& text) {
  if (access("/usr/bin/promtool", X_OK) != 0) return std::nullopt;
  char path[] = "/tmp/hami-promtool-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return std::nullopt;
  close(fd);
  { std::ofstream(path) << text; }
  std::string cmd = std::string("/usr/bin/promtool check metrics < ") + path + " 2>&1";
  PromtoolResult result;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  char buf[512];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) result.output.append(buf, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  unlink(path);
  return result;
}

}  // namespace hami::metrics::testing
