#include "forward/response.h"

#include <algorithm>
#include <cstring>

#include "dns/edns.h"
#include "dns/message_view.h"
#include "dns/rdata_names.h"
#include "dns/reader.h"
#include "forward/alias_reply.h"

namespace vmdns::forward {
namespace {

void put_u16(uint8_t* at, uint16_t v) {
  at[0] = static_cast<uint8_t>(v >> 8);
  at[1] = static_cast<uint8_t>(v);
}

void put_u32(uint8_t* at, uint32_t v) {
  at[0] = static_cast<uint8_t>(v >> 24);
  at[1] = static_cast<uint8_t>(v >> 16);
  at[2] = static_cast<uint8_t>(v >> 8);
  at[3] = static_cast<uint8_t>(v);
}

uint32_t get_u32(std::span<const uint8_t> bytes, size_t offset) {
  return (uint32_t{bytes[offset]} << 24) | (uint32_t{bytes[offset + 1]} << 16) |
         (uint32_t{bytes[offset + 2]} << 8) | bytes[offset + 3];
}

// One question, written uncompressed right after the header. Nothing precedes the question, so
// its name cannot be compressed: the client's spelling restored takes exactly the same octets.
bool plain_question(const dns::MessageView& m) {
  return m.has_question() &&
         m.question_end() == dns::kHeaderSize + m.question().name.wire_length() + 4;
}

// One name copied from the response to the reply at the same offset decodes in both, to the
// same name (but for case: a pointer into the question reads the client's spelling). Advances
// both readers past it.
bool same_name(dns::Reader& in, dns::Reader& out) {
  dns::Name was;
  dns::Name is;
  return in.read_name(was) && out.read_name(is) && was == is;
}

// The names of record `was` of the response decode in its copy `is` in the reply as they did
// in the response: its owner, and the names in its rdata for the types whose rdata names may be
// compressed (dns::rdata_name_layout). Other rdata is opaque and copied as it is.
bool names_survive(const dns::RecordView& was, const dns::RecordView& is) {
  dns::Reader owner_in(was.message, was.offset);
  dns::Reader owner_out(is.message, is.offset);
  if (!same_name(owner_in, owner_out)) {
    return false;
  }
  dns::RdataNameLayout layout = dns::rdata_name_layout(was.type);
  // Readers that stop at the end of the rdata, so that a name cannot run into the next record.
  dns::Reader names_in = was.rdata_reader();
  dns::Reader names_out = is.rdata_reader();
  if (!names_in.skip(layout.before) || !names_out.skip(layout.before)) {
    return false;
  }
  for (uint8_t i = 0; i < layout.names; ++i) {
    if (!same_name(names_in, names_out)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool answers_query(std::span<const uint8_t> response, uint16_t id, const dns::Question& question) {
  // Only the header and the question are judged here: a response to our question whose
  // records are malformed is still the answer, and gets SERVFAIL from rewrite_reply.
  dns::MessageView m(response);
  if (!plain_question(m)) {
    return false;
  }
  const dns::Question& got = m.question();
  return m.header().id == id && m.header().qr() && got.type == question.type &&
         got.qclass == question.qclass && got.name == question.name;
}

bool is_truncated(std::span<const uint8_t> response) {
  dns::Header header;
  return dns::read_header(response, header) && header.tc();
}

std::optional<uint32_t> cache_ttl(std::span<const uint8_t> response, const CacheTtls& ttls) {
  dns::MessageView m(response);
  if (!m.ok() || !plain_question(m) || m.header().tc()) {
    return std::nullopt;
  }
  uint16_t rcode = m.header().rcode_low();
  bool answered = m.header().ancount > 0;
  bool positive = rcode == static_cast<uint16_t>(dns::Rcode::NoError) && answered;
  bool negative = rcode == static_cast<uint16_t>(dns::Rcode::NxDomain) ||
                  (rcode == static_cast<uint16_t>(dns::Rcode::NoError) && !answered);
  if (!positive && !negative) {
    return std::nullopt;
  }
  std::optional<uint32_t> ttl;
  for (const dns::RecordView& rr : m.records()) {
    if (rr.type == dns::RrType::OPT) {
      continue;  // its TTL field holds the extended rcode and flags
    }
    if (positive) {
      ttl = std::min(ttl.value_or(rr.ttl), rr.ttl);
    } else if (rr.section == dns::Section::Authority && rr.type == dns::RrType::SOA &&
               rr.rdata.size() >= 20) {
      // RFC 2308 section 5: the SOA's TTL, or its MINIMUM field (its last) if lower.
      uint32_t minimum = get_u32(rr.rdata, rr.rdata.size() - 4);
      ttl = std::min(rr.ttl, minimum);
    }
  }
  if (!ttl) {
    return std::nullopt;
  }
  uint32_t low = positive ? ttls.success_min : ttls.denial_min;
  uint32_t high = positive ? ttls.success_max : ttls.denial_max;
  uint32_t bounded = std::min(std::max(*ttl, low), high);
  if (bounded == 0) {
    return std::nullopt;
  }
  return bounded;
}

bool set_ttls(std::span<uint8_t> response, uint32_t ttl) {
  // The whole message is walked before anything is written, so that a malformed response is
  // left as it was.
  dns::MessageView m(response);
  if (!m.ok() || !plain_question(m)) {
    return false;
  }
  for (const dns::RecordView& rr : m.records()) {
    if (rr.type != dns::RrType::OPT) {
      put_u32(response.data() + rr.ttl_offset(), ttl);
    }
  }
  return true;
}

size_t rewrite_reply(std::span<const uint8_t> response, const ClientQuery& client,
                     uint32_t elapsed, std::span<uint8_t> out) {
  if (client.alias) {
    return rewrite_alias_reply(response, client, elapsed, out);
  }
  dns::MessageView m(response);
  if (!m.ok() || !plain_question(m) || !(m.question().name == client.question.name)) {
    return 0;
  }
  size_t question_end = m.question_end();
  size_t limit = std::min(client.reply_limit(), out.size());
  size_t reserve = client.edns ? dns::kOptFixedSize : 0;
  if (question_end + reserve > limit) {
    return 0;
  }
  // Header and question, with the client's ID and the client's spelling of the name (same
  // length: the names are equal but for case).
  std::memcpy(out.data(), response.data(), question_end);
  put_u16(out.data(), client.id);
  std::memcpy(out.data() + dns::kHeaderSize, client.question.name.wire().data(),
              client.question.name.wire_length());
  uint16_t flags = m.header().flags;

  uint16_t kept[3] = {0, 0, 0};
  dns::Edns upstream_edns;
  bool truncated = false;
  // Cleared at the first record left out: everything after it is left out too, so every record
  // kept sits at the same offset as in the response and its compression pointers (which only
  // point backwards) stay valid. The records are still read to find the OPT.
  bool copying = true;
  size_t size = question_end;
  for (const dns::RecordView& rr : m.records()) {
    if (rr.type == dns::RrType::OPT) {
      if (rr.section != dns::Section::Additional) {
        return 0;
      }
      // Its extended rcode and DO bit go into ours.
      dns::decode_opt(rr.rclass, rr.ttl, rr.rdata, upstream_edns);
      copying = false;
      continue;
    }
    if (!copying) {
      continue;
    }
    std::span<const uint8_t> record = rr.bytes();
    if (size + record.size() + reserve > limit) {
      truncated = rr.section != dns::Section::Additional;
      copying = false;
      continue;
    }
    std::memcpy(out.data() + size, record.data(), record.size());
    put_u32(out.data() + size + (rr.ttl_offset() - rr.offset),
            rr.ttl > elapsed ? rr.ttl - elapsed : 0);
    size += record.size();
    ++kept[static_cast<size_t>(rr.section)];
  }
  size_t copied = size_t{kept[0]} + kept[1] + kept[2];
  if (client.edns) {
    size += dns::write_opt_record(out.subspan(size), {.udp_size = dns::kEdnsPayload,
                                                      .extended_rcode = upstream_edns.extended_rcode,
                                                      .dnssec_ok = upstream_edns.dnssec_ok});
    ++kept[2];
  }
  if (truncated) {
    flags |= dns::Header::kTc;
  }
  put_u16(out.data() + 2, flags);
  put_u16(out.data() + 6, kept[0]);
  put_u16(out.data() + 8, kept[1]);
  put_u16(out.data() + 10, kept[2]);

  // The records are copied with their compression pointers as they are, and a pointer is only
  // meaningful where it points at a prior occurrence of a name (RFC 1035 section 4.1.4). An
  // upstream may point anywhere else: into the header, whose ID, flags and counts are now ours,
  // into a TTL lowered above, or past the records kept. Such a name would read differently in
  // the reply, or not at all, so the reply is refused (SERVFAIL) rather than sent malformed.
  // Checking the finished reply is simpler and more robust than decompressing and re-encoding
  // every name: no legitimate response fails it, and byte-for-byte copying stays the norm.
  dns::MessageView reply(std::span<const uint8_t>(out.data(), size));
  if (!reply.ok()) {
    return 0;
  }
  auto was = m.records().begin();
  auto is = reply.records().begin();
  for (size_t i = 0; i < copied; ++i, ++was, ++is) {
    if (!names_survive(*was, *is)) {
      return 0;
    }
  }
  return size;
}

}  // namespace vmdns::forward
