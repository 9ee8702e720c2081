// ShardTable: every shard found by its apex through adds, replacements and removals (a removed
// shard's route goes, and the routes after it in its probe stay findable), and a copy that
// keeps what it was given while the original changes (copy on write).

#include "zone/shard_table.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "dns/rdata.h"
#include "zone/zone.h"
#include "zone/zone_builder.h"

namespace vmdns::zone {
namespace {

dns::Name apex_of(int i) {
  return *dns::Name::from_text("svc-" + std::to_string(i) + ".ns.svc.cluster.local");
}

// A shard with one A record whose last octet tells it apart.
std::shared_ptr<const Zone> shard(int i, uint8_t version) {
  ZoneBuilder b(apex_of(i));
  b.add(apex_of(i), dns::RrType::A, 5, dns::rdata::a({10, 0, 0, version}));
  return std::make_shared<const Zone>(std::move(b).finish_shard());
}

// The version of shard i in `table`; -1 when it has none.
int version_in(const ShardTable& table, int i) {
  const Zone* z = table.find(apex_of(i).wire_view());
  if (z == nullptr) {
    return -1;
  }
  const Node* n = z->find(apex_of(i).wire_view());
  const RrSet* a = n != nullptr ? n->find(dns::RrType::A) : nullptr;
  return a == nullptr ? -2 : a->first()[3];
}

TEST(ShardTable, FindsEveryShardThroughAddsReplacementsAndRemovals) {
  struct Step {
    const char* what;
    int first, last, step;  // the shards i in [first, last) by step
    int version;            // 0: removed
  };
  const std::vector<Step> steps = {
      {"add 3,000", 0, 3000, 1, 1},
      {"replace every third", 0, 3000, 3, 2},
      {"remove every other", 0, 3000, 2, 0},
      {"add some back", 0, 1000, 4, 3},
      {"remove most (compacts)", 1000, 3000, 1, 0},
      {"add again past the end", 2500, 2600, 1, 4},
  };
  ShardTable table;
  std::vector<int> want(3000, -1);
  for (const Step& step : steps) {
    for (int i = step.first; i < step.last; i += step.step) {
      table.set(apex_of(i), step.version == 0 ? nullptr : shard(i, static_cast<uint8_t>(step.version)));
      want[i] = step.version == 0 ? -1 : step.version;
    }
    for (int i = 0; i < 3000; ++i) {
      ASSERT_EQ(version_in(table, i), want[i]) << step.what << ", shard " << i;
    }
  }
  EXPECT_EQ(table.find(apex_of(5000).wire_view()), nullptr);
}

TEST(ShardTable, ACopyKeepsItsShardsWhileTheOriginalChanges) {
  ShardTable table;
  for (int i = 0; i < 100; ++i) {
    table.set(apex_of(i), shard(i, 1));
  }
  ShardTable copy = table;
  EXPECT_EQ(&copy.zones(), &table.zones());  // shared until one side changes
  table.set(apex_of(0), shard(0, 2));
  table.set(apex_of(1), nullptr);
  table.set(apex_of(100), shard(100, 1));
  EXPECT_NE(&copy.zones(), &table.zones());
  EXPECT_EQ(version_in(copy, 0), 1);
  EXPECT_EQ(version_in(copy, 1), 1);
  EXPECT_EQ(version_in(copy, 100), -1);
  EXPECT_EQ(version_in(table, 0), 2);
  EXPECT_EQ(version_in(table, 1), -1);
  EXPECT_EQ(version_in(table, 100), 1);
  // Removing what is not there copies nothing.
  ShardTable again = table;
  table.set(apex_of(5000), nullptr);
  EXPECT_EQ(&again.zones(), &table.zones());
}

}  // namespace
}  // namespace vmdns::zone
