// The `hami` CLI's subcommand table entry. Each subcommand lives in its own
// <name>_command.cc and exports one Define<Name>Command function.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <string_view>

#include "api/annotation_json.h"
#include "common/status.h"

namespace hami::cli {

// Declares the subcommand's arguments on `command` and returns the function to
// run when it is chosen; the function's result is the process exit status.
using DefineFn = std::function<int()> (*)(CLI::App& command);

struct Subcommand {
  const char* name;
  const char* summary;
  DefineFn define;
};

// Reads a positional value: "-" means all of stdin, minus one trailing newline.
std::string ReadValueArgument(const std::string& argument);

// Prints "hami <command>: <message>" as exactly one line on stderr.
void PrintError(std::string_view command, std::string_view message);

// The codec for an annotation key: every vendor's device-list, handshake,
// pair-score and lock keys from the vendor registry, then the api's key rules
// (NotFound for an unknown key).
StatusOr<api::AnnotationKind> ClassifyKey(std::string_view key);

std::function<int()> DefineDecodeCommand(CLI::App& command);
std::function<int()> DefineEncodeCommand(CLI::App& command);
std::function<int()> DefineVersionCommand(CLI::App& command);
std::function<int()> DefineBenchCommand(CLI::App& command);
std::function<int()> DefinePlaygroundCommand(CLI::App& command);
std::function<int()> DefineVendorsCommand(CLI::App& command);

}  // namespace hami::cli
