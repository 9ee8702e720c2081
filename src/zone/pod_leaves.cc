#include "zone/pod_leaves.h"

#include <cstdint>

namespace vmdns::zone {

size_t PodLeaves::bucket_of(std::string_view label) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (char c : label) {
    hash = (hash ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  }
  return static_cast<size_t>(hash % kBuckets);
}

}  // namespace vmdns::zone
