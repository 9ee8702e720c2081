#pragma once
// The recent history of each zone we serve, for IXFR (RFC 1995): the differences between
// consecutive snapshots, computed when each is published (zone/zone_diff.h; the parts two
// snapshots share are not even read), and the newest snapshot itself, which every transfer
// reads. Bounded per zone: at most kMaxDeltas differences and kMaxBytes of them; past either,
// the oldest go, and a client that holds a serial no longer in the journal gets the whole zone.
//
//   Journal journal;
//   journal.publish(holder.current());             // the control thread, after each publish
//   Journal::View v = journal.view(apex_wire, client_serial);
//   if (v.zone == nullptr) { ...not our zone... }
//   else if (v.chain) { ...incremental: v.deltas from client_serial to v.serial... }
//   else { ...the whole zone of v.snapshot... }
//
// Memory: each difference holds its removed and added records in wire form (owner, type, TTL,
// rdata: ~40 octets for an A record), so a VMI migrating (one A and one PTR replaced) costs
// about 200 octets; the journal of a zone never holds more than kMaxBytes.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/types.h"
#include "sync/guarded.h"
#include "zone/snapshot.h"

namespace vmdns::xfr {

// One record as a difference holds it.
struct DeltaRecord {
  std::string_view owner_wire;  // lowercased, uncompressed
  dns::RrType type = dns::RrType::A;
  uint32_t ttl = 0;
  std::span<const uint8_t> rdata;
};

// The change of one zone from one serial to the next: what RFC 1995 section 4 sends between
// the two versions' SOAs.
struct Delta {
  uint32_t from_serial = 0;
  uint32_t to_serial = 0;
  std::vector<uint8_t> from_soa;  // the SOA rdata of each version
  std::vector<uint8_t> to_soa;
  // Records packed back to back: owner length, owner, type, TTL, rdata length, rdata.
  std::vector<uint8_t> removed;
  std::vector<uint8_t> added;
  size_t removed_count = 0;
  size_t added_count = 0;

  void add(bool added_side, std::string_view owner_wire, dns::RrType type, uint32_t ttl,
           std::span<const uint8_t> rdata);
  // Reads the record at `offset` of `packed` (removed or added) and moves past it.
  static bool read(std::span<const uint8_t> packed, size_t& offset, DeltaRecord& out);
  size_t bytes() const {
    return removed.size() + added.size() + from_soa.size() + to_soa.size() + sizeof(Delta);
  }
};

// The difference between two versions of a zone (either may be null: every record of the
// other). Serials and SOAs are read from the zones' own SOAs.
Delta make_delta(const zone::Zone* before, const zone::Zone& after);

class Journal {
 public:
  static constexpr size_t kMaxDeltas = 256;
  static constexpr size_t kMaxBytes = size_t{16} << 20;

  struct View {
    std::shared_ptr<const zone::Snapshot> snapshot;  // the newest; held for the transfer
    const zone::Zone* zone = nullptr;                 // in snapshot; null: not ours
    uint32_t serial = 0;                              // the zone's, now
    bool chain = false;  // deltas lead from the client's serial to `serial`
    std::vector<std::shared_ptr<const Delta>> deltas;
  };

  // The control thread, after each publish: the differences from the last snapshot given.
  void publish(std::shared_ptr<const zone::Snapshot> snapshot);
  // The zone whose apex is `apex_wire` (lowercased) in the newest snapshot, and, for
  // `client_serial`, the differences that lead from it to the newest.
  View view(std::string_view apex_wire, std::optional<uint32_t> client_serial) const;
  // Octets held by every zone's differences.
  size_t bytes() const;

 private:
  struct History {
    std::deque<std::shared_ptr<const Delta>> deltas;
    size_t bytes = 0;
  };
  struct State {
    std::shared_ptr<const zone::Snapshot> snapshot;
    std::map<std::string, History, std::less<>> zones;  // by lowercased apex wire
    size_t bytes = 0;
  };
  sync::Guarded<State> state_;
};

}  // namespace vmdns::xfr
