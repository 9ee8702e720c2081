#pragma once
// An immutable, fully computed view of our zones: every record in uncompressed wire form, keyed
// by lowercased owner name. Built once by zone::build(), then only read (by any number of
// threads, without locks); a change builds a new snapshot to the side (DESIGN.md habit 3).
//
//   const Zone* z = snapshot.find_zone(lowercased_qname);       // longest matching apex
//   const Node* n = z ? z->find(lowercased_qname) : nullptr;     // nullptr: NXDOMAIN
//   const RrSet* s = n ? n->find(RrType::A) : nullptr;           // nullptr: NODATA

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dns/name.h"
#include "dns/types.h"
#include "zone/client_search.h"

namespace vmdns::zone {

// The records of one owner name and type. Rdatas are stored back to back, each prefixed by its
// 2-octet length, so that a set is one allocation and is copied to the wire in one pass.
class RrSet {
 public:
  RrSet(dns::RrType type, uint32_t ttl) : type_(type), ttl_(ttl) {}

  dns::RrType type() const { return type_; }
  uint32_t ttl() const { return ttl_; }
  size_t size() const { return count_; }
  void add(std::span<const uint8_t> rdata);
  bool contains(std::span<const uint8_t> rdata) const;

  // Calls f(std::span<const uint8_t>) for each rdata in insertion order.
  template <typename F>
  void for_each(F&& f) const {
    size_t at = 0;
    while (at + 2 <= data_.size()) {
      size_t len = (size_t{data_[at]} << 8) | data_[at + 1];
      f(std::span<const uint8_t>(data_.data() + at + 2, len));
      at += 2 + len;
    }
  }

 private:
  dns::RrType type_;
  uint32_t ttl_;
  uint32_t count_ = 0;
  std::vector<uint8_t> data_;
};

// All record sets of one name. A node without sets is an empty non-terminal: it exists (NODATA,
// not NXDOMAIN) because names exist below it (RFC 8020).
struct Node {
  std::vector<RrSet> rrsets;  // sorted by type
  const RrSet* find(dns::RrType type) const;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class Zone {
 public:
  explicit Zone(const dns::Name& apex) : apex_(apex.lowercased()) {}

  const dns::Name& apex() const { return apex_; }
  // `lowercased_wire` is the lowercased uncompressed wire form of a name in this zone.
  const Node* find(std::string_view lowercased_wire) const;
  const Node* find(const dns::Name& lowercased) const { return find(lowercased.wire_view()); }
  // The apex SOA, written into the authority section of negative answers (RFC 2308 section 3).
  const RrSet& soa() const { return soa_; }
  size_t node_count() const { return nodes_.size(); }
  size_t record_count() const;

  // Calls f(std::string_view lowercased_wire, const Node&) for every node, in no order.
  template <typename F>
  void for_each_node(F&& f) const {
    for (const auto& [key, node] : nodes_) {
      f(std::string_view(key), node);
    }
  }

 private:
  friend class ZoneBuilder;
  dns::Name apex_;
  std::unordered_map<std::string, Node, StringHash, std::equal_to<>> nodes_;
  RrSet soa_{dns::RrType::SOA, 0};  // a copy of the apex SOA set, kept at hand
};

class Snapshot {
 public:
  explicit Snapshot(std::vector<Zone> zones, uint32_t serial, ClientSearchIndex clients = {});

  // The zone with the longest apex that `lowercased_name` is in, or nullptr when the name is
  // outside every zone we serve.
  const Zone* find_zone(const dns::Name& lowercased_name) const;
  const std::vector<Zone>& zones() const { return zones_; }
  uint32_t serial() const { return serial_; }
  size_t record_count() const;
  // The search lists of the workloads that may ask us, by address (empty unless the snapshot
  // was built with ZoneConfig::client_search).
  const ClientSearchIndex& clients() const { return clients_; }

 private:
  std::vector<Zone> zones_;  // longest apex first
  uint32_t serial_;
  ClientSearchIndex clients_;
};

}  // namespace vmdns::zone
