#pragma once
// The records of one owner name and type: a view of rdatas stored back to back in a zone's
// record block, each prefixed by its 2-octet length, so that an answer copies them to the wire
// in one pass.
//
//   const RrSet* set = node->find(dns::RrType::A);
//   set->for_each([](std::span<const uint8_t> rdata) { ... });   // in insertion order

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/types.h"

namespace vmdns::zone {

class RrSet {
 public:
  RrSet() = default;
  RrSet(dns::RrType type, uint32_t ttl, uint32_t count, std::span<const uint8_t> data)
      : data_(data.data()), length_(static_cast<uint32_t>(data.size())), ttl_(ttl),
        count_(count), type_(type) {}

  dns::RrType type() const { return type_; }
  uint32_t ttl() const { return ttl_; }
  size_t size() const { return count_; }
  // The length-prefixed rdatas, back to back.
  std::span<const uint8_t> data() const { return {data_, length_}; }

  // The first rdata (an SOA set's only one); empty for an empty set. The length prefix is
  // checked against the data, so a set cut short never reads past it.
  std::span<const uint8_t> first() const {
    if (length_ < 2) {
      return {};
    }
    size_t len = (size_t{data_[0]} << 8) | data_[1];
    return len + 2 <= length_ ? std::span<const uint8_t>(data_ + 2, len)
                              : std::span<const uint8_t>();
  }

  // Calls f(std::span<const uint8_t>) for each rdata in insertion order.
  template <typename F>
  void for_each(F&& f) const {
    size_t at = 0;
    while (at + 2 <= length_) {
      size_t len = (size_t{data_[at]} << 8) | data_[at + 1];
      f(std::span<const uint8_t>(data_ + at + 2, len));
      at += 2 + len;
    }
  }

 private:
  const uint8_t* data_ = nullptr;
  uint32_t length_ = 0;
  uint32_t ttl_ = 0;
  uint32_t count_ = 0;
  dns::RrType type_ = dns::RrType::SOA;
};

}  // namespace vmdns::zone
