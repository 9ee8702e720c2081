#include "xfr/signed_query.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "dns/header.h"
#include "dns/types.h"
#include "xfr/peer_text.h"

namespace vmdns::xfr {
namespace {

void put16(std::span<uint8_t> out, size_t at, uint16_t value) {
  out[at] = static_cast<uint8_t>(value >> 8);
  out[at + 1] = static_cast<uint8_t>(value);
}

}  // namespace

SignedQuery::SignedQuery(const TransferAuth& auth, const dns::ParsedQuery& query,
                         std::span<const uint8_t> wire, const sockaddr_storage& peer)
    : query_(query), wire_(wire), peer_(peer), verdict_(auth.check(wire, peer)) {}

size_t SignedQuery::refuse(std::span<uint8_t> out) {
  spdlog::info("signed query from {}: {} {} refused: {}", peer_text(peer_),
               query_.question.name.to_text(), dns::rr_type_name(query_.question.type),
               verdict_.why);
  // The header and the question as asked, then the error; no other section.
  size_t length = query_.has_question ? query_.question_end : dns::kHeaderSize;
  if (length > out.size() || length > wire_.size()) {
    return 0;
  }
  std::memcpy(out.data(), wire_.data(), length);
  uint16_t flags =
      dns::Header::kQr |
      (query_.header.flags & (dns::Header::kOpcodeMask | dns::Header::kRd | dns::Header::kCd)) |
      (verdict_.rcode & dns::Header::kRcodeMask);
  put16(out, 2, flags);
  put16(out, 4, query_.has_question ? 1 : 0);
  put16(out, 6, 0);
  put16(out, 8, 0);
  put16(out, 10, 0);
  return verdict_.signer ? verdict_.signer->sign(out, length) : length;
}

std::span<uint8_t> SignedQuery::room(std::span<uint8_t> out, size_t limit) const {
  size_t reserve = verdict_.signer ? verdict_.signer->reserve() : 0;
  size_t size = std::min(out.size(), limit);
  return out.first(size > reserve ? size - reserve : 0);
}

size_t SignedQuery::sign(std::span<uint8_t> out, size_t length) {
  if (length == 0 || !verdict_.signer) {
    return length;
  }
  return verdict_.signer->sign(out, length);
}

}  // namespace vmdns::xfr
