// glibc's malloc: the builds without jemalloc (the sanitizer builds, whose runtimes replace
// malloc themselves, and -DVMDNS_JEMALLOC=OFF).

#include <malloc.h>

#include "heap/allocator.h"

namespace vmdns::heap {

const char* allocator_name() { return "glibc"; }

void configure() {
  // glibc raises its mmap threshold (128 KiB) to the size of each mmapped block freed, up to
  // 32 MiB: after the first list page (about 1.3 MB of JSON) is freed, every later page, parser
  // buffer and large table comes from the arenas instead, where the long-lived objects and
  // snapshot parts allocated between them pin the pages, so a relist's memory stays resident
  // after it is freed. A fixed threshold keeps every block of 128 KiB or more in its own
  // mapping, returned to the system when it is freed. Setting it also turns off the dynamic
  // adjustment of the threshold (and of the trim threshold).
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

size_t in_use() {
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;  // arenas' chunks in use + mmapped blocks
}

void release() { malloc_trim(0); }

void use_transient_arena() {}

void* allocate_transient(size_t bytes) { return ::operator new(bytes); }

void free_transient(void* block, size_t) noexcept { ::operator delete(block); }

}  // namespace vmdns::heap
