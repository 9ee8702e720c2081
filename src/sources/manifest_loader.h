#pragma once
// Reads cluster objects from manifest files the way `kubectl apply -f` takes them.
//
//   auto result = load_manifests({"examples/"});
//   for (auto& d : result.diagnostics) std::cerr << d.to_string() << "\n";
//   build(result.state);
//
// Paths are files, directories (recursively: *.yaml, *.yml, *.json, in sorted order) or "-" for
// standard input. A file holds multi-document YAML, JSON, or a `kind: List` with `items`.
// Kinds read: VirtualMachineInstance (kubevirt.io/v1, v1alpha3), VirtualMachine (kubevirt.io/v1),
// Service, EndpointSlice (discovery.k8s.io/v1), Pod, Namespace. Unknown kinds are skipped with a
// debug log. An object that fails validation is skipped with a diagnostic; the rest still loads.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/diagnostic.h"
#include "cluster/model.h"

namespace vmdns::sources {

struct LoadResult {
  cluster::State state;
  std::vector<cluster::Diagnostic> diagnostics;
  size_t files = 0;
  size_t objects = 0;   // objects of a known kind that were loaded
  size_t skipped = 0;   // objects of kinds vmdns does not read

  bool has_errors() const;
};

LoadResult load_manifests(const std::vector<std::string>& paths);

// The whole text of a manifest file, or of standard input for "-"; nullopt when it cannot be read.
std::optional<std::string> read_manifest_file(const std::string& path);

// Reads the manifests in `text` as if they were a file named `origin_name`; the entry point of
// load_manifests for each file, of tests, and of fuzz/fuzz_manifest.cc.
LoadResult load_manifest_text(std::string_view text, const std::string& origin_name);

}  // namespace vmdns::sources
