#pragma once
// Where every source (manifest files, the Kubernetes API) delivers the cluster objects it reads.
// The control loop (control/control_loop.h) implements it; sources only ever see this interface,
// so they stay below zone/ and control/.
//
//   void on_list(ObjectSink& sink, cluster::State listed) {
//     sink.replace_origin("kubernetes", std::move(listed));       // a full list, or a relist
//     sink.set_sync("kubernetes", {SyncStatus::Synced, ""});
//   }
//   sink.upsert("kubernetes", cluster::Service{...});              // watch ADDED / MODIFIED
//   sink.remove("kubernetes", {ObjectKind::Service, {"default", "web"}});   // watch DELETED
//   sink.retain("kubernetes", ObjectKind::Service, listed_keys);  // after a relist by upserts
//   sink.set_sync("kubernetes", {SyncStatus::Lost, "watch: connection refused"});
//
// An origin is a name chosen by its source: one per manifest file (its path, "-" for stdin), one
// for the Kubernetes API. Each origin's objects are kept apart; the served state is their union.
// When two origins define the same object (kind, namespace, name), the origin first seen later
// wins, with a warning, as a later `kubectl apply -f` overwrites an earlier one; when it drops the
// object, the earlier origin's definition is served again.
//
// Every method may be called from any thread and returns at once: changes are queued, coalesced
// over a short settle delay, and published as one new snapshot. Changes from one thread are
// applied in the order they were made.

#include <set>
#include <string>
#include <type_traits>
#include <variant>

#include "cluster/model.h"

namespace vmdns::sources {

// One object of any kind vmdns reads (also what object_decoder.h produces).
using Object = std::variant<cluster::VirtualMachineInstance, cluster::Pod, cluster::Service,
                            cluster::EndpointSlice, cluster::Namespace, cluster::VirtualMachine>;

enum class ObjectKind {
  VirtualMachineInstance,
  Pod,
  Service,
  EndpointSlice,
  Namespace,
  VirtualMachine,
};

// Names one object: `key.namespace_name` is empty for a Namespace, whose name is `key.name`.
// Calls fn(std::type_identity<T>{}) with the model type T that `kind` names: a switch on the
// kind at run time for code written once for every type.
template <typename Fn>
void with_kind_type(ObjectKind kind, Fn&& fn) {
  switch (kind) {
    case ObjectKind::VirtualMachineInstance:
      return fn(std::type_identity<cluster::VirtualMachineInstance>{});
    case ObjectKind::Pod:
      return fn(std::type_identity<cluster::Pod>{});
    case ObjectKind::Service:
      return fn(std::type_identity<cluster::Service>{});
    case ObjectKind::EndpointSlice:
      return fn(std::type_identity<cluster::EndpointSlice>{});
    case ObjectKind::Namespace:
      return fn(std::type_identity<cluster::Namespace>{});
    case ObjectKind::VirtualMachine:
      return fn(std::type_identity<cluster::VirtualMachine>{});
  }
}

struct ObjectRef {
  ObjectKind kind = ObjectKind::VirtualMachineInstance;
  cluster::ObjectKey key;
};

enum class SyncStatus {
  NotSynced,  // no complete view yet (before the first list answers); the default
  Synced,     // the origin's objects are complete and current
  Lost,       // it was synced, but the connection is gone: its last objects are kept and served
};

struct SyncState {
  SyncStatus status = SyncStatus::NotSynced;
  std::string reason;  // why not synced, or lost: "GET /api/v1/services: 401 Unauthorized"
  bool operator==(const SyncState&) const = default;
};

class ObjectSink {
 public:
  virtual ~ObjectSink() = default;

  // Replaces every object `origin` holds with `objects` (a list, a relist, a re-read file).
  virtual void replace_origin(const std::string& origin, cluster::State objects) = 0;
  // Adds `object` to `origin`, or replaces the one with its kind, namespace and name.
  virtual void upsert(const std::string& origin, Object object) = 0;
  // Removes one object of `origin`; nothing happens when it has no such object.
  virtual void remove(const std::string& origin, ObjectRef ref) = 0;
  // Removes every object of `kind` in `origin` that `keep` does not name: the end of a relist
  // passed on object by object (upsert), where what the list no longer holds was deleted while
  // no watch told. For a Namespace, a key is {"", name}.
  virtual void retain(const std::string& origin, ObjectKind kind,
                      std::set<cluster::ObjectKey> keep) = 0;
  // Drops `origin` and all its objects (a manifest file that was removed).
  virtual void forget_origin(const std::string& origin) = 0;
  // Reports whether `origin` is complete. Takes effect with the changes queued before it: an
  // origin reads as Synced once the snapshot holding its objects is served. An origin that never
  // calls set_sync counts as Synced (a manifest file is complete once read), so a source that
  // needs time to sync (the API) calls set_sync(NotSynced) first, before the server starts.
  virtual void set_sync(const std::string& origin, SyncState state) = 0;
};

}  // namespace vmdns::sources
