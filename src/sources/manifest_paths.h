#pragma once
// `kubectl apply -f` paths -> the manifest files to read, in order.
//
//   expand_manifest_paths({"examples/", "-"}, diagnostics)
//   // {"examples/a.yaml", "examples/sub/b.json", "-"}
//
// A file is taken whatever its name; a directory contributes its *.yaml, *.yml and *.json files,
// recursively, sorted by path so that the later-one-wins rule for duplicates is reproducible.
// "-" stands for standard input. A path that cannot be read is an error diagnostic.

#include <string>
#include <vector>

#include "cluster/diagnostic.h"

namespace vmdns::sources {

inline constexpr const char* kStdinPath = "-";

std::vector<std::string> expand_manifest_paths(const std::vector<std::string>& paths,
                                               std::vector<cluster::Diagnostic>& diagnostics);

}  // namespace vmdns::sources
