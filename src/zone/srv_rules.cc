#include "zone/srv_rules.h"

#include <cctype>
#include <string>

#include "dns/rdata.h"

namespace vmdns::zone {
namespace {

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
  for (const cluster::ServicePort* port : named) {
    auto proto = service_name.prepend("_" + lowercase(port->protocol));
    auto owner = proto ? proto->prepend("_" + lowercase(port->name)) : std::nullopt;
    auto number = static_cast<uint16_t>(port->port);
    for (const dns::Name& target : targets) {
      if (owner) {
        builder.add(*owner, dns::RrType::SRV, ttl, dns::rdata::srv(0, port_weight, number, target));
      }
      builder.add(service_name, dns::RrType::SRV, ttl,
                  dns::rdata::srv(0, bare_weight, number, target));
    }
  }
}

}  // namespace vmdns::zone
