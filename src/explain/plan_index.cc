#include "explain/plan_index.h"

#include <algorithm>

#include "cluster/kubevirt.h"
#include "cluster/selector.h"

namespace vmdns::explain {
namespace {

// Namespaces, keys and values never hold a NUL, so the three parts join without ambiguity.
std::string pair_key(const std::string& ns, const std::string& key, const std::string& value) {
  std::string out;
  out.reserve(ns.size() + key.size() + value.size() + 2);
  out.append(ns).push_back('\0');
  out.append(key).push_back('\0');
  out.append(value);
  return out;
}

bool has_selector(const cluster::Service& service) {
  return service.selector && !service.selector->empty();
}

}  // namespace

PlanIndex::PlanIndex(const cluster::State& state, const std::vector<PlannedVmi>& plan) {
  launcher_.reserve(plan.size());
  for (size_t i = 0; i < plan.size(); ++i) {
    const cluster::VirtualMachineInstance& vmi = plan[i].vmi;
    launcher_.push_back(cluster::launcher_pod_labels(vmi));
    for (const auto& [key, value] : launcher_.back()) {
      vmi_pairs_[pair_key(vmi.meta.namespace_name, key, value)].push_back(i);
    }
    by_subdomain_[{vmi.meta.namespace_name, vmi.subdomain}].push_back(i);
  }
  for (const auto& [key, pod] : state.pods) {
    for (const auto& [label, value] : pod.meta.labels) {
      pod_pairs_[pair_key(key.namespace_name, label, value)].push_back(pod_labels_.size());
    }
    pod_labels_.push_back(&pod.meta.labels);
  }
  for (const auto& [key, service] : state.services) {
    if (has_selector(service)) {
      for (const auto& [label, value] : *service.selector) {
        selector_pairs_[pair_key(key.namespace_name, label, value)].push_back(services_.size());
      }
    }
    services_.push_back(&service);
  }
  for (const auto& [key, slice] : state.endpoint_slices) {
    sliced_.insert({key.namespace_name, slice.service_name});
  }
}

const std::vector<size_t>* PlanIndex::rarest(const Postings& postings,
                                             const cluster::Service& service) {
  const std::vector<size_t>* best = nullptr;
  for (const auto& [label, value] : *service.selector) {
    auto it = postings.find(pair_key(service.meta.namespace_name, label, value));
    if (it == postings.end()) {
      return nullptr;
    }
    if (best == nullptr || it->second.size() < best->size()) {
      best = &it->second;
    }
  }
  return best;
}

std::vector<size_t> PlanIndex::selected_vmis(const cluster::Service& service) const {
  std::vector<size_t> out;
  if (!has_selector(service)) {
    return out;
  }
  if (const std::vector<size_t>* candidates = rarest(vmi_pairs_, service)) {
    for (size_t i : *candidates) {
      if (cluster::selector_matches(service.selector, launcher_[i])) {
        out.push_back(i);
      }
    }
  }
  return out;
}

bool PlanIndex::selects_pod(const cluster::Service& service) const {
  if (!has_selector(service)) {
    return false;
  }
  const std::vector<size_t>* candidates = rarest(pod_pairs_, service);
  return candidates != nullptr &&
         std::any_of(candidates->begin(), candidates->end(), [&](size_t i) {
           return cluster::selector_matches(service.selector, *pod_labels_[i]);
         });
}

const std::vector<size_t>& PlanIndex::with_subdomain(const std::string& ns,
                                                     const std::string& subdomain) const {
  static const std::vector<size_t> kNone;
  auto it = by_subdomain_.find({ns, subdomain});
  return it == by_subdomain_.end() ? kNone : it->second;
}

std::vector<const cluster::Service*> PlanIndex::services_with_pair(
    const std::string& ns, const cluster::Labels& labels) const {
  std::vector<size_t> found;
  for (const auto& [key, value] : labels) {
    auto it = selector_pairs_.find(pair_key(ns, key, value));
    if (it != selector_pairs_.end()) {
      found.insert(found.end(), it->second.begin(), it->second.end());
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  std::vector<const cluster::Service*> out;
  out.reserve(found.size());
  for (size_t i : found) {
    out.push_back(services_[i]);
  }
  return out;
}

}  // namespace vmdns::explain
