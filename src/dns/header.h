#pragma once
// The 12-octet DNS message header (RFC 1035 section 4.1.1).
//
//   Header h;
//   if (read_header(packet, h) && h.tc()) { ...retry over TCP... }

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/types.h"

namespace vmdns::dns {

inline constexpr size_t kHeaderSize = 12;

struct Header {
  uint16_t id = 0;
  uint16_t flags = 0;  // QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode as on the wire
  uint16_t qdcount = 0;
  uint16_t ancount = 0;
  uint16_t nscount = 0;
  uint16_t arcount = 0;

  static constexpr uint16_t kQr = 0x8000;
  static constexpr uint16_t kOpcodeMask = 0x7800;
  static constexpr uint16_t kAa = 0x0400;
  static constexpr uint16_t kTc = 0x0200;
  static constexpr uint16_t kRd = 0x0100;
  static constexpr uint16_t kRa = 0x0080;
  static constexpr uint16_t kAd = 0x0020;
  static constexpr uint16_t kCd = 0x0010;
  static constexpr uint16_t kRcodeMask = 0x000F;

  bool qr() const { return flags & kQr; }
  bool aa() const { return flags & kAa; }
  bool tc() const { return flags & kTc; }
  bool rd() const { return flags & kRd; }
  bool ra() const { return flags & kRa; }
  bool cd() const { return flags & kCd; }
  Opcode opcode() const { return static_cast<Opcode>((flags >> 11) & 0xF); }
  // The low 4 bits of the rcode; the high 8 bits travel in OPT (RFC 6891 section 6.1.3).
  uint8_t rcode_low() const { return flags & kRcodeMask; }
  void set_opcode(Opcode op) {
    flags = (flags & ~kOpcodeMask) | ((static_cast<uint16_t>(op) & 0xF) << 11);
  }
  // Sets the low 4 bits of the rcode.
  void set_rcode_low(uint16_t rcode) { flags = (flags & ~kRcodeMask) | (rcode & kRcodeMask); }
  void set(uint16_t bit, bool on) { flags = on ? (flags | bit) : (flags & ~bit); }
  // The count of records in `section`.
  uint16_t count(Section section) const {
    return section == Section::Answer ? ancount
                                      : (section == Section::Authority ? nscount : arcount);
  }
};

// Reads the header at the start of `message`; false, `out` untouched, when it is shorter.
// The low four bits of a message's rcode, read straight from its flags: for the counters, which
// read it from every reply. The caller has checked that the message holds that octet (4 octets).
inline uint8_t rcode_low(std::span<const uint8_t> message) {
  return message[3] & Header::kRcodeMask;
}

inline bool read_header(std::span<const uint8_t> message, Header& out) {
  if (message.size() < kHeaderSize) {
    return false;
  }
  auto u16 = [&](size_t at) { return static_cast<uint16_t>((message[at] << 8) | message[at + 1]); };
  out = Header{u16(0), u16(2), u16(4), u16(6), u16(8), u16(10)};
  return true;
}

}  // namespace vmdns::dns
