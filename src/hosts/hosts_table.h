#pragma once
// The hosts entries as the query path reads them: for each name its addresses, for each address
// (as its in-addr.arpa or ip6.arpa name) its names. Built once from the parsed entries, never
// changed: a new file makes a new table (hosts_holder.h), so lookups take no lock and allocate
// nothing.
//
//   auto table = HostsTable::build(parse_hosts(text, path).entries, /*ttl=*/3600);
//   const HostsTable::Owner* owner = table->find(*dns::Name::from_text("Node-A.lan"));
//   owner->a.size();                                     // its IPv4 addresses
//   table->find(*dns::Name::from_text("5.0.0.10.in-addr.arpa"))->ptr;   // node-a.lan., ...
//
// An address given twice for a name (or a name twice for an address) is kept once, in the
// order first seen (RFC 2181 section 5: no duplicate records in a set).

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dns/name.h"
#include "hosts/hosts_file.h"

namespace vmdns::hosts {

class HostsTable {
 public:
  struct Owner {
    std::vector<std::array<uint8_t, 4>> a;
    std::vector<std::array<uint8_t, 16>> aaaa;
    std::vector<dns::Name> ptr;  // when the owner is an address's reverse name
    // A name of the hosts file (not only a reverse name): it answers every type, NODATA for
    // those it has no record of.
    bool has_addresses() const { return !a.empty() || !aaaa.empty(); }
  };

  static std::shared_ptr<const HostsTable> build(const std::vector<HostsEntry>& entries,
                                                 uint32_t ttl);

  // The owner `name` (any case), or null. No allocation.
  const Owner* find(const dns::Name& name) const;

  uint32_t ttl() const { return ttl_; }
  size_t names() const { return names_; }          // names with addresses
  size_t addresses() const { return addresses_; }  // distinct addresses

 private:
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>()(key); }
  };
  Owner& owner(const dns::Name& name);

  std::unordered_map<std::string, Owner, KeyHash, std::equal_to<>> owners_;  // by wire name
  uint32_t ttl_ = 3600;
  size_t names_ = 0;
  size_t addresses_ = 0;
};

// The reverse name of an address: d.c.b.a.in-addr.arpa. or the 32 nibbles under ip6.arpa.
dns::Name reverse_name(const HostsEntry& entry);

}  // namespace vmdns::hosts
