// Test helper: a temporary directory removed (recursively) on destruction.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace hami::monitor::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hami-mon-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace hami::monitor::testing
