#pragma once
// Where `explain` and `check` read their objects: manifest files (-f), the live cluster
// (--kubeconfig [--context], --in-cluster: one paginated list per kind, no watch), or both, the
// files laid over the cluster (an object of -f replaces the cluster's of the same kind,
// namespace and name: "what will my new VM be called?").
//
//   ObjectSources sources;
//   add_object_sources(*command, sources);
//   ...
//   std::string error;
//   auto objects = load_objects(sources, /*all_pods=*/zone.pods == "verified", &error);
//   if (!objects) { std::cerr << "error: " << error << "\n"; exit_code = 2; }
//
// The kubectl plugin (`kubectl vmdns`) reads the live cluster of $KUBECONFIG or
// ~/.kube/config by default, as kubectl does.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sources/manifest_loader.h"

namespace vmdns::cli {

struct ObjectSources {
  std::vector<std::string> files;
  std::string kubeconfig;
  std::string context;
  bool in_cluster = false;
  std::string service_account_dir;  // hidden: where --in-cluster reads the service account
  bool kubectl_plugin = false;      // the live cluster by default, kubectl's way
  // `kubectl vmdns check`: one namespace's objects (-n, else the context's, else "default"),
  // unless -A. explain always reads every namespace: a name may point into any.
  bool scoped = false;
  std::string namespace_name;       // -n

  bool live() const { return in_cluster || !kubeconfig.empty() || kubectl_plugin; }
};

// -f (repeatable, `allow_extra_args(false)` so that a NAME after it is not one more path),
// --kubeconfig, --context, and (not in the plugin) --in-cluster.
void add_object_sources(CLI::App& command, ObjectSources& sources);

struct LoadedObjects {
  sources::LoadResult loaded;  // the state, the diagnostics of the files and of the lists
  std::string server;          // the API server's URL; empty without a live source
  // -n, else the kubeconfig context's namespace (the service account's), else "default"; the
  // namespace read when `scoped`.
  std::string namespace_name;
  size_t listed = 0;           // objects read from the API
};

// nullopt and `error` (exit 2) when neither -f nor a live source is given, or the kubeconfig or
// a list fails ("cannot list Services at https://...: HTTP 403: Forbidden: ...").
// `all_pods`: list every Pod (--pods verified), else only the launcher pods.
std::optional<LoadedObjects> load_objects(const ObjectSources& sources, bool all_pods,
                                          std::string* error);

// The kubeconfig kubectl would read: $KUBECONFIG's first file (kubectl merges the list; the
// plugin reads its first entry), else ~/.kube/config.
std::string default_kubeconfig();

}  // namespace vmdns::cli
