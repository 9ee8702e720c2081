#include "builder/selector_index.h"

#include <algorithm>
#include <array>
#include <cstring>
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

// A name in a pair's block: one octet of length, or kLongName and four octets of it, then the
// text.
constexpr uint8_t kLongName = 255;

size_t entry_size(size_t length) { return (length < kLongName ? 1 : 1 + 4) + length; }

uint32_t load_u32(const uint8_t* at) {
  uint32_t value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

void store_u32(uint8_t* at, uint32_t value) { std::memcpy(at, &value, sizeof value); }

std::string_view entry_at(const uint8_t* at) {
  size_t length = *at++;
  if (length == kLongName) {
    length = load_u32(at);
    at += 4;
  }
  return {reinterpret_cast<const char*>(at), length};
}

uint8_t* write_entry(uint8_t* at, std::string_view name) {
  if (name.size() < kLongName) {
    *at++ = static_cast<uint8_t>(name.size());
  } else {
    *at++ = kLongName;
    store_u32(at, static_cast<uint32_t>(name.size()));
    at += 4;
  }
  std::memcpy(at, name.data(), name.size());
  return at + name.size();
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

// Pairs' blocks

namespace {

// A name of a list: the list's prefix, then the entry's text.
struct SplitName {
  std::string_view prefix;
  std::string_view rest;
  std::string whole() const { return std::string(prefix).append(rest); }
};

// <0, 0, >0 as `name` sorts before, as, after the split name.
int compare(std::string_view name, const SplitName& split) {
  size_t head = std::min(name.size(), split.prefix.size());
  if (int c = name.substr(0, head).compare(split.prefix.substr(0, head)); c != 0) {
    return c;
  }
  if (name.size() < split.prefix.size()) {
    return -1;  // a proper prefix of the split name
  }
  return name.substr(split.prefix.size()).compare(split.rest);
}

size_t common_prefix(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  return static_cast<size_t>(std::mismatch(a.begin(), a.begin() + n, b.begin()).first - a.begin());
}

}  // namespace

size_t SelectorIndex::head_size(const Pair& pair) {
  return pair.key_size + pair.prefix_size[0] + pair.prefix_size[1] + pair.prefix_size[2];
}

std::string_view SelectorIndex::key_of(const Pair& pair) {
  return {reinterpret_cast<const char*>(pair.block.get()) + 4 * size_t{pair.names()},
          pair.key_size};
}

std::string_view SelectorIndex::prefix_of(const Pair& pair, List list) {
  size_t at = 4 * size_t{pair.names()} + pair.key_size;
  for (int l = 0; l < list; ++l) {
    at += pair.prefix_size[l];
  }
  return {reinterpret_cast<const char*>(pair.block.get()) + at, pair.prefix_size[list]};
}

uint32_t SelectorIndex::first_of(const Pair& pair, List list) {
  uint32_t first = 0;
  for (int l = 0; l < list; ++l) {
    first += pair.count[l];
  }
  return first;
}

std::string SelectorIndex::name_at(const Pair& pair, List list, uint32_t index) {
  const uint8_t* names = pair.block.get() + 4 * size_t{pair.names()} + head_size(pair);
  std::string_view rest =
      entry_at(names + load_u32(pair.block.get() + 4 * size_t{first_of(pair, list) + index}));
  return SplitName{prefix_of(pair, list), rest}.whole();
}

uint32_t SelectorIndex::lower_bound(const Pair& pair, List list, std::string_view name,
                                    bool& found) {
  uint32_t first = first_of(pair, list);
  const uint8_t* names = pair.block.get() + 4 * size_t{pair.names()} + head_size(pair);
  std::string_view prefix = prefix_of(pair, list);
  auto at = [&](uint32_t i) {
    return SplitName{prefix, entry_at(names + load_u32(pair.block.get() + 4 * size_t{first + i}))};
  };
  uint32_t low = 0;
  uint32_t high = pair.count[list];
  while (low < high) {
    uint32_t mid = low + (high - low) / 2;
    if (compare(name, at(mid)) > 0) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  found = low < pair.count[list] && compare(name, at(low)) == 0;
  return low;
}

bool SelectorIndex::contains_name(const Pair& pair, List list, std::string_view name) {
  bool found = false;
  lower_bound(pair, list, name, found);
  return found;
}

bool SelectorIndex::insert_name(Pair& pair, List list, std::string_view name) {
  bool found = false;
  uint32_t index = lower_bound(pair, list, name, found);
  if (found) {
    return false;
  }
  std::string_view prefix = prefix_of(pair, list);
  if (pair.count[list] == 0 || common_prefix(prefix, name) < prefix.size()) {
    rewrite_with(pair, list, index, name);  // the list's prefix changes
    return true;
  }
  index += first_of(pair, list);
  uint32_t names = pair.names();
  const uint8_t* old = pair.block.get();
  size_t old_tail = pair.bytes - 4 * size_t{names};  // the key, the prefixes and the names
  std::string_view rest = name.substr(prefix.size());
  size_t bytes = pair.bytes + 4 + entry_size(rest.size());
  auto block = std::make_unique_for_overwrite<uint8_t[]>(bytes);
  uint8_t* at = block.get();
  std::memcpy(at, old, 4 * size_t{index});
  store_u32(at + 4 * size_t{index}, static_cast<uint32_t>(old_tail - head_size(pair)));
  std::memcpy(at + 4 * (size_t{index} + 1), old + 4 * size_t{index},
              4 * size_t{names - index});
  at += 4 * (size_t{names} + 1);
  std::memcpy(at, old + 4 * size_t{names}, old_tail);
  write_entry(at + old_tail, rest);
  pair.block = std::move(block);
  pair.bytes = static_cast<uint32_t>(bytes);
  ++pair.count[list];
  return true;
}

void SelectorIndex::rewrite_with(Pair& pair, List list, uint32_t index, std::string_view name) {
  // The list's new prefix: what its names and `name` share (at most kMaxPrefix octets).
  size_t prefix_size = std::min(name.size(), kMaxPrefix);
  std::string_view old_prefix = prefix_of(pair, list);
  if (pair.count[list] > 0) {
    prefix_size = std::min(prefix_size, common_prefix(old_prefix, name));
  }
  // The names after the new prefix, each at most in two pieces, in block order.
  struct Piece {
    std::string_view head;
    std::string_view tail;
  };
  std::vector<Piece> pieces;
  pieces.reserve(pair.names() + 1);
  const uint8_t* names = pair.block.get() + 4 * size_t{pair.names()} + head_size(pair);
  for (int l = 0; l < 3; ++l) {
    // The list's old names lose less of their text than its old prefix (when it has names).
    std::string_view head = l == list && pair.count[l] > 0 ? old_prefix.substr(prefix_size)
                                                           : std::string_view();
    uint32_t first = first_of(pair, static_cast<List>(l));
    for (uint32_t i = 0; i <= pair.count[l]; ++i) {
      if (l == list && i == index) {
        pieces.push_back({name.substr(prefix_size), {}});
      }
      if (i < pair.count[l]) {
        pieces.push_back(
            {head, entry_at(names + load_u32(pair.block.get() + 4 * size_t{first + i}))});
      }
    }
  }
  std::string prefixes[3];
  for (int l = 0; l < 3; ++l) {
    prefixes[l] = l == list ? std::string(name.substr(0, prefix_size))
                            : std::string(prefix_of(pair, static_cast<List>(l)));
  }
  std::string key(key_of(pair));
  size_t names_size = 0;
  for (const Piece& piece : pieces) {
    names_size += entry_size(piece.head.size() + piece.tail.size());
  }
  size_t head = key.size() + prefixes[0].size() + prefixes[1].size() + prefixes[2].size();
  size_t bytes = 4 * pieces.size() + head + names_size;
  auto block = std::make_unique_for_overwrite<uint8_t[]>(bytes);
  uint8_t* offsets = block.get();
  uint8_t* at = offsets + 4 * pieces.size();
  std::memcpy(at, key.data(), key.size());
  at += key.size();
  for (const std::string& prefix : prefixes) {
    std::memcpy(at, prefix.data(), prefix.size());
    at += prefix.size();
  }
  uint8_t* first_name = at;
  std::string joined;
  for (const Piece& piece : pieces) {
    store_u32(offsets, static_cast<uint32_t>(at - first_name));
    offsets += 4;
    joined.assign(piece.head).append(piece.tail);
    at = write_entry(at, joined);
  }
  pair.block = std::move(block);
  pair.bytes = static_cast<uint32_t>(bytes);
  ++pair.count[list];
  for (int l = 0; l < 3; ++l) {
    pair.prefix_size[l] = static_cast<uint8_t>(prefixes[l].size());
  }
}

bool SelectorIndex::erase_name(Pair& pair, List list, std::string_view name) {
  bool found = false;
  uint32_t index = lower_bound(pair, list, name, found);
  if (!found) {
    return false;
  }
  // The list's prefix stays: still one its names share.
  index += first_of(pair, list);
  uint32_t names = pair.names();
  const uint8_t* old = pair.block.get();
  size_t head = head_size(pair);
  const uint8_t* old_names = old + 4 * size_t{names} + head;
  uint32_t gone_at = load_u32(old + 4 * size_t{index});
  auto gone_size = static_cast<uint32_t>(entry_size(entry_at(old_names + gone_at).size()));
  size_t old_names_size = pair.bytes - 4 * size_t{names} - head;
  size_t bytes = pair.bytes - 4 - gone_size;
  auto block = std::make_unique_for_overwrite<uint8_t[]>(bytes);
  uint8_t* at = block.get();
  for (uint32_t i = 0; i < names; ++i) {
    if (i != index) {
      uint32_t offset = load_u32(old + 4 * size_t{i});
      store_u32(at, offset > gone_at ? offset - gone_size : offset);
      at += 4;
    }
  }
  std::memcpy(at, old + 4 * size_t{names}, head);
  at += head;
  std::memcpy(at, old_names, gone_at);
  std::memcpy(at + gone_at, old_names + gone_at + gone_size, old_names_size - gone_at - gone_size);
  pair.block = std::move(block);
  pair.bytes = static_cast<uint32_t>(bytes);
  --pair.count[list];
  return true;
}

void SelectorIndex::write(Pair& pair, std::string_view key,
                          const std::vector<std::string_view> (&lists)[3]) {
  size_t prefix_sizes[3] = {0, 0, 0};
  size_t names = 0;
  size_t names_size = 0;
  for (size_t l = 0; l < 3; ++l) {
    if (!lists[l].empty()) {
      // Sorted: what the first and the last share, all share.
      prefix_sizes[l] =
          std::min(kMaxPrefix, common_prefix(lists[l].front(), lists[l].back()));
    }
    names += lists[l].size();
    for (std::string_view name : lists[l]) {
      names_size += entry_size(name.size() - prefix_sizes[l]);
    }
  }
  size_t head = key.size() + prefix_sizes[0] + prefix_sizes[1] + prefix_sizes[2];
  size_t bytes = 4 * names + head + names_size;
  auto block = std::make_unique_for_overwrite<uint8_t[]>(bytes);
  uint8_t* offsets = block.get();
  uint8_t* at = offsets + 4 * names;
  std::memcpy(at, key.data(), key.size());
  at += key.size();
  for (size_t l = 0; l < 3; ++l) {
    if (prefix_sizes[l] > 0) {
      std::memcpy(at, lists[l].front().data(), prefix_sizes[l]);
      at += prefix_sizes[l];
    }
  }
  uint8_t* first_name = at;
  for (size_t l = 0; l < 3; ++l) {
    for (std::string_view name : lists[l]) {
      store_u32(offsets, static_cast<uint32_t>(at - first_name));
      offsets += 4;
      at = write_entry(at, name.substr(prefix_sizes[l]));
    }
    pair.count[l] = static_cast<uint32_t>(lists[l].size());
    pair.prefix_size[l] = static_cast<uint8_t>(prefix_sizes[l]);
  }
  pair.block = std::move(block);
  pair.bytes = static_cast<uint32_t>(bytes);
  pair.key_size = static_cast<uint32_t>(key.size());
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
                                  std::set<cluster::ObjectKey>& out) const {
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
