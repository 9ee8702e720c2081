#pragma once
// The process's allocator, glibc's malloc or jemalloc (the build's choice: VMDNS_JEMALLOC, on
// by default outside the sanitizer builds), behind the few calls a long-running server needs:
// its settings at start, the bytes it has handed out, and giving freed memory back.
//
//   heap::configure();                         // once, before the first thread
//   size_t used = heap::in_use();
//   heap::release();                           // after a large batch was freed
//   spdlog::info("heap: {}", heap::allocator_name());
//
// Why jemalloc: glibc's arenas keep freed memory wherever a live block sits on the same page,
// and a server that replaces its snapshot and its decoded objects again and again (a relist, a
// stream of watch events) grows resident by fragmentation that malloc_trim cannot undo; jemalloc's
// size classes and its purge of whole unused pages keep the resident size near what is in use
// (BENCHMARKS.md, "The allocator").

#include <cstddef>

namespace vmdns::heap {

// "jemalloc" or "glibc".
const char* allocator_name();

// The allocator's settings for a long-running server. glibc: a fixed mmap threshold.
// jemalloc: its settings are read from `malloc_conf` at its first allocation, before main
// (MALLOC_CONF in the environment overrides them); nothing left to do here.
void configure();

// Bytes handed out and not yet freed.
size_t in_use();

// Gives the memory the allocator holds free back to the system: glibc's malloc_trim(0),
// jemalloc's purge of every arena's unused pages.
void release();

// The process's resident size in bytes (/proc/self/statm), 0 if unreadable.
size_t resident();

}  // namespace vmdns::heap
