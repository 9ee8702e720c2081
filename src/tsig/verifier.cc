#include "tsig/verifier.h"

#include <algorithm>

#include "tsig/hmac.h"
#include "tsig/signer.h"

namespace vmdns::tsig {
namespace {

// The MAC over `message` (up to its TSIG record) with the record's variables.
size_t compute_mac(const Key& key, std::span<const uint8_t> message, const TsigRecord& record,
                   uint16_t arcount, std::span<const uint8_t> prior, bool timers_only,
                   std::span<uint8_t, kMaxMacSize> out) {
  Hmac hmac(key.algorithm, key.secret);
  if (!prior.empty()) {
    digest_prior_mac(hmac, prior);
  }
  digest_message(hmac, message.first(record.offset), record.original_id, arcount);
  Variables variables{&record.key_name, &record.algorithm, record.time_signed, record.fudge,
                      record.error, record.other};
  digest_variables(hmac, variables, timers_only);
  return hmac.finish(out);
}

bool in_time(const TsigRecord& record, uint64_t now) {
  uint64_t low = record.time_signed > record.fudge ? record.time_signed - record.fudge : 0;
  return now >= low && now <= record.time_signed + record.fudge;
}

Status from_error(uint16_t error) {
  switch (static_cast<TsigError>(error)) {
    case TsigError::BadKey:
      return Status::BadKey;
    case TsigError::BadTime:
      return Status::BadTime;
    case TsigError::BadTrunc:
      return Status::BadTrunc;
    default:
      return Status::BadSig;
  }
}

}  // namespace

const char* status_text(Status status) {
  switch (status) {
    case Status::Unsigned:
      return "unsigned";
    case Status::Ok:
      return "OK";
    case Status::FormErr:
      return "FORMERR";
    case Status::BadKey:
      return "BADKEY";
    case Status::BadSig:
      return "BADSIG";
    case Status::BadTime:
      return "BADTIME";
    case Status::BadTrunc:
      return "BADTRUNC";
  }
  return "?";
}

TsigError tsig_error(Status status) {
  switch (status) {
    case Status::BadKey:
      return TsigError::BadKey;
    case Status::BadSig:
      return TsigError::BadSig;
    case Status::BadTime:
      return TsigError::BadTime;
    case Status::BadTrunc:
      return TsigError::BadTrunc;
    default:
      return TsigError::NoError;
  }
}

RequestCheck check_request(std::span<const uint8_t> message, const KeyRing& keys, uint64_t now,
                           size_t min_truncated) {
  RequestCheck check;
  dns::MessageView view(message);
  switch (find_tsig(view, check.record)) {
    case TsigPresence::Absent:
      return check;
    case TsigPresence::Malformed:
      check.status = Status::FormErr;
      return check;
    case TsigPresence::Present:
      break;
  }
  const TsigRecord& record = check.record;
  const Key* key = keys.find(record.key_name);
  std::optional<Algorithm> algorithm = algorithm_from_name(record.algorithm);
  if (key == nullptr || !algorithm || *algorithm != key->algorithm) {
    check.status = Status::BadKey;
    return check;
  }
  // A MAC longer than the algorithm's, or truncated below what the RFC allows, is FORMERR
  // (RFC 8945 section 5.2.2.1).
  if (record.mac.size() > mac_size(key->algorithm) ||
      record.mac.size() < min_mac_size(key->algorithm)) {
    check.status = Status::FormErr;
    return check;
  }
  std::array<uint8_t, kMaxMacSize> computed;
  size_t computed_size = compute_mac(*key, message, record,
                                     static_cast<uint16_t>(view.header().arcount - 1), {},
                                     /*timers_only=*/false, computed);
  if (!mac_matches(record.mac, {computed.data(), computed_size})) {
    check.status = Status::BadSig;
    return check;
  }
  check.key = key;
  check.mac_size = record.mac.size();
  std::copy(record.mac.begin(), record.mac.end(), check.mac_bytes.begin());
  if (!in_time(record, now)) {
    check.status = Status::BadTime;
    return check;
  }
  if (record.mac.size() < std::max(min_truncated, min_mac_size(key->algorithm))) {
    check.status = Status::BadTrunc;
    return check;
  }
  check.status = Status::Ok;
  return check;
}

size_t answer_error(const RequestCheck& check, dns::MessageWriter& w, std::span<uint8_t> buffer,
                    uint64_t now) {
  if (check.key == nullptr) {
    return finish_unsigned_error(w, buffer, check.record, tsig_error(check.status));
  }
  w.header().set_rcode_low(static_cast<uint16_t>(dns::Rcode::NotAuth));
  Signer signer(*check.key, check.mac(), check.record.fudge);
  if (check.status == Status::BadTime) {
    // The request's Time Signed, and ours in Other Data, so that the client can see the skew
    // (RFC 8945 section 5.2.3).
    std::array<uint8_t, 6> ours = time48(now);
    return signer.sign(w, buffer, check.record.time_signed, static_cast<uint16_t>(TsigError::BadTime),
                       ours);
  }
  return signer.sign(w, buffer, now, static_cast<uint16_t>(tsig_error(check.status)));
}

ResponseVerifier::ResponseVerifier(const Key& key, std::span<const uint8_t> request_mac)
    : key_(&key) {
  prior_size_ = std::min(request_mac.size(), prior_.size());
  std::copy_n(request_mac.begin(), prior_size_, prior_.begin());
}

Status ResponseVerifier::verify(std::span<const uint8_t> message, uint64_t now) {
  dns::MessageView view(message);
  TsigRecord record;
  switch (find_tsig(view, record)) {
    case TsigPresence::Absent:
      return Status::Unsigned;
    case TsigPresence::Malformed:
      return Status::FormErr;
    case TsigPresence::Present:
      break;
  }
  if (!(record.key_name == key_->name) || !(record.algorithm == algorithm_name(key_->algorithm))) {
    return Status::BadKey;
  }
  if (record.mac.empty() && record.error != 0) {
    return from_error(record.error);  // the server's unsigned refusal
  }
  if (record.mac.size() > mac_size(key_->algorithm) ||
      record.mac.size() < min_mac_size(key_->algorithm)) {
    return Status::FormErr;
  }
  std::array<uint8_t, kMaxMacSize> computed;
  size_t computed_size = compute_mac(*key_, message, record,
                                     static_cast<uint16_t>(view.header().arcount - 1),
                                     {prior_.data(), prior_size_}, !first_, computed);
  if (!mac_matches(record.mac, {computed.data(), computed_size})) {
    return Status::BadSig;
  }
  std::copy(record.mac.begin(), record.mac.end(), prior_.begin());
  prior_size_ = record.mac.size();
  first_ = false;
  if (record.error != 0) {
    return from_error(record.error);  // signed, but an error: BADTIME's answer
  }
  return in_time(record, now) ? Status::Ok : Status::BadTime;
}

}  // namespace vmdns::tsig
