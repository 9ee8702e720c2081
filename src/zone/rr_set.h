#pragma once
// The records of one owner name and type: a view of rdatas stored back to back in a zone's
// record block, each prefixed by its 2-octet length, so that an answer copies them to the wire
// in one pass.
//
//   const RrSet* set = node->find(dns::RrType::A);
//   set->for_each([](std::span<const uint8_t> rdata) { ... });   // in insertion order
//
// An SRV set whose every target is a name of its own zone stores each target once, as the key
// of the zone's name table: its entries are the 2-octet rdata length, the rdata's fixed part
// (priority, weight, port) and a 4-octet reference to the key, relative to the entry (a
// Service's shard names each endpoint six times in SRV targets: this is most of its bytes).
// A key holds a name's octets below its zone's apex, so such a set is preceded by a 4-octet
// header, the offset from its entries back to the apex, which completes each target.
// Readers see whole rdatas either way: for_each() and next() put such an rdata together in a
// buffer of the caller's (a stack array; nothing is allocated).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "dns/types.h"

namespace vmdns::zone {

class RrSet {
 public:
  // Where the target name starts in an SRV rdata (RFC 2782): after priority, weight and port.
  static constexpr size_t kSrvFixed = 6;
  // An entry whose target is referenced: length, fixed part, reference.
  static constexpr size_t kReferenceEntry = 2 + kSrvFixed + 4;
  // Before the entries of such a set: how far back the zone's apex is (its wire octets).
  static constexpr size_t kReferenceHeader = 4;
  // Room for any rdata whose target is referenced: the fixed part and a name of 255 octets.
  using RdataBuffer = uint8_t[kSrvFixed + 255];

  RrSet() = default;
  RrSet(dns::RrType type, uint32_t ttl, uint32_t count, std::span<const uint8_t> data,
        bool targets_referenced = false)
      : data_(data.data()), length_(static_cast<uint32_t>(data.size())), ttl_(ttl),
        count_(count), type_(type), targets_referenced_(targets_referenced) {}

  dns::RrType type() const { return type_; }
  uint32_t ttl() const { return ttl_; }
  size_t size() const { return count_; }
  // The stored entries, back to back: length-prefixed rdatas, or with targets_referenced()
  // entries of kReferenceEntry octets. Read them with next() or for_each().
  std::span<const uint8_t> data() const { return {data_, length_}; }
  // True for an SRV set that stores its targets as references (see above).
  bool targets_referenced() const { return targets_referenced_; }

  // The first rdata (an SOA set's only one); empty for an empty set or a set of references
  // (never an SOA). The length prefix is checked against the data, so a set cut short never
  // reads past it.
  std::span<const uint8_t> first() const {
    if (length_ < 2 || targets_referenced_) {
      return {};
    }
    size_t len = (size_t{data_[0]} << 8) | data_[1];
    return len + 2 <= length_ ? std::span<const uint8_t>(data_ + 2, len)
                              : std::span<const uint8_t>();
  }

  // Whether an entry starts at octet `at` of data().
  bool has_entry(size_t at) const { return at + 2 <= length_; }
  // The rdata of the entry at octet `at` of data() (has_entry(at)), moving `at` to the next
  // entry: a view into the set, or for a referenced target the rdata put together in `buffer`.
  std::span<const uint8_t> next(size_t& at, RdataBuffer& buffer) const {
    size_t len = (size_t{data_[at]} << 8) | data_[at + 1];
    if (!targets_referenced_) {
      std::span<const uint8_t> rdata(data_ + at + 2, len);
      at += 2 + len;
      return rdata;
    }
    const uint8_t* entry = data_ + at;
    int32_t relative;
    std::memcpy(&relative, entry + 2 + kSrvFixed, sizeof relative);
    uint32_t to_apex;
    std::memcpy(&to_apex, data_ - kReferenceHeader, sizeof to_apex);
    // The key (its length octet before it), then the apex: the rdata's length says how long
    // the whole target is, so the apex's length is what the key leaves of it.
    const uint8_t* below = entry + relative;
    size_t below_size = below[-1];
    std::memcpy(buffer, entry + 2, kSrvFixed);
    std::memcpy(buffer + kSrvFixed, below, below_size);
    std::memcpy(buffer + kSrvFixed + below_size, data_ - to_apex, len - kSrvFixed - below_size);
    at += kReferenceEntry;
    return {buffer, len};
  }

  // With targets_referenced(): where the target of rdata `index` (< size()) is, a key of the
  // zone's name table. Each name is one key, so two rdatas name the same target exactly when
  // these are equal.
  const uint8_t* referenced_target(size_t index) const {
    const uint8_t* entry = data_ + index * kReferenceEntry;
    int32_t relative;
    std::memcpy(&relative, entry + 2 + kSrvFixed, sizeof relative);
    return entry + relative;
  }

  // Calls f(std::span<const uint8_t>) for each rdata in insertion order.
  template <typename F>
  void for_each(F&& f) const {
    size_t at = 0;
    if (!targets_referenced_) {
      while (at + 2 <= length_) {
        size_t len = (size_t{data_[at]} << 8) | data_[at + 1];
        f(std::span<const uint8_t>(data_ + at + 2, len));
        at += 2 + len;
      }
      return;
    }
    RdataBuffer buffer;
    while (has_entry(at)) {
      f(next(at, buffer));
    }
  }

 private:
  const uint8_t* data_ = nullptr;
  uint32_t length_ = 0;
  uint32_t ttl_ = 0;
  uint32_t count_ = 0;
  dns::RrType type_ = dns::RrType::SOA;
  bool targets_referenced_ = false;
};

}  // namespace vmdns::zone
