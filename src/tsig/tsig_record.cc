#include "tsig/tsig_record.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "dns/header.h"
#include "dns/reader.h"

namespace vmdns::tsig {
namespace {

bool read_tsig_rdata(const dns::RecordView& rr, TsigRecord& out) {
  dns::Reader r = rr.rdata_reader();
  uint16_t time_high = 0;
  uint32_t time_low = 0;
  uint16_t mac_size = 0;
  uint16_t other_size = 0;
  if (!r.read_name(out.algorithm) || !r.read_u16(time_high) || !r.read_u32(time_low) ||
      !r.read_u16(out.fudge) || !r.read_u16(mac_size) || r.remaining() < mac_size) {
    return false;
  }
  out.mac = rr.message.subspan(r.offset(), mac_size);
  if (!r.skip(mac_size) || !r.read_u16(out.original_id) || !r.read_u16(out.error) ||
      !r.read_u16(other_size) || r.remaining() != other_size) {
    return false;  // the fields must fill the rdata exactly
  }
  out.other = rr.message.subspan(r.offset(), other_size);
  out.time_signed = (uint64_t{time_high} << 32) | time_low;
  return true;
}

}  // namespace

TsigPresence find_tsig(const dns::MessageView& message, TsigRecord& out) {
  if (!message.ok()) {
    return message.header().arcount != 0 ? TsigPresence::Malformed : TsigPresence::Absent;
  }
  size_t index = 0;
  size_t total = message.records().size();
  bool found = false;
  for (const dns::RecordView& rr : message.records()) {
    ++index;
    if (rr.type != kTsigType) {
      continue;
    }
    if (found || index != total || rr.section != dns::Section::Additional ||
        rr.rclass != kClassAny || !rr.read_owner(out.key_name) || !read_tsig_rdata(rr, out)) {
      return TsigPresence::Malformed;
    }
    out.offset = rr.offset;
    found = true;
  }
  return found ? TsigPresence::Present : TsigPresence::Absent;
}

void digest_message(Hmac& mac, std::span<const uint8_t> prefix, uint16_t original_id,
                    uint16_t arcount) {
  if (prefix.size() < dns::kHeaderSize) {
    return;
  }
  uint8_t header[dns::kHeaderSize];
  std::memcpy(header, prefix.data(), dns::kHeaderSize);
  header[0] = static_cast<uint8_t>(original_id >> 8);
  header[1] = static_cast<uint8_t>(original_id);
  header[10] = static_cast<uint8_t>(arcount >> 8);
  header[11] = static_cast<uint8_t>(arcount);
  mac.update(header);
  mac.update(prefix.subspan(dns::kHeaderSize));
}

void digest_variables(Hmac& mac, const Variables& v, bool timers_only) {
  if (!timers_only) {
    mac.update(v.key_name->lowercased().wire());
    mac.update_u16(kClassAny);
    mac.update_u32(0);  // TTL
    mac.update(v.algorithm->lowercased().wire());
  }
  mac.update_u48(v.time_signed);
  mac.update_u16(v.fudge);
  if (!timers_only) {
    mac.update_u16(v.error);
    mac.update_u16(static_cast<uint16_t>(v.other.size()));
    mac.update(v.other);
  }
}

void digest_prior_mac(Hmac& mac, std::span<const uint8_t> prior) {
  mac.update_u16(static_cast<uint16_t>(prior.size()));
  mac.update(prior);
}

size_t write_tsig_rdata(std::span<uint8_t> out, const dns::Name& algorithm, uint64_t time_signed,
                        uint16_t fudge, std::span<const uint8_t> mac, uint16_t original_id,
                        uint16_t error, std::span<const uint8_t> other) {
  size_t need = algorithm.wire_length() + 16 + mac.size() + other.size();
  if (out.size() < need) {
    return 0;
  }
  size_t at = 0;
  auto put = [&](std::span<const uint8_t> bytes) {
    if (!bytes.empty()) {
      std::memcpy(out.data() + at, bytes.data(), bytes.size());
    }
    at += bytes.size();
  };
  auto put16 = [&](uint16_t v) {
    out[at++] = static_cast<uint8_t>(v >> 8);
    out[at++] = static_cast<uint8_t>(v);
  };
  put(algorithm.lowercased().wire());
  for (int i = 0; i < 6; ++i) {
    out[at++] = static_cast<uint8_t>(time_signed >> (8 * (5 - i)));
  }
  put16(fudge);
  put16(static_cast<uint16_t>(mac.size()));
  put(mac);
  put16(original_id);
  put16(error);
  put16(static_cast<uint16_t>(other.size()));
  put(other);
  return at;
}

size_t append_tsig(std::span<uint8_t> buffer, size_t length, const dns::Name& key_name,
                   const dns::Name& algorithm, uint64_t time_signed, uint16_t fudge,
                   std::span<const uint8_t> mac, uint16_t original_id, uint16_t error,
                   std::span<const uint8_t> other) {
  std::array<uint8_t, kMaxTsigRdata> rdata;
  size_t rdata_size =
      write_tsig_rdata(rdata, algorithm, time_signed, fudge, mac, original_id, error, other);
  dns::Name owner = key_name.lowercased();
  size_t record = owner.wire_length() + 10 + rdata_size;
  dns::Header header;
  if (rdata_size == 0 || length > buffer.size() || buffer.size() - length < record ||
      !dns::read_header(buffer.first(length), header) || header.arcount == 0xFFFF) {
    return 0;
  }
  uint8_t* at = buffer.data() + length;
  auto put16 = [&](uint16_t v) {
    *at++ = static_cast<uint8_t>(v >> 8);
    *at++ = static_cast<uint8_t>(v);
  };
  std::copy(owner.wire().begin(), owner.wire().end(), at);
  at += owner.wire_length();
  put16(static_cast<uint16_t>(kTsigType));
  put16(kClassAny);
  put16(0);  // TTL, 32 bits
  put16(0);
  put16(static_cast<uint16_t>(rdata_size));
  std::copy_n(rdata.begin(), rdata_size, at);
  uint16_t arcount = header.arcount + 1;
  buffer[10] = static_cast<uint8_t>(arcount >> 8);
  buffer[11] = static_cast<uint8_t>(arcount);
  return length + record;
}

}  // namespace vmdns::tsig
