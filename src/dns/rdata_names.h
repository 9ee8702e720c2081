#pragma once
// The names inside rdata: where they sit for the types whose names may be compressed, and the
// rdata of a record read from a message with those names written out in full.
//
//   MessageView m(reply);
//   ExpandedRdata buffer;
//   for (const RecordView& rr : m.answer()) {
//     if (auto rdata = expand_rdata(rr, buffer)) {
//       rdata::to_text(rr.type, {rdata->begin(), rdata->end()});   // "10 mail.example."
//     }
//   }
//
// No heap allocation: the expanded rdata goes into a caller-owned array.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dns/message_view.h"
#include "dns/name.h"
#include "dns/types.h"

namespace vmdns::dns {

// Fixed octets before the names, the names, fixed octets after them: NS, CNAME and PTR are one
// name, SOA two names and 20 octets, MX 2 octets and a name (RFC 3597 section 4 lists the types
// whose names may be compressed), SRV 6 octets and a name (RFC 2782 forbids compressing it, and
// some servers do anyway). Every other type has no names here: its rdata is opaque.
struct RdataNameLayout {
  uint8_t before = 0;
  uint8_t names = 0;
  uint8_t after = 0;
};
RdataNameLayout rdata_name_layout(RrType type);

// Room for the longest rdata with names expanded: an SOA with two 255-octet names.
inline constexpr size_t kMaxExpandedRdata = 2 * kMaxNameLength + 20;
using ExpandedRdata = std::array<uint8_t, kMaxExpandedRdata>;

// The rdata of `record` with its names (rdata_name_layout) decompressed into `buffer`; the
// rdata as it is (not copied) for a type without names. nullopt when a name does not decode
// inside the rdata or the fields and names do not fill it exactly.
std::optional<std::span<const uint8_t>> expand_rdata(const RecordView& record,
                                                     ExpandedRdata& buffer);

}  // namespace vmdns::dns
