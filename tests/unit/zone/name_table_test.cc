// NameTable: dense indexes in insertion order, exact (octet-for-octet) keys, growth that keeps
// every earlier key findable.

#include "zone/name_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vmdns::zone {
namespace {

std::string wire(std::initializer_list<std::string> labels) {
  std::string out;
  for (const std::string& label : labels) {
    out += static_cast<char>(label.size());
    out += label;
  }
  return out + '\0';
}

TEST(NameTable, InsertsInOrderAndFindsExactKeysOnly) {
  struct Row {
    std::string key;
    uint32_t index;
    bool inserted;
  };
  const std::vector<Row> rows = {
      {wire({"cluster", "local"}), 0, true},
      {wire({"svc", "cluster", "local"}), 1, true},
      {wire({"cluster", "local"}), 0, false},  // again: the same index, nothing added
      {wire({"Cluster", "local"}), 2, true},   // keys are octets: callers lowercase first
      {std::string(1, '\0'), 3, true},         // the root
      {wire({std::string(63, 'a'), std::string(63, 'b'), std::string(63, 'c')}), 4, true},
  };
  NameTable table;
  for (const Row& row : rows) {
    auto [index, inserted] = table.insert(row.key);
    EXPECT_EQ(index, row.index) << row.key;
    EXPECT_EQ(inserted, row.inserted) << row.key;
    EXPECT_EQ(table.key(index), row.key);
  }
  EXPECT_EQ(table.size(), 5u);
  EXPECT_EQ(table.find(wire({"local"})), NameTable::kMissing);
  EXPECT_EQ(table.find(wire({"svc", "cluster", "local"}).substr(1)), NameTable::kMissing);
  EXPECT_EQ(NameTable().find(wire({"cluster", "local"})), NameTable::kMissing);
}

TEST(NameTable, KeepsEveryKeyAcrossGrowth) {
  NameTable table;
  std::vector<std::string> keys;
  for (int i = 0; i < 100000; ++i) {
    keys.push_back(wire({"vm-" + std::to_string(i), "grp", "ns-" + std::to_string(i % 7), "svc",
                         "cluster", "local"}));
    ASSERT_EQ(table.insert(keys.back()).first, static_cast<uint32_t>(i));
  }
  table.shrink_to_fit();
  for (uint32_t i = 0; i < keys.size(); ++i) {
    ASSERT_EQ(table.find(keys[i]), i);
  }
  EXPECT_EQ(table.find(wire({"vm-100000", "grp", "ns-0", "svc", "cluster", "local"})),
            NameTable::kMissing);
}

// A key inserted again just as the table is full enough to grow grows it all the same: every
// key stays findable, and a copy, then a frozen table, find the same.
TEST(NameTable, GrowsOnARepeatedKeyAndFreezesAsItWas) {
  NameTable table;
  std::vector<std::string> keys;
  for (int i = 0; i < 200; ++i) {
    keys.push_back(wire({"n" + std::to_string(i), "local"}));
    table.insert(keys.back());
    ASSERT_EQ(table.insert(keys.front()), std::make_pair(0u, false)) << i;
    ASSERT_EQ(table.find(keys.back()), static_cast<uint32_t>(i));
  }
  NameTable copy = table;
  std::vector<uint64_t> block(table.frozen_bytes() / 8);
  table.freeze_into(reinterpret_cast<std::byte*>(block.data()));
  EXPECT_EQ(table.memory_bytes(), 0u);
  for (uint32_t i = 0; i < keys.size(); ++i) {
    ASSERT_EQ(table.find(keys[i]), i);
    ASSERT_EQ(copy.find(keys[i]), i);
  }
  // A frozen table reads its keys in index order.
  std::vector<std::string> read;
  table.for_each_key([&](uint32_t index, std::string_view key) {
    EXPECT_EQ(index, read.size());
    read.emplace_back(key);
  });
  EXPECT_EQ(read, keys);
  EXPECT_EQ(table.find(wire({"n200", "local"})), NameTable::kMissing);
}

}  // namespace
// A frozen table whose keys take at most 64 KiB keeps 4-octet slots (16 hash bits and the
// key's offset), a larger one 8-octet slots: either finds every key, no other, and reads its
// keys in order; the narrow one takes half the slots' octets.
struct FreezeCase {
  const char* name;
  size_t keys;       // names inserted
  size_t key_size;   // octets of each key (a label of key_size - 2, then the root)
  bool narrow;
};

class NameTableFreezeTest : public ::testing::TestWithParam<FreezeCase> {};

TEST_P(NameTableFreezeTest, FindsEveryKeyInEitherSlotWidth) {
  const FreezeCase& c = GetParam();
  NameTable table;
  std::vector<std::string> keys;
  for (size_t i = 0; i < c.keys; ++i) {
    std::string label = std::to_string(i);
    label.insert(0, c.key_size - 2 - label.size(), 'k');
    keys.push_back(wire({label}));
    ASSERT_EQ(table.insert(keys.back()).first, i);
  }
  size_t slots = table.slot_count();
  std::vector<uint64_t> block(table.frozen_bytes() / 8);
  size_t key_bytes = c.keys * (4 + 1 + c.key_size);
  EXPECT_EQ(block.size() * 8, (c.narrow ? slots * 4 : slots * 8) + ((key_bytes + 7) & ~size_t{7}));
  table.freeze_into(reinterpret_cast<std::byte*>(block.data()));
  // A prefetch reads the slots as 8-octet units: a narrow table has half as many.
  EXPECT_EQ(table.slot_count(), c.narrow ? slots / 2 : slots);
  for (uint32_t i = 0; i < keys.size(); ++i) {
    ASSERT_EQ(table.find(keys[i]), i) << keys[i];
    uint32_t entry = table.first_entry(NameTable::hash(keys[i]));
    ASSERT_NE(entry, UINT32_MAX);
  }
  for (size_t i = c.keys; i < c.keys + 1000; ++i) {
    std::string label = std::to_string(i);
    label.insert(0, c.key_size > label.size() + 2 ? c.key_size - 2 - label.size() : 0, 'k');
    ASSERT_EQ(table.find(wire({label})), NameTable::kMissing) << label;
  }
  size_t read = 0;
  table.for_each_key([&](uint32_t index, std::string_view key) {
    EXPECT_EQ(key, keys[index]);
    ++read;
  });
  EXPECT_EQ(read, keys.size());
}

INSTANTIATE_TEST_SUITE_P(
    Widths, NameTableFreezeTest,
    ::testing::Values(FreezeCase{"a_service", 10, 12, true},
                      FreezeCase{"keys_of_64_kib", 65535 / 15, 10, true},  // 4,369 entries of 15
                      FreezeCase{"keys_past_64_kib", 65535 / 15 + 1, 10, false},
                      FreezeCase{"long_keys", 1000, 64, false}),
    [](const ::testing::TestParamInfo<FreezeCase>& info) { return info.param.name; });

}  // namespace vmdns::zone
