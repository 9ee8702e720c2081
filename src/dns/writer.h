#pragma once
// Builds a DNS message into a caller-owned buffer: no heap allocation (ARCHITECTURE.md habit 4).
//
//   std::array<uint8_t, 65535> buf;
//   MessageWriter w(buf, /*limit=*/512);
//   w.header() = reply_header;
//   w.write_question(q.name, q.type, q.qclass);
//   auto m = w.mark();
//   if (!w.write_rr(Section::Answer, owner, RrType::A, 1, 5, rdata)) { w.rollback(m);
//   w.set_truncated(); } size_t n = w.finish();
//
// A record is written whole or not at all (NSD's truncation mark, PowerDNS's rollback()).
// Owner names are compressed against names already in the message (RFC 1035 section 4.1.4), as
// are the names inside NS, CNAME, PTR and SOA rdata; SRV targets are never compressed
// (RFC 2782), nor are names in types unknown to this writer (RFC 3597 section 4).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/header.h"
#include "dns/name.h"
#include "dns/types.h"

namespace vmdns::dns {

class MessageWriter {
 public:
  struct Mark {
    size_t size;
    uint16_t counts[3];
    size_t compression_entries;
  };

  // `limit` is the largest message allowed (e.g. the client's UDP payload size, or 65535 for
  // TCP); it is clamped to the buffer size.
  MessageWriter(std::span<uint8_t> buffer, size_t limit);

  // The header written by finish(); counts are filled in from what was written.
  Header& header() { return header_; }

  bool write_question(const Name& name, RrType type, uint16_t qclass);
  // Appends one resource record. `rdata` is uncompressed wire rdata for `type`.
  bool write_rr(Section section, const Name& owner, RrType type, uint16_t rclass, uint32_t ttl,
                std::span<const uint8_t> rdata);
  // Appends an OPT pseudo-record (RFC 6891 section 6.1.2) to the additional section, with
  // `options` already encoded (write_option in edns.h). `extended_rcode` is the upper 8 bits
  // of the 12-bit rcode.
  bool write_opt(uint16_t udp_size, uint8_t extended_rcode, uint8_t version, bool dnssec_ok,
                 std::span<const uint8_t> options = {});

  Mark mark() const;
  void rollback(const Mark& mark);
  void set_truncated() { header_.set(Header::kTc, true); }

  // The room left before `limit`.
  size_t remaining() const { return size_ < limit_ ? limit_ - size_ : 0; }
  size_t size() const { return size_; }
  // Reserves `bytes` at the end (e.g. for the OPT record that must still fit); 0 to release.
  void reserve_tail(size_t bytes);

  // Writes the header (with the section counts) at the start; returns the message size.
  size_t finish();

 private:
  // `wire` is a valid uncompressed wire name.
  bool write_name(std::span<const uint8_t> wire, bool compress);
  bool put(std::span<const uint8_t> bytes);
  bool put_u16(uint16_t v);
  bool put_u32(uint32_t v);
  // Offset of an earlier occurrence of `wire` (a name suffix) in the message, or 0 if none.
  uint16_t find_suffix(std::span<const uint8_t> wire) const;
  size_t effective_limit() const { return limit_ - tail_reserve_; }
  // True when `bytes` more fit before `limit` (the tail reserve excluded).
  bool fits(size_t bytes, size_t limit) const { return size_ <= limit && bytes <= limit - size_; }
  // Registers the label starts [0, count) of `wire`, written at `offset`, for compression.
  void remember_labels(std::span<const uint8_t> wire, size_t offset, size_t count);
  // Writes rdata of a type whose embedded names may be compressed (NS, CNAME, PTR, SOA).
  bool write_compressible_rdata(RrType type, std::span<const uint8_t> rdata);

  static constexpr size_t kMaxCompressionEntries = 128;

  std::span<uint8_t> buffer_;
  size_t limit_;
  size_t tail_reserve_ = 0;
  size_t size_ = kHeaderSize;
  Header header_;
  uint16_t counts_[3] = {0, 0, 0};
  // Offsets of every name suffix written uncompressed, candidates for compression pointers.
  // Only the first compression_entries_ are ever read: left uninitialised, since a writer is
  // made per query.
  std::array<uint16_t, kMaxCompressionEntries> compression_;
  size_t compression_entries_ = 0;
  // Offset just past the question, 0 while none is written; finish() sets QDCOUNT from it.
  size_t question_end_ = 0;
};

}  // namespace vmdns::dns
