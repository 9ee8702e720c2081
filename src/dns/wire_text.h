#pragma once
// Small pieces shared by the codec's own files (not part of the module's public API).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "dns/name.h"

namespace vmdns::dns::internal {

// Length of the uncompressed wire name at the start of `wire`, or 0 if it is malformed.
inline size_t name_length(std::span<const uint8_t> wire) {
  size_t pos = 0;
  while (pos < wire.size() && pos < kMaxNameLength) {
    uint8_t length = wire[pos];
    if (length == 0) {
      return pos + 1;
    }
    if (length > kMaxLabelLength) {
      return 0;
    }
    pos += 1 + length;
  }
  return 0;
}

// Appends `c` as RFC 1035 section 5.1 presentation text: "\X" when `escaped`, "\DDD" when it
// is not printable ASCII (outside 0x21..0x7E, or 0x20 unless `space_ok`), else itself.
inline void append_presentation_char(std::string& out, uint8_t c, bool escaped, bool space_ok) {
  if (escaped) {
    out.push_back('\\');
    out.push_back(static_cast<char>(c));
  } else if (c < (space_ok ? 0x20 : 0x21) || c > 0x7E) {
    out.push_back('\\');
    out.push_back(static_cast<char>('0' + c / 100));
    out.push_back(static_cast<char>('0' + (c / 10) % 10));
    out.push_back(static_cast<char>('0' + c % 10));
  } else {
    out.push_back(static_cast<char>(c));
  }
}

}  // namespace vmdns::dns::internal
