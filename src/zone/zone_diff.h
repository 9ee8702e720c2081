#pragma once
// The records that differ between two versions of one zone: what an incremental zone transfer
// (RFC 1995) sends. Parts that consecutive snapshots share (a Service's shard, a pod leaf
// bucket, held by the same shared_ptr) are skipped without being read, so the diff of a
// change costs about what the change rebuilt, not the zone's size.
//
//   diff_zones(before, after, [&](bool added, std::string_view owner_wire, const RrSet& set,
//                                 std::span<const uint8_t> rdata) { ... });
//
// The apex SOA is never reported: the transfer writes the two versions' SOAs itself. A record
// whose set changed TTL is reported removed with the old TTL and added with the new one. Names
// are the zone's lowercased wire keys; the order is the zone's, not canonical.

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "zone/rr_set.h"
#include "zone/zone.h"

namespace vmdns::zone {

// `added` false: in `before`, not in `after`; true: the other way.
using DiffSink = std::function<void(bool added, std::string_view owner_wire, const RrSet& set,
                                    std::span<const uint8_t> rdata)>;

// Either zone may be null: every record of the other one is then reported.
void diff_zones(const Zone* before, const Zone* after, const DiffSink& sink);

}  // namespace vmdns::zone
