// A zone keeps each name's octets below its apex (zone/zone.h): lookups of whole names find
// exactly the names added, in a zone in one part and through a shard, a name with the same
// octets below another apex of the same length is not found, and readers of every name
// (for_each_node, for_each_owner, a diff) get whole names.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "dns/rdata.h"
#include "zone/shard_table.h"
#include "zone/zone.h"
#include "zone/zone_builder.h"
#include "zone/zone_diff.h"

namespace vmdns::zone {
namespace {

dns::Name name(const std::string& text) { return *dns::Name::from_text(text); }

std::string text_of(std::string_view wire) {
  return dns::Name::from_wire({reinterpret_cast<const uint8_t*>(wire.data()), wire.size()})
      ->to_text();
}

// cluster.local with one shard, svc.ns.svc.cluster.local (two labels below the apex).
Zone cluster_zone() {
  ZoneBuilder top(name("cluster.local"));
  top.add(name("cluster.local"), dns::RrType::SOA, 5,
          dns::rdata::soa(name("ns.cluster.local"), name("h.cluster.local"), 1, 2, 3, 4, 5));
  top.add(name("ns.dns.cluster.local"), dns::RrType::A, 5, dns::rdata::a({10, 0, 0, 1}));
  ZoneBuilder shard(name("svc.ns.svc.cluster.local"));
  shard.add(name("svc.ns.svc.cluster.local"), dns::RrType::A, 5, dns::rdata::a({10, 0, 0, 2}));
  shard.add(name("vm-1.svc.ns.svc.cluster.local"), dns::RrType::A, 5, dns::rdata::a({10, 0, 0, 3}));
  auto shards = std::make_shared<ShardTable>();
  shards->set(name("svc.ns.svc.cluster.local"),
              std::make_shared<const Zone>(std::move(shard).finish_shard()));
  return Zone::join(std::move(top).finish(), shards, {3});
}

struct FindCase {
  const char* name;
  bool found;
};

class RelativeKeysFind : public ::testing::TestWithParam<FindCase> {};

TEST_P(RelativeKeysFind, FindsTheNamesAdded) {
  static const Zone zone = cluster_zone();
  EXPECT_EQ(zone.find(name(GetParam().name).lowercased()) != nullptr, GetParam().found)
      << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Names, RelativeKeysFind,
    ::testing::Values(FindCase{"cluster.local", true}, FindCase{"ns.dns.cluster.local", true},
                      FindCase{"dns.cluster.local", true},  // an empty non-terminal
                      FindCase{"svc.ns.svc.cluster.local", true},
                      FindCase{"vm-1.svc.ns.svc.cluster.local", true},
                      FindCase{"VM-1.svc.ns.svc.cluster.local", true},
                      FindCase{"vm-2.svc.ns.svc.cluster.local", false},
                      // The same octets below the apex, another apex of the same length.
                      FindCase{"ns.dns.cluster.locai", false}, FindCase{"cluster.locai", false},
                      FindCase{"local", false}, FindCase{".", false}));

TEST(RelativeKeys, ReadersGetWholeNames) {
  Zone zone = cluster_zone();
  std::vector<std::string> names;
  zone.for_each_node([&](std::string_view wire, const Node&) { names.push_back(text_of(wire)); });
  std::vector<std::string> owners;
  zone.for_each_owner([&](std::string_view below, std::string_view apex, const Node& node) {
    std::string whole = std::string(below) + std::string(apex);
    EXPECT_EQ(zone.find(std::string_view(whole)), &node);
    owners.push_back(text_of(whole));
  });
  std::sort(names.begin(), names.end());
  std::sort(owners.begin(), owners.end());
  std::vector<std::string> want{"cluster.local.",        "dns.cluster.local.",
                                "ns.dns.cluster.local.", "svc.ns.svc.cluster.local.",
                                "vm-1.svc.ns.svc.cluster.local."};
  EXPECT_EQ(names, want);
  EXPECT_EQ(owners, want);

  std::vector<std::string> added;
  diff_zones(nullptr, &zone,
             [&](bool, std::string_view owner, const RrSet&, std::span<const uint8_t>) {
               added.push_back(text_of(owner));
             });
  std::sort(added.begin(), added.end());
  // (The SOA is the transfer's own to write: a diff leaves it out.)
  EXPECT_EQ(added, (std::vector<std::string>{"ns.dns.cluster.local.",
                                             "svc.ns.svc.cluster.local.",
                                             "vm-1.svc.ns.svc.cluster.local."}));
}

}  // namespace
}  // namespace vmdns::zone
