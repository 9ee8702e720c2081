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
#include <new>

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

// Short-lived blocks in an arena of their own (jemalloc; glibc's malloc has one heap for all).
// A stream of changes allocates many small blocks that live for one batch (a decoded watch
// event, the keys of the objects that changed) beside the few that stay (a Service's records, a
// store node), in the same size classes: when the short-lived ones are freed, the long-lived
// ones left on their pages keep those pages resident (the chaos soak's resident size grew by a
// third over its settled size, 10 MiB of it in the 80-byte class alone at 5 % full). Kept apart,
// the short-lived blocks reuse their own pages, batch after batch.
//
//   heap::use_transient_arena();   // a thread whose own allocations are short-lived
//   std::set<Key, std::less<Key>, heap::TransientAllocator<Key>> changed;
//
// The calling thread's allocations (but those given an arena explicitly) go to the transient
// arena from now on: for threads that only decode and hand over (a reflector; its objects are
// copied where they are kept).
void use_transient_arena();
// A block from the transient arena; any thread may free it with free_transient().
void* allocate_transient(size_t bytes);
void free_transient(void* block, size_t bytes) noexcept;

// A standard allocator over allocate_transient(), for containers that live for one batch.
template <typename T>
struct TransientAllocator {
  using value_type = T;
  static_assert(alignof(T) <= alignof(std::max_align_t), "over-aligned types are not supported");

  TransientAllocator() noexcept = default;
  template <typename U>
  TransientAllocator(const TransientAllocator<U>&) noexcept {}

  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) {
      throw std::bad_array_new_length();
    }
    return static_cast<T*>(allocate_transient(n * sizeof(T)));
  }
  void deallocate(T* block, size_t n) noexcept { free_transient(block, n * sizeof(T)); }

  template <typename U>
  bool operator==(const TransientAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace vmdns::heap
