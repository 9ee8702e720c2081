#include "control/heap_trimmer.h"

#include <algorithm>
#include <utility>

#include "heap/allocator.h"

namespace vmdns::control {
namespace {

HeapReading read_process() { return HeapReading{heap::resident(), heap::in_use()}; }

size_t slack_of(const HeapReading& reading) {
  return reading.resident > reading.in_use ? reading.resident - reading.in_use : 0;
}

}  // namespace

HeapTrimmer::HeapTrimmer(HeapTrimOptions options) : options_(std::move(options)) {
  if (!options_.read) {
    options_.read = read_process;
  }
  if (!options_.trim) {
    options_.trim = [] { heap::release(); };
  }
}

void HeapTrimmer::after_batch(bool large, Clock::time_point now) {
  if (large || now - last_check_ >= options_.every) {
    check(now);
  }
  due_ = now + options_.quiet;
}

bool HeapTrimmer::check(Clock::time_point now) {
  last_check_ = now;
  due_.reset();
  size_t slack = slack_of(options_.read());
  if (slack < slack_after_trim_ + options_.threshold) {
    // A trim may have been undone by reuse since (the slack fell): the next one is measured
    // from there.
    slack_after_trim_ = std::min(slack_after_trim_, slack);
    return false;
  }
  options_.trim();
  ++trims_;
  slack_after_trim_ = slack_of(options_.read());
  return true;
}

}  // namespace vmdns::control
