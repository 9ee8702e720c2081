#pragma once
// Counts heap allocations, so that a test can prove a path makes none (ARCHITECTURE.md habit 4).
// Linking tests/testing/allocation_counter.cc into a test binary replaces the global operator
// new and delete (every form) for the whole binary, harmlessly.

#include <cstddef>

namespace vmdns::testing {

// Allocations made so far by any thread, and by the calling thread alone.
size_t allocations();
size_t allocations_on_this_thread();

}  // namespace vmdns::testing
