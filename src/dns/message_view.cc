#include "dns/message_view.h"

#include <algorithm>

#include "dns/reader.h"

namespace vmdns::dns {
namespace {

constexpr uint16_t kOptType = static_cast<uint16_t>(RrType::OPT);
constexpr uint16_t kMinUdpSize = 512;

// One resource record's fixed fields after its owner name (RFC 1035 section 4.1.3).
struct RrFields {
  uint16_t type = 0;
  uint16_t rclass = 0;
  uint32_t ttl = 0;
  uint16_t rdlength = 0;
  size_t rdata_offset = 0;
};

// Reads type, class, TTL and rdlength, and steps over the rdata, which must lie inside the
// message.
bool read_rr_fields(Reader& r, RrFields& out) {
  if (!r.read_u16(out.type) || !r.read_u16(out.rclass) || !r.read_u32(out.ttl) ||
      !r.read_u16(out.rdlength)) {
    return false;
  }
  out.rdata_offset = r.offset();
  return r.skip(out.rdlength);
}

// OPT rdata is a sequence of {option-code, option-length, option-data} (RFC 6891 section
// 6.1.2); the options must exactly fill it.
bool opt_options_well_formed(std::span<const uint8_t> packet, const RrFields& rr) {
  Reader r(packet.subspan(0, rr.rdata_offset + rr.rdlength), rr.rdata_offset);
  while (r.remaining() > 0) {
    uint16_t code = 0;
    uint16_t length = 0;
    if (!r.read_u16(code) || !r.read_u16(length) || !r.skip(length)) {
      return false;
    }
  }
  return true;
}

}  // namespace

ParseStatus parse_query(std::span<const uint8_t> packet, ParsedQuery& out) {
  out = ParsedQuery{};
  if (packet.size() < kHeaderSize) {
    return ParseStatus::Drop;
  }
  Reader r(packet);
  Header& h = out.header;
  if (!r.read_u16(h.id) || !r.read_u16(h.flags) || !r.read_u16(h.qdcount) ||
      !r.read_u16(h.ancount) || !r.read_u16(h.nscount) || !r.read_u16(h.arcount)) {
    return ParseStatus::Drop;  // unreachable after the size check, kept for the invariant
  }
  if (h.qr()) {
    // Never answer a response: two servers would echo each other forever (RFC 1035 7.3).
    return ParseStatus::Drop;
  }

  if (h.qdcount == 0 && h.opcode() != Opcode::Query) {
    // Some opcodes may carry no question; the caller answers NOTIMP, so go on and read the
    // rest for the OPT record only.
  } else if (h.qdcount != 1) {
    // RFC 9619 section 4: a QUERY has exactly one question; 0 or more than 1 is FORMERR.
    return ParseStatus::FormErr;
  } else {
    if (!r.read_name(out.question.name)) {
      return ParseStatus::FormErr;
    }
    uint16_t qtype = 0;
    if (!r.read_u16(qtype) || !r.read_u16(out.question.qclass)) {
      return ParseStatus::FormErr;
    }
    out.question.type = static_cast<RrType>(qtype);
    out.has_question = true;
    out.question_end = r.offset();
  }
  if (!out.has_question) {
    out.question_end = r.offset();
  }

  // Answer and authority records carry nothing a query needs, but a message whose counts do
  // not match its contents is malformed (RFC 1035 section 4.1).
  uint32_t skipped = static_cast<uint32_t>(h.ancount) + h.nscount;
  for (uint32_t i = 0; i < skipped; ++i) {
    RrFields rr;
    if (!r.skip_name() || !read_rr_fields(r, rr)) {
      return ParseStatus::FormErr;
    }
  }

  for (uint16_t i = 0; i < h.arcount; ++i) {
    Name owner;
    RrFields rr;
    if (!r.read_name(owner) || !read_rr_fields(r, rr)) {
      return ParseStatus::FormErr;
    }
    if (rr.type != kOptType) {
      continue;
    }
    // RFC 6891 section 6.1.1: at most one OPT, owned by the root; anything else is FORMERR.
    if (out.edns.present || !owner.is_root() || !opt_options_well_formed(packet, rr)) {
      return ParseStatus::FormErr;
    }
    out.edns.present = true;
    // Section 6.2.5: a payload size below 512 is treated as 512.
    out.edns.udp_size = std::max(kMinUdpSize, rr.rclass);
    // Section 6.1.3: TTL = extended rcode (8) | version (8) | DO (1) | Z (15).
    out.edns.version = static_cast<uint8_t>((rr.ttl >> 16) & 0xFF);
    out.edns.dnssec_ok = (rr.ttl & 0x8000) != 0;  // RFC 3225 section 3
  }
  // Bytes after the last counted record are ignored, as BIND and Knot do.
  return ParseStatus::Ok;
}

}  // namespace vmdns::dns
