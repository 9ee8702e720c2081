#pragma once
// Indexes over the planned VMIs, the Pods and the Services, built once so that `check` and
// `explain` on a cluster of 100,000 VMIs do not compare every Service with every workload.
// A selector's candidates are the workloads carrying its rarest (namespace, key, value) pair;
// each candidate is then verified with cluster::selector_matches, so the answers are exactly
// those of a full scan, in the same order (plan order, or state.services order).
//
//   PlanIndex index(state, plan);
//   for (size_t i : index.selected_vmis(service)) use(plan[i], index.launcher_labels(i));
//   index.selects_pod(service);                       // a Pod of its namespace matches
//   index.services_with_pair(ns, labels);            // Services that may select `labels`

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "cluster/model.h"
#include "explain/workload_plan.h"

namespace vmdns::explain {

class PlanIndex {
 public:
  // Keeps references to `state` (its Pods and Services); `plan` is only read here.
  PlanIndex(const cluster::State& state, const std::vector<PlannedVmi>& plan);

  // cluster::launcher_pod_labels of plan[i], computed once.
  const cluster::Labels& launcher_labels(size_t i) const { return launcher_[i]; }
  // An EndpointSlice names this Service (kubernetes.io/service-name) in its namespace.
  bool has_slices(const cluster::ObjectKey& service) const { return sliced_.count(service) != 0; }
  // The plan indexes, ascending, of the VMIs of the Service's namespace whose launcher pod its
  // selector matches.
  std::vector<size_t> selected_vmis(const cluster::Service& service) const;
  // A Pod of the Service's namespace matches its selector.
  bool selects_pod(const cluster::Service& service) const;
  // The plan indexes, ascending, of the VMIs of `ns` with this subdomain.
  const std::vector<size_t>& with_subdomain(const std::string& ns,
                                            const std::string& subdomain) const;
  // The Services of `ns`, in state.services order, whose non-empty selector has a pair that
  // `labels` carries: every Service that may select `labels`, and more.
  std::vector<const cluster::Service*> services_with_pair(const std::string& ns,
                                                          const cluster::Labels& labels) const;

 private:
  using Postings = std::unordered_map<std::string, std::vector<size_t>>;
  // The posting list of the selector's rarest pair in `postings` (nullptr: some pair is
  // carried by nothing, so nothing matches).
  static const std::vector<size_t>* rarest(const Postings& postings,
                                           const cluster::Service& service);

  std::vector<cluster::Labels> launcher_;
  Postings vmi_pairs_;  // (ns, key, value) -> plan indexes, ascending
  std::vector<const cluster::Labels*> pod_labels_;
  Postings pod_pairs_;  // (ns, key, value) -> indexes into pod_labels_
  std::vector<const cluster::Service*> services_;  // state.services order
  Postings selector_pairs_;  // (ns, key, value) -> indexes into services_
  std::set<cluster::ObjectKey> sliced_;
  std::map<cluster::ObjectKey, std::vector<size_t>> by_subdomain_;  // {ns, subdomain}
};

}  // namespace vmdns::explain
