#pragma once
// Names two labels or more below a zone's apex, kept in buckets by the label two below the apex
// so that a change of one workload rebuilds one bucket, not every name:
// - pod.<zone> with --pods verified: <address>.<namespace>.pod.<zone>, exactly two labels
//   below, by the address's label. (--pods insecure has no leaves: Zone::with_dashed_addresses
//   makes its names at query time.)
// - the --vm-zone (`subtrees`): <vmi>.<namespace>.<zone> and every name below it
//   (<interface>.<vmi>.<namespace>.<zone>), by the VMI's label, so that a VMI's names are in
//   one bucket whatever the size of its namespace.
//
//   auto leaves = std::make_shared<PodLeaves>();
//   leaves->buckets[PodLeaves::bucket_of("10-0-0-1")] = zone_of_that_bucket;
//   Zone pod = Zone::with_leaves(std::move(top_with_namespaces), leaves);

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "zone/zone.h"

namespace vmdns::zone {

struct PodLeaves {
  static constexpr size_t kBuckets = 1024;
  // The bucket of a name whose first label is `label` (lowercased, without its length octet).
  static size_t bucket_of(std::string_view label);

  // kBuckets entries, nullptr for an empty bucket; each a Zone whose apex is the apex of the
  // zone they are the leaves of (pod.<zone>), holding <label>.<namespace>.<apex> names and,
  // with `subtrees`, the names below them.
  std::vector<std::shared_ptr<const Zone>> buckets = std::vector<std::shared_ptr<const Zone>>(kBuckets);
  // false: only names exactly two labels below the apex, whose parent the top holds (pod.<zone>);
  // true: whole subtrees two labels below the apex (the --vm-zone's VMIs).
  bool subtrees = false;
};

}  // namespace vmdns::zone
