#pragma once
// The DHCPv4 options that carry a guest's DNS settings (RFC 2132, RFC 3397, RFC 3396).
//
//   auto data = encode_domain_search({"eng.apple.com", "marketing.apple.com"}, &error);
//   // 03 eng 05 apple 03 com 00 09 marketing C0 04   (RFC 3397 section 4)
//   split_option(119, *data);   // one option; data past 255 octets goes into more (RFC 3396)
//
// Not on the hot path.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vmdns::resolvconf {

enum : uint8_t {
  kOptionDnsServers = 6,      // RFC 2132 section 3.8
  kOptionHostName = 12,       // RFC 2132 section 3.14
  kOptionDomainName = 15,     // RFC 2132 section 3.17
  kOptionDomainSearch = 119,  // RFC 3397
};

struct DhcpOption {
  uint8_t code = 0;
  std::vector<uint8_t> data;  // at most 255 octets
};

// RFC 3397 section 2: the names in DNS wire form, one after the other, compressed with
// pointers to earlier suffixes (offsets from the start of the concatenated data). Each entry
// must be a host name KubeVirt accepts (labels of letters, digits and '-', at most 63
// characters, at most 253 in all); otherwise nullopt and `error` names the entry.
std::optional<std::vector<uint8_t>> encode_domain_search(const std::vector<std::string>& search,
                                                         std::string* error);
// The names of RFC 3397 data, for printing and tests; nullopt when malformed.
std::optional<std::vector<std::string>> decode_domain_search(std::span<const uint8_t> data);

// RFC 3396: data longer than `max_length` octets is carried by several options with the same
// code, which the client concatenates. An empty `data` gives no option.
std::vector<DhcpOption> split_option(uint8_t code, std::span<const uint8_t> data,
                                     size_t max_length = 255);

// code, length, data of each option, back to back, as in the options field of a DHCP message.
std::vector<uint8_t> option_bytes(const std::vector<DhcpOption>& options);
// Lowercase hex, octets separated by spaces: "77 09 03 65".
std::string hex(std::span<const uint8_t> bytes);

}  // namespace vmdns::resolvconf
