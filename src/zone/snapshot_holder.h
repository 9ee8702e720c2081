#pragma once
// Publishes snapshots to the query workers (PowerDNS's sholder.hh pattern).
//
//   SnapshotHolder holder;                 // shared, owned by the control thread
//   holder.publish(builder::build(state, config));
//
//   LocalSnapshot local(holder);           // one per worker thread
//   const Snapshot* s = local.get();       // lock-free unless a new snapshot was published
//
// Why a per-worker copy of the pointer rather than an atomic shared_ptr: sync/published.h.

#include "sync/published.h"
#include "zone/snapshot.h"

namespace vmdns::zone {

using SnapshotHolder = sync::Published<Snapshot>;
using LocalSnapshot = sync::LocalCopy<Snapshot>;

}  // namespace vmdns::zone
