#include "dns/edns.h"

#include <algorithm>

#include "dns/types.h"

namespace vmdns::dns {
namespace {

uint16_t get_u16(std::span<const uint8_t> bytes, size_t at) {
  return static_cast<uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

void put_u16(uint8_t* at, uint16_t v) {
  at[0] = static_cast<uint8_t>(v >> 8);
  at[1] = static_cast<uint8_t>(v);
}

}  // namespace

void decode_opt(uint16_t rclass, uint32_t ttl, std::span<const uint8_t> rdata, Edns& out) {
  out.present = true;
  // RFC 6891 section 6.2.5: a payload size below 512 is treated as 512.
  out.udp_size = std::max(kMinUdpPayload, rclass);
  out.extended_rcode = static_cast<uint8_t>(ttl >> 24);
  out.version = static_cast<uint8_t>(ttl >> 16);
  out.dnssec_ok = (ttl & 0x8000) != 0;
  out.options = rdata;
}

size_t write_opt_record(std::span<uint8_t> out, const OptFields& fields,
                        std::span<const uint8_t> options) {
  if (options.size() > 0xFFFF || out.size() < kOptFixedSize ||
      options.size() > out.size() - kOptFixedSize) {
    return 0;
  }
  uint32_t ttl = opt_ttl(fields.extended_rcode, fields.version, fields.dnssec_ok);
  uint8_t* at = out.data();
  at[0] = 0;  // the root owner (RFC 6891 section 6.1.2)
  put_u16(at + 1, static_cast<uint16_t>(RrType::OPT));
  put_u16(at + 3, fields.udp_size);
  put_u16(at + 5, static_cast<uint16_t>(ttl >> 16));
  put_u16(at + 7, static_cast<uint16_t>(ttl));
  put_u16(at + 9, static_cast<uint16_t>(options.size()));
  std::copy(options.begin(), options.end(), at + kOptFixedSize);
  return kOptFixedSize + options.size();
}

size_t write_option(std::span<uint8_t> out, uint16_t code, std::span<const uint8_t> data) {
  if (data.size() > 0xFFFF || out.size() < kOptionHeaderSize ||
      data.size() > out.size() - kOptionHeaderSize) {
    return 0;
  }
  put_u16(out.data(), code);
  put_u16(out.data() + 2, static_cast<uint16_t>(data.size()));
  std::copy(data.begin(), data.end(), out.data() + kOptionHeaderSize);
  return kOptionHeaderSize + data.size();
}

size_t udp_reply_limit(const Edns& edns) {
  if (!edns.present) {
    return kMinUdpPayload;
  }
  return std::clamp<size_t>(edns.udp_size, kMinUdpPayload, kEdnsPayload);
}

void EdnsOptions::Iterator::load() {
  done_ = true;
  if (offset_ > rdata_.size() || rdata_.size() - offset_ < kOptionHeaderSize) {
    return;
  }
  uint16_t length = get_u16(rdata_, offset_ + 2);
  if (length > rdata_.size() - offset_ - kOptionHeaderSize) {
    return;
  }
  current_.code = get_u16(rdata_, offset_);
  current_.data = rdata_.subspan(offset_ + kOptionHeaderSize, length);
  done_ = false;
}

bool EdnsOptions::well_formed() const {
  size_t covered = 0;
  for (const EdnsOption& option : *this) {
    covered += kOptionHeaderSize + option.data.size();
  }
  return covered == rdata_.size();
}

std::optional<std::span<const uint8_t>> EdnsOptions::find(uint16_t code) const {
  for (const EdnsOption& option : *this) {
    if (option.code == code) {
      return option.data;
    }
  }
  return std::nullopt;
}

}  // namespace vmdns::dns
