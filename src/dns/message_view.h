#pragma once
// Parses an incoming query without heap allocation: header, the question, and the OPT record.
//
//   ParsedQuery q;
//   switch (parse_query(packet, q)) {
//     case ParseStatus::Ok: ...answer q.question...
//     case ParseStatus::FormErr: ...reply FORMERR echoing q.header.id...
//     case ParseStatus::Drop: ...send nothing...
//   }
//
// Every read is bounds-checked; malformed input never throws or asserts (DESIGN.md habit 6).

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/header.h"
#include "dns/name.h"
#include "dns/types.h"

namespace vmdns::dns {

struct Question {
  Name name;  // as sent by the client, case preserved
  RrType type = RrType::A;
  uint16_t qclass = 1;
};

// EDNS(0) as sent by the client (RFC 6891).
struct Edns {
  bool present = false;
  uint16_t udp_size = 512;  // the requestor's payload size, raised to 512 if lower (6.2.5)
  uint8_t version = 0;
  bool dnssec_ok = false;
};

enum class ParseStatus {
  Ok,       // header, one question and any OPT parsed
  FormErr,  // a header was read but the rest is malformed: answer FORMERR with header.id
  Drop,     // shorter than a header, or a response (QR=1): never answer (RFC 1035 section 7.3)
};

struct ParsedQuery {
  Header header;
  bool has_question = false;  // the question parsed, even if a later section did not
  Question question;
  Edns edns;
  size_t question_end = 0;  // offset just past the question section (the header if none)
};

// Parses `packet` into `out`. Requires QDCOUNT == 1 for Ok (RFC 9619: QDCOUNT > 1 is FORMERR,
// and so is QDCOUNT 0 for a QUERY). Answer and authority records are skipped over after being
// checked for well-formedness; a second OPT record, or an OPT whose owner is not the root,
// is FormErr (RFC 6891 section 6.1.1). Opcodes other than QUERY parse as Ok when well formed;
// the caller answers NOTIMP. For those opcodes QDCOUNT 0 is also Ok, with has_question false
// (the rest of the message is still checked and any OPT read, so the NOTIMP can carry one).
// Bytes after the last counted record are ignored. On FormErr, `header` is filled and so is
// whatever parsed before the error (the question, the EDNS fields).
ParseStatus parse_query(std::span<const uint8_t> packet, ParsedQuery& out);

}  // namespace vmdns::dns
