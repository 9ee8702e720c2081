#include "daemon/transfer_tsig.h"

#include <ctime>

#include "dns/types.h"
#include "tsig/signer.h"
#include "tsig/verifier.h"

namespace vmdns::daemon {
namespace {

// Signs each message of an accepted transfer (or a signed error: BADTIME, BADTRUNC).
class StreamSigner : public xfr::MessageSigner {
 public:
  StreamSigner(std::shared_ptr<const tsig::KeyRing> keys, const tsig::RequestCheck& check,
               std::function<uint64_t()> now, uint16_t error)
      : keys_(std::move(keys)),
        signer_(*check.key, check.mac(), check.record.fudge),
        now_(std::move(now)),
        error_(error),
        request_time_(check.record.time_signed) {}

  size_t reserve() const override { return signer_.space(6); }

  size_t sign(std::span<uint8_t> buffer, size_t length) override {
    uint64_t now = now_();
    if (error_ == static_cast<uint16_t>(tsig::TsigError::BadTime)) {
      // The request's time, and ours in Other Data (RFC 8945 section 5.2.3).
      std::array<uint8_t, 6> ours = tsig::time48(now);
      return signer_.sign(buffer, length, request_time_, error_, ours);
    }
    return signer_.sign(buffer, length, now, error_);
  }

 private:
  std::shared_ptr<const tsig::KeyRing> keys_;  // the signer's key lives here
  tsig::Signer signer_;
  std::function<uint64_t()> now_;
  uint16_t error_;
  uint64_t request_time_;
};

// BADKEY, BADSIG: the TSIG record names the request's key and carries no MAC (RFC 8945 section
// 5.3.2: such an answer must not be signed).
class UnsignedError : public xfr::MessageSigner {
 public:
  UnsignedError(const tsig::TsigRecord& request, tsig::TsigError error)
      : key_name_(request.key_name),
        algorithm_(request.algorithm),
        time_signed_(request.time_signed),
        fudge_(request.fudge),
        original_id_(request.original_id),
        error_(error) {}

  size_t reserve() const override {
    return key_name_.wire_length() + 10 + algorithm_.wire_length() + 16;
  }

  size_t sign(std::span<uint8_t> buffer, size_t length) override {
    return tsig::append_tsig(buffer, length, key_name_, algorithm_, time_signed_, fudge_, {},
                             original_id_, static_cast<uint16_t>(error_), {});
  }

 private:
  dns::Name key_name_;
  dns::Name algorithm_;
  uint64_t time_signed_;
  uint16_t fudge_;
  uint16_t original_id_;
  tsig::TsigError error_;
};

uint64_t system_seconds() { return static_cast<uint64_t>(std::time(nullptr)); }

}  // namespace

TsigTransferAuth::TsigTransferAuth(tsig::KeyRing keys, std::function<uint64_t()> now)
    : keys_(std::make_shared<const tsig::KeyRing>(std::move(keys))),
      now_(now ? std::move(now) : system_seconds) {}

xfr::TransferAuth::Verdict TsigTransferAuth::check(std::span<const uint8_t> request,
                                                    const sockaddr_storage& /*peer*/) const {
  tsig::RequestCheck check = tsig::check_request(request, *keys_, now_());
  Verdict verdict;
  verdict.signed_request = check.status != tsig::Status::Unsigned;
  auto notauth = static_cast<uint16_t>(dns::Rcode::NotAuth);
  switch (check.status) {
    case tsig::Status::Ok:
      verdict.accepted = true;
      verdict.signer = std::make_unique<StreamSigner>(keys_, check, now_, 0);
      break;
    case tsig::Status::Unsigned:
      verdict.rcode = static_cast<uint16_t>(dns::Rcode::Refused);
      verdict.why = "not signed, and a TSIG key is required";
      break;
    case tsig::Status::FormErr:
      verdict.rcode = static_cast<uint16_t>(dns::Rcode::FormErr);
      verdict.why = "malformed TSIG";
      break;
    case tsig::Status::BadKey:
    case tsig::Status::BadSig:
      verdict.rcode = notauth;
      verdict.signer = std::make_unique<UnsignedError>(check.record, tsig_error(check.status));
      verdict.why = std::string("TSIG ") + tsig::status_text(check.status) + " (key " +
                    check.record.key_name.to_text() + ")";
      break;
    case tsig::Status::BadTime:
    case tsig::Status::BadTrunc:
      verdict.rcode = notauth;
      verdict.signer = std::make_unique<StreamSigner>(
          keys_, check, now_, static_cast<uint16_t>(tsig_error(check.status)));
      verdict.why = std::string("TSIG ") + tsig::status_text(check.status);
      break;
  }
  return verdict;
}

}  // namespace vmdns::daemon
