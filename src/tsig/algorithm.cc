#include "tsig/algorithm.h"

#include <algorithm>

namespace vmdns::tsig {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return dns::ascii_lower(static_cast<uint8_t>(x)) ==
                  dns::ascii_lower(static_cast<uint8_t>(y));
         });
}

const dns::Name& name_of(std::string_view text) {
  // Two constant names, made once.
  static const dns::Name sha256 = *dns::Name::from_text("hmac-sha256.");
  static const dns::Name sha512 = *dns::Name::from_text("hmac-sha512.");
  return text == "hmac-sha256" ? sha256 : sha512;
}

}  // namespace

std::optional<Algorithm> algorithm_from_text(std::string_view text) {
  if (text.ends_with('.')) {
    text.remove_suffix(1);
  }
  if (iequals(text, "hmac-sha256")) {
    return Algorithm::HmacSha256;
  }
  if (iequals(text, "hmac-sha512")) {
    return Algorithm::HmacSha512;
  }
  return std::nullopt;
}

std::string_view algorithm_text(Algorithm algorithm) {
  return algorithm == Algorithm::HmacSha256 ? "hmac-sha256" : "hmac-sha512";
}

const dns::Name& algorithm_name(Algorithm algorithm) { return name_of(algorithm_text(algorithm)); }

std::optional<Algorithm> algorithm_from_name(const dns::Name& name) {
  for (Algorithm a : {Algorithm::HmacSha256, Algorithm::HmacSha512}) {
    if (name == algorithm_name(a)) {  // Name's equality ignores case (RFC 4343)
      return a;
    }
  }
  return std::nullopt;
}

size_t mac_size(Algorithm algorithm) { return algorithm == Algorithm::HmacSha256 ? 32 : 64; }

size_t min_mac_size(Algorithm algorithm) { return std::max<size_t>(10, mac_size(algorithm) / 2); }

}  // namespace vmdns::tsig
