#include "zone/snapshot.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <stdexcept>

#include "zone/pod_leaves.h"

namespace vmdns::zone {

const RrSet* Node::find(dns::RrType type) const {
  for (const RrSet& set : rrsets) {
    if (set.type() == type) {
      return &set;
    }
  }
  return nullptr;
}

void ShardTable::set(const dns::Name& apex, std::shared_ptr<const Zone> shard) {
  if (shard && shard->empty()) {
    shard.reset();
  }
  std::string_view key = apex.wire_view();
  uint32_t index = apexes_.find(key);
  if (index == NameTable::kMissing) {
    if (shard) {
      apexes_.insert(key);
      zones_.push_back(std::move(shard));
    }
    return;
  }
  if (zones_[index] && !shard) {
    ++removed_;
  } else if (!zones_[index] && shard) {
    --removed_;
  }
  zones_[index] = std::move(shard);
  if (removed_ > 64 && removed_ > zones_.size() / 2) {
    compact();
  }
}

// The name table cannot forget a key: a table mostly made of removed shards is built again.
void ShardTable::compact() {
  std::vector<std::shared_ptr<const Zone>> live;
  live.reserve(zones_.size() - removed_);
  for (auto& zone : zones_) {
    if (zone) {
      live.push_back(std::move(zone));
    }
  }
  apexes_ = NameTable();
  zones_.clear();
  removed_ = 0;
  for (auto& zone : live) {
    apexes_.insert(zone->apex().wire_view());
    zones_.push_back(std::move(zone));
  }
}

Zone Zone::join(Zone top, std::shared_ptr<const ShardTable> shards,
                std::vector<uint8_t> shard_depths) {
  if (shard_depths.size() > kMaxShardDepths) {
    throw std::logic_error("too many shard depths");  // our own invariant
  }
  std::sort(shard_depths.begin(), shard_depths.end(), std::greater<>());
  std::copy(shard_depths.begin(), shard_depths.end(), top.shard_depths_.begin());
  top.shards_ = std::move(shards);
  return top;
}

namespace {

size_t label_count(std::string_view wire) {
  size_t labels = 0;
  for (size_t at = 0; at < wire.size() && wire[at] != 0; at += 1 + static_cast<uint8_t>(wire[at])) {
    ++labels;
  }
  return labels;
}

}  // namespace

Zone Zone::with_leaves(Zone top, std::shared_ptr<const PodLeaves> leaves) {
  size_t namespace_labels = top.apex_.label_count() + 1;
  top.leaf_namespaces_ = 0;
  for (uint32_t i = 0; i < top.names_.size(); ++i) {
    top.leaf_namespaces_ += label_count(top.names_.key(i)) == namespace_labels ? 1 : 0;
  }
  top.leaves_ = std::move(leaves);
  return top;
}

const Node* Zone::find_leaf(std::string_view name) const {
  // <label>.<namespace>.<apex>, and <namespace>.<apex> one of our own names.
  std::string_view apex = apex_.wire_view();
  if (name.size() <= apex.size() + 1) {
    return nullptr;
  }
  size_t label_end = 1 + static_cast<uint8_t>(name[0]);
  if (label_end == 1 || label_end >= name.size()) {
    return nullptr;
  }
  std::string_view namespace_name = name.substr(label_end);
  size_t namespace_end = 1 + static_cast<uint8_t>(namespace_name[0]);
  if (namespace_end + apex.size() != namespace_name.size() ||
      namespace_name.substr(namespace_end) != apex ||
      names_.find(namespace_name) == NameTable::kMissing) {
    return nullptr;
  }
  const Zone* leaf = leaves_->buckets[PodLeaves::bucket_of(name.substr(1, label_end - 1))].get();
  if (leaf == nullptr) {
    return nullptr;
  }
  uint32_t index;
  if (leaves_->per_namespace) {
    index = leaf->names_.find(name);
  } else {
    // The name without its namespace: <label>.<apex>, at most as long as the name itself.
    std::array<char, dns::kMaxNameLength> key;
    std::copy_n(name.data(), label_end, key.begin());
    std::copy(apex.begin(), apex.end(), key.begin() + static_cast<ptrdiff_t>(label_end));
    index = leaf->names_.find({key.data(), label_end + apex.size()});
  }
  return index == NameTable::kMissing ? nullptr : &leaf->nodes_[index];
}

void Zone::for_each_leaf(const std::function<void(std::string_view, const Node&)>& f) const {
  size_t apex_labels = apex_.label_count();
  std::vector<std::string_view> namespaces;
  for (uint32_t i = 0; i < names_.size(); ++i) {
    if (label_count(names_.key(i)) == apex_labels + 1) {
      namespaces.push_back(names_.key(i));
    }
  }
  // A leaf is one label below a namespace; the buckets' apexes and namespaces are not leaves.
  size_t leaf_labels = apex_labels + (leaves_->per_namespace ? 2 : 1);
  std::string name;
  for (const auto& bucket : leaves_->buckets) {
    if (!bucket) {
      continue;
    }
    for (uint32_t i = 0; i < bucket->nodes_.size(); ++i) {
      std::string_view key = bucket->names_.key(i);
      if (label_count(key) != leaf_labels) {
        continue;
      }
      if (leaves_->per_namespace) {
        f(key, bucket->nodes_[i]);
        continue;
      }
      std::string_view label = key.substr(0, 1 + static_cast<uint8_t>(key[0]));
      for (std::string_view namespace_name : namespaces) {
        name.assign(label).append(namespace_name);
        f(name, bucket->nodes_[i]);
      }
    }
  }
}

const Zone* Zone::part_for(std::string_view name) const {
  // Label offsets from the front of the wire name; a name has at most 127 labels.
  std::array<uint8_t, dns::kMaxNameLength / 2 + 1> starts;
  size_t labels = 0;
  for (size_t at = 0; at < name.size() && name[at] != 0 && labels < starts.size();
       at += 1 + static_cast<uint8_t>(name[at])) {
    starts[labels++] = static_cast<uint8_t>(at);
  }
  size_t apex_labels = apex_.label_count();
  for (uint8_t depth : shard_depths_) {
    if (depth == 0) {
      break;
    }
    if (labels < apex_labels + depth) {
      continue;
    }
    // The suffix `depth` labels below the apex: the apex of the shard holding the name, if any.
    if (const Zone* shard = shards_->find(name.substr(starts[labels - apex_labels - depth]))) {
      return shard;
    }
  }
  return this;
}

size_t Zone::node_count() const {
  size_t count = nodes_.size();
  for_each_shard([&count](const Zone& shard) { count += shard.node_count(); });
  if (leaves_) {
    size_t leaf_labels = apex_.label_count() + 2;
    for (const auto& bucket : leaves_->buckets) {
      if (!bucket) {
        continue;
      }
      if (!leaves_->per_namespace) {
        count += (bucket->nodes_.size() - 1) * leaf_namespaces_;  // all but the bucket's apex
        continue;
      }
      for (uint32_t i = 0; i < bucket->names_.size(); ++i) {
        count += label_count(bucket->names_.key(i)) == leaf_labels ? 1 : 0;
      }
    }
  }
  return count;
}

size_t Zone::record_count() const {
  size_t count = record_count_;
  for_each_shard([&count](const Zone& shard) { count += shard.record_count(); });
  if (leaves_) {
    for (const auto& bucket : leaves_->buckets) {
      if (bucket) {
        count += bucket->record_count_ * (leaves_->per_namespace ? 1 : leaf_namespaces_);
      }
    }
  }
  return count;
}

size_t Zone::memory_bytes() const {
  size_t bytes = names_.memory_bytes() + nodes_.capacity() * sizeof(Node) +
                 sets_.capacity() * sizeof(RrSet) + data_.capacity() +
                 (shards_ ? shards_->memory_bytes() : 0);
  for_each_shard([&bytes](const Zone& shard) { bytes += sizeof(Zone) + shard.memory_bytes(); });
  if (leaves_) {
    bytes += leaves_->buckets.capacity() * sizeof(leaves_->buckets[0]);
    for (const auto& bucket : leaves_->buckets) {
      bytes += bucket ? sizeof(Zone) + bucket->memory_bytes() : 0;
    }
  }
  return bytes;
}

Snapshot::Snapshot(std::vector<Zone> zones, uint32_t serial, ClientSearchIndex clients,
                   bool synced)
    : zones_(std::move(zones)), serial_(serial), clients_(std::move(clients)), synced_(synced) {
  // Longest apex first, so that the first zone a name is in is the most specific one.
  std::stable_sort(zones_.begin(), zones_.end(), [](const Zone& a, const Zone& b) {
    return a.apex().label_count() > b.apex().label_count();
  });
}

const Zone* Snapshot::find_zone(const dns::Name& lowercased_name) const {
  // Compared in wire form: the apex must be a suffix of the name that starts at one of its
  // label boundaries. The boundaries are found once, whatever the number of zones.
  std::string_view name = lowercased_name.wire_view();
  std::array<uint8_t, dns::kMaxNameLength + 1> boundary{};
  for (size_t at = 0; at < name.size(); at += 1 + static_cast<uint8_t>(name[at])) {
    boundary[at] = 1;
    if (name[at] == 0) {
      break;
    }
  }
  for (const Zone& zone : zones_) {
    std::string_view apex = zone.apex().wire_view();
    if (apex.size() <= name.size() && boundary[name.size() - apex.size()] != 0 &&
        name.substr(name.size() - apex.size()) == apex) {
      return &zone;
    }
  }
  return nullptr;
}

size_t Snapshot::memory_bytes() const {
  size_t bytes = zones_.capacity() * sizeof(Zone);
  for (const Zone& zone : zones_) {
    bytes += zone.memory_bytes();
  }
  return bytes;
}

size_t Snapshot::record_count() const {
  size_t count = 0;
  for (const Zone& zone : zones_) {
    count += zone.record_count();
  }
  return count;
}

}  // namespace vmdns::zone
