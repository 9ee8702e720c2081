#pragma once
// The 12-octet DNS message header (RFC 1035 section 4.1.1).

#include <cstdint>

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
  static constexpr uint16_t kAa = 0x0400;
  static constexpr uint16_t kTc = 0x0200;
  static constexpr uint16_t kRd = 0x0100;
  static constexpr uint16_t kRa = 0x0080;
  static constexpr uint16_t kAd = 0x0020;
  static constexpr uint16_t kCd = 0x0010;

  bool qr() const { return flags & kQr; }
  bool rd() const { return flags & kRd; }
  bool cd() const { return flags & kCd; }
  Opcode opcode() const { return static_cast<Opcode>((flags >> 11) & 0xF); }
  uint8_t rcode_low() const { return flags & 0xF; }
  void set_opcode(Opcode op) {
    flags = (flags & ~0x7800) | ((static_cast<uint16_t>(op) & 0xF) << 11);
  }
  // Sets the low 4 bits of the rcode; the high 8 bits travel in OPT (RFC 6891 section 6.1.3).
  void set_rcode_low(uint16_t rcode) { flags = (flags & ~0x000F) | (rcode & 0xF); }
  void set(uint16_t bit, bool on) { flags = on ? (flags | bit) : (flags & ~bit); }
};

}  // namespace vmdns::dns
