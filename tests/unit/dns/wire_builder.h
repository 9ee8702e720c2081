#pragma once
// Builds wire-format byte arrays for the dns/ tests, so that each case reads as the fields of
// the message it describes rather than as a wall of hex.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.h"

namespace vmdns::dns::test {

class Wire {
 public:
  Wire& u8(uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  Wire& u16(uint16_t v) {
    bytes_.push_back(static_cast<uint8_t>(v >> 8));
    bytes_.push_back(static_cast<uint8_t>(v));
    return *this;
  }
  Wire& u32(uint32_t v) {
    u16(static_cast<uint16_t>(v >> 16));
    return u16(static_cast<uint16_t>(v));
  }
  Wire& raw(std::initializer_list<uint8_t> v) {
    bytes_.insert(bytes_.end(), v.begin(), v.end());
    return *this;
  }
  Wire& raw(const std::vector<uint8_t>& v) {
    bytes_.insert(bytes_.end(), v.begin(), v.end());
    return *this;
  }
  // One label with its length octet, no terminating root.
  Wire& label(std::string_view text) {
    bytes_.push_back(static_cast<uint8_t>(text.size()));
    bytes_.insert(bytes_.end(), text.begin(), text.end());
    return *this;
  }
  // An uncompressed name from presentation format.
  Wire& name(std::string_view text) {
    auto n = Name::from_text(text);
    bytes_.insert(bytes_.end(), n->wire().begin(), n->wire().end());
    return *this;
  }
  Wire& pointer(uint16_t offset) { return u16(static_cast<uint16_t>(0xC000 | offset)); }
  // A 12-octet header (RFC 1035 section 4.1.1).
  Wire& header(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar) {
    return u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
  }
  // An OPT pseudo-record (RFC 6891 section 6.1.2) with no options.
  Wire& opt(uint16_t udp_size, uint32_t ttl = 0) {
    return u8(0).u16(41).u16(udp_size).u32(ttl).u16(0);
  }
  Wire& pad_to(size_t size) {
    bytes_.resize(size, 0);
    return *this;
  }

  size_t size() const { return bytes_.size(); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  operator std::vector<uint8_t>() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

inline std::string repeat(char c, size_t n) {
  return std::string(n, c);
}

}  // namespace vmdns::dns::test
