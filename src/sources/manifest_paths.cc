#include "sources/manifest_paths.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace vmdns::sources {
namespace {

namespace fs = std::filesystem;

bool is_manifest_name(const fs::path& path) {
  std::string extension = path.extension().string();
  return extension == ".yaml" || extension == ".yml" || extension == ".json";
}

void error(std::vector<cluster::Diagnostic>& diagnostics, const std::string& file,
           std::string message) {
  cluster::Diagnostic d;
  d.origin.file = file;
  d.message = std::move(message);
  diagnostics.push_back(std::move(d));
}

void add_directory(const std::string& directory, std::vector<std::string>& files,
                   std::vector<cluster::Diagnostic>& diagnostics) {
  std::vector<std::string> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(directory, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (is_volume_internal(it->path())) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(type_ec) && is_manifest_name(it->path())) {
      found.push_back(it->path().string());
    }
  }
  if (ec) {
    error(diagnostics, directory, "cannot read directory: " + ec.message());
  }
  std::sort(found.begin(), found.end());
  files.insert(files.end(), found.begin(), found.end());
}

}  // namespace

bool is_volume_internal(const std::filesystem::path& path) {
  return path.filename().string().starts_with("..");
}

std::vector<std::string> expand_manifest_paths(const std::vector<std::string>& paths,
                                               std::vector<cluster::Diagnostic>& diagnostics) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    if (path == kStdinPath) {
      files.push_back(path);
      continue;
    }
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      std::error_code reason = ec ? ec : std::make_error_code(std::errc::no_such_file_or_directory);
      error(diagnostics, path, "cannot read: " + reason.message());
    } else if (fs::is_directory(status)) {
      add_directory(path, files, diagnostics);
    } else {
      files.push_back(path);
    }
  }
  return files;
}

}  // namespace vmdns::sources
