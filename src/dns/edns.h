#pragma once
// EDNS(0) (RFC 6891) in one place: the OPT pseudo-record's fields read and written, its options
// walked, and the message sizes that go with it.
//
//   MessageView m(packet);
//   if (m.edns().present) {
//     size_t limit = udp_reply_limit(m.edns());          // within [512, 1232]
//     for (EdnsOption o : EdnsOptions(m.edns().options)) { o.code; o.data; }
//   }
//   size_t n = write_opt_record(out, {.udp_size = kEdnsPayload, .dnssec_ok = true});
//
// Nothing here allocates; every read is bounds-checked.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>

namespace vmdns::dns {

// An OPT record without options: root owner (1), TYPE, CLASS, TTL, RDLENGTH (RFC 6891 6.1.2).
inline constexpr size_t kOptFixedSize = 11;
// OPTION-CODE and OPTION-LENGTH before each option's data (RFC 6891 section 6.1.2).
inline constexpr size_t kOptionHeaderSize = 4;
// The payload size we advertise and the largest UDP reply we send whatever the client offers
// (DNS Flag Day 2020: 1232 octets avoid IP fragmentation on every common path).
inline constexpr uint16_t kEdnsPayload = 1232;
// The UDP payload without EDNS (RFC 1035 section 4.2.1), and the least a requestor may
// advertise (RFC 6891 section 6.2.5: a lower size is treated as 512).
inline constexpr uint16_t kMinUdpPayload = 512;
// The largest message: TCP frames carry a 16-bit length (RFC 1035 section 4.2.2).
inline constexpr size_t kMaxMessageSize = 65535;

// The OPT record of a message, as read (RFC 6891 section 6.1).
struct Edns {
  bool present = false;
  uint16_t udp_size = kMinUdpPayload;  // the requestor's payload size, raised to 512 if lower
  uint8_t extended_rcode = 0;          // the upper 8 bits of the 12-bit rcode
  uint8_t version = 0;
  bool dnssec_ok = false;            // the DO bit (RFC 3225 section 3)
  std::span<const uint8_t> options;  // the OPT's rdata: {code, length, data} sequences
};

// The fields of an OPT record to write.
struct OptFields {
  uint16_t udp_size = kEdnsPayload;
  uint8_t extended_rcode = 0;
  uint8_t version = 0;
  bool dnssec_ok = false;
};

// The OPT's TTL field: extended rcode (8) | version (8) | DO (1) | Z (15) (RFC 6891 6.1.3).
constexpr uint32_t opt_ttl(uint8_t extended_rcode, uint8_t version, bool dnssec_ok) {
  return (uint32_t{extended_rcode} << 24) | (uint32_t{version} << 16) | (dnssec_ok ? 0x8000u : 0u);
}

// Fills `out` (present) from an OPT record's CLASS, TTL and rdata.
void decode_opt(uint16_t rclass, uint32_t ttl, std::span<const uint8_t> rdata, Edns& out);

// Writes an OPT record (root owner) with `fields` and `options` (already encoded, e.g. by
// write_option) at the start of `out`. Returns its size, 0 when it does not fit.
size_t write_opt_record(std::span<uint8_t> out, const OptFields& fields,
                        std::span<const uint8_t> options = {});

// Writes one option {code, length, data} at the start of `out`; its size, 0 when it does not
// fit or `data` is longer than 65535 octets.
size_t write_option(std::span<uint8_t> out, uint16_t code, std::span<const uint8_t> data);

// The largest UDP reply for a requestor with `edns`: 512 without EDNS, else its size within
// [512, kEdnsPayload].
size_t udp_reply_limit(const Edns& edns);

struct EdnsOption {
  uint16_t code = 0;
  std::span<const uint8_t> data;
};

// The options of an OPT rdata, in order. Iteration stops before anything that does not fit
// (well_formed() says whether the options fill the rdata exactly).
//
//   for (EdnsOption o : EdnsOptions(edns.options)) { if (o.code == 10) ...cookie... }
class EdnsOptions {
 public:
  explicit EdnsOptions(std::span<const uint8_t> rdata) : rdata_(rdata) {}

  class Iterator {
   public:
    using value_type = EdnsOption;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    Iterator(std::span<const uint8_t> rdata, size_t offset) : rdata_(rdata), offset_(offset) {
      load();
    }
    const EdnsOption& operator*() const { return current_; }
    const EdnsOption* operator->() const { return &current_; }
    Iterator& operator++() {
      offset_ += kOptionHeaderSize + current_.data.size();
      load();
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    bool operator==(std::default_sentinel_t) const { return done_; }

   private:
    void load();
    std::span<const uint8_t> rdata_;
    size_t offset_ = 0;
    EdnsOption current_;
    bool done_ = true;
  };

  Iterator begin() const { return Iterator(rdata_, 0); }
  std::default_sentinel_t end() const { return {}; }
  // True when the options fill the rdata exactly (RFC 6891 section 6.1.2).
  bool well_formed() const;
  // The data of the first option with `code`, nullopt when there is none.
  std::optional<std::span<const uint8_t>> find(uint16_t code) const;

 private:
  std::span<const uint8_t> rdata_;
};

}  // namespace vmdns::dns
