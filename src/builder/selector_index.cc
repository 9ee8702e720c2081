#include "builder/selector_index.h"

#include <algorithm>
#include <array>
#include <functional>
#include <utility>

#include "cluster/kubevirt.h"

namespace vmdns::builder {
namespace {

// The labels KubeVirt puts on a VMI's virt-launcher pod over the VMI's own
// (cluster::launcher_pod_labels).
constexpr std::string_view kLauncherKey = "kubevirt.io";
constexpr std::string_view kLauncherValue = "virt-launcher";
constexpr std::string_view kIdKey = "vmi.kubevirt.io/id";
constexpr std::string_view kNameKey = "vm.kubevirt.io/name";

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

// The namespace part of a pair's key ("<namespace>\0<key>\0<value>").
std::string_view namespace_of(std::string_view pair_key) {
  return pair_key.substr(0, pair_key.find('\0'));
}

}  // namespace

// HashSlots

void SelectorIndex::HashSlots::rehash(size_t slots) {
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(std::max<size_t>(slots, 8)));
  for (const Slot& slot : old) {
    if (slot.pair != kNoPair) {
      size_t at = home(slot.hash);
      while (slots_[at].pair != kNoPair) {
        at = next(at);
      }
      slots_[at] = slot;
    }
  }
}

void SelectorIndex::HashSlots::insert(uint32_t hash, uint32_t pair) {
  if ((size_ + 1) * 20 > slots_.size() * 17) {
    rehash((size_ + 1) * 10 / 7 + 8);  // 70% full again: a batch of inserts rehashes rarely
  }
  size_t at = home(hash);
  while (slots_[at].pair != kNoPair) {
    at = next(at);
  }
  slots_[at] = {hash, pair};
  ++size_;
}

