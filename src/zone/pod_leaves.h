#pragma once
// The names under pod.<zone> with --pods verified (pod_rules.h), <address>.<namespace>.pod.<zone>,
// kept in buckets by their first label so that a change of one workload rebuilds one bucket,
// not every name. (--pods insecure has no leaves: Zone::with_dashed_addresses makes its names
// at query time.)
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

  // kBuckets entries, nullptr for an empty bucket; each a Zone whose apex is pod.<zone>,
  // holding <address>.<namespace>.pod.<zone> names.
  std::vector<std::shared_ptr<const Zone>> buckets = std::vector<std::shared_ptr<const Zone>>(kBuckets);
};

}  // namespace vmdns::zone
