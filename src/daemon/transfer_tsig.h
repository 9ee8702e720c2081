#pragma once
// TSIG for zone transfers (RFC 8945 through xfr/transfer_auth.h's seam): with a key configured,
// an AXFR or IXFR must be signed with one of the keys. Unsigned: REFUSED (a policy refusal, as
// BIND answers). A malformed TSIG: FORMERR. An unknown key or another algorithm: NOTAUTH with
// an unsigned BADKEY; a MAC that does not verify: NOTAUTH with an unsigned BADSIG; signed
// outside the fudge: NOTAUTH with a signed BADTIME carrying our time. Accepted: every message
// of the reply signed, each covering the MAC before it.
//
//   auto auth = std::make_shared<TsigTransferAuth>(keys);
//   xfr::Transfers transfers({.allow = networks, .auth = auth});

#include <chrono>
#include <functional>
#include <memory>

#include "tsig/key.h"
#include "xfr/transfer_auth.h"

namespace vmdns::daemon {

class TsigTransferAuth : public xfr::TransferAuth {
 public:
  // `now`: seconds since the epoch; empty: the system clock.
  explicit TsigTransferAuth(tsig::KeyRing keys, std::function<uint64_t()> now = nullptr);
  Verdict check(std::span<const uint8_t> request, const sockaddr_storage& peer) const override;

 private:
  std::shared_ptr<const tsig::KeyRing> keys_;
  std::function<uint64_t()> now_;
};

}  // namespace vmdns::daemon
