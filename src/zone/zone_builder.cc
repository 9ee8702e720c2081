#include "zone/zone_builder.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace vmdns::zone {
namespace {

// Above this many records in one set, duplicates are found with a hash set rather than by
// comparing each record with the ones before it.
constexpr size_t kLinearDedupLimit = 16;

std::string_view as_view(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// A stable sort by type of one node's records. Nodes hold a few records, mostly already in
// order: an insertion sort there, as std::stable_sort would allocate a buffer per node.
template <typename It>
void sort_by_type(It begin, It end) {
  auto by_type = [](const auto& a, const auto& b) { return a.type < b.type; };
  if (std::is_sorted(begin, end, by_type)) {
    return;
  }
  if (end - begin > static_cast<std::ptrdiff_t>(kLinearDedupLimit)) {
    std::stable_sort(begin, end, by_type);
    return;
  }
  for (It i = begin + 1; i < end; ++i) {
    auto record = *i;
    It j = i;
    for (; j != begin && record.type < (j - 1)->type; --j) {
      *j = *(j - 1);
    }
    *j = record;
  }
}

}  // namespace

ZoneBuilder::ZoneBuilder(const dns::Name& apex) : zone_(apex) {
  // The table keeps each name's octets below the apex, under the whole name's hash (Zone::find).
  zone_.names_.insert({}, NameTable::hash(zone_.apex_wire()));
}

uint32_t ZoneBuilder::node_for(std::string_view wire) {
  if (wire == last_owner_) {
    return last_node_;
  }
  if (wire.size() > dns::kMaxNameLength) {
    return NameTable::kMissing;
  }
  // Lowercase into a local buffer: owners are mostly new names, and the table copies the key.
  std::array<char, dns::kMaxNameLength> lowered;
  for (size_t i = 0; i < wire.size(); ++i) {
    lowered[i] = static_cast<char>(dns::ascii_lower(static_cast<uint8_t>(wire[i])));
  }
  std::string_view name(lowered.data(), wire.size());
  std::string_view apex = zone_.apex_wire();
  // At or below the apex: the apex's wire form is a suffix that starts at a label boundary.
  if (name.size() < apex.size() || name.substr(name.size() - apex.size()) != apex) {
    return NameTable::kMissing;
  }
  size_t boundary = 0;
  while (boundary < name.size() - apex.size()) {
    boundary += 1 + static_cast<uint8_t>(name[boundary]);
  }
  if (boundary != name.size() - apex.size()) {
    return NameTable::kMissing;
  }

  auto insert = [this](std::string_view whole) {
    return zone_.names_.insert(zone_.below_apex(whole), NameTable::hash(whole));
  };
  auto [index, inserted] = insert(name);
  if (inserted) {
    // Create the empty non-terminals up to the apex; stop at the first that already exists.
    std::string_view parent = name.substr(1 + static_cast<uint8_t>(name[0]));
    while (parent.size() > apex.size() && insert(parent).second) {
      parent = parent.substr(1 + static_cast<uint8_t>(parent[0]));
    }
  }
  last_owner_.assign(wire);
  last_node_ = index;
  return index;
}

bool ZoneBuilder::add(const dns::Name& owner, dns::RrType type, uint32_t ttl,
                      std::span<const uint8_t> rdata) {
  return add(owner.wire_view(), type, ttl, rdata);
}

bool ZoneBuilder::add(std::string_view owner, dns::RrType type, uint32_t ttl,
                      std::span<const uint8_t> rdata) {
  uint32_t node = node_for(owner);
  if (node == NameTable::kMissing || rdata.size() > UINT16_MAX) {
    return false;
  }
  records_.push_back({node, ttl, static_cast<uint32_t>(rdata_.size()),
                      static_cast<uint16_t>(rdata.size()), type});
  rdata_.insert(rdata_.end(), rdata.begin(), rdata.end());
  return true;
}

bool ZoneBuilder::add_name(const dns::Name& owner) {
  return add_name(owner.wire_view());
}

bool ZoneBuilder::add_name(std::string_view owner) {
  uint32_t node = node_for(owner);
  // The apex is node 0, there from the start; naming it makes a shard keep it (finish_shard).
  apex_named_ = apex_named_ || node == 0;
  return node != NameTable::kMissing;
}

// Whether every record of `kept`, an SRV set, names a target that is a name of this zone, as
// its key spells it (then `nodes` holds their indexes): the set then stores each target as a
// reference to the key (rr_set.h). A target of at least 4 octets makes the reference no longer
// than the name.
bool ZoneBuilder::targets_in_zone(const std::vector<Record>& kept,
                                  std::vector<uint32_t>& nodes) const {
  nodes.clear();
  if (kept.empty() || kept.front().type != dns::RrType::SRV) {
    return false;
  }
  for (const Record& r : kept) {
    if (r.length < RrSet::kSrvFixed + 4) {
      return false;
    }
    std::string_view target(reinterpret_cast<const char*>(rdata_.data()) + r.offset +
                                RrSet::kSrvFixed,
                            r.length - RrSet::kSrvFixed);
    // The table holds lowercased names: a target in another case is not found, and stays
    // inline, so that answers keep its octets. A key is the octets below the apex: the
    // target's must end with the apex's for its key to be its name.
    std::string_view apex = zone_.apex_wire();
    if (!target.ends_with(apex)) {
      return false;
    }
    uint32_t node = zone_.index_of(target);
    if (node == NameTable::kMissing) {
      return false;
    }
    nodes.push_back(node);
  }
  return true;
}

// Groups the records into sets: a stable counting sort by node keeps the order records were
// added in, then each node's few records are sorted by type (stable again), duplicates dropped,
// and every rdata copied once into the zone's buffer with its length prefix.
void ZoneBuilder::freeze_sets() {
  size_t node_count = zone_.names_.size();
  std::vector<uint32_t> first(node_count + 1, 0);
  for (const Record& r : records_) {
    ++first[r.node + 1];
  }
  for (size_t i = 0; i < node_count; ++i) {
    first[i + 1] += first[i];
  }
  std::vector<Record> by_node(records_.size());
  {
    std::vector<uint32_t> next(first.begin(), first.end() - 1);
    for (const Record& r : records_) {
      by_node[next[r.node]++] = r;
    }
  }
  records_.clear();
  records_.shrink_to_fit();

  auto rdata_of = [this](const Record& r) {
    return std::span<const uint8_t>(rdata_.data() + r.offset, r.length);
  };
  // The zone makes its nodes and sets from these, packed in one block of its exact size with
  // the data (Zone::adopt_records).
  std::vector<uint8_t> data;
  std::vector<Zone::SetDraft> sets;
  std::vector<Zone::NodeDraft> nodes(node_count);
  // Room for most zones at once (a set's header takes 4 octets more, at most one set a record).
  data.reserve(rdata_.size() + (2 + RrSet::kReferenceHeader) * by_node.size());
  sets.reserve(by_node.size());

  std::vector<Record> kept;
  std::vector<uint32_t> target_nodes;
  // The rest of each name stored split (RrSet::Entries::kSuffixes): where it is in data.
  std::unordered_map<std::string_view, uint32_t> rest_at;
  auto rest_of_name = [this](const Record& r) {
    size_t label = 1 + size_t{rdata_[r.offset]};
    return std::string_view(reinterpret_cast<const char*>(rdata_.data()) + r.offset + label,
                            r.length - label);
  };
  // PTR targets in a reverse zone share the names after their first labels (a Service's
  // endpoints): a PTR set whose every rdata is a whole name stores each split there.
  auto names_split = [this](const std::vector<Record>& set) {
    return !set.empty() && set.front().type == dns::RrType::PTR &&
           std::all_of(set.begin(), set.end(), [this](const Record& r) {
             return RrSet::splits_at_first_label(
                 std::span<const uint8_t>(rdata_.data() + r.offset, r.length));
           });
  };
  std::unordered_set<std::string_view> seen;
  std::map<dns::RrType, uint32_t> counts;  // the zone's records by type, for its metrics
  for (size_t node = 0; node < node_count; ++node) {
    auto begin = by_node.begin() + first[node];
    auto end = by_node.begin() + first[node + 1];
    sort_by_type(begin, end);
    size_t sets_begin = sets.size();
    for (auto set_begin = begin; set_begin != end;) {
      auto set_end = std::find_if(set_begin, end,
                                  [&](const Record& r) { return r.type != set_begin->type; });
      kept.clear();
      seen.clear();
      bool hashed = static_cast<size_t>(set_end - set_begin) > kLinearDedupLimit;
      for (auto r = set_begin; r != set_end; ++r) {
        auto bytes = rdata_of(*r);
        bool duplicate =
            hashed ? !seen.insert(as_view(bytes)).second
                   : std::any_of(kept.begin(), kept.end(), [&](const Record& k) {
                       return k.length == r->length &&
                              std::memcmp(rdata_.data() + k.offset, bytes.data(), r->length) == 0;
                     });
        if (!duplicate) {
          kept.push_back(*r);
        }
      }
      bool referenced = targets_in_zone(kept, target_nodes);
      bool suffixes = !referenced && names_split(kept);
      // A Service's SRVs share their priority and weight: then the set's header holds them.
      bool ports_only =
          referenced && std::all_of(kept.begin(), kept.end(), [&](const Record& r) {
            return std::memcmp(rdata_.data() + r.offset, rdata_.data() + kept.front().offset,
                               RrSet::kPriorityWeight) == 0;
          });
      // Addresses need no lengths: the type says them.
      size_t address_size = kept.front().type == dns::RrType::A      ? 4
                            : kept.front().type == dns::RrType::AAAA ? 16
                                                                     : 0;
      bool addresses = address_size != 0 &&
                       std::all_of(kept.begin(), kept.end(),
                                   [&](const Record& r) { return r.length == address_size; });
      auto entries = ports_only   ? RrSet::Entries::kPortReferences
                     : referenced ? RrSet::Entries::kReferences
                     : suffixes   ? RrSet::Entries::kSuffixes
                     : addresses  ? RrSet::Entries::kAddresses
                                  : RrSet::Entries::kInline;
      auto count = static_cast<uint32_t>(kept.size());
      if (suffixes) {
        // The rests of the names this zone does not hold yet, before the set: each once.
        for (const Record& r : kept) {
          std::string_view rest = rest_of_name(r);
          if (rest_at.emplace(rest, static_cast<uint32_t>(data.size() + 1)).second) {
            data.push_back(static_cast<uint8_t>(rest.size()));
            data.insert(data.end(), rest.begin(), rest.end());
          }
        }
      }
      // The header: a set of references' is filled in by Zone::adopt_records.
      data.resize(data.size() + RrSet::header_size(count, entries));
      size_t data_begin = data.size();
      if (ports_only) {
        std::memcpy(data.data() + data_begin - RrSet::kPortReferenceHeader,
                    rdata_.data() + kept.front().offset, RrSet::kPriorityWeight);
      }
      // The octets of the fixed part each entry of references holds.
      size_t fixed = ports_only ? RrSet::kSrvFixed - RrSet::kPriorityWeight : RrSet::kSrvFixed;
      for (size_t i = 0; i < kept.size(); ++i) {
        const Record& r = kept[i];
        size_t at = data.size();
        if (addresses) {
          data.insert(data.end(), rdata_.begin() + r.offset, rdata_.begin() + r.offset + r.length);
          continue;
        }
        if (suffixes) {
          // The first label, then the rest's offset from the entry (data is copied whole, so
          // the offset holds in the zone's block).
          size_t label = 1 + size_t{rdata_[r.offset]};
          data.insert(data.end(), rdata_.begin() + r.offset, rdata_.begin() + r.offset + label);
          auto relative = static_cast<int32_t>(static_cast<int64_t>(rest_at.at(rest_of_name(r))) -
                                               static_cast<int64_t>(at));
          data.resize(data.size() + RrSet::kSuffixReference);
          std::memcpy(data.data() + at + label, &relative, sizeof relative);
          continue;
        }
        data.resize(at + (referenced ? fixed + sizeof(uint32_t) : 2 + r.length));
        if (referenced) {
          // The target's node index for now; Zone::adopt_records makes it a reference.
          std::memcpy(data.data() + at, rdata_.data() + r.offset + RrSet::kSrvFixed - fixed, fixed);
          std::memcpy(data.data() + at + fixed, &target_nodes[i], sizeof(uint32_t));
        } else {
          data[at] = static_cast<uint8_t>(r.length >> 8);
          data[at + 1] = static_cast<uint8_t>(r.length & 0xFF);
          std::memcpy(data.data() + at + 2, rdata_.data() + r.offset, r.length);
        }
      }
      RrSet::write_header(data.data() + data_begin, count, entries,
                          static_cast<uint32_t>(data.size() - data_begin));
      sets.push_back({static_cast<uint32_t>(data_begin),
                      static_cast<uint32_t>(data.size() - data_begin), set_begin->ttl, count,
                      set_begin->type, entries});
      counts[set_begin->type] += count;
      set_begin = set_end;
    }
    nodes[node] = {static_cast<uint32_t>(sets_begin),
                   static_cast<uint32_t>(sets.size() - sets_begin)};
  }
  rdata_.clear();
  rdata_.shrink_to_fit();
  std::vector<std::pair<dns::RrType, uint32_t>> type_counts;
  if (sets.size() > Zone::kCountedBySets || node_count > Zone::kCountedBySets) {
    type_counts.assign(counts.begin(), counts.end());
  }
  zone_.adopt_records(nodes, sets, data, type_counts);
}

Zone ZoneBuilder::finish() && {
  freeze_sets();
  const Node* apex = zone_.find(zone_.apex_wire());
  const RrSet* soa = apex == nullptr ? nullptr : apex->find(dns::RrType::SOA);
  if (soa == nullptr) {
    // Our own invariant: build() always adds the SOA first.
    throw std::logic_error("zone " + zone_.apex().to_text() + " has no SOA");
  }
  zone_.soa_ = soa;
  return std::move(zone_);
}

Zone ZoneBuilder::finish_shard() && {
  if (records_.empty() && zone_.names_.size() == 1 && !apex_named_) {
    return Zone(zone_.apex());  // nothing below: the subtree does not exist
  }
  freeze_sets();
  return std::move(zone_);
}

}  // namespace vmdns::zone
