#pragma once
// The TSIG algorithms vmdns signs with (RFC 8945 section 6): HMAC-SHA256 and HMAC-SHA512, by
// the names key files and flags spell them and by the domain names the wire carries.
//
//   std::optional<Algorithm> a = algorithm_from_text("hmac-sha256");
//   algorithm_name(*a);          // "hmac-sha256."
//   mac_size(*a);                // 32

#include <cstddef>
#include <optional>
#include <string_view>

#include "dns/name.h"

namespace vmdns::tsig {

enum class Algorithm : uint8_t { HmacSha256, HmacSha512 };

// "hmac-sha256" or "hmac-sha512", case-insensitively, with or without the final dot.
std::optional<Algorithm> algorithm_from_text(std::string_view text);
// The algorithm's name as a flag or key file spells it: "hmac-sha256".
std::string_view algorithm_text(Algorithm algorithm);
// The algorithm's domain name as the TSIG record carries it (lowercase).
const dns::Name& algorithm_name(Algorithm algorithm);
// The algorithm a TSIG record names; nullopt for one vmdns does not sign with (hmac-md5,
// hmac-sha1, ...: BADKEY, RFC 8945 section 5.2.1).
std::optional<Algorithm> algorithm_from_name(const dns::Name& name);
// The full MAC's length in octets.
size_t mac_size(Algorithm algorithm);
// The shortest truncated MAC a receiver may accept: the larger of 10 octets and half the full
// MAC (RFC 8945 section 5.2.2.1).
size_t min_mac_size(Algorithm algorithm);

inline constexpr size_t kMaxMacSize = 64;

}  // namespace vmdns::tsig