void SelectorIndex::HashSlots::erase_at(size_t at) {
  // Backward shift: each later entry of the run that may sit in the hole moves into it.
  size_t hole = at;
  for (size_t j = next(hole); slots_[j].pair != kNoPair; j = next(j)) {
    size_t h = home(slots_[j].hash);
    // The entry at j may move to the hole when its home is not cyclically in (hole, j].
    bool in_between = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
    if (!in_between) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot();
  --size_;
}

template <typename F>
void SelectorIndex::HashSlots::erase_if(uint32_t hash, F&& f) {
  if (slots_.empty()) {
    return;
  }
  size_t at = home(hash);
  while (slots_[at].pair != kNoPair) {
    if (slots_[at].hash == hash && f(slots_[at].pair)) {
      erase_at(at);  // a later entry may have moved here: look at it again
    } else {
      at = next(at);
    }
  }
}

void SelectorIndex::HashSlots::erase(uint32_t hash, uint32_t pair) {
  bool done = false;
  erase_if(hash, [&](uint32_t p) {
    if (done || p != pair) {
      return false;
    }
    done = true;
    return true;
  });
}

template <typename F>
void SelectorIndex::HashSlots::for_each(uint32_t hash, F&& f) const {
  if (slots_.empty()) {
    return;
  }
  for (size_t at = home(hash); slots_[at].pair != kNoPair; at = next(at)) {
    if (slots_[at].hash == hash) {
      f(slots_[at].pair);
    }
  }
}

uint32_t SelectorIndex::text_hash(std::string_view text) {
  uint64_t h = std::hash<std::string_view>()(text);
  return static_cast<uint32_t>(h ^ (h >> 32));
}

uint32_t SelectorIndex::workload_hash(WorkloadKind kind, std::string_view ns,
                                      std::string_view name) {
  std::hash<std::string_view> hash;
  uint64_t h = hash(ns) * 0x9E3779B97F4A7C15ULL ^ hash(name);
  h = kind == WorkloadKind::Vmi ? h : ~h;
  return static_cast<uint32_t>(h ^ (h >> 32));
}

uint32_t SelectorIndex::service_hash(std::string_view ns, std::string_view name) {
  std::hash<std::string_view> hash;
  uint64_t h = hash(ns) * 0x9E3779B97F4A7C15ULL ^ hash(name);
  return static_cast<uint32_t>(h ^ (h >> 32));
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

uint32_t SelectorIndex::find_pair(std::string_view key) const {
  uint32_t found = kNoPair;
  pair_ids_.for_each(text_hash(key), [&](uint32_t pair) {
    if (found == kNoPair && key_of(pairs_[pair]) == key) {
      found = pair;
    }
  });
  return found;
}

uint32_t SelectorIndex::find_pair(std::string_view ns, std::string_view key,
                                  std::string_view value) const {
  std::string wanted;
  wanted.reserve(ns.size() + key.size() + value.size() + 2);
  wanted.append(ns).append(1, '\0').append(key).append(1, '\0').append(value);
  return find_pair(wanted);
}

uint32_t SelectorIndex::pair_at_key(bool& added) {
  uint32_t found = find_pair(key_);
  added = found == kNoPair;
  if (!added) {
    return found;
  }
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<uint32_t>(pairs_.size());
    pairs_.emplace_back();
  }
  static const std::vector<std::string_view> kNone[3];
  write(pairs_[id], key_, kNone);
  pair_ids_.insert(text_hash(key_), id);
  return id;
}

void SelectorIndex::rebuild(const cluster::State& state) {
  pairs_.clear();
  free_.clear();
  pair_ids_.clear();
  workload_pairs_.clear();
  service_pairs_.clear();
  walked_ = 0;
  // The names of each pair, gathered first (views of `state`'s names) and written once: a pair
  // many workloads carry is not rewritten for each.
  std::vector<std::array<std::vector<std::string_view>, 3>> lists;
  for (const auto& [key, service] : state.services) {
    if (!service.selector) {
      continue;
    }
    uint32_t hash = service_hash(key.namespace_name, key.name);
    for (const auto& [label, value] : *service.selector) {
      pair_key(key.namespace_name, label, value);
      bool added = false;
      uint32_t pair = pair_at_key(added);
      lists.resize(pairs_.size());
      // In name order: the state's Services are, within a namespace.
      lists[pair][kServices].push_back(key.name);
      service_pairs_.insert(hash, pair);
    }
  }
  auto add = [&](WorkloadKind kind, const cluster::ObjectMeta& meta,
                 const cluster::VirtualMachineInstance* vmi) {
    uint32_t hash = workload_hash(kind, meta.namespace_name, meta.name);
    for_each_label(meta, vmi, [&](std::string_view key, std::string_view value) {
      pair_key(meta.namespace_name, key, value);
      if (uint32_t pair = find_pair(key_); pair != kNoPair) {
        lists[pair][list_of(kind)].push_back(meta.name);
        workload_pairs_.insert(hash, pair);
      }
    });
  };
  for (const auto& [key, vmi] : state.vmis) {
    add(WorkloadKind::Vmi, vmi.meta, &vmi);
  }
  for (const auto& [key, pod] : state.pods) {
    add(WorkloadKind::Pod, pod.meta, nullptr);
  }
  for (uint32_t pair = 0; pair < pairs_.size(); ++pair) {
    std::vector<std::string_view> names[3];
    for (size_t l = 0; l < 3; ++l) {
      names[l] = std::move(lists[pair][l]);
    }
    std::string key(key_of(pairs_[pair]));
    write(pairs_[pair], key, names);
  }
  pairs_.shrink_to_fit();
  pair_ids_.fit();
  workload_pairs_.fit();
  service_pairs_.fit();
}

void SelectorIndex::add_workload(WorkloadKind kind, const cluster::ObjectMeta& meta,
                                 const cluster::VirtualMachineInstance* vmi) {
  uint32_t hash = workload_hash(kind, meta.namespace_name, meta.name);
  for_each_label(meta, vmi, [&](std::string_view key, std::string_view value) {
    pair_key(meta.namespace_name, key, value);
    if (uint32_t pair = find_pair(key_); pair != kNoPair) {
      if (insert_name(pairs_[pair], list_of(kind), meta.name)) {
        workload_pairs_.insert(hash, pair);
      }
    }
  });
}

void SelectorIndex::set_workload(const cluster::State& state, WorkloadKind kind,
                                 const cluster::ObjectKey& key) {
  // Another workload with the same hash is in pairs this one is not in: its entries stay.
  workload_pairs_.erase_if(workload_hash(kind, key.namespace_name, key.name),
                           [&](uint32_t pair) {
                             return erase_name(pairs_[pair], list_of(kind), key.name);
                           });
  if (kind == WorkloadKind::Vmi) {
    if (auto vmi = state.vmis.find(key); vmi != state.vmis.end()) {
      add_workload(kind, vmi->second.meta, &vmi->second);
    }
  } else if (auto pod = state.pods.find(key); pod != state.pods.end()) {
    add_workload(kind, pod->second.meta, nullptr);
  }
}

void SelectorIndex::fill(const cluster::State& state, uint32_t pair, const std::string& ns,
                         const std::string& key, const std::string& value) {
  auto in_namespace = [&ns](const auto& it, const auto& end) {
    return it != end && it->first.namespace_name == ns;
  };
  std::vector<std::string_view> lists[3];
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
      lists[kVmis].push_back(it->first.name);
      workload_pairs_.insert(workload_hash(WorkloadKind::Vmi, ns, it->first.name), pair);
    }
  }
  for (auto it = state.pods.lower_bound({ns, ""}); in_namespace(it, state.pods.end()); ++it) {
    ++walked_;
    auto label = it->second.meta.labels.find(key);
    if (label != it->second.meta.labels.end() && label->second == value) {
      lists[kPods].push_back(it->first.name);
      workload_pairs_.insert(workload_hash(WorkloadKind::Pod, ns, it->first.name), pair);
    }
  }
  // Names in the state's order, which is the lists' (the pair is new: no Service yet).
  std::string pair_key(key_of(pairs_[pair]));
  write(pairs_[pair], pair_key, lists);
}

