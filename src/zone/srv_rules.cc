#include "zone/srv_rules.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>
#include <string>


namespace vmdns::zone {
namespace {

// SRV rdata (RFC 2782): priority, weight, port, then the target in uncompressed wire form,
// written into `out`; a view of the bytes written.
std::span<const uint8_t> srv_rdata(uint16_t priority, uint16_t weight, uint16_t port,
                                   const dns::Name& target,
                                   std::array<uint8_t, 6 + dns::kMaxNameLength>& out) {
  uint16_t fields[] = {priority, weight, port};
  for (size_t i = 0; i < 3; ++i) {
    out[2 * i] = static_cast<uint8_t>(fields[i] >> 8);
    out[2 * i + 1] = static_cast<uint8_t>(fields[i] & 0xFF);
  }
  std::span<const uint8_t> wire = target.wire();
  std::copy(wire.begin(), wire.end(), out.begin() + 6);
  return {out.data(), 6 + wire.size()};
}

std::string lowercase(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

}  // namespace

uint16_t srv_weight(size_t candidates) {
  if (candidates == 0) {
    return 100;
  }
  size_t weight = 100 / candidates;
  return static_cast<uint16_t>(weight == 0 ? 1 : weight);
}

void add_service_srv(ZoneBuilder& builder, uint32_t ttl, const dns::Name& service_name,
                     const std::vector<cluster::ServicePort>& ports,
                     const std::vector<dns::Name>& targets) {
  std::vector<const cluster::ServicePort*> named;
  for (const cluster::ServicePort& port : ports) {
    if (!port.name.empty() && port.port > 0 && port.port <= 65535) {
      named.push_back(&port);
    }
  }
  if (named.empty() || targets.empty()) {
    return;
  }
  // The bare name's set holds every port's records: N is candidates x named ports.
  uint16_t bare_weight = srv_weight(targets.size() * named.size());
  uint16_t port_weight = srv_weight(targets.size());
  std::array<uint8_t, 6 + dns::kMaxNameLength> rdata;
  for (const cluster::ServicePort* port : named) {
    auto proto = service_name.prepend("_" + lowercase(port->protocol));
    auto owner = proto ? proto->prepend("_" + lowercase(port->name)) : std::nullopt;
    auto number = static_cast<uint16_t>(port->port);
    // One owner at a time, so that the builder looks each up once; the bare name's set still
    // gets its records port by port, target by target.
    if (owner) {
      for (const dns::Name& target : targets) {
        builder.add(*owner, dns::RrType::SRV, ttl, srv_rdata(0, port_weight, number, target, rdata));
      }
    }
    for (const dns::Name& target : targets) {
      builder.add(service_name, dns::RrType::SRV, ttl,
                  srv_rdata(0, bare_weight, number, target, rdata));
    }
  }
}

}  // namespace vmdns::zone
