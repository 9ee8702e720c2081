// The allocator this build links (heap::allocator_name()), measured for real: what a batch of
// small blocks adds to in_use(), and the resident size release() gives back once they are freed
// (what the heap trimmer relies on after a relist).

#include "heap/allocator.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <set>
#include <vector>

namespace vmdns::heap {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

TEST(Allocator, NamesTheBuildsChoice) {
#ifdef VMDNS_EXPECT_JEMALLOC
  EXPECT_STREQ(allocator_name(), "jemalloc");
#else
  EXPECT_STREQ(allocator_name(), "glibc");
#endif
}

TEST(Allocator, InUseCountsSmallBlocksAndReleaseGivesFreedPagesBack) {
  configure();
  const size_t block = 1000;  // well under every mmap threshold: from the arenas
  const size_t count = 64 * kMiB / block;
  size_t before = in_use();
  std::vector<std::unique_ptr<char[]>> blocks;
  blocks.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    blocks.emplace_back(new char[block]);
    std::memset(blocks.back().get(), 1, block);  // touched: resident
  }
  EXPECT_GE(in_use(), before + 60 * kMiB);
  size_t full = resident();
  EXPECT_GE(full, 64 * kMiB);
  blocks.clear();
  blocks.shrink_to_fit();
  release();
  EXPECT_LT(in_use(), before + 4 * kMiB);
  EXPECT_LE(resident() + 48 * kMiB, full);
}

TEST(TransientAllocator, ServesAContainerAndFreesFromAnyThread) {
  std::set<int, std::less<int>, TransientAllocator<int>> keys;
  for (int i = 0; i < 10000; ++i) {
    keys.insert(i * 7 % 10000);
  }
  EXPECT_EQ(keys.size(), 10000u);
  EXPECT_EQ(*keys.begin(), 0);
  std::vector<int, TransientAllocator<int>> copied(keys.begin(), keys.end());
  EXPECT_EQ(copied.back(), 9999);
  void* block = allocate_transient(0);  // a valid, distinct block, as operator new(0) gives
  EXPECT_NE(block, nullptr);
  free_transient(block, 0);
  free_transient(nullptr, 8);
}

#ifdef VMDNS_EXPECT_JEMALLOC
// The point of the transient arena: a batch of short-lived blocks allocated between long-lived
// ones of the same size class leaves no page pinned once freed. In one arena, one long-lived
// block in every 64 keeps every page (and slab) resident.
TEST(TransientAllocator, FreedBatchLeavesNoPagePinnedByLongLivedNeighbours) {
  configure();
  const size_t block = 72;  // jemalloc's 80-byte class, as a std::set<ObjectKey> node
  const size_t count = 32 * kMiB / block;
  std::vector<void*> transient;
  std::vector<std::unique_ptr<char[]>> kept;
  transient.reserve(count);
  kept.reserve(count / 64 + 1);
  for (size_t i = 0; i < count; ++i) {
    transient.push_back(allocate_transient(block));
    std::memset(transient.back(), 1, block);
    if (i % 64 == 0) {
      kept.emplace_back(new char[block]);
      std::memset(kept.back().get(), 1, block);
    }
  }
  size_t full = resident();
  for (void* p : transient) {
    free_transient(p, block);
  }
  release();
  EXPECT_LE(resident() + 24 * kMiB, full);
}
#endif

}  // namespace
}  // namespace vmdns::heap
