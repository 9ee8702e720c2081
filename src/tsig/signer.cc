#include "tsig/signer.h"

#include <algorithm>

#include "dns/header.h"

namespace vmdns::tsig {

Signer::Signer(const Key& key, uint16_t fudge) : key_(&key), fudge_(fudge) {}

Signer::Signer(const Key& key, std::span<const uint8_t> request_mac, uint16_t fudge)
    : key_(&key), fudge_(fudge) {
  mac_size_ = std::min(request_mac.size(), mac_.size());
  std::copy_n(request_mac.begin(), mac_size_, mac_.begin());
}

size_t Signer::space(size_t other_size) const {
  // Owner, type, class, TTL, rdlength, then the rdata.
  return key_->name.wire_length() + 10 + algorithm_name(key_->algorithm).wire_length() + 16 +
         mac_size(key_->algorithm) + other_size;
}

size_t Signer::sign(dns::MessageWriter& w, std::span<uint8_t> buffer, uint64_t time_signed,
                    uint16_t error, std::span<const uint8_t> other) {
  w.reserve_tail(0);
  size_t length = w.finish();
  return length == 0 ? 0 : sign(buffer, length, time_signed, error, other);
}

size_t Signer::sign(std::span<uint8_t> buffer, size_t length, uint64_t time_signed,
                    uint16_t error, std::span<const uint8_t> other) {
  dns::Header header;
  if (length > buffer.size() || !dns::read_header(buffer.first(length), header)) {
    return 0;
  }
  Hmac hmac(key_->algorithm, key_->secret);
  if (mac_size_ != 0) {
    digest_prior_mac(hmac, mac());
  }
  digest_message(hmac, buffer.first(length), header.id, header.arcount);
  Variables variables{&key_->name, &algorithm_name(key_->algorithm), time_signed, fudge_, error,
                      other};
  digest_variables(hmac, variables, /*timers_only=*/!first_);
  std::array<uint8_t, kMaxMacSize> computed;
  size_t computed_size = hmac.finish(computed);
  if (computed_size == 0) {
    return 0;
  }
  size_t n = append_tsig(buffer, length, key_->name, algorithm_name(key_->algorithm), time_signed,
                         fudge_, {computed.data(), computed_size}, header.id, error, other);
  if (n != 0) {
    std::copy_n(computed.begin(), computed_size, mac_.begin());
    mac_size_ = computed_size;
    first_ = false;
  }
  return n;
}

size_t finish_unsigned_error(dns::MessageWriter& w, std::span<uint8_t> buffer,
                             const TsigRecord& request, TsigError error) {
  w.reserve_tail(0);
  w.header().set_rcode_low(static_cast<uint16_t>(dns::Rcode::NotAuth));
  size_t length = w.finish();
  return append_tsig(buffer, length, request.key_name, request.algorithm, request.time_signed,
                     request.fudge, {}, request.original_id, static_cast<uint16_t>(error), {});
}

std::array<uint8_t, 6> time48(uint64_t seconds) {
  std::array<uint8_t, 6> out;
  for (int i = 0; i < 6; ++i) {
    out[i] = static_cast<uint8_t>(seconds >> (8 * (5 - i)));
  }
  return out;
}

}  // namespace vmdns::tsig
