#include "forward/client_query.h"

#include <algorithm>

#include "dns/writer.h"

namespace vmdns::forward {

size_t ClientQuery::reply_limit() const {
  if (transport == server::Transport::Tcp) {
    return 65535;
  }
  if (!edns) {
    return 512;
  }
  return std::clamp<size_t>(udp_size, 512, kEdnsPayload);
}

bool parse_client_query(std::span<const uint8_t> packet, server::Transport transport,
                        ClientQuery* out) {
  dns::ParsedQuery parsed;
  if (dns::parse_query(packet, parsed) != dns::ParseStatus::Ok || !parsed.has_question ||
      parsed.header.opcode() != dns::Opcode::Query ||
      (parsed.edns.present && parsed.edns.version != 0)) {
    return false;
  }
  out->id = parsed.header.id;
  out->flags = parsed.header.flags;
  out->question = parsed.question;
  out->edns = parsed.edns.present;
  out->udp_size = parsed.edns.udp_size;
  out->dnssec_ok = parsed.edns.dnssec_ok;
  out->transport = transport;
  return true;
}

size_t build_upstream_query(const ClientQuery& client, uint16_t id, std::span<uint8_t> out) {
  dns::MessageWriter w(out, 512);
  w.header().id = id;
  w.header().flags = dns::Header::kRd | (client.flags & dns::Header::kCd);
  if (!w.write_question(client.question.name.lowercased(), client.question.type,
                        client.question.qclass) ||
      !w.write_opt(kEdnsPayload, 0, 0, client.dnssec_ok)) {
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
  w.write_question(client.question.name, client.question.type, client.question.qclass);
  if (client.edns) {
    w.write_opt(kEdnsPayload, 0, 0, client.dnssec_ok);
  }
  return w.finish();
}

}  // namespace vmdns::forward
