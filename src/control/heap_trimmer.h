#pragma once
// Gives the heap the control loop's work has freed back to the system, when there is enough of
// it to matter. The allocator keeps freed memory resident (glibc in each thread's arena,
// jemalloc as dirty pages until they decay): a relist, a batch of tens of thousands of queued
// changes or a replaced snapshot leave tens of MiB of it behind, and the resident size would
// stay at the highest it ever was.
//
//   HeapTrimmer trimmer;                           // owned by the control thread
//   trimmer.after_batch(/*large=*/true, now);      // after each batch applied
//   if (auto at = trimmer.next_check()) { sleep until *at; trimmer.check(*at); }
//
// The measure is the slack: the resident size less the heap in use (heap::in_use(): glibc's
// mallinfo2, jemalloc's stats.allocated). A trim (heap::release(): glibc's malloc_trim(0),
// jemalloc's purge of every arena) runs when the slack has grown by `threshold` since the slack the last trim
// left (fragmentation a trim cannot undo is not trimmed again and again). The slack is looked at
// after a large batch (a whole list, a relist's end), at least every `every`
// under a steady trickle of changes, and once `quiet` after the last batch, when what a batch
// made old has been let go (a snapshot is freed by its last reader, a worker that goes idle).

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>

namespace vmdns::control {

struct HeapReading {
  size_t resident = 0;  // bytes
  size_t in_use = 0;    // bytes the allocator has handed out
};

struct HeapTrimOptions {
  size_t threshold = size_t{16} << 20;
  std::chrono::milliseconds every{10000};
  std::chrono::milliseconds quiet{2000};
  // The process's figures and the allocator's trim (heap/); tests pass their own.
  std::function<HeapReading()> read = nullptr;
  std::function<void()> trim = nullptr;
};

class HeapTrimmer {
 public:
  using Clock = std::chrono::steady_clock;
  explicit HeapTrimmer(HeapTrimOptions options = {});

  // After a batch of changes was applied; `large` when it was a whole list or a list's end.
  void after_batch(bool large, Clock::time_point now);
  // When the check after the last batch is due; nullopt when none is pending.
  std::optional<Clock::time_point> next_check() const { return due_; }
  // Looks at the slack and trims if it grew enough; clears the pending check. True if it
  // trimmed.
  bool check(Clock::time_point now);

  size_t trims() const { return trims_; }

 private:
  HeapTrimOptions options_;
  std::optional<Clock::time_point> due_;
  Clock::time_point last_check_{};
  size_t slack_after_trim_ = 0;
  size_t trims_ = 0;
};

}  // namespace vmdns::control
