#include "zone/zone.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <type_traits>

#include "zone/pod_leaves.h"

namespace vmdns::zone {

const RrSet Zone::kNoSet;

namespace {

// Label offsets from the front of a wire name; a name has at most 127 labels.
using LabelStarts = std::array<uint8_t, dns::kMaxNameLength / 2 + 1>;

inline size_t label_starts(std::string_view wire, LabelStarts& starts) {
  size_t labels = 0;
  for (size_t at = 0; at < wire.size() && wire[at] != 0 && labels < starts.size();
       at += 1 + static_cast<uint8_t>(wire[at])) {
    starts[labels++] = static_cast<uint8_t>(at);
  }
  return labels;
}

size_t label_count(std::string_view wire) {
  size_t labels = 0;
  for (size_t at = 0; at < wire.size() && wire[at] != 0; at += 1 + static_cast<uint8_t>(wire[at])) {
    ++labels;
  }
  return labels;
}

}  // namespace

Zone::Zone(const dns::Name& apex) {
  dns::Name lowered = apex.lowercased();
  std::string_view wire = lowered.wire_view();
  records_bytes_ = static_cast<uint32_t>((wire.size() + 1 + 7) & ~size_t{7});
  records_ = std::unique_ptr<std::byte[]>(new std::byte[records_bytes_]());
  records_[0] = static_cast<std::byte>(wire.size());
  std::memcpy(records_.get() + 1, wire.data(), wire.size());
  apex_labels_ = static_cast<uint8_t>(lowered.label_count());
  apex_size_ = static_cast<uint8_t>(wire.size());
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

Zone Zone::with_leaves(Zone top, std::shared_ptr<const PodLeaves> leaves) {
  top.leaves_ = std::move(leaves);
  return top;
}

Zone Zone::with_dashed_addresses(Zone top, uint32_t ttl) {
  top.dashed_addresses_ = true;
  top.dashed_ttl_ = ttl;
  return top;
}

size_t Zone::leaf_label_end(std::string_view name) const {
  // <label>.<namespace>.<apex>, and <namespace>.<apex> one of our own names.
  std::string_view apex = apex_wire();
  if (name.size() <= apex.size() + 1) {
    return 0;
  }
  size_t label_end = 1 + static_cast<uint8_t>(name[0]);
  if (label_end == 1 || label_end >= name.size()) {
    return 0;
  }
  std::string_view namespace_name = name.substr(label_end);
  size_t namespace_end = 1 + static_cast<uint8_t>(namespace_name[0]);
  if (namespace_end + apex.size() != namespace_name.size() ||
      namespace_name.substr(namespace_end) != apex ||
      index_of(namespace_name) == NameTable::kMissing) {
    return 0;
  }
  return label_end;
}

size_t Zone::subtree_label_at(std::string_view name) const {
  LabelStarts starts;
  size_t labels = label_starts(name, starts);
  size_t apex_labels = apex_labels_;
  if (labels < apex_labels + 2) {
    return std::string_view::npos;
  }
  size_t apex_at = apex_labels > 0 ? starts[labels - apex_labels] : name.size() - 1;
  if (name.substr(apex_at) != apex_wire()) {
    return std::string_view::npos;
  }
  return starts[labels - apex_labels - 2];
}

const Node* Zone::find_leaf(std::string_view name) const {
  std::string_view label;
  if (leaves_->subtrees) {
    size_t at = subtree_label_at(name);
    if (at == std::string_view::npos) {
      return nullptr;
    }
    label = name.substr(at + 1, static_cast<uint8_t>(name[at]));
  } else {
    size_t label_end = leaf_label_end(name);
    if (label_end == 0) {
      return nullptr;
    }
    label = name.substr(1, label_end - 1);
  }
  const Zone* leaf = leaves_->buckets[PodLeaves::bucket_of(label)].get();
  if (leaf == nullptr) {
    return nullptr;
  }
  // The bucket's apex is ours, which the name was found to end with.
  uint32_t index = leaf->index_of(name);
  return index == NameTable::kMissing ? nullptr : &leaf->nodes_[index];
}

void Zone::find_query_time(std::string_view name, QueryTimeName& query_time) const {
  size_t label_end = leaf_label_end(name);
  if (label_end != 0) {
    query_time = {name.substr(1, label_end - 1), dashed_ttl_};
  }
}

void Zone::for_each_namespace(const std::function<void(std::string_view)>& f) const {
  // A key is a name's octets below the apex: a namespace's is one label.
  std::string_view apex = apex_wire();
  names_.for_each_key([&](uint32_t, std::string_view below) {
    if (label_count(below) == 1) {
      std::array<char, dns::kMaxNameLength> name;
      std::memcpy(name.data(), below.data(), below.size());
      std::memcpy(name.data() + below.size(), apex.data(), apex.size());
      f(std::string_view(name.data(), below.size() + apex.size()));
    }
  });
}

void Zone::for_each_leaf(
    const std::function<void(std::string_view, std::string_view, const Node&)>& f) const {
  // A leaf is two labels below the apex (or more, with subtrees); the buckets' apexes and
  // namespaces are not leaves: the top holds those.
  constexpr size_t kLeafLabels = 2;
  bool subtrees = leaves_->subtrees;
  for (const auto& bucket : leaves_->buckets) {
    if (!bucket) {
      continue;
    }
    std::string_view apex = bucket->apex_wire();
    bucket->names_.for_each_key([&](uint32_t i, std::string_view below) {
      size_t labels = label_count(below);
      if (labels == kLeafLabels || (subtrees && labels > kLeafLabels)) {
        f(below, apex, bucket->nodes_[i]);
      }
    });
  }
}

void Zone::prefetch(std::string_view name) const {
  uint32_t hash = NameTable::hash(name);
  if (shards_) {
    LabelStarts starts;
    size_t labels = label_starts(name, starts);
    size_t apex_labels = size_t{apex_labels_};
    for (uint8_t depth : shard_depths_) {
      if (depth == 0) {
        break;
      }
      if (labels >= apex_labels + depth) {
        // Only the deepest depth the name reaches: the common case, a name under a Service.
        shards_->prefetch(name.substr(starts[labels - apex_labels - depth]), hash);
        return;
      }
    }
  }
  size_t count = names_.slot_count();
  if (count > 0) {
    __builtin_prefetch(names_.slot_data() + (hash & (count - 1)));
  }
}

const Zone* Zone::part_for(std::string_view name, uint32_t name_hash) const {
  LabelStarts starts;
  size_t labels = label_starts(name, starts);
  size_t apex_labels = size_t{apex_labels_};
  for (uint8_t depth : shard_depths_) {
    if (depth == 0) {
      break;
    }
    if (labels < apex_labels + depth) {
      continue;
    }
    // The suffix `depth` labels below the apex: the apex of the shard holding the name, if any.
    std::string_view apex = name.substr(starts[labels - apex_labels - depth]);
    if (const Zone* shard = shards_->find(apex, name_hash)) {
      return shard;
    }
  }
  return this;
}

// The entries of a set of referenced targets hold their target's node index (ZoneBuilder):
// each becomes the offset of that node's key (its octets below the apex), in this zone's frozen
// table, from the entry; the set's header, before its entries, the offset back to the apex.
void Zone::resolve_references(uint8_t* entries, size_t length, size_t fixed,
                              std::span<const char* const> keys) {
  auto to_apex = static_cast<uint32_t>(entries - reinterpret_cast<const uint8_t*>(apex_wire().data()));
  std::memcpy(entries - RrSet::kReferenceHeader, &to_apex, sizeof to_apex);
  for (size_t at = 0; at + fixed + 4 <= length; at += fixed + 4) {
    uint8_t* reference = entries + at + fixed;
    uint32_t node;
    std::memcpy(&node, reference, sizeof node);
    auto relative = static_cast<int32_t>(
        reinterpret_cast<const uint8_t*>(keys[node]) - (entries + at));
    std::memcpy(reference, &relative, sizeof relative);
  }
}

void Zone::adopt_records(std::span<const NodeDraft> nodes, std::span<const SetDraft> sets,
                         std::span<const uint8_t> data,
                         std::span<const std::pair<dns::RrType, uint32_t>> type_counts) {
  static_assert(alignof(Node) <= 8 && alignof(RrSet) <= 8 && alignof(TypeCount) <= 8);
  static_assert(sizeof(Node) % alignof(RrSet) == 0 && sizeof(RrSet) % alignof(RrSet) == 0);
  static_assert(std::is_trivially_destructible_v<Node> && std::is_trivially_destructible_v<RrSet>);
  static_assert(std::is_trivially_destructible_v<TypeCount>);
  // In the order a lookup reads them: the apex (a shard's route compares it), the name table's
  // slots and keys, the nodes, the sets, the rdatas. A small zone (a Service's shard) is then a
  // few pages or less for the lookup.
  const size_t names_at = apex_bytes();
  const size_t nodes_at = names_at + names_.frozen_bytes();
  const size_t sets_at = nodes_at + nodes.size() * sizeof(Node);
  // A node of kCountBeforeSets sets or more has its count in 4 octets before them.
  size_t counted_nodes = 0;
  for (const NodeDraft& node : nodes) {
    counted_nodes += node.count >= Node::kCountBeforeSets ? 1 : 0;
  }
  const size_t data_at = sets_at + sets.size() * sizeof(RrSet) + counted_nodes * sizeof(uint32_t);
  const size_t counts_at = (data_at + data.size() + alignof(TypeCount) - 1) & ~(alignof(TypeCount) - 1);
  const size_t total = counts_at + type_counts.size() * sizeof(TypeCount);
  // Nodes and sets find what they point at by 32-bit offsets within the block.
  if (total > INT32_MAX || type_counts.size() > UINT16_MAX) {
    throw std::length_error("zone " + apex().to_text() + " holds over 2 GiB of records");
  }
  auto block = std::unique_ptr<std::byte[]>(new std::byte[total]);
  std::memcpy(block.get(), records_.get(), names_at);  // the apex
  records_ = std::move(block);
  records_bytes_ = static_cast<uint32_t>(total);
  names_.freeze_into(records_.get() + names_at);
  auto* new_nodes = reinterpret_cast<Node*>(records_.get() + nodes_at);
  // Where each set goes: node by node (a node's sets are consecutive, the nodes' in order),
  // after the count of a node that has one.
  std::vector<RrSet*> set_at(sets.size());
  {
    std::byte* at = records_.get() + sets_at;
    for (const NodeDraft& node : nodes) {
      if (node.count >= Node::kCountBeforeSets) {
        std::memcpy(at, &node.count, sizeof node.count);
        at += sizeof node.count;
      }
      for (uint32_t i = 0; i < node.count; ++i) {
        set_at[node.first + i] = reinterpret_cast<RrSet*>(at);
        at += sizeof(RrSet);
      }
    }
  }
  auto* new_data = reinterpret_cast<uint8_t*>(records_.get() + data_at);
  if (!data.empty()) {
    std::memcpy(new_data, data.data(), data.size());
  }
  auto* new_counts = reinterpret_cast<TypeCount*>(records_.get() + counts_at);
  for (size_t i = 0; i < type_counts.size(); ++i) {
    std::construct_at(new_counts + i, type_counts[i]);
  }
  type_counts_size_ = static_cast<uint16_t>(type_counts.size());
  // Where each key is, for the sets of references (a frozen table reads its keys in order).
  std::vector<const char*> keys;
  if (std::any_of(sets.begin(), sets.end(), [](const SetDraft& set) {
        return set.entries == RrSet::Entries::kReferences ||
               set.entries == RrSet::Entries::kPortReferences;
      })) {
    keys.reserve(names_.size());
    names_.for_each_key([&keys](uint32_t, std::string_view key) { keys.push_back(key.data()); });
  }
  for (size_t i = 0; i < sets.size(); ++i) {
    const SetDraft& set = sets[i];
    std::construct_at(set_at[i], set.type, set.ttl, set.count,
                      std::span<const uint8_t>(new_data + set.offset, set.length),
                      set.entries);
    if (set.entries == RrSet::Entries::kReferences) {
      resolve_references(new_data + set.offset, set.length, RrSet::kSrvFixed, keys);
    } else if (set.entries == RrSet::Entries::kPortReferences) {
      resolve_references(new_data + set.offset, set.length,
                         RrSet::kSrvFixed - RrSet::kPriorityWeight, keys);
    }
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::construct_at(new_nodes + i, std::span<const RrSet>(
                                         nodes[i].count == 0 ? nullptr : set_at[nodes[i].first],
                                         nodes[i].count));
  }
  nodes_ = new_nodes;
}

size_t Zone::node_count() const {
  size_t count = nodes().size();
  for_each_shard([&count](const Zone& shard) { count += shard.node_count(); });
  if (leaves_) {
    constexpr size_t kLeafLabels = 2;  // below the apex, as keys are
    for (const auto& bucket : leaves_->buckets) {
      if (!bucket) {
        continue;
      }
      bucket->names_.for_each_key([&](uint32_t, std::string_view below) {
        size_t labels = label_count(below);
        count += labels == kLeafLabels || (leaves_->subtrees && labels > kLeafLabels) ? 1 : 0;
      });
    }
  }
  return count;
}

size_t Zone::record_count() const {
  RecordCounts counts;
  add_record_counts(counts);
  size_t count = 0;
  for (const auto& [type, n] : counts) {
    count += n;
  }
  return count;
}

void Zone::add_record_counts(RecordCounts& counts) const {
  auto add_own = [&counts](const Zone& part) {
    for (const auto& [type, n] : part.type_counts()) {
      add_record_count(counts, type, n);
    }
    if (part.type_counts_size_ == 0 && part.nodes().size() <= kCountedBySets) {
      // A small part keeps no counts: its few sets say them (ZoneBuilder).
      for (const Node& node : part.nodes()) {
        for (const RrSet& set : node.rrsets()) {
          add_record_count(counts, set.type(), static_cast<uint32_t>(set.size()));
        }
      }
    }
  };
  add_own(*this);
  if (shards_) {
    merge_record_counts(counts, shards_->record_counts());
  }
  if (leaves_) {
    for (const auto& bucket : leaves_->buckets) {
      if (bucket) {
        add_own(*bucket);
      }
    }
  }
}

size_t Zone::memory_bytes() const {
  size_t bytes = names_.memory_bytes() + records_bytes_ + (shards_ ? shards_->memory_bytes() : 0);
  for_each_shard([&bytes](const Zone& shard) { bytes += sizeof(Zone) + shard.memory_bytes(); });
  if (leaves_) {
    bytes += leaves_->buckets.capacity() * sizeof(leaves_->buckets[0]);
    for (const auto& bucket : leaves_->buckets) {
      bytes += bucket ? sizeof(Zone) + bucket->memory_bytes() : 0;
    }
  }
  return bytes;
}

}  // namespace vmdns::zone
