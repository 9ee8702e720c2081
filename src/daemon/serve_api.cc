#include "daemon/serve_api.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/state_file.h"

namespace vmdns::daemon {
namespace {

// --state-dir: the objects of the last sync, served at once as their own origin until the API's
// collections have listed. Returns the origin's name, or "" when there was nothing to restore.
std::string restore_state(const std::string& state_dir, sources::ObjectSink& sink) {
  std::string path = state_dir + "/state.json";
  std::string error;
  if (::access(path.c_str(), F_OK) != 0) {
    spdlog::info("--state-dir: no {} yet: unknown names answer SERVFAIL until the first sync",
                 path);
    return "";
  }
  auto restored = kube::load_state_file(path, &error);
  if (!restored) {
    spdlog::warn("--state-dir: {}; waiting for the API server", error);
    return "";
  }
  size_t objects = restored->namespaces.size() + restored->services.size() +
                   restored->endpoint_slices.size() + restored->vmis.size() + restored->pods.size();
  std::string origin = "restored " + path;
  sink.replace_origin(origin, std::move(*restored));
  spdlog::warn("serving {} object(s) restored from {}: STALE until the API server answers", objects,
               path);
  return origin;
}

}  // namespace

std::optional<std::optional<kube::KubeConfig>> api_config(const settings::ServeOptions& options,
                                                          std::string* error) {
  if (!options.in_cluster && options.kubeconfig.empty()) {
    return std::optional<kube::KubeConfig>();  // no API: manifests alone
  }
  std::optional<kube::KubeConfig> config = kube::resolve_config(
      options.in_cluster, options.service_account_dir, options.kubeconfig, options.context, error);
  if (!config) {
    return std::nullopt;
  }
  return config;
}

ServeApi::ServeApi(const kube::KubeConfig& config, const settings::ServeOptions& options,
                   sources::ObjectSink& sink,
                   std::function<void(const std::string& origin)> on_error,
                   LoadProgress& progress) {
  std::string restored;
  if (!options.state_dir.empty()) {
    ::mkdir(options.state_dir.c_str(), 0700);
    restored = restore_state(options.state_dir, sink);
  }
  // Only --pods verified reads Pods: insecure answers a pod name from the name itself, endpoint
  // names come from the EndpointSlices' targetRef, and server-side search knows Pods only
  // with verified (as CoreDNS's autopath does). The Pod collection is a cluster's largest.
  bool watch_pods = options.zones.pods == "verified";
  if (options.zones.pods == "insecure") {
    spdlog::info(
        "--pods insecure: Pods are not watched; a <dashed-ip>.<ns>.pod name answers the "
        "address it spells{}",
        options.autopath || options.expand_short_names
            ? "; --autopath and --expand-short-names know VMI guests only (Pods need "
              "--pods verified)"
            : "");
  }
  kube::KubeSourceOptions api_options{
      .namespaces = options.zones.namespaces,
      .label_selector = options.labels,
      .pods = watch_pods,
      .resync_period = std::chrono::seconds(options.resync_seconds),
      .page_size = options.api_page_size,
      .serving_restored_state = !restored.empty(),
      .on_error = std::move(on_error),
      .on_list_page = [this, &progress](size_t objects) {
        if (source_ != nullptr && source_->synced()) {
          progress.finish();  // relists are not a load anyone waits for
        } else {
          progress.add(objects);
        }
      }};
  sources::ObjectSink* next = &sink;
  if (!options.state_dir.empty()) {
    std::vector<std::string> origins = kube::KubeSource(config, api_options, sink).origins();
    saver_ = std::make_unique<kube::StateSaver>(sink, options.state_dir + "/state.json", origins,
                                                restored);
    next = saver_.get();
  }
  source_ = std::make_unique<kube::KubeSource>(config, api_options, *next);
  source_->announce();
}

ServeApi::~ServeApi() {
  stop();
}

void ServeApi::start() {
  source_->start();
}

void ServeApi::stop() {
  source_->stop();
  if (saver_) {
    saver_->stop();
  }
}

}  // namespace vmdns::daemon