void SelectorIndex::drop_pair(uint32_t id) {
  Pair& pair = pairs_[id];
  std::string key(key_of(pair));
  std::string_view ns = namespace_of(key);
  for (WorkloadKind kind : {WorkloadKind::Vmi, WorkloadKind::Pod}) {
    for (uint32_t i = 0; i < pair.count[list_of(kind)]; ++i) {
      workload_pairs_.erase(workload_hash(kind, ns, name_at(pair, list_of(kind), i)), id);
    }
  }
  pair_ids_.erase(text_hash(key), id);
  pair = Pair();
  free_.push_back(id);
}

void SelectorIndex::set_service(const cluster::State& state, const cluster::ObjectKey& key) {
  const std::string& ns = key.namespace_name;
  uint32_t hash = service_hash(ns, key.name);
  std::vector<uint32_t> emptied;
  service_pairs_.erase_if(hash, [&](uint32_t pair) {
    if (!erase_name(pairs_[pair], kServices, key.name)) {
      return false;  // another Service's entry (the same hash)
    }
    if (pairs_[pair].count[kServices] == 0) {
      emptied.push_back(pair);
    }
    return true;
  });
  auto service = state.services.find(key);
  if (service != state.services.end() && service->second.selector) {
    for (const auto& [label, value] : *service->second.selector) {
      pair_key(ns, label, value);
      bool added = false;
      uint32_t pair = pair_at_key(added);
      if (added) {
        fill(state, pair, ns, label, value);
      }
      insert_name(pairs_[pair], kServices, key.name);
      service_pairs_.insert(hash, pair);
    }
  }
  // The pairs no Service selects by any more (one the new selector has is not empty again).
  for (uint32_t pair : emptied) {
    if (pairs_[pair].count[kServices] == 0) {
      drop_pair(pair);
    }
  }
}

void SelectorIndex::add_selecting(const cluster::State& state, WorkloadKind kind,
                                  const cluster::ObjectKey& key,
                                  KeySet& out) const {
  const std::string& ns = key.namespace_name;
  List list = list_of(kind);
  workload_pairs_.for_each(workload_hash(kind, ns, key.name), [&](uint32_t id) {
    const Pair& pair = pairs_[id];
    if (!contains_name(pair, list, key.name)) {
      return;  // another workload's entry (the same hash)
    }
    for (uint32_t i = 0; i < pair.count[kServices]; ++i) {
      std::string name = name_at(pair, kServices, i);
      auto service = state.services.find({ns, name});
      if (service == state.services.end() || !service->second.selector) {
        continue;  // changed since: a Service that changes is rebuilt anyway
      }
      bool selects = std::all_of(
          service->second.selector->begin(), service->second.selector->end(),
          [&](const auto& label) {
            uint32_t other = find_pair(ns, label.first, label.second);
            return other != kNoPair && contains_name(pairs_[other], list, key.name);
          });
      if (selects) {
        out.insert({ns, std::move(name)});
      }
    }
  });
}

void SelectorIndex::add_candidates(const cluster::Service& service, std::set<std::string>& vmis,
                                   std::set<std::string>& pods) const {
  if (!service.selector || service.selector->empty()) {
    return;
  }
  const Pair* fewest = nullptr;
  for (const auto& [label, value] : *service.selector) {
    uint32_t id = find_pair(service.meta.namespace_name, label, value);
    if (id == kNoPair) {
      return;  // no workload carries it
    }
    const Pair& pair = pairs_[id];
    if (fewest == nullptr ||
        pair.count[kVmis] + pair.count[kPods] < fewest->count[kVmis] + fewest->count[kPods]) {
      fewest = &pair;
    }
  }
  for (uint32_t i = 0; i < fewest->count[kVmis]; ++i) {
    vmis.insert(vmis.end(), name_at(*fewest, kVmis, i));  // in order
  }
  for (uint32_t i = 0; i < fewest->count[kPods]; ++i) {
    pods.insert(pods.end(), name_at(*fewest, kPods, i));
  }
}

}  // namespace vmdns::builder
