#include "tsig/hmac.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace vmdns::tsig {
namespace {

EVP_MAC* hmac_method() {
  // Fetched once: a fetch looks the provider up, which each message need not repeat.
  static EVP_MAC* const method = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  return method;
}

}  // namespace

Hmac::Hmac(Algorithm algorithm, std::span<const uint8_t> secret) {
  EVP_MAC* method = hmac_method();
  if (method == nullptr || (ctx_ = EVP_MAC_CTX_new(method)) == nullptr) {
    return;
  }
  char digest[8];
  std::string_view name = algorithm == Algorithm::HmacSha256 ? "SHA256" : "SHA512";
  name.copy(digest, name.size());
  digest[name.size()] = '\0';
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  // An empty secret still makes an HMAC (RFC 2104 pads the key with zeros).
  static const uint8_t kEmpty = 0;
  ok_ = EVP_MAC_init(ctx_, secret.empty() ? &kEmpty : secret.data(), secret.size(), params) == 1;
}

Hmac::~Hmac() { EVP_MAC_CTX_free(ctx_); }

void Hmac::update(std::span<const uint8_t> bytes) {
  if (ok_ && !bytes.empty()) {
    ok_ = EVP_MAC_update(ctx_, bytes.data(), bytes.size()) == 1;
  }
}

void Hmac::update_u16(uint16_t value) {
  uint8_t b[2] = {static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
  update(b);
}

void Hmac::update_u32(uint32_t value) {
  uint8_t b[4] = {static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
                  static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
  update(b);
}

void Hmac::update_u48(uint64_t value) {
  uint8_t b[6];
  for (int i = 0; i < 6; ++i) {
    b[i] = static_cast<uint8_t>(value >> (8 * (5 - i)));
  }
  update(b);
}

size_t Hmac::finish(std::span<uint8_t, kMaxMacSize> out) {
  size_t length = 0;
  if (!ok_ || EVP_MAC_final(ctx_, out.data(), &length, out.size()) != 1) {
    return 0;
  }
  ok_ = false;
  return length;
}

bool mac_matches(std::span<const uint8_t> received, std::span<const uint8_t> computed) {
  return !received.empty() && received.size() <= computed.size() &&
         CRYPTO_memcmp(received.data(), computed.data(), received.size()) == 0;
}

}  // namespace vmdns::tsig
