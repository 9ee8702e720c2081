#include "builder/build.h"

#include "builder/snapshot_builder.h"

namespace vmdns::builder {

std::shared_ptr<const zone::Snapshot> build(const cluster::State& state,
                                            const rules::ZoneConfig& config) {
  SnapshotBuilder builder;
  return builder.build(state, config);
}

}  // namespace vmdns::builder
