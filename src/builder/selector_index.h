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
// Costs per (workload, selected pair): the name in the pair's set and an entry that leads from
// the workload back to the pair (a 64-bit hash of its key; a collision only makes a lookup
// check one more pair's set).

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
                     std::set<cluster::ObjectKey>& out) const;
  // Adds the names of the workloads that `service`'s selector may select (those that carry the
  // pair of its selector fewest carry); none without a selector.
  void add_candidates(const cluster::Service& service, std::set<std::string>& vmis,
                      std::set<std::string>& pods) const;

  // Workloads looked at by walks of a namespace since the last rebuild(), for tests.
  size_t workloads_walked() const { return walked_; }

 private:
  struct Pair {
    const std::string* key = nullptr;     // its key in pairs_
    std::vector<std::string> services;    // names, ascending
    std::vector<std::string> members[2];  // by WorkloadKind: names, ascending
  };
  // "<namespace>\0<key>\0<value>" in key_, the pair's key in pairs_.
  const std::string& pair_key(std::string_view ns, std::string_view key, std::string_view value);
  // The pair of key_, or nullptr.
  Pair* find_pair();
  const Pair* find_pair(std::string_view ns, std::string_view key, std::string_view value) const;
  // Adds the workload to every pair of its namespace that it carries.
  void add_workload(WorkloadKind kind, const cluster::ObjectMeta& meta,
                    const cluster::VirtualMachineInstance* vmi);
  // Fills the new pair (ns, key, value) with the namespace's workloads that carry it.
  void fill(const cluster::State& state, Pair& pair, const std::string& ns,
            const std::string& key, const std::string& value);
  // Gives back the lists' spare capacity, once they are filled.
  static void shrink(Pair& pair);
  // Forgets a pair no Service selects by any more.
  void drop_pair(const Pair& pair);
  // The pair of pair_key()'s key_, made (empty) when new; `added` says whether it was.
  Pair& pair_at_key(bool& added);
  static uint64_t workload_hash(WorkloadKind kind, std::string_view ns, std::string_view name);
  static uint64_t service_hash(std::string_view ns, std::string_view name);

  std::unordered_map<std::string, Pair> pairs_;
  // Workload (hash of kind, namespace, name) -> a pair it is in; one entry per pair.
  std::unordered_multimap<uint64_t, Pair*> workload_pairs_;
  // Service (hash of namespace, name) -> a pair of its selector; one entry per pair.
  std::unordered_multimap<uint64_t, Pair*> service_pairs_;
  std::string key_;  // pair_key()'s buffer
  size_t walked_ = 0;
};

}  // namespace vmdns::builder
