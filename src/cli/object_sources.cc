#include "cli/object_sources.h"

#include <cstdlib>

#include "cluster/state_overlay.h"
#include "kube/cluster_list.h"
#include "kube/kubeconfig.h"

namespace vmdns::cli {
namespace {

// Drops the objects of other namespaces (a -f plan over one namespace of the cluster).
void keep_namespace(cluster::State& state, const std::string& ns) {
  auto others = [&ns](const auto& entry) { return entry.first.namespace_name != ns; };
  std::erase_if(state.vmis, others);
  std::erase_if(state.vms, others);
  std::erase_if(state.pods, others);
  std::erase_if(state.services, others);
  std::erase_if(state.endpoint_slices, others);
  std::erase_if(state.namespaces, [&ns](const auto& entry) { return entry.first != ns; });
}

}  // namespace

void add_object_sources(CLI::App& command, ObjectSources& sources) {
  // One path per -f, so that NAME after the paths is not taken for one more path.
  command
      .add_option("-f,--filename", sources.files,
                  "Manifest file, directory (recursive: *.yaml, *.yml, *.json) or - for stdin; "
                  "repeat -f for more. With a live cluster: planned objects laid over it")
      ->allow_extra_args(false);
  CLI::Option* kubeconfig =
      command.add_option("--kubeconfig", sources.kubeconfig,
                         sources.kubectl_plugin
                             ? "The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)"
                             : "Read the live cluster of this kubeconfig's context (one list "
                               "per kind, no watch)");
  command.add_option("--context", sources.context,
                     "The kubeconfig context to use (default: its current-context)");
  if (!sources.kubectl_plugin) {
    command
        .add_flag("--in-cluster", sources.in_cluster,
                  "Read the live cluster with the pod's service account")
        ->excludes(kubeconfig);
    command.add_option("--service-account-dir", sources.service_account_dir)->group("");
  }
}

std::string default_kubeconfig() {
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') {
    std::string list = env;
    return list.substr(0, list.find(':'));
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.kube/config";
}

std::optional<LoadedObjects> load_objects(const ObjectSources& sources, bool all_pods,
                                          std::string* error) {
  if (sources.files.empty() && !sources.live()) {
    *error = "no objects to read: give -f FILE, --kubeconfig FILE or --in-cluster";
    return std::nullopt;
  }
  if (!sources.context.empty() && !sources.live()) {
    *error = "--context needs --kubeconfig";
    return std::nullopt;
  }
  LoadedObjects out;
  if (sources.live()) {
    std::optional<kube::KubeConfig> config = kube::resolve_config(
        sources.in_cluster, sources.service_account_dir,
        sources.kubeconfig.empty() ? default_kubeconfig() : sources.kubeconfig, sources.context,
        error);
    if (!config) {
      return std::nullopt;
    }
    out.namespace_name = !sources.namespace_name.empty() ? sources.namespace_name
                         : !config->namespace_name.empty() ? config->namespace_name
                                                           : "default";
    kube::ClusterListOptions options;
    options.all_pods = all_pods;
    if (sources.scoped) {
      options.namespace_scope = out.namespace_name;
    }
    auto listed = kube::list_cluster(*config, options, error);
    if (!listed) {
      return std::nullopt;
    }
    out.server = config->server;
    out.listed = listed->objects;
    out.loaded.state = std::move(listed->state);
    out.loaded.diagnostics = std::move(listed->diagnostics);
  }
  if (!sources.files.empty()) {
    sources::LoadResult files = sources::load_manifests(sources.files);
    if (sources.scoped && sources.live()) {
      keep_namespace(files.state, out.namespace_name);
    }
    cluster::overlay(out.loaded.state, std::move(files.state));
    for (cluster::Diagnostic& d : files.diagnostics) {
      out.loaded.diagnostics.push_back(std::move(d));
    }
    out.loaded.files = files.files;
    out.loaded.objects = files.objects;
    out.loaded.skipped = files.skipped;
  }
  return out;
}

}  // namespace vmdns::cli
