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
// A file of 4 MiB or more is read in two parts at once (load_manifest_text_in_parts), with the
// same objects, diagnostics, documents and lines as one part makes.
LoadResult load_manifest_text(std::string_view text, const std::string& origin_name);

// `text` cut into at most `parts` pieces of about equal size, each starting at a document
// start marker ("---" at the start of a line), so that each piece parses on its own; the whole
// text when it has directives (%YAML, %TAG), which belong to the document after them.
std::vector<std::string_view> split_documents(std::string_view text, size_t parts);

// load_manifest_text with the text split into `parts` (split_documents), each read by its own
// thread, the results merged in order: later definitions still win, documents are numbered
// through the file, a syntax error in any part is the file's one error. For tests and big files.
LoadResult load_manifest_text_in_parts(std::string_view text, const std::string& origin_name,
                                       size_t parts);

}  // namespace vmdns::sources
