#include "xfr/transfer_writer.h"

#include <algorithm>
#include <cstring>

#include "dns/edns.h"
#include "dns/header.h"
#include "dns/name.h"

namespace vmdns::xfr {
namespace {

constexpr size_t kMaxMessage = 65535;
constexpr uint16_t kClassIn = 1;

}  // namespace

std::span<const uint8_t> RecordSequence::whole(const Owner& owner,
                                               std::array<uint8_t, dns::kMaxNameLength>& buffer) {
  std::memcpy(buffer.data(), owner.below.data(), owner.below.size());
  std::memcpy(buffer.data() + owner.below.size(), owner.apex.data(), owner.apex.size());
  return {buffer.data(), owner.below.size() + owner.apex.size()};
}

void RecordSequence::add_soa(std::string_view apex_wire, std::span<const uint8_t> soa_rdata,
                             uint32_t ttl) {
  Segment s;
  s.kind = Segment::Kind::Record;
  s.record = {apex_wire, dns::RrType::SOA, ttl, soa_rdata};
  segments_.push_back(s);
}

void RecordSequence::add_packed(std::span<const uint8_t> packed) {
  if (packed.empty()) {
    return;
  }
  Segment s;
  s.kind = Segment::Kind::Packed;
  s.packed = packed;
  segments_.push_back(s);
}

void RecordSequence::add_zone(const zone::Zone& zone) {
  zone_ = &zone;
  owners_.reserve(zone.node_count());
  zone.for_each_owner([&](std::string_view below, std::string_view apex, const zone::Node& node) {
    if (!node.rrsets().empty()) {
      owners_.push_back({below, apex, &node});
    }
  });
  std::sort(owners_.begin(), owners_.end(), [](const Owner& a, const Owner& b) {
    std::array<uint8_t, dns::kMaxNameLength> x;
    std::array<uint8_t, dns::kMaxNameLength> y;
    return dns::canonical_compare_wire(whole(a, x), whole(b, y)) < 0;
  });
  Segment s;
  s.kind = Segment::Kind::Zone;
  segments_.push_back(s);
}

bool RecordSequence::settle() {
  while (segment_ < segments_.size()) {
    const Segment& s = segments_[segment_];
    switch (s.kind) {
      case Segment::Kind::Record:
        if (offset_ == 0) {
          return true;
        }
        break;
      case Segment::Kind::Packed:
        if (offset_ < s.packed.size()) {
          return true;
        }
        break;
      case Segment::Kind::Zone:
        while (offset_ < owners_.size()) {
          const zone::Node& node = *owners_[offset_].node;
          if (set_ < node.rrsets().size()) {
            const zone::RrSet& set = node.rrsets()[set_];
            bool apex_soa = set.type() == dns::RrType::SOA;  // sent first and last instead
            if (!apex_soa && rdata_ + 2 <= set.data().size()) {
              return true;
            }
            ++set_;
            rdata_ = 0;
            continue;
          }
          ++offset_;
          set_ = 0;
          rdata_ = 0;
        }
        break;
    }
    ++segment_;
    offset_ = set_ = rdata_ = 0;
  }
  return false;
}

bool RecordSequence::peek(DeltaRecord& out) {
  if (!settle()) {
    return false;
  }
  const Segment& s = segments_[segment_];
  switch (s.kind) {
    case Segment::Kind::Record:
      out = s.record;
      return true;
    case Segment::Kind::Packed: {
      size_t at = offset_;
      return Delta::read(s.packed, at, out);
    }
    case Segment::Kind::Zone: {
      const zone::RrSet& set = owners_[offset_].node->rrsets()[set_];
      size_t at = rdata_;
      std::span<const uint8_t> owner = whole(owners_[offset_], owner_buffer_);
      out.owner_wire = {reinterpret_cast<const char*>(owner.data()), owner.size()};
      out.type = set.type();
      out.ttl = set.ttl();
      out.rdata = set.next(at, rdata_buffer_);
      return true;
    }
  }
  return false;
}

void RecordSequence::advance() {
  if (!settle()) {
    return;
  }
  ++given_;
  const Segment& s = segments_[segment_];
  switch (s.kind) {
    case Segment::Kind::Record:
      offset_ = 1;
      break;
    case Segment::Kind::Packed: {
      DeltaRecord skipped;
      Delta::read(s.packed, offset_, skipped);
      break;
    }
    case Segment::Kind::Zone: {
      owners_[offset_].node->rrsets()[set_].next(rdata_, rdata_buffer_);
      break;
    }
  }
}

TransferWriter::TransferWriter(const TransferRequest& request, MessageSigner* signer)
    : request_(request), signer_(signer) {}

size_t TransferWriter::next(RecordSequence& records, std::span<uint8_t> out) {
  DeltaRecord r;
  if (!records.peek(r)) {
    return 0;
  }
  return write(dns::Rcode::NoError, &records, out);
}

size_t TransferWriter::single(dns::Rcode rcode, RecordSequence* records, std::span<uint8_t> out) {
  return write(rcode, records, out);
}

size_t TransferWriter::write(dns::Rcode rcode, RecordSequence* records, std::span<uint8_t> out) {
  dns::MessageWriter w(out, kMaxMessage);
  dns::Header& h = w.header();
  h.id = request_.id;
  h.set(dns::Header::kQr, true);
  h.set(dns::Header::kAa, rcode == dns::Rcode::NoError);
  h.set(dns::Header::kRd, (request_.flags & dns::Header::kRd) != 0);
  h.set_opcode(dns::Opcode::Query);
  w.reserve_tail((request_.edns ? dns::kOptFixedSize : 0) +
                 (signer_ != nullptr ? signer_->reserve() : 0));
  if (messages_ == 0) {
    // RFC 5936 section 2.2.1: the first message copies the question; later ones need not.
    w.write_question(request_.zone, request_.type, kClassIn);
  }
  if (records != nullptr) {
    DeltaRecord r;
    dns::Name owner;
    size_t written = 0;
    while (records->peek(r)) {
      auto owner_wire = std::span<const uint8_t>(
          reinterpret_cast<const uint8_t*>(r.owner_wire.data()), r.owner_wire.size());
      std::optional<dns::Name> name = dns::Name::from_wire(owner_wire);
      if (!name) {
        records->advance();  // cannot happen: the zone's own keys
        continue;
      }
      if (!w.write_rr(dns::Section::Answer, *name, r.type, kClassIn, r.ttl, r.rdata)) {
        if (written == 0) {
          records->advance();  // larger than any message: never ours, but never loop on it
          continue;
        }
        break;
      }
      ++written;
      records->advance();
    }
  }
  return finish(w, out, rcode);
}

size_t TransferWriter::finish(dns::MessageWriter& w, std::span<uint8_t> out, dns::Rcode rcode) {
  uint16_t code = static_cast<uint16_t>(rcode);
  w.header().set_rcode_low(code & 0xF);
  w.reserve_tail(0);
  if (request_.edns) {
    w.write_opt(dns::kEdnsPayload, static_cast<uint8_t>(code >> 4), 0, false);
  }
  size_t length = w.finish();
  ++messages_;
  if (signer_ != nullptr) {
    length = signer_->sign(out, length);
  }
  return length;
}

}  // namespace vmdns::xfr
