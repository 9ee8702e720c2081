#pragma once
// `vmdns serve`'s Kubernetes API source: --kubeconfig or --in-cluster, and --state-dir.
//
//   auto config = api_config(options, &error);          // nullopt + error: bad flags or files
//   if (config && *config) api = std::make_unique<ServeApi>(**config, options, control);
//   ...                                                   // the DNS server starts listening
//   api->start();
//   api->stop();

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "daemon/load_progress.h"
#include "kube/kube_source.h"
#include "kube/kubeconfig.h"
#include "kube/state_saver.h"
#include "settings/serve_options.h"
#include "sources/object_sink.h"

namespace vmdns::daemon {

// The API to watch: an empty inner optional when serve was given neither --kubeconfig nor
// --in-cluster; nullopt with `error` set when the kubeconfig or service account is unusable.
std::optional<std::optional<kube::KubeConfig>> api_config(const settings::ServeOptions& options,
                                                          std::string* error);

class ServeApi {
 public:
  // Restores --state-dir's last state into `sink`, if any, and announces every collection
  // (NotSynced, or Lost when a state was restored) before the first snapshot is served.
  // `on_error` counts each failed list or watch by collection (may be empty).
  // `progress` counts the objects of every list page until the first sync is complete.
  ServeApi(const kube::KubeConfig& config, const settings::ServeOptions& options,
           sources::ObjectSink& sink, std::function<void(const std::string& origin)> on_error,
           LoadProgress& progress);
  ~ServeApi();

  // Lists and watches from the source's own threads; returns at once.
  void start();
  void stop();

 private:
  std::unique_ptr<kube::StateSaver> saver_;
  std::unique_ptr<kube::KubeSource> source_;
};

}  // namespace vmdns::daemon
