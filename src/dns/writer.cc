#include "dns/writer.h"

#include <algorithm>
#include <cstring>

#include "dns/edns.h"
#include "dns/wire_text.h"

namespace vmdns::dns {
namespace {

// RFC 1035 section 4.1.4: a pointer is two octets, 11 then a 14-bit offset.
constexpr uint16_t kPointerFlag = 0xC000;
constexpr uint8_t kPointerMask = 0xC0;  // the pointer bits in a label's first octet
constexpr size_t kMaxPointerOffset = 0x3FFF;
constexpr size_t kSoaTailSize = 20;  // serial, refresh, retry, expire, minimum

using internal::name_length;

}  // namespace

MessageWriter::MessageWriter(std::span<uint8_t> buffer, size_t limit)
    : buffer_(buffer), limit_(std::min(limit, buffer.size())) {}

bool MessageWriter::put(std::span<const uint8_t> bytes) {
  if (!fits(bytes.size(), effective_limit())) {
    return false;
  }
  std::copy(bytes.begin(), bytes.end(), buffer_.begin() + size_);
  size_ += bytes.size();
  return true;
}

bool MessageWriter::put_u16(uint16_t v) {
  uint8_t bytes[2] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  return put(bytes);
}

bool MessageWriter::put_u32(uint32_t v) {
  uint8_t bytes[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                            static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  return put(bytes);
}

uint16_t MessageWriter::find_suffix(std::span<const uint8_t> wire) const {
  for (size_t e = 0; e < compression_entries_; ++e) {
    size_t p = compression_[e];
    size_t w = 0;
    // Every entry and every pointer we wrote points backwards, so a walk takes at most one hop
    // per earlier name; the bound only guards against our own bugs.
    size_t hops = 0;
    bool match = false;
    while (p < size_) {
      uint8_t length = buffer_[p];
      if ((length & kPointerMask) == kPointerMask) {
        if (p + 1 >= size_ || ++hops > kMaxCompressionEntries) {
          break;
        }
        p = (static_cast<size_t>(length & 0x3F) << 8) | buffer_[p + 1];
        continue;
      }
      if (length != wire[w]) {
        break;
      }
      if (length == 0) {
        match = true;
        break;
      }
      if (p + 1 + length > size_) {
        break;
      }
      bool same = true;
      for (size_t i = 1; i <= length; ++i) {
        // RFC 1035 section 2.3.3 / RFC 4343: names compare case-insensitively, so a suffix
        // in another case is still the same name.
        if (ascii_lower(buffer_[p + i]) != ascii_lower(wire[w + i])) {
          same = false;
          break;
        }
      }
      if (!same) {
        break;
      }
      p += 1 + length;
      w += 1 + length;
    }
    if (match) {
      return compression_[e];
    }
  }
  return 0;
}

void MessageWriter::remember_labels(std::span<const uint8_t> wire, size_t offset, size_t count) {
  size_t pos = 0;
  while (pos < count && wire[pos] != 0) {
    // Only the first 16 KiB can be reached by a 14-bit pointer.
    if (offset + pos > kMaxPointerOffset || compression_entries_ >= kMaxCompressionEntries) {
      return;
    }
    compression_[compression_entries_++] = static_cast<uint16_t>(offset + pos);
    pos += 1 + wire[pos];
  }
}

bool MessageWriter::write_name(std::span<const uint8_t> wire, bool compress) {
  size_t prefix = wire.size();
  uint16_t pointer = 0;
  if (compress && question_end_ != 0 && question_end_ - kHeaderSize - 4 == wire.size() &&
      std::memcmp(buffer_.data() + kHeaderSize, wire.data(), wire.size()) == 0) {
    // Most owners are the question's name, as asked: point at it without searching (and
    // without remembering its labels again; the question's are already remembered).
    if (!fits(2, effective_limit())) {
      return false;
    }
    uint16_t ptr = kPointerFlag | kHeaderSize;
    buffer_[size_++] = static_cast<uint8_t>(ptr >> 8);
    buffer_[size_++] = static_cast<uint8_t>(ptr);
    return true;
  }
  if (compress) {
    // The first label start whose suffix is already present gives the longest match. The root
    // alone is never replaced: a pointer (2 octets) is longer than the root (1).
    size_t pos = 0;
    while (wire[pos] != 0) {
      pointer = find_suffix(wire.subspan(pos));
      if (pointer != 0) {
        prefix = pos;
        break;
      }
      pos += 1 + wire[pos];
    }
  }
  size_t total = prefix + (pointer != 0 ? 2 : 0);
  if (!fits(total, effective_limit())) {
    return false;
  }
  size_t start = size_;
  std::copy_n(wire.begin(), prefix, buffer_.begin() + size_);
  size_ += prefix;
  if (pointer != 0) {
    uint16_t ptr = kPointerFlag | pointer;
    buffer_[size_++] = static_cast<uint8_t>(ptr >> 8);
    buffer_[size_++] = static_cast<uint8_t>(ptr);
  }
  if (compress) {
    remember_labels(wire, start, prefix);
  }
  return true;
}

bool MessageWriter::write_question(const Name& name, RrType type, uint16_t qclass) {
  // The question comes straight after the header, once (RFC 1035 section 4.1).
  if (question_end_ != 0 || size_ != kHeaderSize) {
    return false;
  }
  size_t entries = compression_entries_;
  if (!write_name(name.wire(), true) || !put_u16(static_cast<uint16_t>(type)) ||
      !put_u16(qclass)) {
    size_ = kHeaderSize;
    compression_entries_ = entries;
    return false;
  }
  question_end_ = size_;
  return true;
}

bool MessageWriter::write_compressible_rdata(RrType type, std::span<const uint8_t> rdata) {
  // Rdata that does not have the expected shape is copied as is rather than refused: it was
  // accepted when the snapshot was built, and is not ours to judge here.
  // The names are written from the rdata itself once their shape is checked (name_length()
  // checks what Name::from_wire() would): no Name is built per record.
  if (type == RrType::NS || type == RrType::CNAME || type == RrType::PTR) {
    return name_length(rdata) == rdata.size() ? write_name(rdata, true) : put(rdata);
  }
  // SOA: MNAME, RNAME, then five 32-bit fields (RFC 1035 section 3.3.13).
  size_t mname_length = name_length(rdata);
  size_t rname_length = mname_length == 0 ? 0 : name_length(rdata.subspan(mname_length));
  if (rname_length == 0 || rdata.size() != mname_length + rname_length + kSoaTailSize) {
    return put(rdata);
  }
  return write_name(rdata.subspan(0, mname_length), true) &&
         write_name(rdata.subspan(mname_length, rname_length), true) &&
         put(rdata.subspan(mname_length + rname_length));
}

bool MessageWriter::write_rr(Section section, const Name& owner, RrType type, uint16_t rclass,
                             uint32_t ttl, std::span<const uint8_t> rdata) {
  size_t index = static_cast<size_t>(section);
  if (index > 2 || counts_[index] == 0xFFFF || rdata.size() > 0xFFFF) {
    return false;
  }
  size_t start = size_;
  size_t entries = compression_entries_;
  auto undo = [&]() {
    size_ = start;
    compression_entries_ = entries;
    return false;
  };
  // A TSIG record's (type 250, RFC 8945 section 4.2) owner is the key's name, which the MAC
  // covers in canonical form: written whole, as other implementations write it.
  if (!write_name(owner.wire(), static_cast<uint16_t>(type) != 250) || !put_u16(static_cast<uint16_t>(type)) ||
      !put_u16(rclass) ||
      !put_u32(ttl)) {
    return undo();
  }
  size_t rdlength_at = size_;
  if (!put_u16(0)) {
    return undo();
  }
  size_t rdata_start = size_;
  bool ok = false;
  switch (type) {
    case RrType::NS:
    case RrType::CNAME:
    case RrType::PTR:
    case RrType::SOA:
      ok = write_compressible_rdata(type, rdata);
      break;
    default:
      // SRV targets must not be compressed (RFC 2782), nor names inside types this writer does
      // not know (RFC 3597 section 4): the rdata goes out exactly as given.
      ok = put(rdata);
      break;
  }
  if (!ok) {
    return undo();
  }
  // Compression only shrinks rdata, so this fits in 16 bits.
  size_t rdlength = size_ - rdata_start;
  buffer_[rdlength_at] = static_cast<uint8_t>(rdlength >> 8);
  buffer_[rdlength_at + 1] = static_cast<uint8_t>(rdlength);
  ++counts_[index];
  return true;
}

bool MessageWriter::write_opt(uint16_t udp_size, uint8_t extended_rcode, uint8_t version,
                              bool dnssec_ok, std::span<const uint8_t> options) {
  // The OPT ignores the tail reserve: the reserve exists to keep room for it.
  if (!fits(kOptFixedSize + options.size(), limit_) || counts_[2] == 0xFFFF) {
    return false;
  }
  size_t written = write_opt_record(buffer_.subspan(size_, limit_ - size_),
                                    {udp_size, extended_rcode, version, dnssec_ok}, options);
  if (written == 0) {
    return false;
  }
  size_ += written;
  ++counts_[2];
  return true;
}

MessageWriter::Mark MessageWriter::mark() const {
  return Mark{size_, {counts_[0], counts_[1], counts_[2]}, compression_entries_};
}

void MessageWriter::rollback(const Mark& mark) {
  size_ = mark.size;
  std::copy(std::begin(mark.counts), std::end(mark.counts), std::begin(counts_));
  compression_entries_ = mark.compression_entries;
  if (question_end_ != 0 && size_ < question_end_) {
    question_end_ = 0;
  }
}

void MessageWriter::reserve_tail(size_t bytes) {
  tail_reserve_ = std::min(bytes, limit_);
}

size_t MessageWriter::finish() {
  if (buffer_.size() < kHeaderSize) {
    return 0;
  }
  header_.qdcount = question_end_ != 0 ? 1 : 0;
  header_.ancount = counts_[0];
  header_.nscount = counts_[1];
  header_.arcount = counts_[2];
  uint16_t fields[6] = {header_.id,      header_.flags,   header_.qdcount,
                              header_.ancount, header_.nscount, header_.arcount};
  for (size_t i = 0; i < 6; ++i) {
    buffer_[2 * i] = static_cast<uint8_t>(fields[i] >> 8);
    buffer_[2 * i + 1] = static_cast<uint8_t>(fields[i]);
  }
  return size_;
}

}  // namespace vmdns::dns
