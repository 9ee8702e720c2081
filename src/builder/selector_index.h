#pragma once
// Which Services select which workloads, kept between builds so that a change finds the
// Services it affects, and the workloads they may select, without walking its namespace: a
// namespace of 100,000 VMIs costs a change what its Services select.
//
// Only the label pairs some Service's selector names are kept: (namespace, key, value) -> the
// Services whose selector has it and the VMIs and Pods that carry it (a VMI by its launcher
// pod's labels, cluster::launcher_pod_labels, as rules/endpoints.h selects it). A Service
// selects a workload when the workload carries every pair of its selector
// (cluster::selector_matches); the index answers that from the pairs' sets alone, so that what
// a workload carried at the last build is known after the state has moved on.
//
//   SelectorIndex index;
//   index.rebuild(state);                                          // a full build
//   ... the VMI `key` changes in `state` ...
//   index.add_selecting(state, WorkloadKind::Vmi, key, affected);  // who selected it
//   index.set_workload(state, WorkloadKind::Vmi, key);
//   index.add_selecting(state, WorkloadKind::Vmi, key, affected);  // who selects it now
//   index.add_candidates(service, vmis, pods);     // the workloads `service` may select
//
// Costs, in exact-size blocks and open-addressing tables rather than nodes: per selected pair,
// one block with its key and its names (Services, VMIs, Pods: each list's common prefix once,
// then each name as its length and the text after that prefix, and a 4-octet offset that
// keeps each list in name order) and 40 octets; per (workload,
// pair) and (Service, pair), about 10 octets of table that lead back from the name to the pair
// (a 32-bit hash of the name; a collision only makes a lookup check one more pair's list). A
// change of a workload or Service rewrites the blocks of its pairs: what it costs grows with
// the pairs' sizes, not with the namespace's.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "builder/changed_objects.h"
#include "builder/pod_zone_set.h"
#include "cluster/model.h"

namespace vmdns::builder {

class SelectorIndex {
 public:
  // Everything again from `state`.
  void rebuild(const cluster::State& state);
  // The Service `key` is now as `state` has it (or gone). A pair that no Service of its
  // namespace selected by before is filled by a walk of the namespace's workloads (its labels
  // alone are read): that is what a new selector costs.
  void set_service(const cluster::State& state, const cluster::ObjectKey& key);
  // The workload `key` of `kind` is now as `state` has it (or gone).
  void set_workload(const cluster::State& state, WorkloadKind kind, const cluster::ObjectKey& key);

  // Adds to `out` the Services of `state` that select the workload as indexed: called before
  // set_workload, those that selected it at the last build (for a Service that did not change
  // since); after, those that select it now.
  void add_selecting(const cluster::State& state, WorkloadKind kind, const cluster::ObjectKey& key,
                     KeySet& out) const;
  // Adds the names of the workloads that `service`'s selector may select (those that carry the
  // pair of its selector fewest carry); none without a selector.
  void add_candidates(const cluster::Service& service, std::set<std::string>& vmis,
                      std::set<std::string>& pods) const;

  // Workloads looked at by walks of a namespace since the last rebuild(), for tests.
  size_t workloads_walked() const { return walked_; }

 private:
  // The lists of a pair, in this order in its block.
  enum List : uint8_t { kServices = 0, kVmis = 1, kPods = 2 };
  static List list_of(WorkloadKind kind) { return kind == WorkloadKind::Vmi ? kVmis : kPods; }
  static constexpr uint32_t kNoPair = UINT32_MAX;

  // A selected label pair: its key ("<namespace>\0<key>\0<value>") and its lists of names in
  // one block of exactly `bytes`: [uint32 offset of each name, the lists one after the other,
  // each in name order][the key][each list's prefix, one its names share][each name after
  // its list's prefix, in any order: a length octet (255: four octets of length follow) and
  // the text]. Offsets count from the first name. Null: a free slot.
  struct Pair {
    std::unique_ptr<uint8_t[]> block;
    uint32_t bytes = 0;
    uint32_t key_size = 0;
    uint32_t count[3] = {0, 0, 0};        // by List
    uint8_t prefix_size[3] = {0, 0, 0};   // by List
    uint32_t names() const { return count[0] + count[1] + count[2]; }
  };
  static constexpr size_t kMaxPrefix = 255;

