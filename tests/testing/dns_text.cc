#include "testing/dns_text.h"

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/reader.h"

namespace vmdns::testing {
namespace {

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(v >> 8);
  out.push_back(v & 0xFF);
}

// Rdata with its embedded names decompressed, so rdata::to_text can print it.
std::optional<std::vector<uint8_t>> expand_rdata(dns::RrType type,
                                                  std::span<const uint8_t> message,
                                                  size_t start, size_t length) {
  dns::Reader r(message, start);
  std::vector<uint8_t> out;
  auto name = [&]() -> bool {
    dns::Name n;
    if (!r.read_name(n)) {
      return false;
    }
    out.insert(out.end(), n.wire().begin(), n.wire().end());
    return true;
  };
  auto copy = [&](size_t count) -> bool {
    if (r.offset() + count > start + length) {
      return false;
    }
    out.insert(out.end(), message.begin() + r.offset(), message.begin() + r.offset() + count);
    return r.skip(count);
  };
  switch (type) {
    case dns::RrType::NS:
    case dns::RrType::CNAME:
    case dns::RrType::PTR:
      if (!name()) return std::nullopt;
      break;
    case dns::RrType::SOA:
      if (!name() || !name() || !copy(20)) return std::nullopt;
      break;
    case dns::RrType::SRV:
      if (!copy(6) || !name()) return std::nullopt;
      break;
    default:
      if (!copy(length)) return std::nullopt;
  }
  if (r.offset() != start + length) {
    return std::nullopt;
  }
  return out;
}

}  // namespace

std::vector<uint8_t> make_query(const QuerySpec& spec) {
  std::vector<uint8_t> out;
  put16(out, spec.id);
  put16(out, spec.rd ? 0x0100 : 0);
  put16(out, 1);
  put16(out, 0);
  put16(out, 0);
  put16(out, spec.edns ? 1 : 0);
  auto name = dns::Name::from_text(spec.name);
  out.insert(out.end(), name->wire().begin(), name->wire().end());
  put16(out, static_cast<uint16_t>(spec.type));
  put16(out, spec.qclass);
  if (spec.edns) {
    out.push_back(0);
    put16(out, 41);
    put16(out, spec.udp_size);
    out.push_back(0);
    out.push_back(spec.edns_version);
    put16(out, 0);
    put16(out, 0);
  }
  return out;
}

std::optional<ResponseText> parse_response(const std::vector<uint8_t>& packet) {
  std::span<const uint8_t> message(packet);
  dns::Reader r(message);
  ResponseText out;
  uint16_t flags, qd, an, ns, ar;
  if (!r.read_u16(out.id) || !r.read_u16(flags) || !r.read_u16(qd) || !r.read_u16(an) ||
      !r.read_u16(ns) || !r.read_u16(ar)) {
    return std::nullopt;
  }
  out.qr = flags & 0x8000;
  out.aa = flags & 0x0400;
  out.tc = flags & 0x0200;
  out.rd = flags & 0x0100;
  out.ra = flags & 0x0080;
  uint16_t rcode = flags & 0xF;
  for (uint16_t i = 0; i < qd; ++i) {
    dns::Name name;
    uint16_t type, qclass;
    if (!r.read_name(name) || !r.read_u16(type) || !r.read_u16(qclass)) {
      return std::nullopt;
    }
    out.question = name.to_text() + " " + dns::rr_type_name(static_cast<dns::RrType>(type));
  }
  std::vector<std::string>* sections[3] = {&out.answer, &out.authority, &out.additional};
  uint16_t counts[3] = {an, ns, ar};
  for (int s = 0; s < 3; ++s) {
    for (uint16_t i = 0; i < counts[s]; ++i) {
      dns::Name owner;
      uint16_t type, rclass, length;
      uint32_t ttl;
      if (!r.read_name(owner) || !r.read_u16(type) || !r.read_u16(rclass) || !r.read_u32(ttl) ||
          !r.read_u16(length) || r.remaining() < length) {
        return std::nullopt;
      }
      auto rr_type = static_cast<dns::RrType>(type);
      if (rr_type == dns::RrType::OPT) {
        out.has_opt = true;
        out.opt_udp_size = rclass;
        rcode |= static_cast<uint16_t>((ttl >> 24) << 4);
        r.skip(length);
        continue;
      }
      auto rdata = expand_rdata(rr_type, message, r.offset(), length);
      if (!rdata) {
        return std::nullopt;
      }
      r.skip(length);
      sections[s]->push_back(owner.to_text() + "\t" + std::to_string(ttl) + "\tIN\t" +
                             dns::rr_type_name(rr_type) + "\t" +
                             dns::rdata::to_text(rr_type, *rdata));
    }
  }
  out.rcode = static_cast<dns::Rcode>(rcode);
  return out;
}

}  // namespace vmdns::testing
