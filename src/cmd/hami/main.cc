// `hami`: the HAMi wire-protocol tool. Thin dispatcher over a table of
// subcommands; the logic lives in src/api (and in each subcommand's library).
// Exit status: 0 success, 1 bad input (one line on stderr), 2 usage error.
//
// To add a subcommand `foo`:
//   1. write src/cmd/hami/foo_command.cc defining
//        std::function<int()> DefineFooCommand(CLI::App& command)
//      which declares its options on `command` and returns the code to run;
//   2. declare it in command.h and add one row to kSubcommands below;
//   3. add the file (and its library) to src/cmd/hami/CMakeLists.txt.
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cmd/hami/command.h"

namespace hami::cli {
namespace {

const Subcommand kSubcommands[] = {
    {"decode", "Decode an annotation value and print its JSON view", DefineDecodeCommand},
    {"encode", "Encode a JSON view back into the annotation value", DefineEncodeCommand},
    {"version", "Print the version and the HAMi protocol version", DefineVersionCommand},
    {"vendors", "List the supported vendors: common word, then resource names (tab-separated)",
     DefineVendorsCommand},
    {"bench", "Benchmarks (bench scheduler --nodes N --gpus-per-node G --occupancy P)", DefineBenchCommand},
    {"playground", "Local playground: up, status or down (scripts/playground.sh)",
     DefinePlaygroundCommand},
};

// The first word when it is neither an option nor a known subcommand: CLI11 would
// only say "A subcommand is required", which hides the typo.
std::optional<std::string> UnknownSubcommand(int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  std::string_view first = argv[1];
  if (first.empty() || first.front() == '-') return std::nullopt;
  for (const Subcommand& sub : kSubcommands) {
    if (first == sub.name) return std::nullopt;
  }
  return std::string(first);
}

int Main(int argc, char** argv) {
  if (auto unknown = UnknownSubcommand(argc, argv)) {
    std::string valid;
    for (const Subcommand& sub : kSubcommands) valid += (valid.empty() ? "" : ", ") + std::string(sub.name);
    std::cerr << "hami: unknown subcommand '" << *unknown << "'; valid subcommands: " << valid
              << " (hami --help for more)\n";
    return 2;
  }
  CLI::App app("hami: tools for the HAMi v2.10 wire protocol", "hami");
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, std::function<int()>>> runners;
  for (const Subcommand& sub : kSubcommands) {
    CLI::App* command = app.add_subcommand(sub.name, sub.summary);
    runners.emplace_back(command, sub.define(*command));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help or the usage error
    return code == 0 ? 0 : 2;
  }
  for (auto& [command, run] : runners) {
    if (command->parsed()) return run();
  }
  return 1;
}

}  // namespace
}  // namespace hami::cli

int main(int argc, char** argv) { return hami::cli::Main(argc, argv); }
