#include "corefile/file_access.h"

#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace vmdns::corefile {

FileAccess system_file_access() {
  FileAccess files;
  files.read = [](const std::string& path, std::string* error) -> std::optional<std::string> {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      *error = std::strerror(errno);
      return std::nullopt;
    }
    if (S_ISDIR(st.st_mode)) {
      *error = "is a directory";
      return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (!in || !(text << in.rdbuf())) {
      if (in && st.st_size == 0) {
        return std::string();  // an empty file: operator<< reads nothing and fails
      }
      *error = "cannot be read";
      return std::nullopt;
    }
    return text.str();
  };
  files.glob = [](const std::string& pattern) {
    std::vector<std::string> paths;
    glob_t matches{};
    if (::glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i) {
        paths.emplace_back(matches.gl_pathv[i]);
      }
    }
    ::globfree(&matches);
    return paths;  // glob(3) sorts them
  };
  files.environment = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
  };
  return files;
}

FileAccess memory_file_access(std::vector<std::pair<std::string, std::string>> files,
                              EnvironmentLookup environment) {
  auto shared = std::make_shared<std::vector<std::pair<std::string, std::string>>>(std::move(files));
  FileAccess access;
  access.read = [shared](const std::string& path,
                         std::string* error) -> std::optional<std::string> {
    for (const auto& [name, text] : *shared) {
      if (name == path) {
        return text;
      }
    }
    *error = "No such file or directory";
    return std::nullopt;
  };
  access.glob = [shared](const std::string& pattern) {
    std::vector<std::string> paths;
    for (const auto& entry : *shared) {
      if (::fnmatch(pattern.c_str(), entry.first.c_str(), FNM_PATHNAME | FNM_PERIOD) == 0) {
        paths.push_back(entry.first);
      }
    }
    std::sort(paths.begin(), paths.end());
    return paths;
  };
  access.environment = environment ? std::move(environment)
                                   : [](const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
  return access;
}

}  // namespace vmdns::corefile
