#pragma once
// The Kubernetes API as a source of cluster objects: one Reflector thread per watched
// collection, all feeding one ClusterSink, and the sync state they add up to.
//
//   KubeSource source(config, {.namespaces = {"default"}, .pods = false}, sink);
//   source.start();      // returns at once; the sink hears sync_state(Synced) after the lists
//   ...
//   source.stop();       // aborts requests in flight and joins the threads
//
// Kinds: Namespaces, Services, EndpointSlices (discovery.k8s.io/v1), VirtualMachineInstances
// (kubevirt.io/v1), and Pods when asked. With `namespaces`, each namespaced kind is watched in
// each of them (the API has no "namespace in (a, b)" selector), and Namespaces by name when
// there is one. The label selector is pushed down to the kinds that take it.

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kube/api_client.h"
#include "kube/bearer_token.h"
#include "kube/cluster_sink.h"
#include "kube/kubeconfig.h"
#include "kube/reflector.h"
#include "kube/stop_signal.h"

namespace vmdns::kube {

struct KubeSourceOptions {
  std::vector<std::string> namespaces;  // empty: all
  std::string label_selector;
  bool pods = false;
  std::chrono::seconds resync_period{600};
  size_t page_size = 500;
};

class KubeSource {
 public:
  KubeSource(KubeConfig config, KubeSourceOptions options, ClusterSink& sink);
  ~KubeSource();

  void start();
  void stop();
  // The collections watched, for logs and tests.
  std::vector<ReflectorOptions> collections() const;

 private:
  void on_status(size_t index, ReflectorStatus status);

  KubeConfig config_;
  KubeSourceOptions options_;
  ClusterSink& sink_;
  BearerToken token_;
  StopSignal stop_;
  std::vector<std::thread> threads_;

  std::mutex mutex_;  // guards what follows
  std::vector<bool> listed_;
  std::vector<bool> reachable_;
  SyncState state_ = SyncState::Syncing;
};

}  // namespace vmdns::kube
