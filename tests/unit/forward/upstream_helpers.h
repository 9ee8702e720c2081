#pragma once
// Builds upstream responses for the forward tests with dns::MessageWriter.

#include <string>
#include <vector>

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/writer.h"
#include "forward/client_query.h"

namespace vmdns::forward::testing {

using Bytes = std::vector<uint8_t>;

inline dns::Name name(const char* text) {
  return *dns::Name::from_text(text);
}

inline ClientQuery client(const char* qname, dns::RrType type = dns::RrType::A, bool edns = true,
                          net::Transport transport = net::Transport::Udp,
                          uint16_t udp_size = 1232) {
  ClientQuery q;
  q.id = 0xBEEF;
  q.flags = dns::Header::kRd;
  q.question = {name(qname), type, 1};
  q.edns = edns;
  q.udp_size = udp_size;
  q.transport = transport;
  return q;
}

struct Rr {
  dns::Section section;
  const char* owner;
  dns::RrType type;
  uint32_t ttl;
  Bytes rdata;
};

inline Bytes soa_rdata(uint32_t minimum) {
  return dns::rdata::soa(name("ns.example.test"), name("hostmaster.example.test"), 1, 7200, 1800,
                         86400, minimum);
}

// A response to `qname`/`type` with ID `id`, the records given, and an OPT unless `opt` is false.
inline Bytes response(uint16_t id, const char* qname, dns::RrType type, dns::Rcode rcode,
                      const std::vector<Rr>& records, bool opt = true, bool dnssec_ok = false,
                      bool tc = false) {
  Bytes buffer(65535);
  dns::MessageWriter w(buffer, 65535);
  w.header().id = id;
  w.header().flags = dns::Header::kQr | dns::Header::kRd | dns::Header::kRa;
  w.header().set_rcode_low(static_cast<uint16_t>(rcode));
  if (tc) {
    w.set_truncated();
  }
  w.write_question(name(qname), type, 1);
  for (const Rr& r : records) {
    w.write_rr(r.section, name(r.owner), r.type, 1, r.ttl, r.rdata);
  }
  if (opt) {
    w.write_opt(1232, 0, 0, dnssec_ok);
  }
  buffer.resize(w.finish());
  return buffer;
}

inline Bytes a_rdata(uint8_t last) {
  return dns::rdata::a({192, 0, 2, last});
}

}  // namespace vmdns::forward::testing
