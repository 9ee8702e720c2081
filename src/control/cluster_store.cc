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
void ClusterStore::with_kind(Fn&& fn) {
  if constexpr (std::is_same_v<T, cluster::VirtualMachineInstance>) {
    fn(state_.vmis, vmis_);
  } else if constexpr (std::is_same_v<T, cluster::Pod>) {
    fn(state_.pods, pods_);
  } else if constexpr (std::is_same_v<T, cluster::Service>) {
    fn(state_.services, services_);
  } else if constexpr (std::is_same_v<T, cluster::EndpointSlice>) {
    fn(state_.endpoint_slices, endpoint_slices_);
  } else if constexpr (std::is_same_v<T, cluster::VirtualMachine>) {
    fn(state_.vms, vms_);
  } else {
    fn(state_.namespaces, namespaces_);
  }
}

template <typename Key, typename T>
ClusterStore::Rank ClusterStore::winner_of(const Table<Key, T>& table, const Key* key) {
  auto found = table.unusual.find(key);
  return found == table.unusual.end() ? table.usual : found->second;
}

template <typename Key, typename T>
void ClusterStore::set_winner(const std::map<Key, T>& winners, Table<Key, T>& table,
                              const Key* key, Rank rank, bool fresh, Rank was) {
  if (!fresh) {
    --table.wins[was];
  } else if (winners.size() == 1) {
    // The kind's first object: its origin is the usual one, as nothing is recorded yet.
    table.unusual.clear();
    table.usual = rank;
  }
  if (table.wins.size() <= rank) {
    table.wins.resize(rank + 1);
  }
  ++table.wins[rank];
  if (rank == table.usual) {
    table.unusual.erase(key);
  } else {
    table.unusual.insert_or_assign(key, rank);
    rebase(winners, table, rank);
  }
}

template <typename Key, typename T>
void ClusterStore::drop_winner(Table<Key, T>& table, const Key* key, Rank rank) {
  --table.wins[rank];
  if (rank != table.usual) {
    table.unusual.erase(key);
  }
}

template <typename Key, typename T>
void ClusterStore::rebase(const std::map<Key, T>& winners, Table<Key, T>& table, Rank rank) {
  // A few more: a kind of a handful of objects split between origins is not worth moving.
  constexpr size_t kFew = 16;
  if (rank == table.usual || table.wins[rank] <= 2 * table.wins[table.usual] + kFew) {
    return;
  }
  std::unordered_map<const Key*, Rank> unusual;
  unusual.reserve(winners.size() - table.wins[rank]);
  for (const auto& [key, object] : winners) {
    if (Rank was = winner_of(table, &key); was != rank) {
      unusual.emplace(&key, was);
    }
  }
  table.unusual = std::move(unusual);
  table.usual = rank;
}

template <typename Key, typename T>
void ClusterStore::rebase_to_most(const std::map<Key, T>& winners, Table<Key, T>& table) {
  auto most = std::max_element(table.wins.begin(), table.wins.end());
  if (most != table.wins.end()) {
    rebase(winners, table, static_cast<Rank>(most - table.wins.begin()));
  }
}

