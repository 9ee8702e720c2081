#pragma once
// cluster::State -> an immutable Snapshot holding every record of every configured zone.
//
//   auto snapshot = builder::build(state, config);
//
// The record rules (Kubernetes DNS-Based Service Discovery specification, and KubeVirt's VMI
// names on top of it) live in record_rules.cc; this is the entry point the sources call.

#include <memory>

#include "cluster/model.h"
#include "rules/zone_config.h"
#include "zone/snapshot.h"

namespace vmdns::builder {

std::shared_ptr<const zone::Snapshot> build(const cluster::State& state,
                                            const rules::ZoneConfig& config);

}  // namespace vmdns::builder
