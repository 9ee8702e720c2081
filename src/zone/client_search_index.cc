#include "zone/client_search_index.h"

#include <algorithm>
#include <array>

namespace vmdns::zone {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

size_t ClientSearchIndex::bucket_of(std::string_view octets) {
  // FNV-1a: the last octets of cluster addresses differ most, and all of them count here.
  uint32_t hash = 2166136261u;
  for (char octet : octets) {
    hash = (hash ^ static_cast<uint8_t>(octet)) * 16777619u;
  }
  return hash % kBuckets;
}

const ClientSearch* ClientSearchIndex::find(std::span<const uint8_t> address) const {
  if (address.size() == 16 &&
      std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), address.begin())) {
    address = address.subspan(12);
  }
  if ((address.size() != 4 && address.size() != 16) || buckets_.empty()) {
    return nullptr;
  }
  std::string_view key(reinterpret_cast<const char*>(address.data()), address.size());
  const Bucket* bucket = buckets_[bucket_of(key)].get();
  if (bucket == nullptr) {
    return nullptr;
  }
  auto it = bucket->by_address.find(key);
  return it == bucket->by_address.end() ? nullptr : it->second;
}

void ClientSearchIndex::for_each(
    const std::function<void(std::string_view octets, const ClientSearch&)>& fn) const {
  for (const std::shared_ptr<const Bucket>& bucket : buckets_) {
    if (bucket) {
      for (const auto& [octets, list] : bucket->by_address) {
        fn(octets, *list);
      }
    }
  }
}

}  // namespace vmdns::zone
