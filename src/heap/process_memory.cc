#include <unistd.h>

#include <cstdio>

#include "heap/allocator.h"

namespace vmdns::heap {

size_t resident() {
  size_t bytes = 0;
  // statm: size, resident, ... in pages.
  if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
    unsigned long size = 0;
    unsigned long pages = 0;
    if (std::fscanf(statm, "%lu %lu", &size, &pages) == 2) {
      bytes = pages * static_cast<size_t>(sysconf(_SC_PAGESIZE));
    }
    std::fclose(statm);
  }
  return bytes;
}

}  // namespace vmdns::heap
