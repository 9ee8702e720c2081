#pragma once
// An IPv4 or IPv6 address as Kubernetes objects carry them ("10.244.0.57", "fd00::1").

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vmdns::cluster {

struct IpAddress {
  enum class Family : uint8_t { V4, V6 };

  Family family = Family::V4;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4 octets, the rest zero

  // Parses dotted-quad IPv4 or RFC 4291 IPv6 text (inet_pton); no zone index, no prefix.
  static std::optional<IpAddress> parse(std::string_view text);
  std::string to_string() const;  // canonical form (RFC 5952 for IPv6)
  bool is_v4() const { return family == Family::V4; }
  bool is_v6() const { return family == Family::V6; }
  // 169.254.0.0/16 and fe80::/10: never published as endpoints.
  bool is_link_local() const;
  std::array<uint8_t, 4> v4() const { return {bytes[0], bytes[1], bytes[2], bytes[3]}; }

  auto operator<=>(const IpAddress&) const = default;
};

}  // namespace vmdns::cluster
