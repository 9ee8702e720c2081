// SRV targets stored once (zone/rr_set.h): an SRV set whose every target is a name of its zone
// references the names' keys; readers get the same rdatas as from a set stored inline, and a
// set with one target elsewhere, or in another case, stays inline.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/rdata.h"
#include "zone/zone_builder.h"
#include "zone/zone_diff.h"

namespace vmdns::zone {
namespace {

dns::Name name(const char* text) { return *dns::Name::from_text(text); }

std::vector<std::vector<uint8_t>> rdatas_of(const RrSet& set) {
  std::vector<std::vector<uint8_t>> out;
  set.for_each([&](std::span<const uint8_t> r) { out.emplace_back(r.begin(), r.end()); });
  return out;
}

struct SrvCase {
  const char* name;
  std::vector<const char*> targets;  // SRV targets at svc.example., port 80 + index
  bool referenced;
};

class SrvTargetsTest : public ::testing::TestWithParam<SrvCase> {};

TEST_P(SrvTargetsTest, ReadersSeeTheRdatasAdded) {
  const SrvCase& c = GetParam();
  ZoneBuilder b(name("example."));
  b.add(name("example."), dns::RrType::SOA, 5,
        dns::rdata::soa(name("ns.example."), name("h.example."), 1, 2, 3, 4, 5));
  b.add(name("a.svc.example."), dns::RrType::A, 5, dns::rdata::a({10, 0, 0, 1}));
  b.add(name("b.svc.example."), dns::RrType::A, 5, dns::rdata::a({10, 0, 0, 2}));
  std::vector<std::vector<uint8_t>> added;
  for (size_t i = 0; i < c.targets.size(); ++i) {
    added.push_back(dns::rdata::srv(0, 10, static_cast<uint16_t>(80 + i), name(c.targets[i])));
    b.add(name("svc.example."), dns::RrType::SRV, 5, added.back());
  }
  Zone zone = std::move(b).finish();
  const Node* node = zone.find(name("svc.example.").lowercased());
  ASSERT_NE(node, nullptr);
  const RrSet* set = node->find(dns::RrType::SRV);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->targets_referenced(), c.referenced);
  EXPECT_EQ(rdatas_of(*set), added);
  if (c.referenced) {
    // Every SRV here has priority 0 and weight 10: the set's header holds them once.
    EXPECT_EQ(set->entries_kind(), RrSet::Entries::kPortReferences);
    EXPECT_EQ(set->data().size(), added.size() * RrSet::kPortReferenceEntry);
    // The same target is the same reference (the answer's additional section relies on it).
    for (size_t i = 0; i < c.targets.size(); ++i) {
      for (size_t j = 0; j < c.targets.size(); ++j) {
        EXPECT_EQ(set->referenced_target(i) == set->referenced_target(j),
                  std::string(c.targets[i]) == c.targets[j])
            << i << " " << j;
      }
    }
  }
  // next() walks the same rdatas as for_each().
  RrSet::RdataBuffer buffer;
  size_t at = 0;
  std::vector<std::vector<uint8_t>> walked;
  while (set->has_entry(at)) {
    auto r = set->next(at, buffer);
    walked.emplace_back(r.begin(), r.end());
  }
  EXPECT_EQ(walked, added);
  EXPECT_TRUE(set->first().empty() || !c.referenced);
}

INSTANTIATE_TEST_SUITE_P(
    Sets, SrvTargetsTest,
    ::testing::Values(
        SrvCase{"in_zone", {"a.svc.example.", "b.svc.example.", "a.svc.example."}, true},
        SrvCase{"empty_non_terminal_target", {"svc.example.", "example."}, true},
        SrvCase{"one_outside", {"a.svc.example.", "mail.other."}, false},
        SrvCase{"not_in_zone", {"c.svc.example."}, false},
        // A key's octets below another apex of the same length: not a name of the zone.
        SrvCase{"same_key_other_apex", {"a.svc.example.", "a.svc.exampl3."}, false},
        SrvCase{"other_case", {"A.svc.example."}, false}),
    [](const ::testing::TestParamInfo<SrvCase>& info) { return info.param.name; });

// Two versions of a zone with the same SRV set laid out differently (a name more in one): the
// references differ, the records do not, and the diff says only what changed.
TEST(SrvTargetsDiff, ComparesRecordsNotReferences) {
  auto build = [](bool more) {
    ZoneBuilder b(name("example."));
    b.add(name("example."), dns::RrType::SOA, 5,
          dns::rdata::soa(name("ns.example."), name("h.example."), 1, 2, 3, 4, 5));
    if (more) {
      b.add(name("first.example."), dns::RrType::A, 5, dns::rdata::a({10, 0, 0, 9}));
    }
    b.add(name("a.example."), dns::RrType::A, 5, dns::rdata::a({10, 0, 0, 1}));
    b.add(name("svc.example."), dns::RrType::SRV, 5,
          dns::rdata::srv(0, 10, 80, name("a.example.")));
    return std::move(b).finish();
  };
  Zone before = build(false);
  Zone after = build(true);
  std::vector<std::string> changes;
  diff_zones(&before, &after,
             [&](bool added, std::string_view owner, const RrSet& set, std::span<const uint8_t>) {
               changes.push_back((added ? "+" : "-") + dns::rr_type_name(set.type()) + " " +
                                 std::to_string(owner.size()));
             });
  EXPECT_EQ(changes, std::vector<std::string>{"+A 15"});
}

}  // namespace
}  // namespace vmdns::zone
