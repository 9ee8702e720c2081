#pragma once
// The names under pod.<zone> (pod_rules.h), <address>.<namespace>.pod.<zone>, kept in buckets by
// their first label so that a change of one workload rebuilds one bucket, not every name.
// With --pods insecure every namespace holds the same addresses: a bucket holds each address
// once, as <address>.pod.<zone>, and Zone::find puts the namespace back (the namespace must be
// one of pod.<zone>'s own names). Memory and rebuilds then grow with the addresses, not with
// addresses times namespaces. With --pods verified a bucket holds the names themselves.
//
//   auto leaves = std::make_shared<PodLeaves>();
//   leaves->buckets[PodLeaves::bucket_of("10-0-0-1")] = zone_of_that_bucket;
//   Zone pod = Zone::with_leaves(std::move(top_with_namespaces), leaves);

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "zone/snapshot.h"

namespace vmdns::zone {

struct PodLeaves {
  static constexpr size_t kBuckets = 1024;
  // The bucket of a name whose first label is `label` (lowercased, without its length octet).
  static size_t bucket_of(std::string_view label);

  // kBuckets entries, nullptr for an empty bucket; each a Zone whose apex is pod.<zone>.
  std::vector<std::shared_ptr<const Zone>> buckets = std::vector<std::shared_ptr<const Zone>>(kBuckets);
  // Verified: the buckets hold <address>.<namespace>.pod.<zone>; insecure: <address>.pod.<zone>.
  bool per_namespace = false;
};

}  // namespace vmdns::zone
