// The allocator this build links (heap::allocator_name()), measured for real: what a batch of
// small blocks adds to in_use(), and the resident size release() gives back once they are freed
// (what the heap trimmer relies on after a relist).

#include "heap/allocator.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
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

}  // namespace
}  // namespace vmdns::heap
