#include "xfr/journal.h"

#include "xfr/serial.h"
#include "zone/zone_diff.h"

namespace vmdns::xfr {
namespace {

void put16(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

uint32_t get16(const uint8_t* p) {
  return (uint32_t{p[0]} << 8) | p[1];
}

const zone::Zone* zone_with_apex(const zone::Snapshot* snapshot, std::string_view apex_wire) {
  if (snapshot == nullptr) {
    return nullptr;
  }
  for (const zone::Zone& z : snapshot->zones()) {
    if (z.apex_wire() == apex_wire) {
      return &z;
    }
  }
  return nullptr;
}

}  // namespace

void Delta::add(bool added_side, std::string_view owner_wire, dns::RrType type, uint32_t ttl,
                std::span<const uint8_t> rdata) {
  std::vector<uint8_t>& out = added_side ? added : removed;
  out.push_back(static_cast<uint8_t>(owner_wire.size()));
  out.insert(out.end(), owner_wire.begin(), owner_wire.end());
  put16(out, static_cast<uint16_t>(type));
  put16(out, ttl >> 16);
  put16(out, ttl & 0xFFFF);
  put16(out, static_cast<uint32_t>(rdata.size()));
  out.insert(out.end(), rdata.begin(), rdata.end());
  ++(added_side ? added_count : removed_count);
}

bool Delta::read(std::span<const uint8_t> packed, size_t& offset, DeltaRecord& out) {
  if (offset >= packed.size()) {
    return false;
  }
  size_t owner_length = packed[offset];
  const uint8_t* p = packed.data() + offset + 1;
  out.owner_wire = std::string_view(reinterpret_cast<const char*>(p), owner_length);
  p += owner_length;
  out.type = static_cast<dns::RrType>(get16(p));
  out.ttl = (get16(p + 2) << 16) | get16(p + 4);
  size_t rdata_length = get16(p + 6);
  out.rdata = std::span<const uint8_t>(p + 8, rdata_length);
  offset += 1 + owner_length + 8 + rdata_length;
  return true;
}

Delta make_delta(const zone::Zone* before, const zone::Zone& after) {
  Delta delta;
  if (before != nullptr) {
    std::span<const uint8_t> from = before->soa().first();
    delta.from_soa.assign(from.begin(), from.end());
    delta.from_serial = soa_serial(delta.from_soa).value_or(0);
  }
  std::span<const uint8_t> to = after.soa().first();
  delta.to_soa.assign(to.begin(), to.end());
  delta.to_serial = soa_serial(delta.to_soa).value_or(0);
  zone::diff_zones(before, &after,
                   [&](bool added, std::string_view owner, const zone::RrSet& set,
                       std::span<const uint8_t> rdata) {
                     delta.add(added, owner, set.type(), set.ttl(), rdata);
                   });
  return delta;
}

void Journal::publish(std::shared_ptr<const zone::Snapshot> snapshot) {
  if (!snapshot) {
    return;
  }
  std::shared_ptr<const zone::Snapshot> previous = state_.lock()->snapshot;
  if (previous == snapshot) {
    return;
  }
  // The differences are computed without the lock: only this thread changes the journal, and
  // transfers go on reading the previous snapshot meanwhile.
  std::vector<std::pair<std::string, std::shared_ptr<const Delta>>> deltas;
  for (const zone::Zone& z : snapshot->zones()) {
    std::string apex(z.apex_wire());
    const zone::Zone* before = zone_with_apex(previous.get(), apex);
    if (before == nullptr) {
      deltas.emplace_back(std::move(apex), nullptr);  // a zone new to us: no history
      continue;
    }
    deltas.emplace_back(std::move(apex), std::make_shared<const Delta>(make_delta(before, z)));
  }
  auto state = state_.lock();
  state->snapshot = std::move(snapshot);
  std::map<std::string, History, std::less<>> zones;
  size_t total = 0;
  for (auto& [apex, delta] : deltas) {
    History history;
    if (auto it = state->zones.find(apex); it != state->zones.end() && delta) {
      history = std::move(it->second);
    }
    if (delta) {
      // A history whose last serial is not this difference's start is of another line (a
      // serial reset): it cannot be chained to.
      if (!history.deltas.empty() && history.deltas.back()->to_serial != delta->from_serial) {
        history = History{};
      }
      history.bytes += delta->bytes();
      history.deltas.push_back(std::move(delta));
      while (!history.deltas.empty() &&
             (history.deltas.size() > kMaxDeltas || history.bytes > kMaxBytes)) {
        history.bytes -= history.deltas.front()->bytes();
        history.deltas.pop_front();
      }
    }
    total += history.bytes;
    zones.emplace(std::move(apex), std::move(history));  // zones no longer served are dropped
  }
  state->zones = std::move(zones);
  state->bytes = total;
}

Journal::View Journal::view(std::string_view apex_wire,
                            std::optional<uint32_t> client_serial) const {
  View view;
  auto state = state_.lock();
  view.snapshot = state->snapshot;
  view.zone = zone_with_apex(view.snapshot.get(), apex_wire);
  if (view.zone == nullptr) {
    return view;
  }
  view.serial = soa_serial(view.zone->soa().first()).value_or(0);
  if (!client_serial) {
    return view;
  }
  auto it = state->zones.find(apex_wire);
  if (it == state->zones.end()) {
    return view;
  }
  const auto& deltas = it->second.deltas;
  for (size_t i = 0; i < deltas.size(); ++i) {
    if (deltas[i]->from_serial == *client_serial) {
      view.deltas.assign(deltas.begin() + static_cast<std::ptrdiff_t>(i), deltas.end());
      view.chain = view.deltas.back()->to_serial == view.serial;
      if (!view.chain) {
        view.deltas.clear();
      }
      break;
    }
  }
  return view;
}

size_t Journal::bytes() const {
  return state_.lock()->bytes;
}

}  // namespace vmdns::xfr
