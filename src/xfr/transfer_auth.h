#pragma once
// Where message authentication (TSIG, RFC 8945) plugs into zone transfers. Transfers calls
// the TransferAuth, when one is configured, on every request that passed the allow-list; its
// verdict either refuses the request (with the rcode and, for a signed error, a signer for the
// error reply) or accepts it with a MessageSigner that every outgoing message of the reply
// passes through (TransferWriter::finish, the one place a message is completed): RFC 8945
// section 5.3.1 signs each message of a multi-message reply, chaining the previous MAC.
//
//   class TsigAuth : public TransferAuth {
//     Verdict check(std::span<const uint8_t> request, const sockaddr_storage& peer) const override;
//   };
//   Transfers transfers({.allow = ..., .auth = std::make_shared<TsigAuth>(keys)});
//
// Without a TransferAuth, requests are accepted by the allow-list alone and sent unsigned.

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace vmdns::xfr {

class MessageSigner {
 public:
  virtual ~MessageSigner() = default;
  // Octets each message must leave free for the signature record.
  virtual size_t reserve() const = 0;
  // Appends the signature to the `length` octets of a complete message in `buffer` (whose
  // header counts it must update) and returns the new length; 0 drops the reply.
  virtual size_t sign(std::span<uint8_t> buffer, size_t length) = 0;
};

class TransferAuth {
 public:
  struct Verdict {
    bool accepted = false;
    uint16_t rcode = 0;  // refused: the reply's rcode (RFC 8945 section 5.2: NOTAUTH, ...)
    std::unique_ptr<MessageSigner> signer;  // signs the reply, or the error reply; may be null
    std::string why;                        // for the transfer log
    // The request carried a signature (any verdict): a query that is not a transfer is checked
    // only then (signed_query.h); an unsigned one is answered as any query.
    bool signed_request = false;
  };
  virtual ~TransferAuth() = default;
  // `request` is the whole request as received; called on the thread that answers it.
  virtual Verdict check(std::span<const uint8_t> request, const sockaddr_storage& peer) const = 0;
};

}  // namespace vmdns::xfr
