#pragma once
// The cluster objects of every origin, and their union as one cluster::State for builder::build.
//
//   ClusterStore store;
//   store.replace_origin("a.yaml", loaded.state);
//   store.upsert("kubernetes", service);
//   builder::build(store.state(), config);
//
// Each object is stored once: the union (`state()`) holds the winning definition of every object,
// and a definition another origin overrides is kept aside until that origin drops it. An object
// defined by several origins resolves to the origin seen last (the rule of sources/object_sink.h),
// with a warning. Not thread-safe: the control loop's thread owns it.

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "builder/changed_objects.h"
#include "cluster/model.h"
#include "sources/object_sink.h"

namespace vmdns::control {

class ClusterStore {
 public:
  void replace_origin(const std::string& origin, cluster::State objects);
  void upsert(const std::string& origin, sources::Object object);
  void remove(const std::string& origin, const sources::ObjectRef& ref);
  // Removes `origin`'s objects of `kind` that `keep` lacks; returns how many.
  size_t retain(const std::string& origin, sources::ObjectKind kind,
                const std::set<cluster::ObjectKey>& keep);
  void forget_origin(const std::string& origin);

  // The union of every origin's objects.
  const cluster::State& state() const { return state_; }
  // The objects set or removed (in any origin) since the last call, for an incremental build.
  builder::ChangedObjects take_changes() {
    touched_ = false;
    return std::exchange(changes_, {});
  }
  // True when no object of any kind (VirtualMachines too) was set or removed since the last
  // take_changes().
  bool unchanged() const { return !touched_; }
  // Objects `origin` defines (shadowed ones included); 0 for an unknown origin.
  size_t object_count(const std::string& origin) const;
  // Origins not forgotten, in the order first seen.
  std::vector<std::string> origins() const;

 private:
  using Rank = uint32_t;  // order an origin was first seen in; the higher wins a conflict

  // One kind's bookkeeping. The objects themselves live in state_ (winners) and `shadowed`.
  // Most keys are defined by one origin: they cost a rank in `winner_rank` and no copy of the
  // key (the store's bookkeeping was 260 bytes an object with a key set per origin and a
  // definer list per key; BENCHMARKS.md, memory per object).
  template <typename Key, typename T>
  struct Table {
    // The origin of the definition served, by the address of its key in state_'s map node
    // (a std::map node never moves while it is in the map).
    std::unordered_map<const Key*, Rank> winner_rank;
    // The keys several origins define: every definer, ascending (the last one is served).
    std::map<Key, std::vector<Rank>> contested;
    std::map<std::pair<Rank, Key>, T> shadowed;  // overridden definitions
  };

  struct OriginInfo {
    std::string name;
    size_t objects = 0;  // the objects it defines, shadowed ones included
    bool forgotten = false;
  };

  Rank rank_of(const std::string& origin);
  // Calls fn(winners, table) with the containers of T's kind.
  template <typename T, typename Fn>
  void with_kind(Fn&& fn);
  // The keys `rank` defines (served or shadowed), in no particular order.
  template <typename Key, typename T>
  static std::vector<Key> keys_of(Rank rank, const std::map<Key, T>& winners,
                                  const Table<Key, T>& table);
  // Whether `rank` defines `key` (served or shadowed).
  template <typename Key, typename T>
  static bool defines(Rank rank, const std::map<Key, T>& winners, const Table<Key, T>& table,
                      const Key& key);
  template <typename Key, typename T>
  void set(Rank rank, std::map<Key, T>& winners, Table<Key, T>& table, Key key, T object);
  template <typename Key, typename T>
  void erase(Rank rank, std::map<Key, T>& winners, Table<Key, T>& table, const Key& key);
  // `drops` false: `rank` defines nothing `objects` lacks, so nothing is looked for to erase.
  template <typename Key, typename T>
  void replace(Rank rank, std::map<Key, T>& winners, Table<Key, T>& table, std::map<Key, T> objects,
               bool drops);
  void warn_duplicate(std::string_view kind, const cluster::ObjectMeta& meta, Rank winner,
                      Rank other) const;
  template <typename Key, typename T>
  void note_change(const Key& key);

  cluster::State state_;
  builder::ChangedObjects changes_;
  bool touched_ = false;
  Table<cluster::ObjectKey, cluster::VirtualMachineInstance> vmis_;
  Table<cluster::ObjectKey, cluster::Pod> pods_;
  Table<cluster::ObjectKey, cluster::Service> services_;
  Table<cluster::ObjectKey, cluster::EndpointSlice> endpoint_slices_;
  Table<std::string, cluster::Namespace> namespaces_;
  Table<cluster::ObjectKey, cluster::VirtualMachine> vms_;
  std::map<std::string, Rank> ranks_;
  std::vector<OriginInfo> origins_;  // indexed by rank
};

}  // namespace vmdns::control
