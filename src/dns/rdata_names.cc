#include "dns/rdata_names.h"

#include <algorithm>

namespace vmdns::dns {

RdataNameLayout rdata_name_layout(RrType type) {
  switch (type) {
    case RrType::NS:
    case RrType::CNAME:
    case RrType::PTR:
      return {0, 1, 0};
    case RrType::SOA:
      return {0, 2, 20};  // MNAME, RNAME; serial, refresh, retry, expire, minimum
    case RrType::MX:
      return {2, 1, 0};  // preference, exchange
    case RrType::SRV:
      return {6, 1, 0};  // priority, weight, port, target
    default:
      return {};
  }
}

std::optional<std::span<const uint8_t>> expand_rdata(const RecordView& record,
                                                     ExpandedRdata& buffer) {
  RdataNameLayout layout = rdata_name_layout(record.type);
  if (layout.names == 0) {
    return record.rdata;
  }
  Reader r = record.rdata_reader();
  size_t size = 0;
  // The layout bounds the output: before + names * 255 + after <= kMaxExpandedRdata.
  auto copy_fixed = [&](size_t count) {
    size_t at = r.offset();
    if (!r.skip(count)) {
      return false;
    }
    std::copy_n(record.message.begin() + static_cast<std::ptrdiff_t>(at), count,
                buffer.begin() + static_cast<std::ptrdiff_t>(size));
    size += count;
    return true;
  };
  if (!copy_fixed(layout.before)) {
    return std::nullopt;
  }
  for (uint8_t i = 0; i < layout.names; ++i) {
    Name name;
    if (!r.read_name(name)) {
      return std::nullopt;
    }
    std::copy(name.wire().begin(), name.wire().end(),
              buffer.begin() + static_cast<std::ptrdiff_t>(size));
    size += name.wire_length();
  }
  if (!copy_fixed(layout.after) || r.remaining() != 0) {
    return std::nullopt;
  }
  return std::span<const uint8_t>(buffer.data(), size);
}

}  // namespace vmdns::dns
