#include "query/dashed_address.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace vmdns::query {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// a-b-c-d: four decimal fields of 0 to 255, no empty field, no leading zero ("01" is refused,
// as Go refuses it since 1.17: some parsers read it as octal).
std::optional<cluster::IpAddress> parse_v4(std::string_view label) {
  cluster::IpAddress out;
  out.family = cluster::IpAddress::Family::V4;
  size_t field = 0;
  unsigned value = 0;
  size_t digits = 0;
  for (char c : label) {
    if (c >= '0' && c <= '9') {
      if (digits == 1 && value == 0) {
        return std::nullopt;
      }
      value = value * 10 + static_cast<unsigned>(c - '0');
      if (++digits > 3 || value > 255) {
        return std::nullopt;
      }
    } else if (c == '-' && digits > 0 && field < 3) {
      out.bytes[field++] = static_cast<uint8_t>(value);
      value = 0;
      digits = 0;
    } else {
      return std::nullopt;
    }
  }
  if (field != 3 || digits == 0) {
    return std::nullopt;
  }
  out.bytes[3] = static_cast<uint8_t>(value);
  return out;
}

// RFC 4291 section 2.2 text with '-' for ':': groups of 1 to 4 hex digits, at most one "--"
// standing for one group of zeros or more.
std::optional<cluster::IpAddress> parse_v6(std::string_view label) {
  cluster::IpAddress out;
  out.family = cluster::IpAddress::Family::V6;
  std::array<uint8_t, 16>& bytes = out.bytes;
  size_t at = 0;
  size_t filled = 0;      // octets written
  size_t gap = SIZE_MAX;  // the octet where "--" stands, SIZE_MAX for none
  if (label.size() >= 2 && label[0] == '-' && label[1] == '-') {
    gap = 0;
    at = 2;
    if (at == label.size()) {
      return out;  // "--": the unspecified address
    }
  }
  while (filled < bytes.size()) {
    unsigned group = 0;
    size_t digits = 0;
    for (; at < label.size(); ++at) {
      int value = hex_value(label[at]);
      if (value < 0) {
        break;
      }
      if (++digits > 4) {
        return std::nullopt;
      }
      group = (group << 4) | static_cast<unsigned>(value);
    }
    if (digits == 0) {
      return std::nullopt;
    }
    bytes[filled] = static_cast<uint8_t>(group >> 8);
    bytes[filled + 1] = static_cast<uint8_t>(group);
    filled += 2;
    if (at == label.size()) {
      break;
    }
    // A group is followed by '-' and more: another group, or a second '-' (the gap).
    if (label[at] != '-' || at + 1 == label.size()) {
      return std::nullopt;
    }
    ++at;
    if (label[at] == '-') {
      if (gap != SIZE_MAX) {
        return std::nullopt;
      }
      gap = filled;
      ++at;
      if (at == label.size()) {
        break;
      }
    }
  }
  if (at != label.size()) {
    return std::nullopt;
  }
  if (filled < bytes.size()) {
    if (gap == SIZE_MAX) {
      return std::nullopt;
    }
    // The groups after the gap move to the end; the gap becomes zeros.
    size_t shift = bytes.size() - filled;
    std::copy_backward(bytes.begin() + static_cast<ptrdiff_t>(gap),
                       bytes.begin() + static_cast<ptrdiff_t>(filled), bytes.end());
    std::fill_n(bytes.begin() + static_cast<ptrdiff_t>(gap), shift, uint8_t{0});
  } else if (gap != SIZE_MAX) {
    return std::nullopt;  // "--" must stand for at least one group
  }
  // ::ffff:a.b.c.d is an IPv4 address (RFC 4291 section 2.5.5.2): CoreDNS answers it as A.
  bool mapped = std::all_of(bytes.begin(), bytes.begin() + 10, [](uint8_t b) { return b == 0; }) &&
                bytes[10] == 0xff && bytes[11] == 0xff;
  if (mapped) {
    cluster::IpAddress v4;
    std::copy_n(bytes.begin() + 12, 4, v4.bytes.begin());
    return v4;
  }
  return out;
}

}  // namespace

std::optional<cluster::IpAddress> parse_dashed_address(std::string_view label) {
  size_t dashes = static_cast<size_t>(std::count(label.begin(), label.end(), '-'));
  if (dashes == 3 && label.find("--") == std::string_view::npos) {
    return parse_v4(label);
  }
  return parse_v6(label);
}

}  // namespace vmdns::query
