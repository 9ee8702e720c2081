#include "xfr/transfer_request.h"

#include "dns/header.h"
#include "dns/message_view.h"
#include "dns/reader.h"
#include "xfr/serial.h"

namespace vmdns::xfr {

std::optional<uint32_t> parse_serial_text(std::string_view text) {
  if (!text.empty() && text.back() == '\n') {
    text.remove_suffix(1);
  }
  if (text.empty() || text.size() > 10) {
    return std::nullopt;
  }
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > UINT32_MAX) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(value);
}

std::optional<uint32_t> soa_serial(std::span<const uint8_t> rdata) {
  dns::Reader reader(rdata);
  uint32_t serial = 0;
  if (!reader.skip_name() || !reader.skip_name() || !reader.read_u32(serial) ||
      reader.remaining() != 16) {
    return std::nullopt;
  }
  return serial;
}

RequestStatus read_transfer_request(std::span<const uint8_t> message, TransferRequest& out) {
  dns::MessageView view(message);
  if (view.error() == dns::MessageError::Short || view.header().qr() ||
      view.header().opcode() != dns::Opcode::Query || !view.has_question()) {
    return RequestStatus::NotTransfer;
  }
  const dns::Question& q = view.question();
  if (q.qclass != 1 || (q.type != dns::RrType::AXFR && q.type != dns::RrType::IXFR)) {
    return RequestStatus::NotTransfer;
  }
  out.id = view.header().id;
  out.flags = view.header().flags;
  out.zone = q.name;
  out.type = q.type;
  out.client_serial.reset();
  out.edns = view.edns().present;
  out.question_end = view.question_end();
  if (!view.ok() || view.opt_error() != dns::OptError::None) {
    return RequestStatus::FormErr;
  }
  if (q.type == dns::RrType::AXFR) {
    return RequestStatus::Ok;
  }
  dns::RecordRange authority = view.authority();
  if (authority.size() != 1) {
    return RequestStatus::FormErr;
  }
  dns::RecordView soa = *authority.begin();
  dns::Name owner;
  if (soa.type != dns::RrType::SOA || soa.rclass != 1 || !soa.read_owner(owner) ||
      !(owner == q.name)) {
    return RequestStatus::FormErr;
  }
  // The names in the rdata may be compressed against the rest of the message.
  dns::Reader reader = soa.rdata_reader();
  uint32_t serial = 0;
  if (!reader.skip_name() || !reader.skip_name() || !reader.read_u32(serial) ||
      reader.remaining() != 16) {
    return RequestStatus::FormErr;
  }
  out.client_serial = serial;
  return RequestStatus::Ok;
}

}  // namespace vmdns::xfr