template <typename Key, typename T>
std::vector<Key> ClusterStore::keys_of(Rank rank, const std::map<Key, T>& winners,
                                       const Table<Key, T>& table) {
  std::vector<Key> out;
  for (const auto& [key, object] : winners) {
    if (winner_of(table, &key) == rank) {
      out.push_back(key);
    }
  }
  for (auto it = table.shadowed.lower_bound({rank, Key{}});
       it != table.shadowed.end() && it->first.first == rank; ++it) {
    out.push_back(it->first.second);
  }
  return out;
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
void ClusterStore::count_new_winner(Rank rank, const std::map<Key, T>& winners,
                                    Table<Key, T>& table, const Key& added) {
  note_change<Key, T>(added);
  ++origins_[rank].objects;
  set_winner(winners, table, &added, rank, /*fresh=*/true, rank);
}

template <typename Key, typename T>
void ClusterStore::set(Rank rank, std::map<Key, T>& winners, Table<Key, T>& table, Key key,
                       T object) {
  auto current = winners.find(key);
  if (current == winners.end()) {
    auto added = winners.emplace(std::move(key), std::move(object)).first;
    count_new_winner(rank, winners, table, added->first);
    return;
  }
  Rank winner = winner_of(table, &current->first);
  auto contested = table.contested.find(key);
  bool known = contested == table.contested.end()
                   ? winner == rank
                   : std::binary_search(contested->second.begin(), contested->second.end(), rank);
  // The same definition again (a relist, a re-read file): nothing changes, and no record has
  // to be rebuilt for it.
  if (known) {
    if (rank == winner) {
      if (current->second == object) {
        return;
      }
    } else if (auto shadowed = table.shadowed.find({rank, key});
               shadowed != table.shadowed.end() && shadowed->second == object) {
      return;
    }
  }
  note_change<Key, T>(key);
  if (!known) {
    ++origins_[rank].objects;
    if (contested == table.contested.end()) {
      contested = table.contested.emplace(key, std::vector<Rank>{winner}).first;
    }
    std::vector<Rank>& definers = contested->second;
    definers.insert(std::lower_bound(definers.begin(), definers.end(), rank), rank);
  }
  Rank top = contested == table.contested.end() ? winner : contested->second.back();
  if (rank != top) {
    if (!known) {
      warn_duplicate(cluster::kind_name<T>(), object.meta, top, rank);
    }
    table.shadowed.insert_or_assign({rank, std::move(key)}, std::move(object));
    return;
  }
  if (rank != winner) {
    // This origin takes the object over: keep the previous winner's definition aside.
    warn_duplicate(cluster::kind_name<T>(), object.meta, rank, winner);
    table.shadowed.insert_or_assign({winner, key}, std::move(current->second));
    set_winner(winners, table, &current->first, rank, /*fresh=*/false, winner);
  }
  current->second = std::move(object);
}

template <typename Key, typename T>
void ClusterStore::erase(Rank rank, std::map<Key, T>& winners, Table<Key, T>& table,
                         const Key& key) {
  auto current = winners.find(key);
  if (current == winners.end()) {
    return;
  }
  auto contested = table.contested.find(key);
  if (contested == table.contested.end()) {
    if (winner_of(table, &current->first) != rank) {
      return;
    }
    note_change<Key, T>(key);
    --origins_[rank].objects;
    drop_winner(table, &current->first, rank);
    winners.erase(current);
    return;
  }
  std::vector<Rank>& definers = contested->second;
  auto at = std::lower_bound(definers.begin(), definers.end(), rank);
  if (at == definers.end() || *at != rank) {
    return;
  }
  note_change<Key, T>(key);
  --origins_[rank].objects;
  if (rank != definers.back()) {
    definers.erase(at);
    table.shadowed.erase({rank, key});
  } else {
    // The next origin's definition is served again.
    definers.pop_back();
    auto node = table.shadowed.extract({definers.back(), key});
    current->second = std::move(node.mapped());
    set_winner(winners, table, &current->first, definers.back(), /*fresh=*/false, rank);
  }
  if (definers.size() == 1) {
    table.contested.erase(contested);
  }
}

template <typename Key, typename T>
bool ClusterStore::defines(Rank rank, const std::map<Key, T>& winners, const Table<Key, T>& table,
                           const Key& key) {
  auto current = winners.find(key);
  if (current == winners.end()) {
    return false;
  }
  auto contested = table.contested.find(key);
  if (contested == table.contested.end()) {
    return winner_of(table, &current->first) == rank;
  }
  return std::binary_search(contested->second.begin(), contested->second.end(), rank);
}

template <typename Key, typename T>
void ClusterStore::replace(Rank rank, std::map<Key, T>& winners, Table<Key, T>& table,
                           std::map<Key, T> objects, bool drops) {
  if (drops) {
    for (const Key& key : keys_of(rank, winners, table)) {
      if (!objects.contains(key)) {
        erase(rank, winners, table, key);
      }
    }
  }
  while (!objects.empty()) {
    auto node = objects.extract(objects.begin());
    auto at = winners.lower_bound(node.key());
    if (at == winners.end() || winners.key_comp()(node.key(), at->first)) {
      // A key new to the winners (every key of a first load): the node itself moves in. A new
      // node for each object, the incoming one freed right after, left the store's nodes spread
      // over the slabs of both generations, a quarter of their room unused (jemalloc's 224-byte
      // class at 100,000 VMIs).
      auto added = winners.insert(at, std::move(node));
      count_new_winner(rank, winners, table, added->first);
      continue;
    }
    set(rank, winners, table, std::move(node.key()), std::move(node.mapped()));
  }
  rebase_to_most(winners, table);
}

void ClusterStore::replace_origin(const std::string& origin, cluster::State objects) {
  Rank rank = rank_of(origin);
  // A file read again mostly defines what it did: when it still defines every object it did,
  // none has to go, and the look at every key of each kind (the whole cluster, for a file of
  // one VMI) is skipped.
  size_t still_defined = 0;
  auto count_kind = [&](const auto& incoming) {
    using T = typename std::remove_reference_t<decltype(incoming)>::mapped_type;
    with_kind<T>([&](auto& winners, auto& table) {
      for (const auto& [key, object] : incoming) {
        still_defined += defines(rank, winners, table, key) ? 1 : 0;
      }
    });
  };
  count_kind(objects.vmis);
  count_kind(objects.pods);
  count_kind(objects.services);
  count_kind(objects.endpoint_slices);
  count_kind(objects.namespaces);
  count_kind(objects.vms);
  bool drops = still_defined != origins_[rank].objects;
  auto replace_kind = [&](auto& incoming) {
    using T = typename std::remove_reference_t<decltype(incoming)>::mapped_type;
    with_kind<T>([&](auto& winners, auto& table) {
      replace(rank, winners, table, std::move(incoming), drops);
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
  std::visit(
      [&](auto& typed) {
        using T = std::remove_reference_t<decltype(typed)>;
        auto key = key_of(typed);  // before `typed` is moved from
        with_kind<T>([&](auto& winners, auto& table) {
          set(rank, winners, table, std::move(key), std::move(typed));
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
    with_kind<T>([&](auto& winners, auto& table) {
      if constexpr (std::is_same_v<T, cluster::Namespace>) {
        erase(rank, winners, table, ref.key.name);
      } else {
        erase(rank, winners, table, ref.key);
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
    with_kind<T>([&](auto& winners, auto& table) {
      using Key = typename std::remove_reference_t<decltype(winners)>::key_type;
      std::vector<Key> gone;
      for (const Key& key : keys_of(rank, winners, table)) {
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
        erase(rank, winners, table, key);
      }
      rebase_to_most(winners, table);
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
  return found == ranks_.end() ? 0 : origins_[found->second].objects;
}

std::vector<std::string> ClusterStore::origins() const {
  std::vector<std::string> out;
  for (const OriginInfo& keys : origins_) {
    if (!keys.forgotten) {
      out.push_back(keys.name);
    }
  }
  return out;
}

}  // namespace vmdns::control
