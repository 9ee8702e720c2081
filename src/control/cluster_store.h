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
  // Most keys are defined by one origin, and most of a kind's by the same one (the API, or the
  // one manifest file): those cost nothing here, no rank and no copy of the key. Only a winner
  // of another origin has an entry in `unusual` (a per-object hash node cost 37 bytes an object
  // at 120,020 objects; BENCHMARKS.md, memory per object).
  template <typename Key, typename T>
  struct Table {
    // The origin of most winners. Set by the first object of an empty kind, and moved to an
    // origin that has come to win clearly more (rebase()).
    Rank usual = 0;
    // The origin of each winner not of `usual`, by the address of its key in state_'s map node
    // (a std::map node never moves while it is in the map).
    std::unordered_map<const Key*, Rank> unusual;
    std::vector<size_t> wins;  // how many winners each origin has, by rank
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
  // The origin of the winner whose key (in state_'s map node) is `key`.
  template <typename Key, typename T>
  static Rank winner_of(const Table<Key, T>& table, const Key* key);
  // Records that `rank` now serves the object at `key`: `fresh` for a key new to the winners,
  // else it replaces the winner's origin `was`.
  template <typename Key, typename T>
  static void set_winner(const std::map<Key, T>& winners, Table<Key, T>& table, const Key* key,
                         Rank rank, bool fresh, Rank was);
  // Records that the winner at `key`, of `rank`, leaves the winners.
  template <typename Key, typename T>
  static void drop_winner(Table<Key, T>& table, const Key* key, Rank rank);
  // Makes `rank` the usual origin of the kind when it wins clearly more than the usual one
  // (twice as many, and a few more), so that a kind whose objects move to another origin (a
  // second file that takes over, the first one forgotten) costs no entry per object for long;
  // the margin keeps an even split from moving it back and forth.
  template <typename Key, typename T>
  static void rebase(const std::map<Key, T>& winners, Table<Key, T>& table, Rank rank);
  // rebase() towards the origin that wins most, after a batch (its winners may have gone).
  template <typename Key, typename T>
  static void rebase_to_most(const std::map<Key, T>& winners, Table<Key, T>& table);
  template <typename Key, typename T>
  void set(Rank rank, std::map<Key, T>& winners, Table<Key, T>& table, Key key, T object);
  // The bookkeeping of a key new to the winners, just inserted at `added` for `rank`.
  template <typename Key, typename T>
  void count_new_winner(Rank rank, const std::map<Key, T>& winners, Table<Key, T>& table,
                        const Key& added);
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
