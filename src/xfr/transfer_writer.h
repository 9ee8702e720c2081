#pragma once
// The messages of a zone transfer reply (RFC 5936 section 2.2, RFC 1995 section 4): each
// message a copy of the request's ID, QR and AA set, the question in the first message only
// (section 2.2.1), as many records as fit 65535 octets with names compressed, an OPT when the
// request had one, and the signature (transfer_auth.h) when the request was signed. A record is
// never split: one that does not fit opens the next message.
//
//   RecordSequence records = ...;     // the SOA, the zone, the SOA
//   TransferWriter writer(request, signer.get());
//   while (size_t n = writer.next(records, out)) { send(out.first(n)); }
//
//   size_t n = writer.single(dns::Rcode::Refused, nullptr, out);   // one reply, no records

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "dns/types.h"
#include "dns/writer.h"
#include "xfr/journal.h"
#include "xfr/transfer_auth.h"
#include "xfr/transfer_request.h"
#include "zone/zone.h"

namespace vmdns::xfr {

// The records of one reply in order, made lazily from the zone and the journal's differences,
// so that a transfer of a large zone holds its sorted names, never a copy of its records.
class RecordSequence {
 public:
  // One SOA record of the zone's apex. The views must outlive the sequence (the snapshot's
  // and the journal's data, which the transfer holds).
  void add_soa(std::string_view apex_wire, std::span<const uint8_t> soa_rdata, uint32_t ttl);
  // Every record of `zone` but its apex SOA, in canonical order (RFC 4034 section 6.1).
  void add_zone(const zone::Zone& zone);
  // The packed records of one side of a difference (Delta::removed / Delta::added).
  void add_packed(std::span<const uint8_t> packed);

  // The record at the cursor; false when every record was given.
  bool peek(DeltaRecord& out);
  void advance();
  size_t records_given() const { return given_; }

 private:
  struct Segment {
    enum class Kind : uint8_t { Record, Packed, Zone } kind = Kind::Record;
    DeltaRecord record;                // Record
    std::span<const uint8_t> packed;   // Packed
  };
  // A name as the zone keeps it: its octets below its part's apex, and that apex
  // (Zone::for_each_owner).
  struct Owner {
    std::string_view below;
    std::string_view apex;
    const zone::Node* node;
  };
  // The name `owner` stands for, put together in `buffer`.
  static std::span<const uint8_t> whole(const Owner& owner,
                                        std::array<uint8_t, dns::kMaxNameLength>& buffer);
  bool settle();  // moves the cursor to a record, across segment ends; false past the last

  const zone::Zone* zone_ = nullptr;  // the one Zone segment's
  std::vector<Owner> owners_;         // its names, canonical order, empty non-terminals left out
  std::vector<Segment> segments_;
  size_t segment_ = 0;
  size_t offset_ = 0;  // Packed: octets read; Zone: owner index
  size_t set_ = 0;     // Zone: set index in the owner's node
  size_t rdata_ = 0;   // Zone: octet offset in the set's data
  // Zone: the rdata peek() gives when the set references its targets (zone/rr_set.h).
  zone::RrSet::RdataBuffer rdata_buffer_;
  // Zone: the owner peek() gives, put together whole.
  std::array<uint8_t, dns::kMaxNameLength> owner_buffer_;
  size_t given_ = 0;
};

class TransferWriter {
 public:
  // `signer` may be null; it must outlive the writer.
  TransferWriter(const TransferRequest& request, MessageSigner* signer);

  // The next message with records from `records` into `out`; 0 once they are all given.
  size_t next(RecordSequence& records, std::span<uint8_t> out);
  // A reply of one message: `rcode` and the question, and `records` if given.
  size_t single(dns::Rcode rcode, RecordSequence* records, std::span<uint8_t> out);
  size_t messages() const { return messages_; }

 private:
  size_t write(dns::Rcode rcode, RecordSequence* records, std::span<uint8_t> out);
  // Every message ends here: the OPT, the header's counts, the signature.
  size_t finish(dns::MessageWriter& w, std::span<uint8_t> out, dns::Rcode rcode);

  const TransferRequest& request_;
  MessageSigner* signer_;
  size_t messages_ = 0;
};

}  // namespace vmdns::xfr
