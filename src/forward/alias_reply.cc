#include "forward/alias_reply.h"

#include <cstring>
#include <vector>

#include "dns/reader.h"
#include "dns/writer.h"

namespace vmdns::forward {
namespace {

constexpr size_t kOptSize = 11;

struct Record {
  dns::Name owner;
  uint16_t type = 0;
  uint16_t rclass = 0;
  uint32_t ttl = 0;
  std::span<const uint8_t> rdata;  // as found: names in it may be compressed
};

bool read_record(dns::Reader& reader, std::span<const uint8_t> message, Record* out) {
  uint16_t rdlength = 0;
  if (!reader.read_name(out->owner) || !reader.read_u16(out->type) ||
      !reader.read_u16(out->rclass) || !reader.read_u32(out->ttl) || !reader.read_u16(rdlength) ||
      reader.remaining() < rdlength) {
    return false;
  }
  out->rdata = message.subspan(reader.offset(), rdlength);
  return reader.skip(rdlength);
}

bool append_name(dns::Reader& reader, std::vector<uint8_t>& out) {
  dns::Name name;
  if (!reader.read_name(name)) {
    return false;
  }
  auto wire = name.wire();
  out.insert(out.end(), wire.begin(), wire.end());
  return true;
}

// The rdata of `record` with every name in it written out in full: the types whose names
// RFC 3597 section 4 allows to be compressed (NS, CNAME, PTR, SOA, MX), and SRV, which some
// servers compress anyway. Other types are copied as they are. False when malformed.
bool decompressed_rdata(std::span<const uint8_t> message, const Record& record,
                        std::vector<uint8_t>& out) {
  out.clear();
  size_t start = static_cast<size_t>(record.rdata.data() - message.data());
  size_t end = start + record.rdata.size();
  dns::Reader reader(message.first(end), start);
  auto copy_fixed = [&](size_t count) {
    if (reader.remaining() < count) {
      return false;
    }
    size_t at = reader.offset();
    out.insert(out.end(), message.begin() + static_cast<ptrdiff_t>(at),
               message.begin() + static_cast<ptrdiff_t>(at + count));
    return reader.skip(count);
  };
  bool ok = true;
  switch (static_cast<dns::RrType>(record.type)) {
    case dns::RrType::NS:
    case dns::RrType::CNAME:
    case dns::RrType::PTR:
      ok = append_name(reader, out);
      break;
    case dns::RrType::SOA:
      ok = append_name(reader, out) && append_name(reader, out) && copy_fixed(20);
      break;
    case dns::RrType::MX:
      ok = copy_fixed(2) && append_name(reader, out);
      break;
    case dns::RrType::SRV:
      ok = copy_fixed(6) && append_name(reader, out);
      break;
    default:
      out.assign(record.rdata.begin(), record.rdata.end());
      return true;
  }
  return ok && reader.offset() == end;
}

}  // namespace

bool follow_alias(std::span<const uint8_t> our_reply, ClientQuery* client) {
  if (our_reply.size() < dns::kHeaderSize) {
    return false;
  }
  uint16_t answers = static_cast<uint16_t>((our_reply[6] << 8) | our_reply[7]);
  dns::Reader reader(our_reply, dns::kHeaderSize);
  if (answers == 0 || !reader.skip_name() || !reader.skip(4)) {
    return false;
  }
  AliasPrefix alias;
  alias.client_name = client->question.name;
  dns::Name target;
  for (uint16_t i = 0; i < answers; ++i) {
    Record record;
    if (!read_record(reader, our_reply, &record) ||
        record.type != static_cast<uint16_t>(dns::RrType::CNAME)) {
      return false;
    }
    dns::Reader target_reader(our_reply,
                              static_cast<size_t>(record.rdata.data() - our_reply.data()));
    if (!target_reader.read_name(target)) {
      return false;
    }
    size_t owner_length = record.owner.wire_length();
    size_t length = owner_length + 10 + target.wire_length();
    if (alias.records_length + length > alias.records.size()) {
      return false;
    }
    uint8_t* at = alias.records.data() + alias.records_length;
    std::memcpy(at, record.owner.wire().data(), owner_length);
    at += owner_length;
    uint16_t fields[] = {record.type, record.rclass, static_cast<uint16_t>(record.ttl >> 16),
                         static_cast<uint16_t>(record.ttl),
                         static_cast<uint16_t>(target.wire_length())};
    for (uint16_t v : fields) {
      *at++ = static_cast<uint8_t>(v >> 8);
      *at++ = static_cast<uint8_t>(v);
    }
    std::memcpy(at, target.wire().data(), target.wire_length());
    alias.records_length = static_cast<uint16_t>(alias.records_length + length);
    ++alias.record_count;
  }
  client->alias = alias;
  client->question.name = target;
  return true;
}

AliasPrefix search_alias(const dns::Name& client_name, const dns::Name& target, uint32_t ttl) {
  AliasPrefix alias;
  alias.client_name = client_name;
  uint8_t* at = alias.records.data();
  std::memcpy(at, client_name.wire().data(), client_name.wire_length());
  at += client_name.wire_length();
  uint16_t fields[] = {static_cast<uint16_t>(dns::RrType::CNAME), 1,
                       static_cast<uint16_t>(ttl >> 16), static_cast<uint16_t>(ttl),
                       static_cast<uint16_t>(target.wire_length())};
  for (uint16_t v : fields) {
    *at++ = static_cast<uint8_t>(v >> 8);
    *at++ = static_cast<uint8_t>(v);
  }
  std::memcpy(at, target.wire().data(), target.wire_length());
  alias.records_length =
      static_cast<uint16_t>(client_name.wire_length() + 10 + target.wire_length());
  alias.record_count = 1;
  return alias;
}

size_t rewrite_alias_reply(std::span<const uint8_t> response, const ClientQuery& client,
                           uint32_t elapsed, std::span<uint8_t> out) {
  if (!client.alias || response.size() < dns::kHeaderSize ||
      ((response[4] << 8) | response[5]) != 1) {
    return 0;
  }
  dns::Reader reader(response, dns::kHeaderSize);
  dns::Name asked;
  if (!reader.read_name(asked) || !(asked == client.question.name) || !reader.skip(4)) {
    return 0;
  }
  uint16_t flags = static_cast<uint16_t>((response[2] << 8) | response[3]);
  uint16_t counts[3] = {static_cast<uint16_t>((response[6] << 8) | response[7]),
                        static_cast<uint16_t>((response[8] << 8) | response[9]),
                        static_cast<uint16_t>((response[10] << 8) | response[11])};

  dns::MessageWriter w(out, client.reply_limit());
  w.header().id = client.id;
  // AA: the first answer, our CNAME, is ours (RFC 1034 section 6.2.7).
  w.header().flags = dns::Header::kQr | dns::Header::kAa | (flags & dns::Header::kRa) |
                     (client.flags & (dns::Header::kRd | dns::Header::kCd));
  if (client.edns) {
    w.reserve_tail(kOptSize);
  }
  if (!w.write_question(client.alias->client_name, client.question.type, client.question.qclass)) {
    return 0;
  }
  bool truncated = false;
  std::span<const uint8_t> ours(client.alias->records.data(), client.alias->records_length);
  dns::Reader prefix(ours);
  std::vector<uint8_t> rdata;
  for (uint16_t i = 0; i < client.alias->record_count && !truncated; ++i) {
    Record record;
    if (!read_record(prefix, ours, &record)) {
      return 0;
    }
    truncated = !w.write_rr(dns::Section::Answer, record.owner, dns::RrType::CNAME, record.rclass,
                            record.ttl, record.rdata);
  }
  uint8_t extended_rcode = 0;
  bool dnssec_ok = false;
  for (int section = 0; section < 3; ++section) {
    for (uint16_t i = 0; i < counts[section]; ++i) {
      Record record;
      if (!read_record(reader, response, &record)) {
        return 0;
      }
      if (section == 2) {
        // Additional records are left out (the client asked for an address); the OPT is read
        // for the upstream's extended rcode and DO bit.
        if (record.type == static_cast<uint16_t>(dns::RrType::OPT)) {
          extended_rcode = static_cast<uint8_t>(record.ttl >> 24);
          dnssec_ok = (record.ttl & 0x8000) != 0;
        }
        continue;
      }
      if (truncated) {
        continue;
      }
      if (!decompressed_rdata(response, record, rdata)) {
        return 0;
      }
      auto mark = w.mark();
      if (!w.write_rr(section == 0 ? dns::Section::Answer : dns::Section::Authority, record.owner,
                      static_cast<dns::RrType>(record.type), record.rclass,
                      record.ttl > elapsed ? record.ttl - elapsed : 0, rdata)) {
        w.rollback(mark);
        truncated = true;
      }
    }
  }
  if (truncated) {
    w.set_truncated();
  }
  uint16_t rcode = static_cast<uint16_t>((uint16_t{extended_rcode} << 4) | (flags & 0xF));
  w.header().set_rcode_low(rcode & 0xF);
  if (client.edns) {
    w.reserve_tail(0);
    w.write_opt(kEdnsPayload, static_cast<uint8_t>(rcode >> 4), 0, dnssec_ok);
  }
  return w.finish();
}

}  // namespace vmdns::forward
