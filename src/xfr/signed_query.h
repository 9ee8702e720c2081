#pragma once
// A query other than a zone transfer that carries a TSIG (RFC 8945): a secondary's SOA query,
// its refresh before an IXFR (RFC 1995 section 4) and its answer to our NOTIFY (RFC 1996
// section 3.11), signed with the key it names for its primary. The answer must be signed with
// the request's key (RFC 8945 section 5.3) or the secondary drops it (BIND logs "expected a TSIG
// or SIG(0)") and never transfers. The transfers' TransferAuth checks it; a request that fails
// gets the same answer a transfer would (FORMERR; NOTAUTH with BADKEY, BADSIG, BADTIME).
//
//   xfr::SignedQuery signed_query(*auth, parsed, wire, route.peer);   // runs the check
//   if (signed_query.is_signed()) {
//     if (!signed_query.accepted()) return signed_query.refuse(out);
//     size_t n = query::answer(..., signed_query.room(out, limit), ...).length;
//     return signed_query.sign(out, n);                                 // the TSIG appended
//   }
//
// Not the query path: the dispatcher builds one only for a query whose additional section holds
// more than its OPT (an O(1) test), and checking and signing allocate.

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/message_view.h"
#include "xfr/transfer_auth.h"

namespace vmdns::xfr {

class SignedQuery {
 public:
  SignedQuery(const TransferAuth& auth, const dns::ParsedQuery& query,
              std::span<const uint8_t> wire, const sockaddr_storage& peer);

  // False: no TSIG; answer the query as any other.
  bool is_signed() const { return verdict_.signed_request; }
  bool accepted() const { return verdict_.accepted; }
  // The error answer of a query that failed its check: the question, the rcode, the TSIG
  // error record (signed for BADTIME). Logged once.
  size_t refuse(std::span<uint8_t> out);
  // The part of `out` an answer of at most `limit` octets may take, leaving the signature room.
  std::span<uint8_t> room(std::span<uint8_t> out, size_t limit) const;
  // Signs the `length` octets of the answer written in `out`; the signed length (0: dropped).
  size_t sign(std::span<uint8_t> out, size_t length);

 private:
  const dns::ParsedQuery& query_;
  std::span<const uint8_t> wire_;
  const sockaddr_storage& peer_;
  TransferAuth::Verdict verdict_;
};

}  // namespace vmdns::xfr
