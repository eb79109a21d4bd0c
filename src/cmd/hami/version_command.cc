// `hami version`.
#include <iostream>

#include "cmd/hami/command.h"

namespace hami::cli {

std::function<int()> DefineVersionCommand(CLI::App&) {
  return [] {
    std::cout << "hami " << HAMI_VERSION << " (wire-compatible with HAMi v2.10)\n";
    return 0;
  };
}

}  // namespace hami::cli
