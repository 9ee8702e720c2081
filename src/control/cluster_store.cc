#include "control/cluster_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>
#include <type_traits>

#include "cluster/diagnostic.h"

namespace vmdns::control {
namespace {

template <typename T>
auto key_of(const T& object) {
  if constexpr (std::is_same_v<T, cluster::Namespace>) {
    return object.meta.name;
  } else {
    return cluster::key_of(object.meta);
  }
}

}  // namespace

size_t ClusterStore::OriginKeys::size() const {
  return vmis.size() + pods.size() + services.size() + endpoint_slices.size() + namespaces.size() +
         vms.size();
}

ClusterStore::Rank ClusterStore::rank_of(const std::string& origin) {
  auto [it, added] = ranks_.try_emplace(origin, static_cast<Rank>(origins_.size()));
  if (added) {
    origins_.emplace_back();
    origins_.back().name = origin;
  }
  origins_[it->second].forgotten = false;
  return it->second;
}

template <typename T, typename Fn>
void ClusterStore::with_kind(OriginKeys& keys, Fn&& fn) {
  if constexpr (std::is_same_v<T, cluster::VirtualMachineInstance>) {
    fn(state_.vmis, vmis_, keys.vmis);
  } else if constexpr (std::is_same_v<T, cluster::Pod>) {
    fn(state_.pods, pods_, keys.pods);
  } else if constexpr (std::is_same_v<T, cluster::Service>) {
    fn(state_.services, services_, keys.services);
  } else if constexpr (std::is_same_v<T, cluster::EndpointSlice>) {
    fn(state_.endpoint_slices, endpoint_slices_, keys.endpoint_slices);
  } else if constexpr (std::is_same_v<T, cluster::VirtualMachine>) {
    fn(state_.vms, vms_, keys.vms);
  } else {
    fn(state_.namespaces, namespaces_, keys.namespaces);
  }
}

void ClusterStore::warn_duplicate(std::string_view kind, const cluster::ObjectMeta& meta,
                                  Rank winner, Rank other) const {
  std::string name =
      meta.namespace_name.empty() ? meta.name : meta.namespace_name + "/" + meta.name;
  spdlog::warn("{} {} is defined in {} and in {}; the definition of {} is served", kind, name,
               origins_[other].name, origins_[winner].name, origins_[winner].name);
}

template <typename Key, typename T>
void ClusterStore::note_change(const Key& key) {
  touched_ = true;
  if constexpr (std::is_same_v<T, cluster::VirtualMachineInstance>) {
    changes_.vmis.insert(key);
  } else if constexpr (std::is_same_v<T, cluster::Pod>) {
    changes_.pods.insert(key);
  } else if constexpr (std::is_same_v<T, cluster::Service>) {
    changes_.services.insert(key);
  } else if constexpr (std::is_same_v<T, cluster::EndpointSlice>) {
    changes_.endpoint_slices.insert(key);
  } else if constexpr (std::is_same_v<T, cluster::Namespace>) {
    changes_.namespaces.insert(key);
  }
  // VirtualMachines are plans: no record depends on them.
}

template <typename Key, typename T>
void ClusterStore::set(Rank rank, std::map<Key, T>& winners, Table<Key, T>& table,
                       std::set<Key>& keys, Key key, T object) {
  std::vector<Rank>& definers = table.definers[key];
  auto at = std::lower_bound(definers.begin(), definers.end(), rank);
  bool known = at != definers.end() && *at == rank;
  // The same definition again (a relist, a re-read file): nothing changes, and no record has
  // to be rebuilt for it.
  if (known) {
    if (rank == definers.back()) {
      if (auto current = winners.find(key); current != winners.end() && current->second == object) {
        return;
      }
    } else if (auto current = table.shadowed.find({rank, key});
               current != table.shadowed.end() && current->second == object) {
      return;
    }
  }
  note_change<Key, T>(key);
  if (!known) {
    at = definers.insert(at, rank);
    keys.insert(key);
  }
  if (rank != definers.back()) {
    if (!known) {
      warn_duplicate(cluster::kind_name<T>(), object.meta, definers.back(), rank);
    }
    table.shadowed.insert_or_assign({rank, std::move(key)}, std::move(object));
    return;
  }
  if (!known && definers.size() > 1) {
    // This origin takes the object over: keep the previous winner's definition aside.
    Rank previous = definers[definers.size() - 2];
    warn_duplicate(cluster::kind_name<T>(), object.meta, rank, previous);
    auto node = winners.extract(key);
    table.shadowed.insert_or_assign({previous, key}, std::move(node.mapped()));
  }
  winners.insert_or_assign(std::move(key), std::move(object));
}

template <typename Key, typename T>
void ClusterStore::erase(Rank rank, std::map<Key, T>& winners, Table<Key, T>& table,
                         std::set<Key>& keys, const Key& key) {
  auto found = table.definers.find(key);
  if (found == table.definers.end()) {
    return;
  }
  std::vector<Rank>& definers = found->second;
  auto at = std::lower_bound(definers.begin(), definers.end(), rank);
  if (at == definers.end() || *at != rank) {
    return;
  }
  note_change<Key, T>(key);
  keys.erase(key);
  if (rank != definers.back()) {
    definers.erase(at);
    table.shadowed.erase({rank, key});
    return;
  }
  definers.pop_back();
  if (definers.empty()) {
    winners.erase(key);
    table.definers.erase(found);
    return;
  }
  // The next origin's definition is served again.
  auto node = table.shadowed.extract({definers.back(), key});
  winners.insert_or_assign(key, std::move(node.mapped()));
}

template <typename Key, typename T>
void ClusterStore::replace(Rank rank, std::map<Key, T>& winners, Table<Key, T>& table,
                           std::set<Key>& keys, std::map<Key, T> objects) {
  std::vector<Key> gone;
  for (const Key& key : keys) {
    if (!objects.contains(key)) {
      gone.push_back(key);
    }
  }
  for (const Key& key : gone) {
    erase(rank, winners, table, keys, key);
  }
  while (!objects.empty()) {
    auto node = objects.extract(objects.begin());
    set(rank, winners, table, keys, std::move(node.key()), std::move(node.mapped()));
  }
}

void ClusterStore::replace_origin(const std::string& origin, cluster::State objects) {
  Rank rank = rank_of(origin);
  OriginKeys& keys = origins_[rank];
  auto replace_kind = [&](auto& incoming) {
    using T = typename std::remove_reference_t<decltype(incoming)>::mapped_type;
    with_kind<T>(keys, [&](auto& winners, auto& table, auto& key_set) {
      replace(rank, winners, table, key_set, std::move(incoming));
    });
  };
  replace_kind(objects.vmis);
  replace_kind(objects.pods);
  replace_kind(objects.services);
  replace_kind(objects.endpoint_slices);
  replace_kind(objects.namespaces);
  replace_kind(objects.vms);
}

void ClusterStore::upsert(const std::string& origin, sources::Object object) {
  Rank rank = rank_of(origin);
  OriginKeys& keys = origins_[rank];
  std::visit(
      [&](auto& typed) {
        using T = std::remove_reference_t<decltype(typed)>;
        auto key = key_of(typed);  // before `typed` is moved from
        with_kind<T>(keys, [&](auto& winners, auto& table, auto& key_set) {
          set(rank, winners, table, key_set, std::move(key), std::move(typed));
        });
      },
      object);
}

void ClusterStore::remove(const std::string& origin, const sources::ObjectRef& ref) {
  auto found = ranks_.find(origin);
  if (found == ranks_.end()) {
    return;
  }
  Rank rank = found->second;
  sources::with_kind_type(ref.kind, [&](auto type) {
    using T = typename decltype(type)::type;
    with_kind<T>(origins_[rank], [&](auto& winners, auto& table, auto& key_set) {
      if constexpr (std::is_same_v<T, cluster::Namespace>) {
        erase(rank, winners, table, key_set, ref.key.name);
      } else {
        erase(rank, winners, table, key_set, ref.key);
      }
    });
  });
}

size_t ClusterStore::retain(const std::string& origin, sources::ObjectKind kind,
                           const std::set<cluster::ObjectKey>& keep) {
  auto found = ranks_.find(origin);
  if (found == ranks_.end()) {
    return 0;
  }
  Rank rank = found->second;
  size_t removed = 0;
  sources::with_kind_type(kind, [&](auto type) {
    using T = typename decltype(type)::type;
    with_kind<T>(origins_[rank], [&](auto& winners, auto& table, auto& key_set) {
      using Key = typename std::remove_reference_t<decltype(key_set)>::key_type;
      std::vector<Key> gone;
      for (const Key& key : key_set) {
        bool kept;
        if constexpr (std::is_same_v<T, cluster::Namespace>) {
          kept = keep.contains(cluster::ObjectKey{"", key});
        } else {
          kept = keep.contains(key);
        }
        if (!kept) {
          gone.push_back(key);
        }
      }
      for (const Key& key : gone) {
        erase(rank, winners, table, key_set, key);
      }
      removed = gone.size();
    });
  });
  return removed;
}

void ClusterStore::forget_origin(const std::string& origin) {
  if (!ranks_.contains(origin)) {
    return;
  }
  replace_origin(origin, {});
  origins_[ranks_.at(origin)].forgotten = true;
}

size_t ClusterStore::object_count(const std::string& origin) const {
  auto found = ranks_.find(origin);
  return found == ranks_.end() ? 0 : origins_[found->second].size();
}

std::vector<std::string> ClusterStore::origins() const {
  std::vector<std::string> out;
  for (const OriginKeys& keys : origins_) {
    if (!keys.forgotten) {
      out.push_back(keys.name);
    }
  }
  return out;
}

}  // namespace vmdns::control
