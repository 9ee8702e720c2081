#include "forward/response.h"

#include <algorithm>
#include <cstring>

#include "dns/reader.h"
#include "forward/alias_reply.h"

namespace vmdns::forward {
namespace {

constexpr size_t kOptSize = 11;

uint16_t get_u16(std::span<const uint8_t> bytes, size_t offset) {
  return static_cast<uint16_t>((bytes[offset] << 8) | bytes[offset + 1]);
}

uint32_t get_u32(std::span<const uint8_t> bytes, size_t offset) {
  return (uint32_t{bytes[offset]} << 24) | (uint32_t{bytes[offset + 1]} << 16) |
         (uint32_t{bytes[offset + 2]} << 8) | bytes[offset + 3];
}

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

// One resource record as found in a message.
struct Record {
  size_t start = 0;       // the owner name
  size_t fixed = 0;       // type, class, TTL, rdlength
  size_t end = 0;         // just past the rdata
  uint16_t type = 0;
  uint32_t ttl = 0;
};

bool read_record(dns::Reader& reader, Record* record) {
  record->start = reader.offset();
  if (!reader.skip_name()) {
    return false;
  }
  record->fixed = reader.offset();
  uint16_t rclass = 0;
  uint16_t rdlength = 0;
  if (!reader.read_u16(record->type) || !reader.read_u16(rclass) ||
      !reader.read_u32(record->ttl) || !reader.read_u16(rdlength) || !reader.skip(rdlength)) {
    return false;
  }
  record->end = reader.offset();
  return true;
}

// The header and question of a response, checked; the offset just past the question.
bool read_question(std::span<const uint8_t> message, dns::Question* question, size_t* end) {
  if (message.size() < dns::kHeaderSize || get_u16(message, 4) != 1) {
    return false;
  }
  dns::Reader reader(message, dns::kHeaderSize);
  uint16_t type = 0;
  if (!reader.read_name(question->name) || !reader.read_u16(type) ||
      !reader.read_u16(question->qclass)) {
    return false;
  }
  question->type = static_cast<dns::RrType>(type);
  // Nothing precedes the question, so its name cannot be compressed: the restored name must
  // take exactly the same octets.
  if (reader.offset() != dns::kHeaderSize + question->name.wire_length() + 4) {
    return false;
  }
  *end = reader.offset();
  return true;
}

// One name copied from the response to the reply at the same offset decodes in both, to the
// same name (but for case: a pointer into the question reads the client's spelling). Advances
// both readers past it.
bool same_name(dns::Reader& in, dns::Reader& out) {
  dns::Name was;
  dns::Name is;
  return in.read_name(was) && out.read_name(is) && was == is;
}

// The names of the record at `record_start` decode in `reply` as they did in `response`: its
// owner, and the names in its rdata for the types whose rdata names may be compressed (RFC 3597
// section 4: NS, CNAME, PTR, SOA, MX; and SRV, which some servers compress anyway). Other rdata
// is opaque and copied as it is. False when a name does not decode, in either message, or does
// not fit its record's rdata. `record` is advanced past the record in `response`.
bool names_survive(std::span<const uint8_t> response, std::span<const uint8_t> reply,
                   Record* record) {
  dns::Reader in(response, record->start);
  if (!read_record(in, record)) {
    return false;
  }
  size_t rdata = record->fixed + 10;
  dns::Reader owner_in(response, record->start);
  dns::Reader owner_out(reply, record->start);
  if (!same_name(owner_in, owner_out)) {
    return false;
  }
  // Readers that stop at the end of the rdata, so that a name cannot run into the next record.
  dns::Reader names_in(response.first(record->end), rdata);
  dns::Reader names_out(reply.first(record->end), rdata);
  auto skip_fixed = [&](size_t count) { return names_in.skip(count) && names_out.skip(count); };
  switch (static_cast<dns::RrType>(record->type)) {
    case dns::RrType::NS:
    case dns::RrType::CNAME:
    case dns::RrType::PTR:
      return same_name(names_in, names_out);
    case dns::RrType::SOA:
      return same_name(names_in, names_out) && same_name(names_in, names_out);
    case dns::RrType::MX:
      return skip_fixed(2) && same_name(names_in, names_out);
    case dns::RrType::SRV:
      return skip_fixed(6) && same_name(names_in, names_out);
    default:
      return true;
  }
}

}  // namespace

bool answers_query(std::span<const uint8_t> response, uint16_t id, const dns::Question& question) {
  dns::Question got;
  size_t end = 0;
  if (!read_question(response, &got, &end)) {
    return false;
  }
  uint16_t flags = get_u16(response, 2);
  return get_u16(response, 0) == id && (flags & dns::Header::kQr) != 0 &&
         got.type == question.type && got.qclass == question.qclass && got.name == question.name;
}

bool is_truncated(std::span<const uint8_t> response) {
  return response.size() >= dns::kHeaderSize &&
         (get_u16(response, 2) & dns::Header::kTc) != 0;
}

std::optional<uint32_t> cache_ttl(std::span<const uint8_t> response, const CacheTtls& ttls) {
  dns::Question question;
  size_t offset = 0;
  if (!read_question(response, &question, &offset) || is_truncated(response)) {
    return std::nullopt;
  }
  uint16_t rcode = get_u16(response, 2) & 0xF;
  uint16_t answers = get_u16(response, 6);
  uint16_t authority = get_u16(response, 8);
  uint16_t additional = get_u16(response, 10);
  bool positive = rcode == static_cast<uint16_t>(dns::Rcode::NoError) && answers > 0;
  bool negative = rcode == static_cast<uint16_t>(dns::Rcode::NxDomain) ||
                  (rcode == static_cast<uint16_t>(dns::Rcode::NoError) && answers == 0);
  if (!positive && !negative) {
    return std::nullopt;
  }
  dns::Reader reader(response, offset);
  std::optional<uint32_t> ttl;
  for (size_t i = 0; i < size_t{answers} + authority + additional; ++i) {
    Record record;
    if (!read_record(reader, &record)) {
      return std::nullopt;
    }
    if (record.type == static_cast<uint16_t>(dns::RrType::OPT)) {
      continue;  // its TTL field holds the extended rcode and flags
    }
    if (positive) {
      ttl = std::min(ttl.value_or(record.ttl), record.ttl);
    } else if (i >= answers && i < size_t{answers} + authority &&
               record.type == static_cast<uint16_t>(dns::RrType::SOA) &&
               record.end >= record.fixed + 10 + 20) {
      // RFC 2308 section 5: the SOA's TTL, or its MINIMUM field if lower.
      uint32_t minimum = get_u32(response, record.end - 4);
      ttl = std::min(record.ttl, minimum);
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
  dns::Question question;
  size_t offset = 0;
  if (!read_question(response, &question, &offset)) {
    return false;
  }
  size_t records = size_t{get_u16(response, 6)} + get_u16(response, 8) + get_u16(response, 10);
  // Read every record first, so that a malformed response is left as it was.
  dns::Reader check(response, offset);
  for (size_t i = 0; i < records; ++i) {
    Record record;
    if (!read_record(check, &record)) {
      return false;
    }
  }
  dns::Reader reader(response, offset);
  for (size_t i = 0; i < records; ++i) {
    Record record;
    read_record(reader, &record);
    if (record.type != static_cast<uint16_t>(dns::RrType::OPT)) {
      put_u32(response.data() + record.fixed + 4, ttl);
    }
  }
  return true;
}

size_t rewrite_reply(std::span<const uint8_t> response, const ClientQuery& client,
                     uint32_t elapsed, std::span<uint8_t> out) {
  if (client.alias) {
    return rewrite_alias_reply(response, client, elapsed, out);
  }
  dns::Question question;
  size_t question_end = 0;
  if (!read_question(response, &question, &question_end) ||
      !(question.name == client.question.name)) {
    return 0;
  }
  size_t limit = std::min(client.reply_limit(), out.size());
  size_t reserve = client.edns ? kOptSize : 0;
  if (question_end + reserve > limit) {
    return 0;
  }
  // Header and question, with the client's ID and the client's spelling of the name (same
  // length: the names are equal but for case).
  std::memcpy(out.data(), response.data(), question_end);
  put_u16(out.data(), client.id);
  std::memcpy(out.data() + dns::kHeaderSize, client.question.name.wire().data(),
              client.question.name.wire_length());
  uint16_t flags = get_u16(response, 2);

  uint16_t counts[3] = {get_u16(response, 6), get_u16(response, 8), get_u16(response, 10)};
  uint16_t kept[3] = {0, 0, 0};
  uint8_t extended_rcode = 0;
  bool dnssec_ok = false;
  bool truncated = false;
  // Cleared at the first record left out: everything after it is left out too, so every record
  // kept sits at the same offset as in the response and its compression pointers (which only
  // point backwards) stay valid. The records are still read to find the OPT.
  bool copying = true;
  size_t size = question_end;
  dns::Reader reader(response, question_end);
  for (int section = 0; section < 3; ++section) {
    for (uint16_t i = 0; i < counts[section]; ++i) {
      Record record;
      if (!read_record(reader, &record)) {
        return 0;
      }
      if (record.type == static_cast<uint16_t>(dns::RrType::OPT)) {
        if (section != 2) {
          return 0;
        }
        extended_rcode = static_cast<uint8_t>(record.ttl >> 24);
        dnssec_ok = (record.ttl & 0x8000) != 0;
        copying = false;
        continue;
      }
      if (!copying) {
        continue;
      }
      size_t length = record.end - record.start;
      if (size + length + reserve > limit) {
        truncated = section != 2;
        copying = false;
        continue;
      }
      std::memcpy(out.data() + size, response.data() + record.start, length);
      size_t ttl_at = size + (record.fixed - record.start) + 4;
      put_u32(out.data() + ttl_at, record.ttl > elapsed ? record.ttl - elapsed : 0);
      size += length;
      ++kept[section];
    }
  }
  if (client.edns) {
    uint32_t ttl = (uint32_t{extended_rcode} << 24) | (dnssec_ok ? 0x8000u : 0u);
    uint8_t* opt = out.data() + size;
    opt[0] = 0;
    put_u16(opt + 1, static_cast<uint16_t>(dns::RrType::OPT));
    put_u16(opt + 3, kEdnsPayload);
    put_u32(opt + 5, ttl);
    put_u16(opt + 9, 0);
    size += kOptSize;
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
  std::span<const uint8_t> reply(out.data(), size);
  Record record;
  record.start = question_end;
  for (size_t i = 0; i < size_t{kept[0]} + kept[1] + kept[2] - (client.edns ? 1 : 0); ++i) {
    if (!names_survive(response, reply, &record)) {
      return 0;
    }
    record.start = record.end;
  }
  return size;
}

}  // namespace vmdns::forward
