#pragma once
// Where the API source delivers what it learns. The implementation owns the cluster state and
// publishes snapshots; the source only says what changed. Called from the reflector threads, one
// per watched collection, so implementations lock.
//
//   sink.replace_all(Kind::Service, "", std::move(services));  // after a full list
//   sink.upsert(std::move(service));                            // ADDED, MODIFIED
//   sink.remove(Kind::Service, {"default", "web"});             // DELETED

#include <string>
#include <vector>

#include "cluster/model.h"
#include "kube/api_kind.h"
#include "sources/object_decoder.h"

namespace vmdns::kube {

enum class SyncState {
  Syncing,       // the first full list of some watched collection has not arrived yet
  Synced,        // every watched collection has been listed, and watches follow the changes
  Disconnected,  // the API server cannot be reached; the last data keeps serving
};

class ClusterSink {
 public:
  virtual ~ClusterSink() = default;
  // Every object of `kind` in `namespace_scope` ("" for all namespaces, or a cluster-scoped
  // kind) is in `objects`; the ones not in it are gone.
  virtual void replace_all(Kind kind, const std::string& namespace_scope,
                           std::vector<sources::Object> objects) = 0;
  virtual void upsert(sources::Object object) = 0;
  virtual void remove(Kind kind, const cluster::ObjectKey& key) = 0;
  virtual void sync_state(SyncState state) = 0;
};

// The kind of a decoded object.
Kind kind_of(const sources::Object& object);

}  // namespace vmdns::kube
