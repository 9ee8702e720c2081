#include "daemon/heap_settings.h"

#include <malloc.h>

namespace vmdns::daemon {

void configure_heap() {
  // Setting it also turns off glibc's dynamic adjustment of the threshold (and of the trim
  // threshold).
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

}  // namespace vmdns::daemon
