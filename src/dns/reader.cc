#include "dns/reader.h"

#include <array>
#include <cstring>

namespace vmdns::dns {
namespace {

constexpr uint8_t kLabelTypeMask = 0xC0;
constexpr uint8_t kPointer = 0xC0;

// Walks a possibly compressed name starting at `start`. Fills `out` (uncompressed wire form)
// when it is not null, and sets `end` to the offset just past the name's last octet in place
// (its root label or its first pointer).
bool walk_name(std::span<const uint8_t> message, size_t start, uint8_t* out, size_t& out_length,
               size_t& end) {
  size_t pos = start;
  // Every pointer must land before the start of the run of labels that contains it (RFC 1035
  // section 4.1.4 only ever points back at earlier names). Each jump therefore moves strictly
  // backwards past everything already read, so loops, self-pointers and forward pointers are
  // impossible and the walk ends after at most message.size() jumps.
  size_t run_start = start;
  size_t length = 0;
  bool jumped = false;
  while (true) {
    if (pos >= message.size()) {
      return false;
    }
    uint8_t octet = message[pos];
    uint8_t kind = octet & kLabelTypeMask;
    if (kind == kPointer) {
      if (pos + 1 >= message.size()) {
        return false;
      }
      size_t target = (static_cast<size_t>(octet & 0x3F) << 8) | message[pos + 1];
      if (target >= run_start) {
        return false;
      }
      if (!jumped) {
        end = pos + 2;
        jumped = true;
      }
      pos = target;
      run_start = target;
      continue;
    }
    if (kind != 0) {
      // 0x40 (extended label types, RFC 6891 section 5) and 0x80 are reserved.
      return false;
    }
    // A label of `octet` octets plus its length octet; the root is a single zero octet.
    if (length + 1 + octet > kMaxNameLength) {
      return false;  // RFC 1035 section 3.1: 255 octets at most, root included
    }
    if (pos + 1 + octet > message.size()) {
      return false;
    }
    if (out != nullptr) {
      std::memcpy(out + length, message.data() + pos, 1 + size_t{octet});
    }
    length += 1 + octet;
    if (octet == 0) {
      if (!jumped) {
        end = pos + 1;
      }
      out_length = length;
      return true;
    }
    pos += 1 + octet;
  }
}

}  // namespace

bool Reader::read_u8(uint8_t& out) {
  if (remaining() < 1) {
    return false;
  }
  out = message_[offset_];
  offset_ += 1;
  return true;
}

bool Reader::read_u16(uint16_t& out) {
  if (remaining() < 2) {
    return false;
  }
  out = static_cast<uint16_t>((message_[offset_] << 8) | message_[offset_ + 1]);
  offset_ += 2;
  return true;
}

bool Reader::read_u32(uint32_t& out) {
  if (remaining() < 4) {
    return false;
  }
  out = (static_cast<uint32_t>(message_[offset_]) << 24) |
        (static_cast<uint32_t>(message_[offset_ + 1]) << 16) |
        (static_cast<uint32_t>(message_[offset_ + 2]) << 8) |
        static_cast<uint32_t>(message_[offset_ + 3]);
  offset_ += 4;
  return true;
}

bool Reader::skip(size_t count) {
  if (remaining() < count) {
    return false;
  }
  offset_ += count;
  return true;
}

bool Reader::read_name(Name& out) {
  if (offset_ > message_.size()) {
    return false;
  }
  // walk_name() checks everything from_wire() would (label lengths, the 255-octet limit, the
  // root label), so the name is written into `out` directly, once.
  size_t length = 0;
  size_t end = 0;
  if (!walk_name(message_, offset_, out.wire_.data(), length, end)) {
    out = Name();
    return false;
  }
  out.length_ = static_cast<uint8_t>(length);
  offset_ = end;
  return true;
}

bool Reader::skip_name() {
  if (offset_ > message_.size()) {
    return false;
  }
  size_t length = 0;
  size_t end = 0;
  if (!walk_name(message_, offset_, nullptr, length, end)) {
    return false;
  }
  offset_ = end;
  return true;
}

}  // namespace vmdns::dns
