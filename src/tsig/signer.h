#pragma once
// Signs the messages one side of a TSIG exchange sends (RFC 8945 sections 4.3 and 5.3): a
// request (a NOTIFY we send), the response to a verified request, and every message of a
// multi-message TCP answer, each covering the MAC of the one before (section 5.3.1).
//
//   Signer signer(key, check.mac());          // answering a verified request
//   dns::MessageWriter w(buffer, 65535);
//   w.reserve_tail(signer.space());          // room for the TSIG record, written last
//   ...question, records...
//   size_t n = signer.sign(w, buffer, now);  // the message finished, the TSIG appended
//   ...next message of the stream: a new writer, the same signer...
//
// Not on the query path: an HMAC context is made per message.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/writer.h"
#include "tsig/key.h"
#include "tsig/tsig_record.h"

namespace vmdns::tsig {

class Signer {
 public:
  // For a request we originate.
  explicit Signer(const Key& key, uint16_t fudge = kDefaultFudge);
  // For the answer to a request that carried `request_mac` (a verified request's MAC).
  Signer(const Key& key, std::span<const uint8_t> request_mac, uint16_t fudge = kDefaultFudge);

  // The octets the TSIG record takes; reserve them (MessageWriter::reserve_tail) before writing
  // the records, so that the signature always fits.
  size_t space(size_t other_size = 0) const;

  // Finishes the message built in `w` over `buffer` (its header's ID is the original ID) and
  // signs it at `time_signed`: the TSIG record appended. Returns the message's size; 0 when the
  // record did not fit or the HMAC failed. `error` and `other` are the TSIG error fields
  // (BADTIME carries the server's time in `other`, RFC 8945 section 5.2.3).
  size_t sign(dns::MessageWriter& w, std::span<uint8_t> buffer, uint64_t time_signed,
              uint16_t error = 0, std::span<const uint8_t> other = {});
  // The same for a message already complete in `buffer[0, length)`, its header written (a
  // stream's writer finishes each message itself): the TSIG appended, ARCOUNT raised. Returns
  // the new length; 0 when the record does not fit in `buffer` or the HMAC failed.
  size_t sign(std::span<uint8_t> buffer, size_t length, uint64_t time_signed, uint16_t error = 0,
              std::span<const uint8_t> other = {});

  // The MAC of the last message signed: a request's, for verifying its answer.
  std::span<const uint8_t> mac() const { return {mac_.data(), mac_size_}; }
  const Key& key() const { return *key_; }

 private:
  const Key* key_;
  uint16_t fudge_;
  bool first_ = true;
  std::array<uint8_t, kMaxMacSize> mac_{};  // the request's, then each message's own
  size_t mac_size_ = 0;
};

// An unsigned error answer to a request whose key or MAC failed (BADKEY, BADSIG): the TSIG
// record names the request's key and algorithm, carries no MAC, and the rcode is NOTAUTH (RFC
// 8945 section 5.3.2: such an answer must not be signed). Finishes `w`; returns its size.
size_t finish_unsigned_error(dns::MessageWriter& w, std::span<uint8_t> buffer,
                             const TsigRecord& request, TsigError error);

// Six octets of a 48-bit time, as BADTIME's Other Data carries the server's clock.
std::array<uint8_t, 6> time48(uint64_t seconds);

}  // namespace vmdns::tsig
