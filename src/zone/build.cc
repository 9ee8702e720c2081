#include "zone/build.h"

#include "zone/snapshot_builder.h"

namespace vmdns::zone {

std::shared_ptr<const Snapshot> build(const cluster::State& state, const ZoneConfig& config) {
  SnapshotBuilder builder;
  return builder.build(state, config);
}

}  // namespace vmdns::zone
