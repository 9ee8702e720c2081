#include "forward/alias_reply.h"

#include <cstring>
#include <optional>

#include "dns/edns.h"
#include "dns/message_view.h"
#include "dns/rdata_names.h"
#include "dns/reader.h"
#include "dns/writer.h"

namespace vmdns::forward {
namespace {

// Our CNAME as it goes into an AliasPrefix: owner, type, class, TTL, rdlength, target, all
// uncompressed. False when it does not fit.
bool append_cname(AliasPrefix& alias, const dns::Name& owner, uint16_t rclass, uint32_t ttl,
                  const dns::Name& target) {
  size_t length = owner.wire_length() + 10 + target.wire_length();
  if (alias.records_length + length > alias.records.size()) {
    return false;
  }
  uint8_t* at = alias.records.data() + alias.records_length;
  std::memcpy(at, owner.wire().data(), owner.wire_length());
  at += owner.wire_length();
  uint16_t fields[] = {static_cast<uint16_t>(dns::RrType::CNAME), rclass,
                       static_cast<uint16_t>(ttl >> 16), static_cast<uint16_t>(ttl),
                       static_cast<uint16_t>(target.wire_length())};
  for (uint16_t v : fields) {
    *at++ = static_cast<uint8_t>(v >> 8);
    *at++ = static_cast<uint8_t>(v);
  }
  std::memcpy(at, target.wire().data(), target.wire_length());
  alias.records_length = static_cast<uint16_t>(alias.records_length + length);
  ++alias.record_count;
  return true;
}

}  // namespace

bool follow_alias(std::span<const uint8_t> our_reply, ClientQuery* client) {
  dns::MessageView m(our_reply);
  if (!m.ok() || m.answer().empty()) {
    return false;
  }
  AliasPrefix alias;
  alias.client_name = client->question.name;
  dns::Name target;
  for (const dns::RecordView& rr : m.answer()) {
    dns::Name owner;
    dns::Reader target_reader = rr.rdata_reader();
    if (rr.type != dns::RrType::CNAME || !rr.read_owner(owner) ||
        !target_reader.read_name(target) ||
        !append_cname(alias, owner, rr.rclass, rr.ttl, target)) {
      return false;
    }
  }
  client->alias = alias;
  client->question.name = target;
  return true;
}

AliasPrefix search_alias(const dns::Name& client_name, const dns::Name& target, uint32_t ttl) {
  AliasPrefix alias;
  alias.client_name = client_name;
  append_cname(alias, client_name, static_cast<uint16_t>(dns::RrClass::IN), ttl, target);
  return alias;
}

size_t rewrite_alias_reply(std::span<const uint8_t> response, const ClientQuery& client,
                           uint32_t elapsed, std::span<uint8_t> out) {
  if (!client.alias) {
    return 0;
  }
  dns::MessageView m(response);
  if (!m.ok() || !m.has_question() || !(m.question().name == client.question.name)) {
    return 0;
  }
  uint16_t flags = m.header().flags;

  dns::MessageWriter w(out, client.reply_limit());
  w.header().id = client.id;
  // AA: the first answer, our CNAME, is ours (RFC 1034 section 6.2.7).
  w.header().flags = dns::Header::kQr | dns::Header::kAa | (flags & dns::Header::kRa) |
                     (client.flags & (dns::Header::kRd | dns::Header::kCd));
  if (client.edns) {
    w.reserve_tail(dns::kOptFixedSize);
  }
  if (!w.write_question(client.alias->client_name, client.question.type, client.question.qclass)) {
    return 0;
  }
  bool truncated = false;
  // Our CNAMEs: a run of uncompressed records, walked as the answer section of a message.
  std::span<const uint8_t> ours(client.alias->records.data(), client.alias->records_length);
  size_t offset = 0;
  for (uint16_t i = 0; i < client.alias->record_count && !truncated; ++i) {
    dns::RecordView rr;
    dns::Name owner;
    if (!dns::read_record(ours, offset, dns::Section::Answer, rr) || !rr.read_owner(owner)) {
      return 0;
    }
    truncated = !w.write_rr(dns::Section::Answer, owner, dns::RrType::CNAME, rr.rclass, rr.ttl,
                            rr.rdata);
    offset = rr.end();
  }
  dns::Edns upstream_edns;
  dns::ExpandedRdata expanded;
  for (const dns::RecordView& rr : m.records()) {
    if (rr.section == dns::Section::Additional) {
      // Additional records are left out (the client asked for an address); the OPT is read
      // for the upstream's extended rcode and DO bit.
      if (rr.type == dns::RrType::OPT) {
        dns::decode_opt(rr.rclass, rr.ttl, rr.rdata, upstream_edns);
      }
      continue;
    }
    if (truncated) {
      continue;
    }
    dns::Name owner;
    std::optional<std::span<const uint8_t>> rdata = dns::expand_rdata(rr, expanded);
    if (!rdata || !rr.read_owner(owner)) {
      return 0;
    }
    auto mark = w.mark();
    if (!w.write_rr(rr.section, owner, rr.type, rr.rclass, rr.ttl > elapsed ? rr.ttl - elapsed : 0,
                    *rdata)) {
      w.rollback(mark);
      truncated = true;
    }
  }
  if (truncated) {
    w.set_truncated();
  }
  uint16_t rcode = static_cast<uint16_t>((uint16_t{upstream_edns.extended_rcode} << 4) |
                                         (flags & dns::Header::kRcodeMask));
  w.header().set_rcode_low(rcode);
  if (client.edns) {
    w.reserve_tail(0);
    w.write_opt(dns::kEdnsPayload, static_cast<uint8_t>(rcode >> 4), 0,
                upstream_edns.dnssec_ok);
  }
  return w.finish();
}

}  // namespace vmdns::forward
