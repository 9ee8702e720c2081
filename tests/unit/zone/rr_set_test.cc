// RrSet: the first of the length-prefixed rdatas (nothing for a set that has none or whose first
// length runs past its data), and the compact layout a zone keeps: a set of 12 octets that
// finds its entries by an offset from itself, its count in one octet up to 254 records and in a
// header before its entries from 255 on, rdatas up to 65,535 octets and sets far larger;
// an SRV set of referenced targets up to names of 255 octets. Each is read back whole.

#include "zone/rr_set.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "dns/name.h"
#include "dns/rdata.h"
#include "zone/zone_builder.h"

namespace vmdns::zone {
namespace {

// Every rdata of `set` through for_each(), in order.
std::vector<std::vector<uint8_t>> read_all(const RrSet& set) {
  std::vector<std::vector<uint8_t>> read;
  set.for_each([&](std::span<const uint8_t> r) { read.emplace_back(r.begin(), r.end()); });
  return read;
}

// Every rdata of `set` through has_entry() and next(), the way an answer walks a set.
std::vector<std::vector<uint8_t>> walk_all(const RrSet& set) {
  RrSet::RdataBuffer buffer;
  size_t at = 0;
  std::vector<std::vector<uint8_t>> walked;
  while (set.has_entry(at)) {
    auto r = set.next(at, buffer);
    walked.emplace_back(r.begin(), r.end());
  }
  return walked;
}

// A set and its entries in one buffer, the way a zone's block holds them: the set first, then
// its header, then the entries.
class StoredSet {
 public:
  StoredSet(dns::RrType type, uint32_t count, const std::vector<uint8_t>& entries) {
    size_t header = RrSet::header_size(count, RrSet::Entries::kInline);
    block_ = std::make_unique<std::byte[]>(sizeof(RrSet) + header + entries.size());
    auto* data = reinterpret_cast<uint8_t*>(block_.get()) + sizeof(RrSet) + header;
    if (!entries.empty()) {
      std::memcpy(data, entries.data(), entries.size());
    }
    RrSet::write_header(data, count, RrSet::Entries::kInline,
                        static_cast<uint32_t>(entries.size()));
    set_ = std::construct_at(reinterpret_cast<RrSet*>(block_.get()), type, 30, count,
                             std::span<const uint8_t>(data, entries.size()));
  }
  const RrSet& operator*() const { return *set_; }
  const RrSet* operator->() const { return set_; }

 private:
  std::unique_ptr<std::byte[]> block_;
  const RrSet* set_ = nullptr;
};

struct FirstCase {
  const char* name;
  std::vector<uint8_t> data;  // as stored: each rdata after its 2-octet length
  uint32_t count;
  std::vector<uint8_t> first;
};

class RrSetFirstTest : public ::testing::TestWithParam<FirstCase> {};

TEST_P(RrSetFirstTest, First) {
  const FirstCase& c = GetParam();
  StoredSet set(dns::RrType::A, c.count, c.data);
  std::span<const uint8_t> got = set->first();
  EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.end()), c.first);
}

INSTANTIATE_TEST_SUITE_P(
    Sets, RrSetFirstTest,
    ::testing::Values(FirstCase{"empty", {}, 0, {}},
                      FirstCase{"one", {0, 4, 10, 244, 0, 57}, 1, {10, 244, 0, 57}},
                      FirstCase{"two", {0, 4, 10, 244, 0, 57, 0, 4, 10, 244, 1, 12}, 2,
                                {10, 244, 0, 57}},
                      FirstCase{"empty_rdata", {0, 0}, 1, {}},
                      FirstCase{"length_past_the_data", {0, 9, 10, 244}, 1, {}},
                      FirstCase{"half_a_length", {0}, 1, {}}),
    [](const ::testing::TestParamInfo<FirstCase>& info) { return info.param.name; });

