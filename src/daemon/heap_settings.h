#pragma once
// The allocator's settings for a long-running server, set once at start, before any thread.
//
//   daemon::configure_heap();
//
// glibc raises its mmap threshold (128 KiB) to the size of each mmapped block freed, up to
// 32 MiB: after the first list page (about 1.3 MB of JSON) is freed, every later page, parser
// buffer and large table comes from the arenas instead, where the long-lived objects and
// snapshot parts allocated between them pin the pages, so a relist's memory stays resident after
// it is freed. A fixed threshold keeps every block of 128 KiB or more in its own mapping,
// returned to the system when it is freed.

namespace vmdns::daemon {

void configure_heap();

}  // namespace vmdns::daemon
