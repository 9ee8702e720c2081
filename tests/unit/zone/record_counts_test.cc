// Records by type without a walk of the records: each part of a zone counts its own when it is
// built, a shard table keeps the sum of its shards' as they are set, replaced and removed, and
// a zone's count always equals what a walk of every node finds.

#include "zone/record_counts.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "zone/zone.h"
#include "zone/zone_builder.h"

namespace vmdns::zone {
namespace {

dns::Name name(const std::string& text) { return *dns::Name::from_text(text); }

std::vector<uint8_t> a(uint8_t last) { return {10, 0, 0, last}; }

// One record to add: owner (relative to the part's apex, "" for the apex), type, rdata octet.
struct Record {
  std::string owner;
  dns::RrType type;
  uint8_t octet;
};

std::shared_ptr<const Zone> shard(const std::string& apex, const std::vector<Record>& records) {
  ZoneBuilder b(name(apex));
  for (const Record& r : records) {
    b.add(name(r.owner.empty() ? apex : r.owner + "." + apex), r.type, 30,
          r.type == dns::RrType::AAAA ? std::vector<uint8_t>(16, r.octet) : a(r.octet));
  }
  return std::make_shared<const Zone>(std::move(b).finish_shard());
}

// What a walk of every node counts.
RecordCounts walked(const Zone& zone) {
  std::map<dns::RrType, uint64_t> by_type;
  zone.for_each_node([&by_type](std::string_view, const Node& node) {
    for (const RrSet& set : node.rrsets()) {
      by_type[set.type()] += set.size();
    }
  });
  return RecordCounts(by_type.begin(), by_type.end());
}

RecordCounts counted(const Zone& zone) {
  RecordCounts counts;
  zone.add_record_counts(counts);
  return counts;
}

Zone top() {
  ZoneBuilder b(name("cluster.local"));
  b.add(name("cluster.local"), dns::RrType::SOA, 30,
        // MNAME and RNAME the root, then serial, refresh, retry, expire, minimum.
        std::vector<uint8_t>{0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1});
  b.add(name("ns.dns.cluster.local"), dns::RrType::A, 30, a(10));
  return std::move(b).finish();
}

using dns::RrType;

// An A record at each of `count` names h0, h1, ...
std::vector<Record> many_names(int count) {
  std::vector<Record> out;
  for (int i = 0; i < count; ++i) {
    out.push_back({"h" + std::to_string(i), RrType::A, static_cast<uint8_t>(i)});
  }
  return out;
}

struct Step {
  const char* what;
  std::string apex;              // the shard set
  std::vector<Record> records;   // empty: the shard is removed
  RecordCounts expected;         // the joined zone's counts after the step
};

TEST(RecordCounts, AShardTableKeepsTheSumOfItsShards) {
  const std::vector<Step> steps = {
      {"a Service", "web.default.svc.cluster.local",
       {{"", RrType::A, 1}, {"", RrType::A, 2}, {"h1", RrType::A, 1}},
       {{RrType::A, 4}, {RrType::SOA, 1}}},
      {"another, dual-stack", "db.default.svc.cluster.local",
       {{"", RrType::A, 3}, {"", RrType::AAAA, 3}},
       {{RrType::A, 5}, {RrType::SOA, 1}, {RrType::AAAA, 1}}},
      {"the first replaced: one address fewer, a repeat kept once", "web.default.svc.cluster.local",
       {{"", RrType::A, 1}, {"", RrType::A, 1}},
       {{RrType::A, 3}, {RrType::SOA, 1}, {RrType::AAAA, 1}}},
      {"the second removed: its type goes", "db.default.svc.cluster.local", {},
       {{RrType::A, 2}, {RrType::SOA, 1}}},
      {"removed again: nothing changes", "db.default.svc.cluster.local", {},
       {{RrType::A, 2}, {RrType::SOA, 1}}},
      // A shard of more than Zone::kCountedBySets names keeps its counts; the small ones above
      // are counted by their sets.
      {"a Service of 17 names below its apex", "big.default.svc.cluster.local", many_names(17),
       {{RrType::A, 19}, {RrType::SOA, 1}}},
      {"then of 16", "big.default.svc.cluster.local", many_names(16),
       {{RrType::A, 18}, {RrType::SOA, 1}}},
  };
  ShardTable table;
  for (const Step& step : steps) {
    SCOPED_TRACE(step.what);
    table.set(name(step.apex), step.records.empty() ? nullptr : shard(step.apex, step.records));
    Zone joined = Zone::join(top(), std::make_shared<const ShardTable>(table), {3});
    EXPECT_EQ(counted(joined), step.expected);
    EXPECT_EQ(counted(joined), walked(joined));
    uint64_t total = 0;
    for (const auto& [type, n] : step.expected) {
      total += n;
    }
    EXPECT_EQ(joined.record_count(), total);
  }
}

struct AddCase {
  const char* name;
  RecordCounts before;
  RrType type;
  int64_t n;
  RecordCounts after;
};

class AddRecordCountTest : public ::testing::TestWithParam<AddCase> {};

TEST_P(AddRecordCountTest, Adds) {
  RecordCounts counts = GetParam().before;
  add_record_count(counts, GetParam().type, GetParam().n);
  EXPECT_EQ(counts, GetParam().after);
}

INSTANTIATE_TEST_SUITE_P(
    Counts, AddRecordCountTest,
    ::testing::Values(AddCase{"new_type_in_order", {{RrType::A, 1}, {RrType::SRV, 2}}, RrType::AAAA,
                              3, {{RrType::A, 1}, {RrType::AAAA, 3}, {RrType::SRV, 2}}},
                      AddCase{"more_of_a_type", {{RrType::A, 1}}, RrType::A, 2, {{RrType::A, 3}}},
                      AddCase{"down_to_zero_drops_it", {{RrType::A, 1}, {RrType::PTR, 4}},
                              RrType::PTR, -4, {{RrType::A, 1}}},
                      AddCase{"never_below_zero", {{RrType::A, 1}}, RrType::A, -5, {}},
                      AddCase{"taking_from_a_missing_type", {}, RrType::TXT, -1, {}}),
    [](const ::testing::TestParamInfo<AddCase>& info) { return info.param.name; });

}  // namespace
}  // namespace vmdns::zone
