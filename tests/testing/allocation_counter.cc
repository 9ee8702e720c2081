// Every replaceable form of operator new allocates with malloc and counts; every form of
// operator delete frees. All forms are replaced together: the standard library mixes them (for
// example std::get_temporary_buffer takes memory with the nothrow new and returns it with plain
// delete), and AddressSanitizer reports a new/free mismatch if only some were.
//
// jemalloc (the release build's allocator, src/heap/) defines operator new and delete too; the
// definitions here, in the executable, come first in the dynamic linker's search and win, and
// std::malloc is then jemalloc's.
//
// Under ThreadSanitizer, whose runtime defines operator new and delete itself (linked whole: a
// replacement would be defined twice), the runtime's allocation hook counts instead: every
// allocation of the program, malloc's included, which proves at least as much.

#include "testing/allocation_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VMDNS_COUNT_WITH_SANITIZER_HOOK 1
#include <sanitizer/allocator_interface.h>
#endif
#endif

namespace {

std::atomic<size_t> g_allocations{0};
thread_local size_t t_allocations = 0;

#ifdef VMDNS_COUNT_WITH_SANITIZER_HOOK
void count_allocation(const volatile void*, size_t) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  ++t_allocations;
}

void ignore_free(const volatile void*) {}

// Installed before main, as the replaced operators are in effect before main.
[[maybe_unused]] const int g_hooks =
    __sanitizer_install_malloc_and_free_hooks(count_allocation, ignore_free);
#else
void* counted_malloc(size_t size) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  ++t_allocations;
  return std::malloc(size == 0 ? 1 : size);
}

void* counted_or_throw(size_t size) {
  if (void* p = counted_malloc(size)) {
    return p;
  }
  throw std::bad_alloc();
}
#endif

}  // namespace

namespace vmdns::testing {
size_t allocations() { return g_allocations.load(std::memory_order_relaxed); }
size_t allocations_on_this_thread() { return t_allocations; }
}  // namespace vmdns::testing

#ifndef VMDNS_COUNT_WITH_SANITIZER_HOOK
#if defined(__GNUC__) && !defined(__clang__)
// GCC sees free() on memory from operator new and warns, not knowing that this file replaces
// operator new with malloc.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(size_t size) { return counted_or_throw(size); }
void* operator new[](size_t size) { return counted_or_throw(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept { return counted_malloc(size); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return counted_malloc(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif  // VMDNS_COUNT_WITH_SANITIZER_HOOK
