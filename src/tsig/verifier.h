#pragma once
// Verifies the TSIG of messages received (RFC 8945 section 5): a request a server answers, and
// the answers (one message, or each of a TCP stream) to a request we signed. The clock is the
// caller's: `now` is seconds since the epoch, so tests choose it.
//
//   RequestCheck check = check_request(packet, keys, now);
//   switch (check.status) {
//     case Status::Unsigned: ...policy: a key required?...
//     case Status::Ok: { Signer signer(*check.key, check.mac()); ...sign the answer... }
//     case Status::FormErr: ...FORMERR...
//     default: ...answer_error(check, w, buffer, now): NOTAUTH and the TSIG error...
//   }
//
//   ResponseVerifier verifier(key, signer.mac());   // after sending a signed NOTIFY
//   Status s = verifier.verify(reply, now);

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/writer.h"
#include "tsig/key.h"
#include "tsig/tsig_record.h"

namespace vmdns::tsig {

enum class Status : uint8_t {
  Unsigned,  // no TSIG record
  Ok,
  FormErr,   // misplaced or malformed TSIG, or a MAC longer than the algorithm's or too short
  BadKey,    // a key we do not know, or not with that algorithm
  BadSig,    // the MAC does not verify
  BadTime,   // signed outside Time Signed +- Fudge of our clock
  BadTrunc,  // a truncated MAC shorter than we accept
};
// "BADSIG", ... as dig and kdig print them; "OK", "unsigned", "FORMERR".
const char* status_text(Status status);
TsigError tsig_error(Status status);

struct RequestCheck {
  Status status = Status::Unsigned;
  const Key* key = nullptr;  // Ok, BadTime, BadTrunc
  TsigRecord record;         // Present unless Unsigned or a malformed message
  std::array<uint8_t, kMaxMacSize> mac_bytes{};
  size_t mac_size = 0;
  // The request's MAC: the first digest of the answer covers it.
  std::span<const uint8_t> mac() const { return {mac_bytes.data(), mac_size}; }
};

// The server's checks, in the RFC's order (section 5.2): format, key, MAC, time, truncation.
// `min_truncated` is the local policy for truncated MACs: 0 accepts any the RFC allows.
RequestCheck check_request(std::span<const uint8_t> message, const KeyRing& keys, uint64_t now,
                           size_t min_truncated = 0);

// The answer to a request that failed its check (BadKey, BadSig, BadTime, BadTrunc) with the
// question and header already in `w`: NOTAUTH, and the TSIG error in the TSIG record, unsigned
// for BADKEY and BADSIG, signed for BADTIME (the server's time in Other Data) and BADTRUNC
// (RFC 8945 section 5.3.2). Finishes `w`; returns the message size.
size_t answer_error(const RequestCheck& check, dns::MessageWriter& w, std::span<uint8_t> buffer,
                    uint64_t now);

// The checks of a client on the answers to its signed request: every message must be signed
// with the key; each covers the MAC before it (RFC 8945 section 5.3.1).
class ResponseVerifier {
 public:
  ResponseVerifier(const Key& key, std::span<const uint8_t> request_mac);
  // Ok when `message` verifies; otherwise why not. An answer the server refused with a TSIG
  // error (its rcode NOTAUTH) gives that error's status (BadKey, BadSig, BadTime).
  Status verify(std::span<const uint8_t> message, uint64_t now);

 private:
  const Key* key_;
  bool first_ = true;
  std::array<uint8_t, kMaxMacSize> prior_{};
  size_t prior_size_ = 0;
};

}  // namespace vmdns::tsig
