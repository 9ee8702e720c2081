#pragma once
// Test helpers: build query packets, and render response packets in zone-file presentation
// format so that test tables read like dig output (CoreDNS's test.Case).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dns/types.h"

namespace vmdns::testing {

struct QuerySpec {
  std::string name;
  dns::RrType type = dns::RrType::A;
  uint16_t id = 0x1234;
  uint16_t qclass = 1;
  bool edns = false;
  uint16_t udp_size = 1232;
  uint8_t edns_version = 0;
  bool rd = true;
};

std::vector<uint8_t> make_query(const QuerySpec& spec);

struct ResponseText {
  uint16_t id = 0;
  dns::Rcode rcode = dns::Rcode::NoError;
  bool qr = false, aa = false, tc = false, rd = false, ra = false;
  std::string question;                 // "name. TYPE" or empty
  std::vector<std::string> answer;      // "owner.\tttl\tIN\tTYPE\trdata"
  std::vector<std::string> authority;
  std::vector<std::string> additional;  // OPT excluded
  bool has_opt = false;
  uint16_t opt_udp_size = 0;
};

// Parses a response; nullopt when it is malformed (a test failure in itself).
std::optional<ResponseText> parse_response(const std::vector<uint8_t>& packet);

}  // namespace vmdns::testing
