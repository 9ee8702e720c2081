// The journal: the differences between consecutive versions of a zone (zone/zone_diff.h) and
// the chains of them IXFR answers from (RFC 1995 section 4).

#include "xfr/journal.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "xfr/serial.h"
#include "xfr_fixture.h"

namespace vmdns::xfr {
namespace {

using testing::make_snapshot;
using testing::texts;

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

struct DiffCase {
  const char* what;
  std::vector<std::string> before;
  std::vector<std::string> after;
  std::vector<std::string> removed;
  std::vector<std::string> added;
};

TEST(Journal, DifferencesBetweenTwoVersions) {
  const DiffCase cases[] = {
      {"nothing changed but the SOA", {"vm1.example. A 10.0.0.1"}, {"vm1.example. A 10.0.0.1"},
       {}, {}},
      {"a VMI migrates: its address replaced",
       {"vm1.example. A 10.0.0.1", "vm2.example. A 10.0.0.2"},
       {"vm1.example. A 10.0.0.9", "vm2.example. A 10.0.0.2"},
       {"vm1.example. A 10.0.0.1"},
       {"vm1.example. A 10.0.0.9"}},
      {"a name added", {}, {"new.vms.example. AAAA fd00::1"}, {}, {"new.vms.example. AAAA fd00::1"}},
      {"a name gone", {"old.example. CNAME vm1.example."}, {}, {"old.example. CNAME vm1.example."},
       {}},
      {"one address of a set of two", {"s.example. A 10.0.0.1", "s.example. A 10.0.0.2"},
       {"s.example. A 10.0.0.2"}, {"s.example. A 10.0.0.1"}, {}},
      {"a type added beside another", {"d.example. A 10.0.0.1"},
       {"d.example. A 10.0.0.1", "d.example. AAAA fd00::1"}, {}, {"d.example. AAAA fd00::1"}},
  };
  for (const DiffCase& c : cases) {
    SCOPED_TRACE(c.what);
    auto before = make_snapshot(10, c.before);
    auto after = make_snapshot(11, c.after);
    Delta d = make_delta(&before->zones()[0], after->zones()[0]);
    EXPECT_EQ(d.from_serial, 10u);
    EXPECT_EQ(d.to_serial, 11u);
    EXPECT_EQ(sorted(texts(d.removed)), sorted(c.removed));
    EXPECT_EQ(sorted(texts(d.added)), sorted(c.added));
    EXPECT_EQ(d.removed_count, c.removed.size());
    EXPECT_EQ(d.added_count, c.added.size());
  }
}

TEST(Journal, ChainsFromTheClientsSerial) {
  Journal journal;
  journal.publish(make_snapshot(100, {"a.example. A 10.0.0.1"}));
  journal.publish(make_snapshot(101, {"a.example. A 10.0.0.2"}));
  journal.publish(make_snapshot(102, {"a.example. A 10.0.0.3"}));
  std::string apex(testing::name("example.").wire_view());
  struct Case {
    const char* what;
    std::optional<uint32_t> client;
    bool chain;
    size_t deltas;
  } cases[] = {
      {"AXFR: no serial", std::nullopt, false, 0},
      {"two versions behind", 100, true, 2},
      {"one version behind", 101, true, 1},
      {"up to date: nothing to chain", 102, false, 0},
      {"a serial we never had", 7, false, 0},
      {"a newer serial (another server's)", 200, false, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Journal::View v = journal.view(apex, c.client);
    ASSERT_NE(v.zone, nullptr);
    EXPECT_EQ(v.serial, 102u);
    EXPECT_EQ(v.chain, c.chain);
    EXPECT_EQ(v.deltas.size(), c.deltas);
  }
  Journal::View v = journal.view(apex, 100);
  EXPECT_EQ(texts(v.deltas[0]->removed), std::vector<std::string>{"a.example. A 10.0.0.1"});
  EXPECT_EQ(texts(v.deltas[1]->added), std::vector<std::string>{"a.example. A 10.0.0.3"});
  EXPECT_EQ(journal.view(std::string(testing::name("other.").wire_view()), 100).zone, nullptr);
}

TEST(Journal, KeepsAtMostItsBound) {
  Journal journal;
  for (uint32_t serial = 1; serial <= Journal::kMaxDeltas + 10; ++serial) {
    journal.publish(make_snapshot(serial, {"a.example. A 10.0.0." + std::to_string(serial % 200)}));
  }
  std::string apex(testing::name("example.").wire_view());
  EXPECT_FALSE(journal.view(apex, 1).chain);   // dropped: the whole zone instead
  // kMaxDeltas + 9 differences were made (1 -> 2 ... 265 -> 266): the first 9 went.
  EXPECT_FALSE(journal.view(apex, 9).chain);
  EXPECT_TRUE(journal.view(apex, 10).chain);   // the oldest kept
  EXPECT_EQ(journal.view(apex, 10).deltas.size(), Journal::kMaxDeltas);
  EXPECT_GT(journal.bytes(), 0u);
  EXPECT_LT(journal.bytes(), Journal::kMaxBytes);
}

TEST(Serial, Rfc1982Arithmetic) {
  struct Case {
    uint32_t a, b;
    bool newer;
  } cases[] = {
      {2, 1, true},          {1, 2, false},          {1, 1, false},
      {5, 4294967290u, true}, {4294967290u, 5, false}, {0x80000000u, 0, false},  // undefined
      {0x7FFFFFFFu, 0, true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(serial_newer(c.a, c.b), c.newer) << c.a << " vs " << c.b;
  }
}

}  // namespace
}  // namespace vmdns::xfr
