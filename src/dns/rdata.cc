#include "dns/rdata.h"

#include "dns/wire_text.h"

#include <arpa/inet.h>

#include <algorithm>

namespace vmdns::dns::rdata {
namespace {

constexpr size_t kMaxCharacterString = 255;  // RFC 1035 section 3.3

void put_u16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void put_u32(Bytes& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v >> 24));
  out.push_back(static_cast<uint8_t>(v >> 16));
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void put_name(Bytes& out, const Name& name) {
  out.insert(out.end(), name.wire().begin(), name.wire().end());
}

uint16_t get_u16(std::span<const uint8_t> in, size_t at) {
  return static_cast<uint16_t>((in[at] << 8) | in[at + 1]);
}

uint32_t get_u32(std::span<const uint8_t> in, size_t at) {
  return (static_cast<uint32_t>(in[at]) << 24) | (static_cast<uint32_t>(in[at + 1]) << 16) |
         (static_cast<uint32_t>(in[at + 2]) << 8) | static_cast<uint32_t>(in[at + 3]);
}

using internal::name_length;

// Reads one uncompressed name at `pos`, advancing it.
std::optional<Name> take_name(std::span<const uint8_t> rdata, size_t& pos) {
  size_t length = name_length(rdata.subspan(pos));
  if (length == 0) {
    return std::nullopt;
  }
  std::optional<Name> name = Name::from_wire(rdata.subspan(pos, length));
  pos += length;
  return name;
}

// RFC 3597 section 5: \# <length> <hex>, the form any type's rdata can be written in.
std::string generic(std::span<const uint8_t> rdata) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\\# " + std::to_string(rdata.size());
  if (!rdata.empty()) {
    out.push_back(' ');
    for (uint8_t b : rdata) {
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
    }
  }
  return out;
}

// A <character-string> in quotes (RFC 1035 section 5.1): `"` and `\` take a backslash,
// octets outside printable ASCII become \DDD.
void append_quoted(std::string& out, std::span<const uint8_t> bytes) {
  out.push_back('"');
  for (uint8_t c : bytes) {
    internal::append_presentation_char(out, c, c == '"' || c == '\\', /*space_ok=*/true);
  }
  out.push_back('"');
}

std::optional<std::string> typed_text(RrType type, std::span<const uint8_t> rdata) {
  switch (type) {
    case RrType::A: {
      if (rdata.size() != 4) {
        return std::nullopt;
      }
      return std::to_string(rdata[0]) + "." + std::to_string(rdata[1]) + "." +
             std::to_string(rdata[2]) + "." + std::to_string(rdata[3]);
    }
    case RrType::AAAA: {
      if (rdata.size() != 16) {
        return std::nullopt;
      }
      char text[INET6_ADDRSTRLEN];
      if (inet_ntop(AF_INET6, rdata.data(), text, sizeof(text)) == nullptr) {
        return std::nullopt;
      }
      return std::string(text);
    }
    case RrType::NS:
    case RrType::CNAME:
    case RrType::PTR: {
      std::optional<Name> target = Name::from_wire(rdata);
      if (!target) {
        return std::nullopt;
      }
      return target->to_text();
    }
    case RrType::SOA: {
      size_t pos = 0;
      std::optional<Name> mname = take_name(rdata, pos);
      std::optional<Name> rname = mname ? take_name(rdata, pos) : std::nullopt;
      if (!rname || rdata.size() - pos != 20) {
        return std::nullopt;
      }
      std::string out = mname->to_text() + " " + rname->to_text();
      for (size_t i = 0; i < 5; ++i) {
        out += " " + std::to_string(get_u32(rdata, pos + 4 * i));
      }
      return out;
    }
    case RrType::SRV: {
      if (rdata.size() < 7) {
        return std::nullopt;
      }
      std::optional<Name> target = Name::from_wire(rdata.subspan(6));
      if (!target) {
        return std::nullopt;
      }
      return std::to_string(get_u16(rdata, 0)) + " " + std::to_string(get_u16(rdata, 2)) + " " +
             std::to_string(get_u16(rdata, 4)) + " " + target->to_text();
    }
    case RrType::TXT: {
      if (rdata.empty()) {
        return std::nullopt;  // TXT holds one or more strings (RFC 1035 section 3.3.14)
      }
      std::string out;
      size_t pos = 0;
      while (pos < rdata.size()) {
        size_t length = rdata[pos];
        if (pos + 1 + length > rdata.size()) {
          return std::nullopt;
        }
        if (!out.empty()) {
          out.push_back(' ');
        }
        append_quoted(out, rdata.subspan(pos + 1, length));
        pos += 1 + length;
      }
      return out;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

Bytes a(const std::array<uint8_t, 4>& address) {
  return Bytes(address.begin(), address.end());
}

Bytes aaaa(const std::array<uint8_t, 16>& address) {
  return Bytes(address.begin(), address.end());
}

Bytes name(const Name& target) {
  Bytes out;
  put_name(out, target);
  return out;
}

Bytes soa(const Name& mname, const Name& rname, uint32_t serial, uint32_t refresh, uint32_t retry,
          uint32_t expire, uint32_t minimum) {
  Bytes out;
  out.reserve(mname.wire_length() + rname.wire_length() + 20);
  put_name(out, mname);
  put_name(out, rname);
  for (uint32_t v : {serial, refresh, retry, expire, minimum}) {
    put_u32(out, v);
  }
  return out;
}

Bytes srv(uint16_t priority, uint16_t weight, uint16_t port, const Name& target) {
  Bytes out;
  put_u16(out, priority);
  put_u16(out, weight);
  put_u16(out, port);
  put_name(out, target);
  return out;
}

Bytes txt(std::span<const std::string> strings) {
  Bytes out;
  auto put_string = [&](std::string_view s) {
    out.push_back(static_cast<uint8_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
  };
  for (const std::string& s : strings) {
    if (s.empty()) {
      put_string({});
      continue;
    }
    std::string_view rest = s;
    while (!rest.empty()) {
      size_t chunk = std::min(rest.size(), kMaxCharacterString);
      put_string(rest.substr(0, chunk));
      rest.remove_prefix(chunk);
    }
  }
  if (out.empty()) {
    put_string({});  // TXT rdata holds at least one string, even an empty one
  }
  return out;
}

std::string to_text(RrType type, std::span<const uint8_t> rdata) {
  if (std::optional<std::string> text = typed_text(type, rdata)) {
    return *text;
  }
  return generic(rdata);
}

}  // namespace vmdns::dns::rdata
