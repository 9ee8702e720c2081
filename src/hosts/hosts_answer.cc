#include "hosts/hosts_answer.h"

#include "dns/edns.h"
#include "dns/message_view.h"
#include "dns/writer.h"

namespace vmdns::hosts {
namespace {

constexpr uint16_t kClassIn = 1;

}  // namespace

size_t answer(const HostsTable& table, std::span<const uint8_t> query, std::span<uint8_t> out,
              bool tcp) {
  dns::ParsedQuery q;
  if (dns::parse_query(query, q) != dns::ParseStatus::Ok) {
    return 0;
  }
  return answer(table, q, out, tcp);
}

size_t answer(const HostsTable& table, const dns::ParsedQuery& q, std::span<uint8_t> out,
              bool tcp) {
  if (!q.has_question || q.header.opcode() != dns::Opcode::Query || q.question.qclass != kClassIn ||
      (q.edns.present && q.edns.version != 0)) {
    return 0;
  }
  const HostsTable::Owner* owner = table.find(q.question.name);
  if (owner == nullptr) {
    return 0;
  }
  dns::RrType type = q.question.type;
  // As CoreDNS: a PTR is answered only for an address in the file; every other type only for a
  // name in it (with NODATA when it has no record of that type).
  if (type == dns::RrType::PTR ? owner->ptr.empty() : !owner->has_addresses()) {
    return 0;
  }
  if (type == dns::RrType::AXFR || type == dns::RrType::IXFR || type == dns::RrType::OPT) {
    return 0;  // the answer path's refusals and FORMERR apply
  }

  dns::MessageWriter w(out, tcp ? dns::kMaxMessageSize : dns::udp_reply_limit(q.edns));
  dns::Header& h = w.header();
  h.id = q.header.id;
  h.flags = dns::Header::kQr | dns::Header::kAa |
            (q.header.flags & (dns::Header::kOpcodeMask | dns::Header::kRd | dns::Header::kCd));
  if (q.edns.present) {
    w.reserve_tail(dns::kOptFixedSize);  // the OPT must fit whatever else is cut
  }
  if (!w.write_question(q.question.name, type, q.question.qclass)) {
    return 0;
  }
  const dns::Name& owner_name = q.question.name;  // the client's spelling
  uint32_t ttl = table.ttl();
  bool full = false;
  auto put = [&](dns::RrType rr_type, std::span<const uint8_t> rdata) {
    if (full) {
      return;
    }
    if (!w.write_rr(dns::Section::Answer, owner_name, rr_type, kClassIn, ttl, rdata)) {
      w.set_truncated();  // write_rr writes a record whole or not at all
      full = true;
    }
  };
  if (type == dns::RrType::A) {
    for (const auto& address : owner->a) {
      put(type, address);
    }
  } else if (type == dns::RrType::AAAA) {
    for (const auto& address : owner->aaaa) {
      put(type, address);
    }
  } else if (type == dns::RrType::PTR) {
    for (const dns::Name& name : owner->ptr) {
      put(type, name.wire());
    }
  }
  if (q.edns.present) {
    w.reserve_tail(0);
    w.write_opt(dns::kEdnsPayload, 0, 0, q.edns.dnssec_ok);
  }
  return w.finish();
}

}  // namespace vmdns::hosts