  // A multimap from a 32-bit hash to a pair id: open addressing, linear probing, 8 octets a
  // slot, at most 85% full (70% after a full build).
  class HashSlots {
   public:
    void insert(uint32_t hash, uint32_t pair);
    // Calls f(pair) for each entry of `hash`; erases those for which it returns true.
    template <typename F>
    void erase_if(uint32_t hash, F&& f);
    // Erases one entry (hash, pair), if there is one.
    void erase(uint32_t hash, uint32_t pair);
    template <typename F>
    void for_each(uint32_t hash, F&& f) const;
    void clear() { slots_.clear(); size_ = 0; }
    // To 70% full: after a full build.
    void fit() { rehash(size_ * 10 / 7 + 1); }

   private:
    struct Slot {
      uint32_t hash = 0;
      uint32_t pair = kNoPair;  // kNoPair: empty
    };
    size_t home(uint32_t hash) const { return (uint64_t{hash} * slots_.size()) >> 32; }
    size_t next(size_t at) const { return at + 1 == slots_.size() ? 0 : at + 1; }
    void erase_at(size_t at);
    void rehash(size_t slots);
    std::vector<Slot> slots_;
    size_t size_ = 0;
  };

  // "<namespace>\0<key>\0<value>" in key_.
  const std::string& pair_key(std::string_view ns, std::string_view key, std::string_view value);
  // The pair whose key is `key`, or kNoPair.
  uint32_t find_pair(std::string_view key) const;
  uint32_t find_pair(std::string_view ns, std::string_view key, std::string_view value) const;
  // The pair of key_, made (without names) when new; `added` says whether it was.
  uint32_t pair_at_key(bool& added);
  static std::string_view key_of(const Pair& pair);
  // The key, the prefixes: what lies between the offsets and the names.
  static size_t head_size(const Pair& pair);
  static std::string_view prefix_of(const Pair& pair, List list);
  // The index of the list's first name among all the pair's names.
  static uint32_t first_of(const Pair& pair, List list);
  // The name at `index` of `list`.
  static std::string name_at(const Pair& pair, List list, uint32_t index);
  // The index of `name` in `list`, or where it would go.
  static uint32_t lower_bound(const Pair& pair, List list, std::string_view name, bool& found);
  static bool contains_name(const Pair& pair, List list, std::string_view name);
  // Rewrites the block with `name` added to / removed from `list`; false when it was already
  // there / was not.
  static bool insert_name(Pair& pair, List list, std::string_view name);
  static bool erase_name(Pair& pair, List list, std::string_view name);
  // insert_name() when the list's prefix changes: every name of the list is written again.
  static void rewrite_with(Pair& pair, List list, uint32_t index, std::string_view name);
  // Writes the block from the key and the lists (each in name order, no name twice).
  static void write(Pair& pair, std::string_view key,
                    const std::vector<std::string_view> (&lists)[3]);
  // Adds the workload to every pair of its namespace that it carries.
  void add_workload(WorkloadKind kind, const cluster::ObjectMeta& meta,
                    const cluster::VirtualMachineInstance* vmi);
  // Fills the new pair (ns, key, value) with the namespace's workloads that carry it.
  void fill(const cluster::State& state, uint32_t pair, const std::string& ns,
            const std::string& key, const std::string& value);
  // Forgets a pair no Service selects by any more.
  void drop_pair(uint32_t pair);
  static uint32_t text_hash(std::string_view text);
  static uint32_t workload_hash(WorkloadKind kind, std::string_view ns, std::string_view name);
  static uint32_t service_hash(std::string_view ns, std::string_view name);

  std::vector<Pair> pairs_;      // by id
  std::vector<uint32_t> free_;   // ids of free slots of pairs_
  HashSlots pair_ids_;           // hash of a pair's key -> the pair
  // Workload (hash of kind, namespace, name) -> a pair it is in; one entry per pair.
  HashSlots workload_pairs_;
  // Service (hash of namespace, name) -> a pair of its selector; one entry per pair.
  HashSlots service_pairs_;
  std::string key_;  // pair_key()'s buffer
  size_t walked_ = 0;
};

}  // namespace vmdns::builder
