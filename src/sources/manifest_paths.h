#pragma once
// `kubectl apply -f` paths -> the manifest files to read, in order.
//
//   expand_manifest_paths({"examples/", "-"}, diagnostics)
//   // {"examples/a.yaml", "examples/sub/b.json", "-"}
//
// A file is taken whatever its name; a directory contributes its *.yaml, *.yml and *.json files,
// recursively, sorted by path so that the later-one-wins rule for duplicates is reproducible.
// "-" stands for standard input. A path that cannot be read is an error diagnostic.
// Entries named "..*" inside a directory are skipped: a Kubernetes ConfigMap or Secret volume
// keeps its files in "..<timestamp>/" behind a "..data" link, and shows each one at its top as a
// symbolic link, which is read instead (once, and as the same path across updates).

#include <filesystem>
#include <string>
#include <vector>

#include "cluster/diagnostic.h"

namespace vmdns::sources {

inline constexpr const char* kStdinPath = "-";

// A "..*" entry of a ConfigMap or Secret volume (see above), never read nor watched.
bool is_volume_internal(const std::filesystem::path& path);

std::vector<std::string> expand_manifest_paths(const std::vector<std::string>& paths,
                                               std::vector<cluster::Diagnostic>& diagnostics);

}  // namespace vmdns::sources
