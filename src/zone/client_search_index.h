#pragma once
// Who is asking: the search list (client_search.h) of every VMI guest and Pod, by the address
// its queries come from. Computed when a snapshot is built, so that the query path only looks an
// address up (server-side search, --autopath; short names, --expand-short-names).
//
//   ClientSearchIndex index = client_search_set.index();      // builder/client_search_set.h
//   const ClientSearch* client = index.find(address_octets);   // 4 or 16 octets; nullptr: unknown
//   client->search[0];           // mysubdomain.default.svc.cluster.local.  (the page's vmi-fedora)
//   client->namespace_domain;    // default.svc.cluster.local.
//
// The search lists are the ones the workloads really get (the builder reads them with
// resolvconf/'s rules; the index itself is plain data, names by address): a VMI's guest gets its
// launcher pod's list with its subdomain entry first (KubeVirt's DHCP server); a Pod gets
// kubelet's list for its dnsPolicy and dnsConfig. VMIs are always indexed; Pods only with
// --pods verified, as CoreDNS's autopath needs its verified pod data. Clients with the same
// list share one copy. An address claimed by several workloads goes to a VMI before a Pod, to a
// Running one before others, then to the first in namespace/name order.
//
// The index is split into buckets by address, each shared between snapshots until a workload
// with an address in it changes (builder/client_search_set.h keeps them).

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "zone/client_search.h"

namespace vmdns::zone {

class ClientSearchIndex {
 public:
  static constexpr size_t kBuckets = 1024;

  // The clients of the addresses whose octets hash to one bucket.
  struct Bucket {
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
      }
    };
    // The 4 or 16 octets of an address -> its client's list, one of `lists`.
    std::unordered_map<std::string, const ClientSearch*, Hash, std::equal_to<>> by_address;
    std::vector<std::shared_ptr<const ClientSearch>> lists;  // keeps the lists alive
  };

  ClientSearchIndex() = default;
  // `buckets`: kBuckets entries (nullptr: no client there), or none at all.
  ClientSearchIndex(std::vector<std::shared_ptr<const Bucket>> buckets, size_t clients)
      : buckets_(std::move(buckets)), clients_(clients) {}

  // Which bucket holds the address with these octets.
  static size_t bucket_of(std::string_view octets);

  // `address` is the 4 octets of an IPv4 or the 16 of an IPv6 address (an IPv4-mapped IPv6
  // address is looked up as IPv4). No allocation.
  const ClientSearch* find(std::span<const uint8_t> address) const;
  size_t client_count() const { return clients_; }
  bool empty() const { return clients_ == 0; }
  // Every client, bucket by bucket (for tests and dumps).
  void for_each(const std::function<void(std::string_view octets, const ClientSearch&)>& fn) const;

  const std::vector<std::shared_ptr<const Bucket>>& buckets() const { return buckets_; }

 private:
  std::vector<std::shared_ptr<const Bucket>> buckets_;
  size_t clients_ = 0;
};

}  // namespace vmdns::zone
