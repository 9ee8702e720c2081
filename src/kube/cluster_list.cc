#include "kube/cluster_list.h"

#include <atomic>
#include <chrono>

#include "kube/api_client.h"
#include "kube/api_kind.h"
#include "kube/api_object.h"
#include "kube/bearer_token.h"
#include "kube/collection_list.h"

namespace vmdns::kube {
namespace {

constexpr std::chrono::seconds kListTimeout{60};
constexpr const char* kLauncherSelector = "kubevirt.io=virt-launcher";

}  // namespace

std::optional<ClusterList> list_cluster(const KubeConfig& config,
                                        const ClusterListOptions& options, std::string* error) {
  BearerToken token(config.token, config.token_file);
  std::atomic<bool> never_stopped{false};
  ApiClient client(config, token, never_stopped);
  ClusterList out;
  std::vector<const ApiKind*> kinds;
  for (const ApiKind& kind : api_kinds()) {
    kinds.push_back(&kind);
  }
  kinds.push_back(&api_kind(Kind::VirtualMachine));
  for (const ApiKind* kind : kinds) {
    if (!options.namespace_scope.empty() && !kind->namespaced) {
      continue;
    }
    CollectionRequest request{kind, kind->collection_path(options.namespace_scope), "",
                              options.page_size, ""};
    request.origin = config.server + request.path;
    if (kind->kind == Kind::Pod && !options.all_pods) {
      request.selectors = "labelSelector=" + url_encode(kLauncherSelector);
    }
    ListCallbacks callbacks;
    callbacks.on_object = [&out](sources::Object object) { put(out.state, std::move(object)); };
    // A list started over holds every object again: the earlier pages' objects are replaced by
    // key, and one deleted meanwhile lingers, which a one-shot report can live with.
    ListOutcome outcome = list_collection(
        request,
        [&client](const std::string& path) { return client.get(path, kListTimeout); },
        callbacks);
    if (!outcome.complete()) {
      *error = "cannot list " + std::string(kind->name) + "s at " + config.server +
               outcome.failed_path + ": " + outcome.why;
      if (outcome.failure.status == 404 && !kind->group.empty() &&
          kind->group == "kubevirt.io") {
        *error += " (is KubeVirt installed?)";
      }
      return std::nullopt;
    }
    out.objects += outcome.objects;
    for (cluster::Diagnostic& d : outcome.diagnostics) {
      out.diagnostics.push_back(std::move(d));
    }
  }
  return out;
}

}  // namespace vmdns::kube
