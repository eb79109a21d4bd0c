#include <iostream>
#include <iterator>
#include <string>

#include "cmd/hami/command.h"

namespace hami::cli {

std::string ReadValueArgument(const std::string& argument) {
  if (argument != "-") return argument;
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

void PrintError(std::string_view command, std::string_view message) {
  std::string line = "hami " + std::string(command) + ": ";
  for (char c : message) {
    unsigned char u = static_cast<unsigned char>(c);
    line.push_back(u < 0x20 || u == 0x7f ? ' ' : c);  // keep it one line
  }
  std::cerr << line << '\n';
}

}  // namespace hami::cli
