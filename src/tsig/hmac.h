#pragma once
// An HMAC over a message's parts (RFC 2104) through OpenSSL's EVP_MAC: the digest TSIG signs.
//
//   Hmac mac(Algorithm::HmacSha256, key.secret);
//   mac.update(bytes);
//   mac.update_u16(fudge);
//   std::array<uint8_t, kMaxMacSize> out;
//   size_t n = mac.finish(out);          // 32; 0 if OpenSSL failed

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "tsig/algorithm.h"

struct evp_mac_ctx_st;

namespace vmdns::tsig {

class Hmac {
 public:
  Hmac(Algorithm algorithm, std::span<const uint8_t> secret);
  ~Hmac();
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;

  void update(std::span<const uint8_t> bytes);
  void update_u16(uint16_t value);
  void update_u32(uint32_t value);
  void update_u48(uint64_t value);  // TSIG's Time Signed (RFC 8945 section 4.2)
  // The MAC, its length (0 when OpenSSL failed at any step: nothing then verifies).
  size_t finish(std::span<uint8_t, kMaxMacSize> out);

 private:
  evp_mac_ctx_st* ctx_ = nullptr;
  bool ok_ = false;
};

// Constant-time comparison of a received MAC with the computed one's first `received.size()`
// octets (a truncated MAC is compared on its length, RFC 8945 section 5.2.2.1).
bool mac_matches(std::span<const uint8_t> received, std::span<const uint8_t> computed);

}  // namespace vmdns::tsig
