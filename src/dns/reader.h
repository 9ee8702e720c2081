#pragma once
// A bounds-checked cursor over untrusted message bytes. Every read returns false instead of
// reading past the end; names are decompressed with pointer-loop protection.

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/name.h"

namespace vmdns::dns {

class Reader {
 public:
  // `message` is the whole DNS message, so that compression pointers can be followed.
  explicit Reader(std::span<const uint8_t> message, size_t offset = 0)
      : message_(message), offset_(offset) {}

  bool read_u8(uint8_t& out);
  bool read_u16(uint16_t& out);
  bool read_u32(uint32_t& out);
  bool skip(size_t count);
  // Reads a possibly compressed name at the cursor. Rejects pointers that do not point strictly
  // backwards (which also rules out loops), labels over 63 octets, names over 255 octets and
  // reserved label types (0x40, 0x80).
  bool read_name(Name& out);
  // Skips over a possibly compressed name with the same checks as read_name.
  bool skip_name();

  size_t offset() const { return offset_; }
  // Zero, not a wrapped-around size, if the cursor was constructed past the end.
  size_t remaining() const { return offset_ < message_.size() ? message_.size() - offset_ : 0; }

 private:
  std::span<const uint8_t> message_;
  size_t offset_;
};

}  // namespace vmdns::dns
