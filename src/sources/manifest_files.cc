#include "sources/manifest_files.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "sources/manifest_loader.h"
#include "sources/manifest_paths.h"

namespace vmdns::sources {
namespace {

// CPU time of the process (a big file is read by two threads): on a busy machine, what reading
// the files cost apart from waiting for a core.
std::chrono::microseconds process_cpu_time() {
  timespec now{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) +
         std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::nanoseconds(now.tv_nsec));
}

namespace fs = std::filesystem;


cluster::Diagnostic file_error(const std::string& path, std::string message) {
  cluster::Diagnostic d;
  d.origin.file = path;
  d.message = std::move(message);
  return d;
}

void log_diagnostics(const std::vector<cluster::Diagnostic>& diagnostics) {
  for (const cluster::Diagnostic& d : diagnostics) {
    if (d.severity == cluster::Severity::Error) {
      spdlog::error("{}", d.to_string());
    } else {
      spdlog::warn("{}", d.to_string());
    }
  }
}

// The parent directory of a -f path, as a path to watch ("." for a bare name).
std::string parent_of(const std::string& path) {
  fs::path parent = fs::path(path).lexically_normal().parent_path();
  return parent.empty() ? "." : parent.string();
}

std::string base_name_of(const std::string& path) {
  fs::path normal = fs::path(path).lexically_normal();
  if (!normal.has_filename()) {
    normal = normal.parent_path();  // "dir/" -> "dir"
  }
  return normal.filename().string();
}

}  // namespace

bool ManifestFiles::Stamp::operator==(const Stamp& o) const {
  return device == o.device && inode == o.inode && size == o.size &&
         modified.tv_sec == o.modified.tv_sec && modified.tv_nsec == o.modified.tv_nsec;
}

ManifestFiles::ManifestFiles(std::vector<std::string> paths, ObjectSink& sink)
    : paths_(std::move(paths)), sink_(sink) {}

void ManifestFiles::read(const std::string& path, File& file, Rescan mode, RescanSummary& summary) {
  ++summary.read;
  auto started = std::chrono::steady_clock::now();
  auto started_cpu = process_cpu_time();
  std::optional<std::string> text = read_manifest_file(path);
  if (text) {
    size_t hash = std::hash<std::string>{}(*text);
    if (mode != Rescan::All && file.delivered && hash == file.text_hash) {
      ++summary.unchanged;
      return;
    }
    file.text_hash = hash;
  }
  LoadResult loaded;
  if (text) {
    loaded = load_manifest_text(*text, path);
  } else {
    loaded.diagnostics.push_back(file_error(path, "cannot read the file"));
  }
  summary.load_time += std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  summary.load_cpu_time += process_cpu_time() - started_cpu;
  bool ends_with_line_break = text && !text->empty() && text->back() == '\n';
  if (text && !ends_with_line_break && file.delivered && file.ends_with_line_break) {
    loaded.diagnostics.push_back(file_error(
        path, text->empty() ? "is empty, as its last version was not: cut short or still being "
                              "written (remove the file to withdraw its objects)"
                            : "ends in the middle of a line, as its last version did not: cut "
                              "short or still being written"));
  }
  log_diagnostics(loaded.diagnostics);
  size_t errors = std::count_if(
      loaded.diagnostics.begin(), loaded.diagnostics.end(),
      [](const cluster::Diagnostic& d) { return d.severity == cluster::Severity::Error; });
  if (errors > 0) {
    summary.errors[path] += errors;
  }
  if (loaded.has_errors() && file.delivered) {
    ++summary.kept;
    spdlog::error("{}: not applied; its last good objects are still served", path);
    return;
  }
  ++summary.delivered;
  summary.objects += loaded.objects;
  if (file.delivered) {
    spdlog::info("{}: read {} object(s)", path, loaded.objects);
  }
  sink_.replace_origin(path, std::move(loaded.state));
  file.delivered = true;
  file.ends_with_line_break = ends_with_line_break;
}

RescanSummary ManifestFiles::rescan(Rescan mode) {
  RescanSummary summary;
  std::vector<cluster::Diagnostic> path_diagnostics;
  std::vector<std::string> found = expand_manifest_paths(paths_, path_diagnostics);

  // A missing -f path is logged when it goes missing, not on every rescan.
  std::set<std::string> errors;
  for (const cluster::Diagnostic& d : path_diagnostics) {
    std::string text = d.to_string();
    if (!path_errors_.contains(text)) {
      spdlog::error("{}", text);
      ++summary.errors[d.origin.file];
    }
    errors.insert(std::move(text));
  }
  path_errors_ = std::move(errors);

  std::set<std::string> present(found.begin(), found.end());
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->first != kStdinPath && !present.contains(it->first)) {
      if (it->second.delivered) {
        spdlog::info("{}: removed; its objects are withdrawn", it->first);
        sink_.forget_origin(it->first);
      }
      ++summary.removed;
      it = files_.erase(it);
    } else {
      ++it;
    }
  }

  for (const std::string& path : found) {
    ++summary.files;
    if (path == kStdinPath) {
      if (!stdin_read_) {
        stdin_read_ = true;
        read(path, files_[path], mode, summary);
      }
      continue;
    }
    Stamp stamp;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
      stamp = {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino), st.st_size,
               st.st_mtim};
    }
    auto [it, added] = files_.try_emplace(path);
    File& file = it->second;
    if (added || mode == Rescan::All || marked_.contains(path) || !(file.stamp == stamp)) {
      file.stamp = stamp;
      read(path, file, mode, summary);
    }
  }
  marked_.clear();
  return summary;
}

std::map<std::string, std::set<std::string>> ManifestFiles::watch_list() const {
  std::map<std::string, std::set<std::string>> out;
  std::map<std::string, bool> every_name;
  auto want = [&](const std::string& directory, const std::string& name) {
    if (name.empty()) {
      every_name[directory] = true;
    } else {
      out[directory].insert(name);
    }
  };
  for (const std::string& path : paths_) {
    if (path == kStdinPath) {
      continue;
    }
    want(parent_of(path), base_name_of(path));
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      continue;
    }
    want(path, "");
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code type_ec;
      if (is_volume_internal(it->path())) {
        it.disable_recursion_pending();  // its changes show as a rename of "..data"
        continue;
      }
      if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) {
        want(it->path().string(), "");
      }
    }
  }
  for (const auto& [directory, all] : every_name) {
    out[directory].clear();
  }
  return out;
}

}  // namespace vmdns::sources
