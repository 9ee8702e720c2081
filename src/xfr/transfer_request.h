#pragma once
// A zone transfer request read from the wire: AXFR (RFC 5936 section 2.1) or IXFR (RFC 1995
// section 3), whose authority section carries the SOA the client holds. The request comes from
// anyone who can reach the port, so every field is checked; a malformed request reads as
// FormErr, never as a crash.
//
//   TransferRequest r;
//   switch (read_transfer_request(bytes, r)) {
//     case RequestStatus::Ok: ...r.zone, r.type, r.client_serial...
//     case RequestStatus::FormErr: ...FORMERR echoing r.id...
//     case RequestStatus::NotTransfer: ...not ours to answer...
//   }

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dns/name.h"
#include "dns/types.h"

namespace vmdns::xfr {

struct TransferRequest {
  uint16_t id = 0;
  uint16_t flags = 0;         // the request's header flags (RD is echoed)
  dns::Name zone;             // the question's name, as sent
  dns::RrType type = dns::RrType::AXFR;
  // IXFR: the serial of the SOA in the authority section.
  std::optional<uint32_t> client_serial;
  bool edns = false;          // an OPT record came with it: each message carries one
  size_t question_end = 0;    // past the question section
};

enum class RequestStatus {
  Ok,
  FormErr,      // a transfer request that is malformed (an IXFR without its SOA, ...)
  NotTransfer,  // a response, another opcode, class or type: not a transfer request
};

// RFC 1995 section 3: an IXFR request's authority section holds exactly the client's SOA,
// owned by the zone's apex; anything else is FORMERR. An AXFR's authority section is ignored.
RequestStatus read_transfer_request(std::span<const uint8_t> message, TransferRequest& out);

}  // namespace vmdns::xfr