TEST(RrSetLayout, IsTwelveOctets) {
  EXPECT_EQ(sizeof(RrSet), 12u);
  // An empty set (a zone without an SOA answers soa() with one) reads as empty.
  RrSet empty;
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_TRUE(empty.data().empty());
  EXPECT_TRUE(empty.first().empty());
}

dns::Name name(const std::string& text) { return *dns::Name::from_text(text); }

// `count` records of `rdata_size` octets each (distinct: their first octets count), at one name
// of a zone, built and read back: the count, every rdata in order, the zone's count by type.
struct CountCase {
  const char* name;
  uint32_t count;
  size_t rdata_size;
};

class RrSetCountTest : public ::testing::TestWithParam<CountCase> {};

TEST_P(RrSetCountTest, ReadsBackEveryRecord) {
  const CountCase& c = GetParam();
  ZoneBuilder b(name("example."));
  b.add(name("example."), dns::RrType::SOA, 5,
        dns::rdata::soa(name("ns.example."), name("h.example."), 1, 2, 3, 4, 5));
  std::vector<std::vector<uint8_t>> added;
  for (uint32_t i = 0; i < c.count; ++i) {
    std::vector<uint8_t> rdata(c.rdata_size, static_cast<uint8_t>(i * 7));
    for (size_t k = 0; k < 4 && k < rdata.size(); ++k) {
      rdata[k] = static_cast<uint8_t>(i >> (8 * (3 - k)));
    }
    added.push_back(rdata);
    ASSERT_TRUE(b.add(name("big.example."), dns::RrType::TXT, 7, rdata));
  }
  b.add(name("after.example."), dns::RrType::A, 9, dns::rdata::a({10, 0, 0, 1}));
  Zone zone = std::move(b).finish();
  const Node* node = zone.find(name("big.example.").lowercased());
  ASSERT_NE(node, nullptr);
  const RrSet* set = node->find(dns::RrType::TXT);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->size(), c.count);
  EXPECT_EQ(set->ttl(), 7u);
  std::vector<std::vector<uint8_t>> read = read_all(*set);
  EXPECT_TRUE(read == added) << read.size() << " read of " << added.size();
  EXPECT_EQ(set->data().size(), c.count * (2 + c.rdata_size));
  std::span<const uint8_t> first = set->first();
  EXPECT_EQ(std::vector<uint8_t>(first.begin(), first.end()), added.front());
  // The sets after it are where they were put.
  const Node* after = zone.find(name("after.example.").lowercased());
  ASSERT_NE(after, nullptr);
  ASSERT_NE(after->find(dns::RrType::A), nullptr);
  EXPECT_EQ(after->find(dns::RrType::A)->size(), 1u);
  EXPECT_EQ(after->find(dns::RrType::A)->ttl(), 9u);
  EXPECT_EQ(zone.soa().size(), 1u);
  EXPECT_EQ(zone.record_count(), 2u + c.count);
}

