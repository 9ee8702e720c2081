#pragma once
// The TSIG record of a message (RFC 8945 section 4.2): found through dns::MessageView, its
// rdata read with dns::Reader, and the parts of a message every MAC covers.
//
//   dns::MessageView m(packet);
//   TsigRecord tsig;
//   switch (find_tsig(m, tsig)) {
//     case TsigPresence::Absent: ...unsigned...
//     case TsigPresence::Malformed: ...FORMERR (RFC 8945 section 5.1)...
//     case TsigPresence::Present: ...tsig.key_name, tsig.mac, tsig.offset...
//   }

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/message_view.h"
#include "dns/name.h"
#include "tsig/hmac.h"

namespace vmdns::tsig {

// TSIG errors (RFC 8945 section 3; IANA's DNS RCODE registry).
enum class TsigError : uint16_t {
  NoError = 0,
  BadSig = 16,
  BadKey = 17,
  BadTime = 18,
  BadTrunc = 22,
};

inline constexpr dns::RrType kTsigType = static_cast<dns::RrType>(250);  // RFC 8945 section 4.2
inline constexpr uint16_t kClassAny = 255;
inline constexpr uint16_t kDefaultFudge = 300;  // RFC 8945 section 10's recommendation

struct TsigRecord {
  dns::Name key_name;
  dns::Name algorithm;
  uint64_t time_signed = 0;  // 48 bits
  uint16_t fudge = 0;
  std::span<const uint8_t> mac;
  uint16_t original_id = 0;
  uint16_t error = 0;
  std::span<const uint8_t> other;
  size_t offset = 0;  // the record's first octet: the MAC covers the message before it
};

enum class TsigPresence { Absent, Present, Malformed };

// Present when the last record of the additional section is a well-formed TSIG of class ANY;
// Malformed when a TSIG sits anywhere else, when there are two, or when its rdata does not
// parse (RFC 8945 section 5.1: FORMERR), or when the message itself did not parse.
TsigPresence find_tsig(const dns::MessageView& message, TsigRecord& out);

// The message a MAC covers: `prefix` (the octets before the TSIG record) with the header's ID
// replaced by `original_id` and ARCOUNT by `arcount` (one less than the received message's,
// RFC 8945 section 4.3.2).
void digest_message(Hmac& mac, std::span<const uint8_t> prefix, uint16_t original_id,
                    uint16_t arcount);

// The TSIG variables (RFC 8945 section 4.3.3), names in canonical (lowercase) form.
struct Variables {
  const dns::Name* key_name = nullptr;
  const dns::Name* algorithm = nullptr;
  uint64_t time_signed = 0;
  uint16_t fudge = 0;
  uint16_t error = 0;
  std::span<const uint8_t> other;
};
// Every variable, for a single message or the first of a stream; with `timers_only`, Time Signed
// and Fudge alone, for the later messages of a stream (RFC 8945 section 5.3.1).
void digest_variables(Hmac& mac, const Variables& variables, bool timers_only);
// A prior MAC as the next digest starts with it: its length, then its octets.
void digest_prior_mac(Hmac& mac, std::span<const uint8_t> prior);

// The TSIG rdata written into `out` (at least 256 + 16 + kMaxMacSize + 6 octets); its length.
size_t write_tsig_rdata(std::span<uint8_t> out, const dns::Name& algorithm, uint64_t time_signed,
                        uint16_t fudge, std::span<const uint8_t> mac, uint16_t original_id,
                        uint16_t error, std::span<const uint8_t> other);
inline constexpr size_t kMaxTsigRdata = 255 + 16 + kMaxMacSize + 6;

// Appends a TSIG record with these fields to the complete message `buffer[0, length)` and raises
// its ARCOUNT; the new length, 0 when it does not fit. An empty `mac` makes the unsigned error
// record of RFC 8945 section 5.3.2.
size_t append_tsig(std::span<uint8_t> buffer, size_t length, const dns::Name& key_name,
                   const dns::Name& algorithm, uint64_t time_signed, uint16_t fudge,
                   std::span<const uint8_t> mac, uint16_t original_id, uint16_t error,
                   std::span<const uint8_t> other);

}  // namespace vmdns::tsig
