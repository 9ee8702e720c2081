// jemalloc (VMDNS_JEMALLOC): its settings, its statistics and its purge, through mallctl.

#include <jemalloc/jemalloc.h>

#include <cstdint>
#include <new>

#include "heap/allocator.h"

// Read by jemalloc at its first allocation, before main; MALLOC_CONF in the environment
// overrides each setting it names. Measured in BENCHMARKS.md ("The allocator"):
//  - dirty_decay_ms: pages freed are given back to the system within about a second (10 s by
//    default), so a settled process does not sit on them; muzzy_decay_ms:0 gives them back at
//    once rather than keeping them lazily freed (MADV_FREE pages still count as resident until
//    the kernel needs them).
//  - narenas:1: the threads that allocate (the control thread, a reflector per kind, the file
//    watcher) share one arena instead of 4 per core: the query workers allocate nothing, and
//    each arena more holds its own partly used pages (a manifest's load peaked 50 MiB lower than
//    with 2 or 8; the first API sync and the chaos soak measured the same). Each thread's cache
//    (tcache, on) keeps them off the arena's lock for most blocks.
//  - slab_sizes:129-224:1: the 160-, 192- and 224-byte classes in slabs of one page (18 to 25
//    blocks) instead of 3 to 7 (64 to 128 blocks). A load makes each model object three times
//    (decoded, copied into the control thread's heap, stored) and frees the first two; a slab
//    of 128 blocks in which one survivor remains stays resident: a node of State::vmis in the
//    224-byte class left a quarter of its slabs' room unused at 100,000 VMIs (7 MiB), where one
//    page a slab leaves almost none. A page holds 64 to 96 bytes that fit no block (2 %).
extern "C" {
const char* malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0,narenas:1,slab_sizes:129-224:1";
}

namespace vmdns::heap {
namespace {

#define VMDNS_TEXT_OF(x) #x
#define VMDNS_TEXT(x) VMDNS_TEXT_OF(x)

// The statistics are a snapshot taken when the epoch is advanced.
void refresh() {
  uint64_t epoch = 1;
  size_t size = sizeof(epoch);
  mallctl("epoch", &epoch, &size, &epoch, size);
}

// The transient arena's index, created at first use; arena 0 (everyone's) if jemalloc cannot
// create one. Its settings are the process's (malloc_conf applies to every arena).
unsigned transient_arena() {
  static const unsigned index = [] {
    unsigned created = 0;
    size_t size = sizeof(created);
    return mallctl("arenas.create", &created, &size, nullptr, 0) == 0 ? created : 0u;
  }();
  return index;
}

// Blocks of the transient arena bypass the thread caches: a cache holds blocks for its
// thread's arena, and one that held these would hand them out for long-lived allocations.
constexpr int kTransientFlags = MALLOCX_TCACHE_NONE;

}  // namespace

void use_transient_arena() {
  unsigned index = transient_arena();
  mallctl("thread.arena", nullptr, nullptr, &index, sizeof(index));
}

void* allocate_transient(size_t bytes) {
  void* block = mallocx(bytes == 0 ? 1 : bytes, MALLOCX_ARENA(transient_arena()) | kTransientFlags);
  if (block == nullptr) {
    throw std::bad_alloc();
  }
  return block;
}

void free_transient(void* block, size_t bytes) noexcept {
  if (block != nullptr) {
    sdallocx(block, bytes == 0 ? 1 : bytes, kTransientFlags);
  }
}

const char* allocator_name() { return "jemalloc"; }

void configure() {}

size_t in_use() {
  refresh();
  size_t allocated = 0;
  size_t size = sizeof(allocated);
  if (mallctl("stats.allocated", &allocated, &size, nullptr, 0) != 0) {
    return 0;
  }
  return allocated;
}

void release() {
  // Every arena's unused dirty and muzzy pages, at once (the decay would give them back over
  // dirty_decay_ms, but only as the arena is used again).
  mallctl("arena." VMDNS_TEXT(MALLCTL_ARENAS_ALL) ".purge", nullptr, nullptr, nullptr, 0);
}

}  // namespace vmdns::heap