INSTANTIATE_TEST_SUITE_P(
    Sets, RrSetCountTest,
    ::testing::Values(CountCase{"one", 1, 4}, CountCase{"last_in_the_octet", 254, 4},
                      CountCase{"first_in_the_header", 255, 4},
                      CountCase{"one_past", 256, 4}, CountCase{"sixteen_bits", 65'536, 4},
                      CountCase{"largest_rdata", 1, 65'535},
                      CountCase{"two_largest_rdatas", 2, 65'535},
                      CountCase{"over_64_kib_of_small_rdatas", 20'000, 10}),
    [](const ::testing::TestParamInfo<CountCase>& info) { return info.param.name; });

// A wire name of `length` octets (at most 255) ending in `suffix` (text, absolute).
std::string long_name(size_t length, const std::string& suffix) {
  size_t room = length - name(suffix).wire_length();
  std::string text;
  while (room > 0) {
    size_t label = std::min<size_t>(room - 1, 63);
    if (room - (label + 1) == 1) {
      --label;  // no room is left for a label of none
    }
    text += std::string(label, 'a' + static_cast<char>(text.size() % 26)) + ".";
    room -= label + 1;
  }
  return text + suffix;
}

// SRV sets of referenced targets at the limits of a name: the apex long or short, the target
// the longest name there is; priority and weight shared by the set (kept once, in its header)
// or not.
struct ReferenceCase {
  const char* name;
  size_t apex_length;
  size_t target_length;
  uint32_t count;       // SRVs to the target, each its own port
  uint16_t weight_step;  // SRV i has weight 2 + i * weight_step
};

class RrSetReferenceTest : public ::testing::TestWithParam<ReferenceCase> {};

TEST_P(RrSetReferenceTest, ReadsBackEveryRdata) {
  const ReferenceCase& c = GetParam();
  dns::Name apex = name(long_name(c.apex_length, "example."));
  ASSERT_EQ(apex.wire_length(), c.apex_length);
  dns::Name target = name(long_name(c.target_length, apex.to_text()));
  ASSERT_EQ(target.wire_length(), c.target_length);
  ZoneBuilder b(apex);
  b.add(apex, dns::RrType::SOA, 5, dns::rdata::soa(apex, apex, 1, 2, 3, 4, 5));
  b.add(target, dns::RrType::A, 5, dns::rdata::a({10, 0, 0, 1}));
  std::vector<std::vector<uint8_t>> added;
  for (uint32_t i = 0; i < c.count; ++i) {
    added.push_back(dns::rdata::srv(1, static_cast<uint16_t>(2 + i * c.weight_step),
                                    static_cast<uint16_t>(i), target));
    b.add(apex, dns::RrType::SRV, 5, added.back());
  }
  Zone zone = std::move(b).finish();
  const Node* node = zone.find(apex.lowercased());
  ASSERT_NE(node, nullptr);
  const RrSet* set = node->find(dns::RrType::SRV);
  ASSERT_NE(set, nullptr);
  EXPECT_TRUE(set->targets_referenced());
  bool shared = c.weight_step == 0 || c.count == 1;
  EXPECT_EQ(set->entries_kind(),
            shared ? RrSet::Entries::kPortReferences : RrSet::Entries::kReferences);
  EXPECT_EQ(set->size(), c.count);
  EXPECT_EQ(set->data().size(),
            c.count * (shared ? RrSet::kPortReferenceEntry : RrSet::kReferenceEntry));
  std::vector<std::vector<uint8_t>> read = read_all(*set);
  EXPECT_TRUE(read == added);
}

INSTANTIATE_TEST_SUITE_P(
    Sets, RrSetReferenceTest,
    ::testing::Values(ReferenceCase{"short", 9, 15, 2, 0},
                      ReferenceCase{"short_weights_differ", 9, 15, 2, 1},
                      ReferenceCase{"longest_target", 9, 255, 3, 0},
                      ReferenceCase{"longest_target_weights_differ", 9, 255, 3, 7},
                      ReferenceCase{"long_apex_longest_target", 200, 255, 3, 0},
                      ReferenceCase{"target_is_the_apex", 255, 255, 1, 0},
                      ReferenceCase{"count_in_no_octet", 9, 255, 300, 0},
                      ReferenceCase{"count_in_no_octet_weights_differ", 9, 255, 300, 1}),
    [](const ::testing::TestParamInfo<ReferenceCase>& info) { return info.param.name; });

// PTR sets, each target split after its first label (RrSet::Entries::kSuffixes) when every
// rdata is a whole name, the rest of the name stored once per zone; rdatas read back as added,
// octet for octet (case kept), and a set with one rdata that is not a plain name stays inline.
struct SuffixCase {
  const char* name;
  std::vector<std::vector<uint8_t>> ptrs;  // rdatas at 1.0.0.10.in-addr.arpa.
  std::vector<std::vector<uint8_t>> other;  // rdatas at 2.0.0.10.in-addr.arpa.
  RrSet::Entries entries;
};

std::vector<uint8_t> wire(const std::string& text) {
  dns::Name n = name(text);
  return {n.wire().begin(), n.wire().end()};
}

std::vector<std::vector<uint8_t>> many(size_t count) {
  std::vector<std::vector<uint8_t>> out;
  for (size_t i = 0; i < count; ++i) {
    out.push_back(wire("vm-" + std::to_string(i) + ".grp-" + std::to_string(i % 7) +
                       ".ns-0.svc.cluster.local."));
  }
  return out;
}

class RrSetSuffixTest : public ::testing::TestWithParam<SuffixCase> {};

TEST_P(RrSetSuffixTest, ReadsBackEveryRdata) {
  const SuffixCase& c = GetParam();
  dns::Name apex = name("0.0.10.in-addr.arpa.");
  ZoneBuilder b(apex);
  b.add(apex, dns::RrType::SOA, 5, dns::rdata::soa(apex, apex, 1, 2, 3, 4, 5));
  for (const auto& rdata : c.ptrs) {
    ASSERT_TRUE(b.add(name("1.0.0.10.in-addr.arpa."), dns::RrType::PTR, 5, rdata));
  }
  for (const auto& rdata : c.other) {
    ASSERT_TRUE(b.add(name("2.0.0.10.in-addr.arpa."), dns::RrType::PTR, 5, rdata));
  }
  Zone zone = std::move(b).finish();
  for (const auto& [owner, added] :
       {std::pair{"1.0.0.10.in-addr.arpa.", c.ptrs}, std::pair{"2.0.0.10.in-addr.arpa.", c.other}}) {
    if (added.empty()) {
      continue;
    }
    const Node* node = zone.find(name(owner).lowercased());
    ASSERT_NE(node, nullptr) << owner;
    const RrSet* set = node->find(dns::RrType::PTR);
    ASSERT_NE(set, nullptr) << owner;
    EXPECT_EQ(set->entries_kind(), c.entries) << owner;
    EXPECT_EQ(set->size(), added.size()) << owner;
    std::vector<std::vector<uint8_t>> read = read_all(*set);
    EXPECT_TRUE(read == added) << owner;
    std::vector<std::vector<uint8_t>> walked = walk_all(*set);
    EXPECT_TRUE(walked == added) << owner;
    if (c.entries == RrSet::Entries::kSuffixes) {
      EXPECT_TRUE(set->first().empty());
      size_t stored = 0;
      for (const auto& rdata : added) {
        stored += 1 + rdata[0] + RrSet::kSuffixReference;
      }
      EXPECT_EQ(set->data().size(), stored) << owner;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sets, RrSetSuffixTest,
    ::testing::Values(
        SuffixCase{"shared_rest",
                   {wire("vm-1.grp-0.ns-0.svc.cluster.local."),
                    wire("grp-0-vmi-4.grp-0.ns-0.svc.cluster.local.")},
                   {wire("vm-2.grp-0.ns-0.svc.cluster.local.")},
                   RrSet::Entries::kSuffixes},
        SuffixCase{"rest_is_the_root", {wire("a.")}, {wire("b.")}, RrSet::Entries::kSuffixes},
        SuffixCase{"case_kept",
                   {wire("VM-1.Grp-0.ns-0.svc.cluster.local.")},
                   {wire("vm-1.grp-0.ns-0.svc.cluster.local.")},
                   RrSet::Entries::kSuffixes},
        SuffixCase{"longest_name",
                   {wire(long_name(255, "example.")), wire(long_name(254, "example."))},
                   {wire(std::string(63, 'x') + "." + long_name(191, "example."))},
                   RrSet::Entries::kSuffixes},
        SuffixCase{"count_in_the_header", many(300), many(2), RrSet::Entries::kSuffixes},
        SuffixCase{"root_target", {{0}}, {}, RrSet::Entries::kInline},
        SuffixCase{"compressed_pointer", {{1, 'a', 0xC0, 12}}, {}, RrSet::Entries::kInline},
        SuffixCase{"octets_after_the_name", {{1, 'a', 0, 7}}, {}, RrSet::Entries::kInline},
        SuffixCase{"name_cut_short", {{3, 'a', 'b'}}, {}, RrSet::Entries::kInline},
        SuffixCase{"one_not_a_name",
                   {wire("vm-1.grp-0.ns-0.svc.cluster.local."), {5, 'a', 0}},
                   {},
                   RrSet::Entries::kInline}),
    [](const ::testing::TestParamInfo<SuffixCase>& info) { return info.param.name; });

// A and AAAA sets of well-formed addresses keep them back to back without their lengths
// (RrSet::Entries::kAddresses), their count the length over the type's; a set with one rdata
// of another length stays inline. Read back as added, in order.
struct AddressCase {
  const char* name;
  dns::RrType type;
  uint32_t count;
  size_t odd_one;  // 1 + the index of an rdata one octet longer; 0: none
  RrSet::Entries entries;
};

class RrSetAddressTest : public ::testing::TestWithParam<AddressCase> {};

TEST_P(RrSetAddressTest, ReadsBackEveryAddress) {
  const AddressCase& c = GetParam();
  size_t size = c.type == dns::RrType::A ? 4 : 16;
  ZoneBuilder b(name("example."));
  b.add(name("example."), dns::RrType::SOA, 5,
        dns::rdata::soa(name("ns.example."), name("h.example."), 1, 2, 3, 4, 5));
  std::vector<std::vector<uint8_t>> added;
  for (uint32_t i = 0; i < c.count; ++i) {
    std::vector<uint8_t> rdata(size + (c.odd_one == i + 1 ? 1 : 0), 10);
    rdata[size - 2] = static_cast<uint8_t>(i >> 8);
    rdata[size - 1] = static_cast<uint8_t>(i);
    added.push_back(rdata);
    ASSERT_TRUE(b.add(name("svc.example."), c.type, 5, rdata));
  }
  Zone zone = std::move(b).finish();
  const Node* node = zone.find(name("svc.example.").lowercased());
  ASSERT_NE(node, nullptr);
  const RrSet* set = node->find(c.type);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->entries_kind(), c.entries);
  EXPECT_EQ(set->size(), c.count);
  std::vector<std::vector<uint8_t>> read = read_all(*set);
  EXPECT_TRUE(read == added);
  std::vector<std::vector<uint8_t>> walked = walk_all(*set);
  EXPECT_TRUE(walked == added);
  if (c.entries == RrSet::Entries::kAddresses) {
    EXPECT_EQ(set->data().size(), c.count * size);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sets, RrSetAddressTest,
    ::testing::Values(
        AddressCase{"a_one", dns::RrType::A, 1, 0, RrSet::Entries::kAddresses},
        AddressCase{"a_five", dns::RrType::A, 5, 0, RrSet::Entries::kAddresses},
        AddressCase{"a_last_in_the_octet", dns::RrType::A, 254, 0, RrSet::Entries::kAddresses},
        AddressCase{"a_count_past_the_octet", dns::RrType::A, 300, 0,
                    RrSet::Entries::kAddresses},
        AddressCase{"a_sixteen_bits", dns::RrType::A, 65'535, 0, RrSet::Entries::kAddresses},
        AddressCase{"aaaa_two", dns::RrType::AAAA, 2, 0, RrSet::Entries::kAddresses},
        AddressCase{"aaaa_count_past_the_octet", dns::RrType::AAAA, 300, 0,
                    RrSet::Entries::kAddresses},
        AddressCase{"a_one_longer", dns::RrType::A, 3, 2, RrSet::Entries::kInline},
        AddressCase{"a_many_one_longer", dns::RrType::A, 300, 300, RrSet::Entries::kInline},
        AddressCase{"aaaa_one_longer", dns::RrType::AAAA, 2, 1, RrSet::Entries::kInline}),
    [](const ::testing::TestParamInfo<AddressCase>& info) { return info.param.name; });

}  // namespace
// A node keeps its count of sets in its offset's low bits up to two, and in 4 octets before
// its sets from three on: names of 0 to 7 sets side by side in one zone (the empty
// non-terminal has none) each read back their own sets, in type order, and find each type.
struct NodeCase {
  const char* name;
  size_t sets;  // types at the name, from kTypes
};

class NodeSetsTest : public ::testing::TestWithParam<NodeCase> {};

TEST_P(NodeSetsTest, ReadsBackItsSets) {
  const NodeCase& c = GetParam();
  const std::vector<dns::RrType> types = {dns::RrType::A,   dns::RrType::NS,  dns::RrType::CNAME,
                                          dns::RrType::PTR, dns::RrType::MX,  dns::RrType::TXT,
                                          dns::RrType::AAAA};
  ZoneBuilder b(name("example."));
  b.add(name("example."), dns::RrType::SOA, 5,
        dns::rdata::soa(name("ns.example."), name("h.example."), 1, 2, 3, 4, 5));
  // Neighbours of 1, 3 and 5 sets before and after, so that counts before sets sit between
  // other nodes' sets.
  auto add_types = [&](const std::string& owner, size_t count) {
    for (size_t i = 0; i < count; ++i) {
      std::vector<uint8_t> rdata = {static_cast<uint8_t>(i), 1, 2, 3};
      ASSERT_TRUE(b.add(name(owner), types[i], static_cast<uint32_t>(10 + i), rdata));
    }
  };
  add_types("a.example.", 3);
  add_types("x.below.example.", c.sets);
  add_types("b.example.", 5);
  add_types("c.example.", 1);
  if (c.sets == 0) {
    b.add_name(name("x.below.example."));
  }
  Zone zone = std::move(b).finish();
  const Node* node = zone.find(name("x.below.example.").lowercased());
  ASSERT_NE(node, nullptr);
  ASSERT_EQ(node->rrsets().size(), c.sets);
  for (size_t i = 0; i < c.sets; ++i) {
    const RrSet* set = node->find(types[i]);
    ASSERT_NE(set, nullptr) << i;
    EXPECT_EQ(set->ttl(), 10 + i);
    EXPECT_EQ(read_all(*set), (std::vector<std::vector<uint8_t>>{{static_cast<uint8_t>(i), 1, 2, 3}}));
  }
  for (size_t i = 1; i < node->rrsets().size(); ++i) {
    EXPECT_LT(node->rrsets()[i - 1].type(), node->rrsets()[i].type());
  }
  EXPECT_EQ(node->find(dns::RrType::SRV), nullptr);
  // The neighbours and the empty non-terminal above are as they were made.
  EXPECT_EQ(zone.find(name("a.example.").lowercased())->rrsets().size(), 3u);
  EXPECT_EQ(zone.find(name("b.example.").lowercased())->rrsets().size(), 5u);
  EXPECT_EQ(zone.find(name("c.example.").lowercased())->rrsets().size(), 1u);
  EXPECT_EQ(zone.find(name("below.example.").lowercased())->rrsets().size(), 0u);
  EXPECT_EQ(zone.soa().type(), dns::RrType::SOA);
  EXPECT_EQ(sizeof(Node), 4u);
}

INSTANTIATE_TEST_SUITE_P(
    Counts, NodeSetsTest,
    ::testing::Values(NodeCase{"none", 0}, NodeCase{"one", 1}, NodeCase{"two", 2},
                      NodeCase{"three", 3}, NodeCase{"four", 4}, NodeCase{"seven", 7}),
    [](const ::testing::TestParamInfo<NodeCase>& info) { return info.param.name; });

}  // namespace vmdns::zone
