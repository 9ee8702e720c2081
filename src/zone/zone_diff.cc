#include "zone/zone_diff.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "zone/pod_leaves.h"

namespace vmdns::zone {
namespace {

bool same_data(const RrSet& a, const RrSet& b) {
  if (a.ttl() != b.ttl() || a.size() != b.size()) {
    return false;
  }
  if (a.rdatas_inline() && b.rdatas_inline()) {
    std::span<const uint8_t> x = a.data();
    std::span<const uint8_t> y = b.data();
    return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin());
  }
  // References point into each set's own zone: compare the rdatas they stand for.
  RrSet::RdataBuffer buffer_a;
  RrSet::RdataBuffer buffer_b;
  size_t at_a = 0;
  size_t at_b = 0;
  while (a.has_entry(at_a) && b.has_entry(at_b)) {
    std::span<const uint8_t> x = a.next(at_a, buffer_a);
    std::span<const uint8_t> y = b.next(at_b, buffer_b);
    if (x.size() != y.size() || !std::equal(x.begin(), x.end(), y.begin())) {
      return false;
    }
  }
  return !a.has_entry(at_a) && !b.has_entry(at_b);
}

bool holds(const RrSet& set, std::span<const uint8_t> rdata) {
  bool found = false;
  set.for_each([&](std::span<const uint8_t> r) {
    found = found || (r.size() == rdata.size() && std::equal(r.begin(), r.end(), rdata.begin()));
  });
  return found;
}

// Records of `from` that `to` (null: none) does not hold, reported as `added`.
void one_way(bool added, std::string_view owner, const RrSet& from, const RrSet* to,
             const DiffSink& sink) {
  bool all = to == nullptr || to->ttl() != from.ttl();
  from.for_each([&](std::span<const uint8_t> rdata) {
    if (all || !holds(*to, rdata)) {
      sink(added, owner, from, rdata);
    }
  });
}

void diff_nodes(std::string_view owner, const Node* before, const Node* after,
                const DiffSink& sink) {
  static const Node kNone{};
  const Node& a = before != nullptr ? *before : kNone;
  const Node& b = after != nullptr ? *after : kNone;
  for (const RrSet& set : a.rrsets()) {
    if (set.type() == dns::RrType::SOA) {
      continue;  // the transfer writes both versions' SOAs itself
    }
    const RrSet* other = b.find(set.type());
    if (other == nullptr || !same_data(set, *other)) {
      one_way(false, owner, set, other, sink);
    }
  }
  for (const RrSet& set : b.rrsets()) {
    if (set.type() == dns::RrType::SOA) {
      continue;
    }
    const RrSet* other = a.find(set.type());
    if (other == nullptr || !same_data(set, *other)) {
      one_way(true, owner, set, other, sink);
    }
  }
}

}  // namespace

// Zone's parts are private: this is its friend.
struct ZoneDiffAccess {
  // The node of `name` (a whole name) in `part`'s own table, or nullptr.
  static const Node* own_node(const Zone* part, std::string_view name) {
    if (part == nullptr || !name.ends_with(part->apex_wire())) {
      return nullptr;
    }
    uint32_t index = part->index_of(name);
    return index == NameTable::kMissing ? nullptr : &part->nodes_[index];
  }

  // The names a part holds in its own table (not its shards' or leaves'). A key is a name's
  // octets below its part's apex: each name is put together whole on the stack.
  static void own_names(const Zone* before, const Zone* after, const DiffSink& sink) {
    std::array<char, dns::kMaxNameLength> buffer;
    auto whole = [&buffer](const Zone& part, std::string_view below) {
      std::string_view apex = part.apex_wire();
      std::memcpy(buffer.data(), below.data(), below.size());
      std::memcpy(buffer.data() + below.size(), apex.data(), apex.size());
      return std::string_view(buffer.data(), below.size() + apex.size());
    };
    // A frozen table reads its keys in index order, a node's index.
    if (before != nullptr) {
      before->names_.for_each_key([&](uint32_t i, std::string_view below) {
        std::string_view name = whole(*before, below);
        diff_nodes(name, &before->nodes_[i], own_node(after, name), sink);
      });
    }
    if (after != nullptr) {
      after->names_.for_each_key([&](uint32_t i, std::string_view below) {
        std::string_view name = whole(*after, below);
        if (own_node(before, name) == nullptr) {
          diff_nodes(name, nullptr, &after->nodes_[i], sink);
        }
      });
    }
  }

  static void shards(const Zone* before, const Zone* after, const DiffSink& sink) {
    const ShardTable* a = before != nullptr ? before->shards_.get() : nullptr;
    const ShardTable* b = after != nullptr ? after->shards_.get() : nullptr;
    if (a == b) {
      return;  // one table shared (or none on either side)
    }
    if (a != nullptr) {
      for (const auto& shard : a->zones()) {
        if (!shard) {
          continue;
        }
        const Zone* other = b != nullptr ? b->find(shard->apex_wire()) : nullptr;
        if (other != shard.get()) {
          diff(shard.get(), other, sink);
        }
      }
    }
    if (b != nullptr) {
      for (const auto& shard : b->zones()) {
        if (shard && (a == nullptr || a->find(shard->apex_wire()) == nullptr)) {
          diff(nullptr, shard.get(), sink);
        }
      }
    }
  }

  static void leaves(const Zone* before, const Zone* after, const DiffSink& sink) {
    const PodLeaves* a = before != nullptr ? before->leaves_.get() : nullptr;
    const PodLeaves* b = after != nullptr ? after->leaves_.get() : nullptr;
    if (a == b) {
      return;
    }
    for (size_t i = 0; i < PodLeaves::kBuckets; ++i) {
      const Zone* x = a != nullptr ? a->buckets[i].get() : nullptr;
      const Zone* y = b != nullptr ? b->buckets[i].get() : nullptr;
      if (x != y) {
        diff(x, y, sink);
      }
    }
  }

  static void diff(const Zone* before, const Zone* after, const DiffSink& sink) {
    if (before == after) {
      return;
    }
    own_names(before, after, sink);
    shards(before, after, sink);
    leaves(before, after, sink);
  }
};

void diff_zones(const Zone* before, const Zone* after, const DiffSink& sink) {
  ZoneDiffAccess::diff(before, after, sink);
}

}  // namespace vmdns::zone
