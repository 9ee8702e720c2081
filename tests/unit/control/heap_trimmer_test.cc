// When the control loop gives freed heap back to the system: the slack (resident less in use)
// looked at after large batches, at least every `every`, and once quiet; trimmed when it grew
// by the threshold since the last trim left it.

#include "control/heap_trimmer.h"

#include <gtest/gtest.h>

#include <vector>

namespace vmdns::control {
namespace {

using namespace std::chrono_literals;
using Clock = HeapTrimmer::Clock;
constexpr size_t kMiB = size_t{1} << 20;

// A process whose resident size the test sets; a trim gives back all of the slack but `stuck`
// (fragmentation a trim cannot undo).
struct FakeProcess {
  size_t resident = 100 * kMiB;
  size_t in_use = 100 * kMiB;
  size_t stuck = 0;
  int reads = 0;
  HeapTrimOptions options() {
    HeapTrimOptions o;
    o.threshold = 16 * kMiB;
    o.every = 10s;
    o.quiet = 2s;
    o.read = [this] {
      ++reads;
      return HeapReading{resident, in_use};
    };
    o.trim = [this] { resident = in_use + stuck; };
    return o;
  }
};

TEST(HeapTrimmer, ALargeBatchIsLookedAtAtOnceAndTrimmedWhenTheSlackGrew) {
  FakeProcess process;
  HeapTrimmer trimmer(process.options());
  Clock::time_point t{};
  process.resident += 40 * kMiB;  // a list's pages freed
  trimmer.after_batch(true, t);
  EXPECT_EQ(trimmer.trims(), 1u);
  EXPECT_EQ(process.resident, process.in_use);
  EXPECT_EQ(trimmer.next_check(), t + 2s);  // and again once quiet
}

TEST(HeapTrimmer, ASmallSlackIsLeftAlone) {
  FakeProcess process;
  HeapTrimmer trimmer(process.options());
  process.resident += 15 * kMiB;
  trimmer.after_batch(true, Clock::time_point{});
  EXPECT_EQ(trimmer.trims(), 0u);
}

TEST(HeapTrimmer, SmallBatchesAreLookedAtOnceQuietOrEveryTenSeconds) {
  FakeProcess process;
  HeapTrimmer trimmer(process.options());
  Clock::time_point t{};
  trimmer.after_batch(false, t + 10s);  // the first: ten seconds since "never"
  int reads = process.reads;
  process.resident += 20 * kMiB;
  trimmer.after_batch(false, t + 11s);  // a trickle of watch events: not looked at
  trimmer.after_batch(false, t + 12s);
  EXPECT_EQ(process.reads, reads);
  EXPECT_EQ(trimmer.next_check(), t + 14s);
  EXPECT_TRUE(trimmer.check(t + 14s));  // quiet for 2 s: the control loop wakes for it
  EXPECT_FALSE(trimmer.next_check().has_value());
  process.resident += 20 * kMiB;
  trimmer.after_batch(false, t + 20s);
  EXPECT_EQ(trimmer.trims(), 1u);
  trimmer.after_batch(false, t + 24s);  // ten seconds since the last look
  EXPECT_EQ(trimmer.trims(), 2u);
}

TEST(HeapTrimmer, FragmentationATrimCannotUndoIsNotTrimmedAgainAndAgain) {
  FakeProcess process;
  process.stuck = 30 * kMiB;
  HeapTrimmer trimmer(process.options());
  Clock::time_point t{};
  process.resident += 50 * kMiB;
  trimmer.after_batch(true, t);
  EXPECT_EQ(trimmer.trims(), 1u);
  EXPECT_EQ(process.resident, process.in_use + 30 * kMiB);
  trimmer.after_batch(true, t + 1s);  // 30 MiB of slack, all of it left by the last trim
  EXPECT_EQ(trimmer.trims(), 1u);
  process.resident += 16 * kMiB;
  trimmer.after_batch(true, t + 2s);  // 16 MiB more than the trim left
  EXPECT_EQ(trimmer.trims(), 2u);
}

TEST(HeapTrimmer, SlackTakenBackByReuseIsMeasuredFromWhereItFell) {
  FakeProcess process;
  process.stuck = 30 * kMiB;
  HeapTrimmer trimmer(process.options());
  Clock::time_point t{};
  process.resident += 50 * kMiB;
  trimmer.after_batch(true, t);  // leaves 30 MiB
  process.in_use += 30 * kMiB;   // reused: no slack left
  trimmer.after_batch(true, t + 1s);
  process.in_use -= 20 * kMiB;  // freed again: 20 MiB of slack, over the 0 it fell to
  trimmer.after_batch(true, t + 2s);
  EXPECT_EQ(trimmer.trims(), 2u);
}

}  // namespace
}  // namespace vmdns::control
