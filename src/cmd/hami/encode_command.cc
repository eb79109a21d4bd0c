// `hami encode <annotation-key> <json|->`: the exact inverse of `hami decode`.
#include <iostream>
#include <memory>

#include "api/annotation_json.h"
#include "cmd/hami/command.h"

namespace hami::cli {

std::function<int()> DefineEncodeCommand(CLI::App& command) {
  struct Args {
    std::string key;
    std::string json;
    bool no_newline = false;
  };
  auto args = std::make_shared<Args>();
  command.add_option("key", args->key, "annotation key, or 'quantity'")->required();
  command.add_option("json", args->json, "the JSON view (as `hami decode` prints), or - for stdin")
      ->required();
  command.add_flag("-n,--no-newline", args->no_newline, "do not print a newline after the value");
  return [args] {
    auto kind = ClassifyKey(args->key);
    auto value = kind.ok() ? api::EncodeAnnotationFromJson(*kind, ReadValueArgument(args->json))
                           : StatusOr<std::string>(kind.status());
    if (!value.ok()) {
      PrintError("encode", value.status().message());
      return 1;
    }
    std::cout << *value;
    if (!args->no_newline) std::cout << '\n';
    return 0;
  };
}

}  // namespace hami::cli
