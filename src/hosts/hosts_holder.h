#pragma once
// Publishes hosts tables to the query workers, as zone::SnapshotHolder publishes snapshots:
// each worker keeps its own pointer and refreshes it only when the generation moves, so a
// lookup takes no lock and touches no shared reference count.
//
//   HostsHolder holder;
//   holder.publish(HostsTable::build(entries, 3600));   // at start, and when the file changes
//   LocalHosts local(holder);                          // one per worker
//   if (const HostsTable* table = local.get()) { ... }  // null: no hosts entries at all

#include "hosts/hosts_table.h"
#include "sync/published.h"

namespace vmdns::hosts {

using HostsHolder = sync::Published<HostsTable>;
using LocalHosts = sync::LocalCopy<HostsTable>;

}  // namespace vmdns::hosts
