#include "rules/kept_endpoints.h"

#include <algorithm>
#include <cstring>

#include "rules/dashed_name.h"

namespace vmdns::rules {
namespace {

constexpr uint8_t kV6 = 1;        // the address's family
constexpr uint8_t kWide = 2;      // 16 address octets follow, else 4 (IPv4's, the rest zero)
constexpr uint8_t kReady = 4;
constexpr uint8_t kHasName = 8;   // a label other than the dashed address follows
// The label is the previous endpoint's (kHasName) label, not repeated: a dual-stack workload's
// two addresses come one after the other with its one name.
constexpr uint8_t kSameName = 16;
constexpr uint8_t kLongName = 255;  // a name length octet: four octets of length follow

constexpr size_t kHeader = 2 * sizeof(uint32_t);

uint32_t read_u32(const uint8_t* at) {
  uint32_t value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

void write_u32(uint8_t*& at, uint32_t value) {
  std::memcpy(at, &value, sizeof value);
  at += sizeof value;
}

bool is_wide(const cluster::IpAddress& address) {
  return address.is_v6() ||
         std::any_of(address.bytes.begin() + 4, address.bytes.end(), [](uint8_t b) { return b; });
}

size_t entry_size(const cluster::IpAddress& address, std::string_view name,
                  std::string_view previous) {
  size_t size = 1 + (is_wide(address) ? 16 : 4);
  if (!name.empty() && name != previous) {
    size += (name.size() < kLongName ? 1 : 1 + sizeof(uint32_t)) + name.size();
  }
  return size;
}

}  // namespace

std::string KeptEndpoint::label() const {
  return name.empty() ? dashed_name(address) : std::string(name);
}

KeptEndpoints::KeptEndpoints(const std::vector<Endpoint>& endpoints, bool endpoint_pod_names) {
  if (endpoints.empty()) {
    return;
  }
  size_t bytes = 0;
  std::string_view previous;
  for (const Endpoint& endpoint : endpoints) {
    std::string_view name = endpoint_name(endpoint, endpoint_pod_names);
    bytes += entry_size(endpoint.address, name, previous);
    previous = name;
  }
  block_ = std::make_unique_for_overwrite<uint8_t[]>(kHeader + bytes);
  uint8_t* at = block_.get();
  write_u32(at, static_cast<uint32_t>(endpoints.size()));
  write_u32(at, static_cast<uint32_t>(bytes));
  previous = {};
  for (const Endpoint& endpoint : endpoints) {
    std::string_view name = endpoint_name(endpoint, endpoint_pod_names);
    bool wide = is_wide(endpoint.address);
    bool same = !name.empty() && name == previous;
    previous = name;
    *at++ = static_cast<uint8_t>((endpoint.address.is_v6() ? kV6 : 0) | (wide ? kWide : 0) |
                                 (endpoint.ready ? kReady : 0) |
                                 (name.empty() ? 0 : same ? kSameName : kHasName));
    size_t octets = wide ? 16 : 4;
    std::memcpy(at, endpoint.address.bytes.data(), octets);
    at += octets;
    if (!name.empty() && !same) {
      if (name.size() < kLongName) {
        *at++ = static_cast<uint8_t>(name.size());
      } else {
        *at++ = kLongName;
        write_u32(at, static_cast<uint32_t>(name.size()));
      }
      std::memcpy(at, name.data(), name.size());
      at += name.size();
    }
  }
}

size_t KeptEndpoints::size() const { return block_ ? read_u32(block_.get()) : 0; }

size_t KeptEndpoints::allocated_bytes() const {
  return block_ ? kHeader + read_u32(block_.get() + sizeof(uint32_t)) : 0;
}

KeptEndpoints::Iterator KeptEndpoints::begin() const {
  return Iterator(block_ ? block_.get() + kHeader : nullptr);
}

KeptEndpoints::Iterator KeptEndpoints::end() const {
  return Iterator(block_ ? block_.get() + allocated_bytes() : nullptr);
}

KeptEndpoint KeptEndpoints::Iterator::operator*() const {
  KeptEndpoint out;
  const uint8_t* at = at_;
  uint8_t flags = *at++;
  out.address.family = (flags & kV6) ? cluster::IpAddress::Family::V6 : cluster::IpAddress::Family::V4;
  size_t octets = (flags & kWide) ? 16 : 4;
  std::memcpy(out.address.bytes.data(), at, octets);
  at += octets;
  out.ready = (flags & kReady) != 0;
  if (flags & kHasName) {
    size_t length = *at++;
    if (length == kLongName) {
      length = read_u32(at);
      at += sizeof(uint32_t);
    }
    out.name = std::string_view(reinterpret_cast<const char*>(at), length);
  } else if (flags & kSameName) {
    out.name = previous_name_;
  }
  return out;
}

KeptEndpoints::Iterator& KeptEndpoints::Iterator::operator++() {
  uint8_t flags = *at_++;
  at_ += (flags & kWide) ? 16 : 4;
  if (flags & kHasName) {
    size_t length = *at_++;
    if (length == kLongName) {
      length = read_u32(at_);
      at_ += sizeof(uint32_t);
    }
    previous_name_ = std::string_view(reinterpret_cast<const char*>(at_), length);
    at_ += length;
  } else if (!(flags & kSameName)) {
    previous_name_ = {};
  }
  return *this;
}

}  // namespace vmdns::rules
