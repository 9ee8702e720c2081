#pragma once
// The Kubernetes API as a source of cluster objects: one Reflector thread per watched
// collection, each its own origin in the object sink ("kubernetes /api/v1/services"), and the
// sync state of each reported to the sink (which serves NXDOMAIN only once all are synced).
//
//   KubeSource source(config, {.namespaces = {"default"}}, control_loop);
//   source.announce();   // before the server answers: every collection NotSynced
//   source.start();      // returns at once; each collection turns Synced after its first list
//   ...
//   source.stop();       // aborts requests in flight and joins the threads
//
// Kinds: Namespaces, Services, EndpointSlices (discovery.k8s.io/v1), VirtualMachineInstances
// (kubevirt.io/v1), and Pods when asked. With `namespaces`, each namespaced kind is watched in
// each of them (the API has no "namespace in (a, b)" selector), and Namespaces by name when
// there is one. The label selector is pushed down to the kinds that take it.
//
// A collection that loses the API server after its first list turns Lost: its last objects keep
// serving. One the API server forbids (403) is reported with why ("forbidden: may not list
// ..."), so that /ready names it while the other collections serve. With `serving_restored_state` (--state-dir), a collection that has not listed yet is
// reported Lost rather than NotSynced too: the restored objects are trusted until the API answers.

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "kube/api_client.h"
#include "kube/bearer_token.h"
#include "kube/kubeconfig.h"
#include "kube/reflector.h"
#include "kube/stop_signal.h"
#include "sources/object_sink.h"
#include "sync/guarded.h"

namespace vmdns::kube {

struct KubeSourceOptions {
  std::vector<std::string> namespaces;  // empty: all
  std::string label_selector;
  bool pods = false;
  std::chrono::seconds resync_period{600};
  size_t page_size = 500;
  bool serving_restored_state = false;
  // Each failed list or watch, and each watch stream that went bad, of a collection (by its
  // origin name): for vmdns_source_errors_total. May be empty; called from the reflectors'
  // threads.
  std::function<void(const std::string& origin)> on_error = nullptr;
  // After each page of every list, with the objects it held; may be empty.
  std::function<void(size_t objects)> on_list_page = nullptr;
  // Unit tests: each reflector's transport and clock instead of an ApiClient and the steady
  // clock (called on the reflector's thread, with the collection's index in collections();
  // `transport` twice: one for the lists, one for the watches).
  std::function<std::unique_ptr<ApiTransport>(size_t collection)> transport = nullptr;
  std::function<std::unique_ptr<WaitClock>(size_t collection)> clock = nullptr;
};

class KubeSource {
 public:
  KubeSource(KubeConfig config, KubeSourceOptions options, sources::ObjectSink& sink);
  ~KubeSource();

  // Reports every collection NotSynced (unless serving a restored state), so that the first
  // snapshot served already knows it is incomplete.
  void announce();
  void start();
  void stop();
  // The collections watched and their origin names.
  std::vector<ReflectorOptions> collections() const;
  std::vector<std::string> origins() const;
  // True once every collection has listed at least once.
  bool synced() const;

 private:
  void on_status(size_t index, ReflectorStatus status, const std::string& reason);

  KubeConfig config_;
  KubeSourceOptions options_;
  sources::ObjectSink& sink_;
  BearerToken token_;
  StopSignal stop_;
  std::vector<std::thread> threads_;

  // Each collection's state, written by its reflector thread.
  struct Sync {
    std::vector<bool> listed;
    std::vector<bool> reachable;
    std::vector<std::string> reported;  // the reason last passed to set_sync
    bool all_synced_logged = false;
    bool lost_logged = false;
  };
  sync::Guarded<Sync> sync_;
};

}  // namespace vmdns::kube
