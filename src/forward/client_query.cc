#include "forward/client_query.h"

#include <algorithm>

#include "dns/reader.h"
#include "dns/writer.h"

namespace vmdns::forward {
namespace {

// The token of a kLoopMarkerOption in the query's OPT record, 0 if there is none. The message
// has already been checked by parse_query; this only walks to the OPT again.
uint64_t find_loop_marker(std::span<const uint8_t> packet, size_t question_end) {
  if (packet.size() < dns::kHeaderSize) {
    return 0;
  }
  size_t records = 0;
  for (size_t i = 6; i < 12; i += 2) {
    records += (size_t{packet[i]} << 8) | packet[i + 1];
  }
  dns::Reader reader(packet, question_end);
  for (size_t i = 0; i < records; ++i) {
    uint16_t type = 0;
    uint16_t rclass = 0;
    uint32_t ttl = 0;
    uint16_t rdlength = 0;
    if (!reader.skip_name() || !reader.read_u16(type) || !reader.read_u16(rclass) ||
        !reader.read_u32(ttl) || !reader.read_u16(rdlength)) {
      return 0;
    }
    if (type != static_cast<uint16_t>(dns::RrType::OPT)) {
      if (!reader.skip(rdlength)) {
        return 0;
      }
      continue;
    }
    size_t end = reader.offset() + rdlength;
    while (reader.offset() + 4 <= end) {
      uint16_t code = 0;
      uint16_t length = 0;
      if (!reader.read_u16(code) || !reader.read_u16(length) || reader.offset() + length > end) {
        return 0;
      }
      if (code == kLoopMarkerOption && length == 8) {
        uint32_t high = 0;
        uint32_t low = 0;
        reader.read_u32(high);
        reader.read_u32(low);
        return (uint64_t{high} << 32) | low;
      }
      reader.skip(length);
    }
    return 0;
  }
  return 0;
}

}  // namespace

size_t ClientQuery::reply_limit() const {
  if (transport == net::Transport::Tcp) {
    return 65535;
  }
  if (!edns) {
    return 512;
  }
  return std::clamp<size_t>(udp_size, 512, kEdnsPayload);
}

bool parse_client_query(std::span<const uint8_t> packet, net::Transport transport,
                        ClientQuery* out) {
  dns::ParsedQuery parsed;
  return dns::parse_query(packet, parsed) == dns::ParseStatus::Ok &&
         make_client_query(parsed, packet, transport, out);
}

bool forwardable(const dns::ParsedQuery& parsed) {
  return parsed.has_question && parsed.header.opcode() == dns::Opcode::Query &&
         (!parsed.edns.present || parsed.edns.version == 0);
}

bool make_client_query(const dns::ParsedQuery& parsed, std::span<const uint8_t> packet,
                       net::Transport transport, ClientQuery* out) {
  if (!forwardable(parsed)) {
    return false;
  }
  out->id = parsed.header.id;
  out->flags = parsed.header.flags;
  out->question = parsed.question;
  out->edns = parsed.edns.present;
  out->udp_size = parsed.edns.udp_size;
  out->dnssec_ok = parsed.edns.dnssec_ok;
  out->transport = transport;
  out->alias.reset();
  out->loop_marker = parsed.edns.present ? find_loop_marker(packet, parsed.question_end) : 0;
  return true;
}

size_t build_upstream_query(const ClientQuery& client, uint16_t id, uint64_t loop_marker,
                            std::span<uint8_t> out) {
  dns::MessageWriter w(out, 512);
  w.header().id = id;
  w.header().flags = dns::Header::kRd | (client.flags & dns::Header::kCd);
  if (!w.write_question(client.question.name.lowercased(), client.question.type,
                        client.question.qclass) ||
      !w.write_opt(kEdnsPayload, 0, 0, client.dnssec_ok)) {
    return 0;
  }
  size_t size = w.finish();
  if (loop_marker == 0) {
    return size;
  }
  // The OPT is the last record and has no options yet: append one and grow its RDLENGTH.
  constexpr size_t kOption = 4 + 8;
  if (size + kOption > out.size()) {
    return 0;
  }
  uint8_t* option = out.data() + size;
  option[0] = static_cast<uint8_t>(kLoopMarkerOption >> 8);
  option[1] = static_cast<uint8_t>(kLoopMarkerOption & 0xff);
  option[2] = 0;
  option[3] = 8;
  for (int i = 0; i < 8; ++i) {
    option[4 + i] = static_cast<uint8_t>(loop_marker >> (56 - 8 * i));
  }
  out[size - 2] = 0;
  out[size - 1] = kOption;
  return size + kOption;
}

size_t build_client_query(const ClientQuery& client, const dns::Name& name,
                          std::span<uint8_t> out) {
  dns::MessageWriter w(out, out.size());
  w.header().id = client.id;
  w.header().flags = client.flags & (dns::Header::kRd | dns::Header::kCd);
  if (!w.write_question(name, client.question.type, client.question.qclass) ||
      (client.edns && !w.write_opt(client.udp_size, 0, 0, client.dnssec_ok))) {
    return 0;
  }
  return w.finish();
}

size_t servfail_reply(const ClientQuery& client, std::span<uint8_t> out) {
  dns::MessageWriter w(out, client.reply_limit());
  w.header().id = client.id;
  w.header().flags = dns::Header::kQr | dns::Header::kRa |
                     (client.flags & (dns::Header::kRd | dns::Header::kCd));
  w.header().set_rcode_low(static_cast<uint16_t>(dns::Rcode::ServFail));
  w.write_question(client.alias ? client.alias->client_name : client.question.name,
                   client.question.type, client.question.qclass);
  if (client.edns) {
    w.write_opt(kEdnsPayload, 0, 0, client.dnssec_ok);
  }
  return w.finish();
}

}  // namespace vmdns::forward
