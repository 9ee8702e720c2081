#include "rules/reverse_zone.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace vmdns::rules {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// The reverse name of the first `units` octets (IPv4) or nibbles (IPv6) of `address`.
std::string reverse_text(const cluster::IpAddress& address, int units) {
  std::string out;
  if (address.is_v4()) {
    for (int i = units - 1; i >= 0; --i) {
      out += std::to_string(address.bytes[i]) + ".";
    }
    return out + "in-addr.arpa.";
  }
  for (int i = units - 1; i >= 0; --i) {
    uint8_t byte = address.bytes[i / 2];
    out += kHex[i % 2 == 0 ? byte >> 4 : byte & 0xF];
    out += '.';
  }
  return out + "ip6.arpa.";
}

dns::Name name_of(const std::string& text) {
  // Our own text: at most 32 one-character labels plus ip6.arpa, always a valid name.
  return *dns::Name::from_text(text);
}

}  // namespace

dns::Name reverse_name(const cluster::IpAddress& address) {
  return reverse_name(address, address.is_v4() ? 4 : 32);
}

// Written in wire form directly: the build computes one per published address.
dns::Name reverse_name(const cluster::IpAddress& address, size_t units) {
  std::array<uint8_t, dns::kMaxNameLength> wire;
  size_t at = 0;
  auto label = [&](std::string_view text) {
    wire[at++] = static_cast<uint8_t>(text.size());
    std::copy(text.begin(), text.end(), wire.begin() + static_cast<ptrdiff_t>(at));
    at += text.size();
  };
  if (address.is_v4()) {
    for (int i = static_cast<int>(units) - 1; i >= 0; --i) {
      char digits[3];
      auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), address.bytes[i]);
      label({digits, static_cast<size_t>(end - digits)});
    }
    label("in-addr");
  } else {
    for (int i = static_cast<int>(units) - 1; i >= 0; --i) {
      uint8_t byte = address.bytes[i / 2];
      label({&kHex[i % 2 == 0 ? byte >> 4 : byte & 0xF], 1});
    }
    label("ip6");
  }
  label("arpa");
  wire[at++] = 0;
  // Our own labels: at most 32 one-character labels plus ip6.arpa, always a valid name.
  return *dns::Name::from_wire({wire.data(), at});
}

std::optional<ReversePrefix> reverse_prefix(const dns::Name& name) {
  static const dns::Name kV4 = *dns::Name::from_text("in-addr.arpa");
  static const dns::Name kV6 = *dns::Name::from_text("ip6.arpa");
  ReversePrefix out;
  bool v4 = name.is_subdomain_of(kV4);
  if (!v4 && !name.is_subdomain_of(kV6)) {
    return std::nullopt;
  }
  out.prefix.family = v4 ? cluster::IpAddress::Family::V4 : cluster::IpAddress::Family::V6;
  size_t labels = name.label_count() - 2;
  if (labels > (v4 ? 4u : 32u)) {
    return std::nullopt;
  }
  out.units = labels;
  // Labels come least significant first: label k (from the left) is unit labels - 1 - k.
  std::string_view wire = name.wire_view();
  size_t at = 0;
  for (size_t k = 0; k < labels; ++k) {
    std::string_view label = wire.substr(at + 1, static_cast<uint8_t>(wire[at]));
    at += 1 + label.size();
    size_t unit = labels - 1 - k;
    if (v4) {
      unsigned value = 0;
      auto [end, ec] = std::from_chars(label.data(), label.data() + label.size(), value);
      // As reverse_name writes them: decimal, no leading zero, at most 255.
      if (ec != std::errc() || end != label.data() + label.size() || value > 255 ||
          (label.size() > 1 && label[0] == '0')) {
        return std::nullopt;
      }
      out.prefix.bytes[unit] = static_cast<uint8_t>(value);
    } else {
      const char* digit = label.size() == 1 ? std::strchr(kHex, label[0]) : nullptr;
      if (digit == nullptr || *digit == 0) {
        return std::nullopt;
      }
      auto nibble = static_cast<uint8_t>(digit - kHex);
      out.prefix.bytes[unit / 2] |= unit % 2 == 0 ? nibble << 4 : nibble;
    }
  }
  return out;
}

bool has_prefix(const cluster::IpAddress& address, const cluster::IpAddress& prefix,
                size_t units) {
  return address.family == prefix.family &&
         prefix_of(address, units).bytes == prefix_of(prefix, units).bytes;
}

cluster::IpAddress prefix_of(const cluster::IpAddress& address, size_t units) {
  cluster::IpAddress out;
  out.family = address.family;
  size_t bits = units * (address.is_v4() ? 8 : 4);
  for (size_t i = 0; i < out.bytes.size() && bits > 0; ++i) {
    size_t take = std::min<size_t>(bits, 8);
    out.bytes[i] = static_cast<uint8_t>(address.bytes[i] & (0xFF00 >> take));
    bits -= take;
  }
  return out;
}

std::optional<dns::Name> parse_reverse_zone(std::string_view text, std::string* error) {
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    auto address = cluster::IpAddress::parse(text.substr(0, slash));
    std::string_view digits = text.substr(slash + 1);
    int prefix = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    int max = address && address->is_v4() ? 32 : 128;
    if (!address || ec != std::errc() || end != digits.data() + digits.size() || prefix < 0 ||
        prefix > max) {
      *error = "\"" + std::string(text) + "\" is not a CIDR (address/prefix)";
      return std::nullopt;
    }
    return name_of(reverse_text(*address, address->is_v4() ? prefix / 8 : prefix / 4));
  }
  std::string why;
  auto name = dns::Name::from_text(text, &why);
  static const dns::Name kV4 = *dns::Name::from_text("in-addr.arpa");
  static const dns::Name kV6 = *dns::Name::from_text("ip6.arpa");
  if (!name || !(name->is_subdomain_of(kV4) || name->is_subdomain_of(kV6))) {
    *error = "\"" + std::string(text) +
             "\" is neither a CIDR nor a name under in-addr.arpa or "
             "ip6.arpa" +
             (why.empty() ? "" : ": " + why);
    return std::nullopt;
  }
  return name->lowercased();
}

}  // namespace vmdns::rules
