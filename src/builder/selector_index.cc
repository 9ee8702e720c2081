#include "builder/selector_index.h"

#include <algorithm>
#include <functional>

#include "cluster/kubevirt.h"

namespace vmdns::builder {
namespace {

// The labels KubeVirt puts on a VMI's virt-launcher pod over the VMI's own
// (cluster::launcher_pod_labels).
constexpr std::string_view kLauncherKey = "kubevirt.io";
constexpr std::string_view kLauncherValue = "virt-launcher";
constexpr std::string_view kIdKey = "vmi.kubevirt.io/id";
constexpr std::string_view kNameKey = "vm.kubevirt.io/name";

size_t kind_index(WorkloadKind kind) { return kind == WorkloadKind::Vmi ? 0 : 1; }

// Calls f(key, value) for each label a selector sees on the workload: a Pod's own, a VMI's
// launcher pod's (its own but the three KubeVirt sets, then those three).
template <typename F>
void for_each_label(const cluster::ObjectMeta& meta, const cluster::VirtualMachineInstance* vmi,
                    F&& f) {
  for (const auto& [key, value] : meta.labels) {
    if (vmi == nullptr || (key != kLauncherKey && key != kIdKey && key != kNameKey)) {
      f(std::string_view(key), std::string_view(value));
    }
  }
  if (vmi != nullptr) {
    f(kLauncherKey, kLauncherValue);
    f(kIdKey, std::string_view(cluster::vmi_id_label_value(meta.name)));
    f(kNameKey, std::string_view(cluster::vmi_hostname(*vmi)));
  }
}

bool contains_name(const std::vector<std::string>& sorted, std::string_view name) {
  auto at = std::lower_bound(sorted.begin(), sorted.end(), name);
  return at != sorted.end() && *at == name;
}

void insert_name(std::vector<std::string>& sorted, std::string_view name) {
  // Names mostly come in order (a full build walks the state's sorted maps): append.
  if (sorted.empty() || sorted.back() < name) {
    sorted.emplace_back(name);
    return;
  }
  auto at = std::lower_bound(sorted.begin(), sorted.end(), name);
  if (at == sorted.end() || *at != name) {
    sorted.emplace(at, name);
  }
}

bool erase_name(std::vector<std::string>& sorted, std::string_view name) {
  auto at = std::lower_bound(sorted.begin(), sorted.end(), name);
  if (at == sorted.end() || *at != name) {
    return false;
  }
  sorted.erase(at);
  return true;
}

// The namespace part of a pair's key ("<namespace>\0<key>\0<value>").
std::string_view namespace_of(const std::string& pair_key) {
  return std::string_view(pair_key).substr(0, pair_key.find('\0'));
}

}  // namespace

uint64_t SelectorIndex::workload_hash(WorkloadKind kind, std::string_view ns,
                                      std::string_view name) {
  std::hash<std::string_view> hash;
  uint64_t h = hash(ns) * 0x9E3779B97F4A7C15ULL ^ hash(name);
  return kind == WorkloadKind::Vmi ? h : ~h;
}

uint64_t SelectorIndex::service_hash(std::string_view ns, std::string_view name) {
  std::hash<std::string_view> hash;
  return hash(ns) * 0x9E3779B97F4A7C15ULL ^ hash(name);
}

const std::string& SelectorIndex::pair_key(std::string_view ns, std::string_view key,
                                           std::string_view value) {
  key_.assign(ns);
  key_.push_back('\0');
  key_.append(key);
  key_.push_back('\0');
  key_.append(value);
  return key_;
}

SelectorIndex::Pair& SelectorIndex::pair_at_key(bool& added) {
  auto [at, inserted] = pairs_.try_emplace(key_);
  if (inserted) {
    at->second.key = &at->first;
  }
  added = inserted;
  return at->second;
}

SelectorIndex::Pair* SelectorIndex::find_pair() {
  auto found = pairs_.find(key_);
  return found == pairs_.end() ? nullptr : &found->second;
}

const SelectorIndex::Pair* SelectorIndex::find_pair(std::string_view ns, std::string_view key,
                                                    std::string_view value) const {
  std::string wanted;
  wanted.reserve(ns.size() + key.size() + value.size() + 2);
  wanted.append(ns).append(1, '\0').append(key).append(1, '\0').append(value);
  auto found = pairs_.find(wanted);
  return found == pairs_.end() ? nullptr : &found->second;
}

void SelectorIndex::rebuild(const cluster::State& state) {
  pairs_.clear();
  workload_pairs_.clear();
  service_pairs_.clear();
  walked_ = 0;
  for (const auto& [key, service] : state.services) {
    if (!service.selector) {
      continue;
    }
    for (const auto& [label, value] : *service.selector) {
      pair_key(key.namespace_name, label, value);
      bool added = false;
      Pair& pair = pair_at_key(added);
      insert_name(pair.services, key.name);
      service_pairs_.emplace(service_hash(key.namespace_name, key.name), &pair);
    }
  }
  for (const auto& [key, vmi] : state.vmis) {
    add_workload(WorkloadKind::Vmi, vmi.meta, &vmi);
  }
  for (const auto& [key, pod] : state.pods) {
    add_workload(WorkloadKind::Pod, pod.meta, nullptr);
  }
  // Kept until the next full build: exact size (five members grew to eight slots).
  for (auto& [key, pair] : pairs_) {
    shrink(pair);
  }
}

void SelectorIndex::shrink(Pair& pair) {
  pair.services.shrink_to_fit();
  for (std::vector<std::string>& members : pair.members) {
    members.shrink_to_fit();
  }
}

void SelectorIndex::add_workload(WorkloadKind kind, const cluster::ObjectMeta& meta,
                                 const cluster::VirtualMachineInstance* vmi) {
  uint64_t hash = workload_hash(kind, meta.namespace_name, meta.name);
  for_each_label(meta, vmi, [&](std::string_view key, std::string_view value) {
    pair_key(meta.namespace_name, key, value);
    if (Pair* pair = find_pair()) {
      insert_name(pair->members[kind_index(kind)], meta.name);
      workload_pairs_.emplace(hash, pair);
    }
  });
}

void SelectorIndex::set_workload(const cluster::State& state, WorkloadKind kind,
                                 const cluster::ObjectKey& key) {
  uint64_t hash = workload_hash(kind, key.namespace_name, key.name);
  auto [first, last] = workload_pairs_.equal_range(hash);
  for (auto it = first; it != last;) {
    // Another workload with the same hash is in pairs this one is not in: keep its entries.
    if (erase_name(it->second->members[kind_index(kind)], key.name)) {
      it = workload_pairs_.erase(it);
    } else {
      ++it;
    }
  }
  if (kind == WorkloadKind::Vmi) {
    if (auto vmi = state.vmis.find(key); vmi != state.vmis.end()) {
      add_workload(kind, vmi->second.meta, &vmi->second);
    }
  } else if (auto pod = state.pods.find(key); pod != state.pods.end()) {
    add_workload(kind, pod->second.meta, nullptr);
  }
}

void SelectorIndex::fill(const cluster::State& state, Pair& pair, const std::string& ns,
                         const std::string& key, const std::string& value) {
  auto in_namespace = [&ns](const auto& it, const auto& end) {
    return it != end && it->first.namespace_name == ns;
  };
  for (auto it = state.vmis.lower_bound({ns, ""}); in_namespace(it, state.vmis.end()); ++it) {
    ++walked_;
    const cluster::VirtualMachineInstance& vmi = it->second;
    bool carries = false;
    if (key == kLauncherKey) {
      carries = value == kLauncherValue;
    } else if (key == kIdKey) {
      carries = cluster::vmi_id_label_value(vmi.meta.name) == value;
    } else if (key == kNameKey) {
      carries = cluster::vmi_hostname(vmi) == value;
    } else {
      auto label = vmi.meta.labels.find(key);
      carries = label != vmi.meta.labels.end() && label->second == value;
    }
    if (carries) {
      insert_name(pair.members[kind_index(WorkloadKind::Vmi)], it->first.name);
      workload_pairs_.emplace(workload_hash(WorkloadKind::Vmi, ns, it->first.name), &pair);
    }
  }
  for (auto it = state.pods.lower_bound({ns, ""}); in_namespace(it, state.pods.end()); ++it) {
    ++walked_;
    auto label = it->second.meta.labels.find(key);
    if (label != it->second.meta.labels.end() && label->second == value) {
      insert_name(pair.members[kind_index(WorkloadKind::Pod)], it->first.name);
      workload_pairs_.emplace(workload_hash(WorkloadKind::Pod, ns, it->first.name), &pair);
    }
  }
}

void SelectorIndex::drop_pair(const Pair& pair) {
  std::string_view ns = namespace_of(*pair.key);
  for (WorkloadKind kind : {WorkloadKind::Vmi, WorkloadKind::Pod}) {
    for (const std::string& name : pair.members[kind_index(kind)]) {
      auto [first, last] = workload_pairs_.equal_range(workload_hash(kind, ns, name));
      auto entry = std::find_if(first, last, [&pair](const auto& e) { return e.second == &pair; });
      if (entry != last) {
        workload_pairs_.erase(entry);
      }
    }
  }
  std::string key = *pair.key;  // a copy: the view is the node's own key
  pairs_.erase(key);
}

void SelectorIndex::set_service(const cluster::State& state, const cluster::ObjectKey& key) {
  const std::string& ns = key.namespace_name;
  uint64_t hash = service_hash(ns, key.name);
  auto [first, last] = service_pairs_.equal_range(hash);
  std::vector<Pair*> emptied;
  for (auto it = first; it != last;) {
    Pair* pair = it->second;
    if (erase_name(pair->services, key.name)) {
      it = service_pairs_.erase(it);
      if (pair->services.empty()) {
        emptied.push_back(pair);
      }
    } else {
      ++it;
    }
  }
  auto service = state.services.find(key);
  if (service != state.services.end() && service->second.selector) {
    for (const auto& [label, value] : *service->second.selector) {
      pair_key(ns, label, value);
      bool added = false;
      Pair& pair = pair_at_key(added);
      if (added) {
        fill(state, pair, ns, label, value);
        shrink(pair);
      }
      insert_name(pair.services, key.name);
      service_pairs_.emplace(hash, &pair);
    }
  }
  // The pairs no Service selects by any more (one the new selector has is not empty again).
  for (Pair* pair : emptied) {
    if (pair->services.empty()) {
      drop_pair(*pair);
    }
  }
}

void SelectorIndex::add_selecting(const cluster::State& state, WorkloadKind kind,
                                  const cluster::ObjectKey& key,
                                  std::set<cluster::ObjectKey>& out) const {
  const std::string& ns = key.namespace_name;
  size_t k = kind_index(kind);
  auto [first, last] = workload_pairs_.equal_range(workload_hash(kind, ns, key.name));
  for (auto it = first; it != last; ++it) {
    const Pair& pair = *it->second;
    if (!contains_name(pair.members[k], key.name)) {
      continue;  // another workload's entry (the same hash)
    }
    for (const std::string& name : pair.services) {
      auto service = state.services.find({ns, name});
      if (service == state.services.end() || !service->second.selector) {
        continue;  // changed since: a Service that changes is rebuilt anyway
      }
      bool selects = std::all_of(
          service->second.selector->begin(), service->second.selector->end(),
          [&](const auto& label) {
            const Pair* other = find_pair(ns, label.first, label.second);
            return other != nullptr && contains_name(other->members[k], key.name);
          });
      if (selects) {
        out.insert({ns, name});
      }
    }
  }
}

void SelectorIndex::add_candidates(const cluster::Service& service, std::set<std::string>& vmis,
                                   std::set<std::string>& pods) const {
  if (!service.selector || service.selector->empty()) {
    return;
  }
  const Pair* fewest = nullptr;
  for (const auto& [label, value] : *service.selector) {
    const Pair* pair = find_pair(service.meta.namespace_name, label, value);
    if (pair == nullptr) {
      return;  // no workload carries it
    }
    if (fewest == nullptr || pair->members[0].size() + pair->members[1].size() <
                                 fewest->members[0].size() + fewest->members[1].size()) {
      fewest = pair;
    }
  }
  vmis.insert(fewest->members[0].begin(), fewest->members[0].end());
  pods.insert(fewest->members[1].begin(), fewest->members[1].end());
}

}  // namespace vmdns::builder
