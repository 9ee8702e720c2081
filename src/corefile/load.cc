#include "corefile/load.h"

#include "corefile/imports.h"
#include "corefile/parser.h"

namespace vmdns::corefile {

std::optional<Corefile> load(const std::string& path, const FileAccess& files,
                             std::string* error) {
  auto words = read_words(path, files, error);
  if (!words) {
    return std::nullopt;
  }
  return parse(*words, error);
}

}  // namespace vmdns::corefile
