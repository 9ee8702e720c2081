#pragma once
// What reading a Corefile needs from the system: files (the Corefile and what it imports), glob
// patterns and the environment. Tests and the fuzzer give their own; `system_file_access()`
// is the real one.
//
//   FileAccess files = system_file_access();
//   auto text = files.read("/etc/coredns/Corefile", &error);
//   std::vector<std::string> paths = files.glob("/etc/coredns/custom/*.server");  // sorted

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "corefile/environment.h"

namespace vmdns::corefile {

struct FileAccess {
  // The file's text, or nullopt with `error` set ("no such file or directory").
  std::function<std::optional<std::string>(const std::string& path, std::string* error)> read;
  // The paths that match a shell pattern, sorted; none when nothing matches.
  std::function<std::vector<std::string>(const std::string& pattern)> glob;
  EnvironmentLookup environment;
};

FileAccess system_file_access();

// Files from a map (path -> text), an empty environment unless given: for tests and fuzzing.
// glob() matches the map's paths with fnmatch(3).
FileAccess memory_file_access(std::vector<std::pair<std::string, std::string>> files,
                              EnvironmentLookup environment = {});

}  // namespace vmdns::corefile
