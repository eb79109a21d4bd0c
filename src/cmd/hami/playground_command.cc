// `hami playground up|status|down [--real-gpu] [--no-examples] [--dir DIR]`:
// a thin front for scripts/playground.sh (the script does the work). The script
// is found through $HAMI_REPO, else the source tree this binary was built from.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cmd/hami/command.h"

namespace hami::cli {

std::function<int()> DefinePlaygroundCommand(CLI::App& command) {
  struct Options {
    std::string action;
    bool real_gpu = false;
    bool no_examples = false;
    std::string dir;
  };
  auto options = std::make_shared<Options>();
  command.add_option("action", options->action, "up, status or down")
      ->required()
      ->check(CLI::IsMember({"up", "status", "down"}));
  command.add_flag("--real-gpu", options->real_gpu, "use this machine's NVML for the first node");
  command.add_flag("--no-examples", options->no_examples, "do not apply examples/");
  command.add_option("--dir", options->dir, "state directory (default ~/.cache/hami/playground)");
  return [options]() -> int {
    const char* repo_env = std::getenv("HAMI_REPO");
    std::string repo = repo_env != nullptr && *repo_env != '\0' ? repo_env : HAMI_SOURCE_DIR;
    std::string script = repo + "/scripts/playground.sh";
    std::vector<std::string> args = {script, options->action};
    if (options->real_gpu) args.emplace_back("--real-gpu");
    if (options->no_examples) args.emplace_back("--no-examples");
    if (!options->dir.empty()) {
      args.emplace_back("--dir");
      args.push_back(options->dir);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(script.c_str(), argv.data());
    PrintError("playground", "cannot run " + script + ": " + std::strerror(errno) +
                                 " (set HAMI_REPO to the repository root)");
    return 1;
  };
}

}  // namespace hami::cli
