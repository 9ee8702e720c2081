#pragma once
// A zone's records by type, ascending type: what /metrics shows (coredns-style counts per type),
// kept by each part of a zone from its build so that counting a snapshot reads each part's
// few numbers (or a shard table's running sum), never its records.
//
//   RecordCounts counts;
//   add_record_count(counts, dns::RrType::A, 3);    // {{A, 3}}
//   add_record_count(counts, dns::RrType::A, -3);   // {}: a type without records is dropped

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "dns/types.h"

namespace vmdns::zone {

using RecordCounts = std::vector<std::pair<dns::RrType, uint64_t>>;

// Adds `n` (negative: takes away) records of `type`; the count of a type never goes below 0.
inline void add_record_count(RecordCounts& counts, dns::RrType type, int64_t n) {
  auto at = std::lower_bound(counts.begin(), counts.end(), type,
                             [](const auto& entry, dns::RrType t) { return entry.first < t; });
  if (at == counts.end() || at->first != type) {
    if (n <= 0) {
      return;
    }
    at = counts.insert(at, {type, 0});
  }
  at->second = n < 0 && static_cast<uint64_t>(-n) >= at->second
                   ? 0
                   : static_cast<uint64_t>(static_cast<int64_t>(at->second) + n);
  if (at->second == 0) {
    counts.erase(at);
  }
}

// Adds every count of `more`, each multiplied by `sign` (1 or -1).
inline void merge_record_counts(RecordCounts& counts, const RecordCounts& more, int sign = 1) {
  for (const auto& [type, n] : more) {
    add_record_count(counts, type, sign * static_cast<int64_t>(n));
  }
}

}  // namespace vmdns::zone
