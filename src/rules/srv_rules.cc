#include "rules/srv_rules.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>

namespace vmdns::rules {
namespace {

using Rdata = std::array<uint8_t, 6 + dns::kMaxNameLength>;

// SRV rdata (RFC 2782): priority, weight, port, then the target in uncompressed wire form,
// written into `out`; a view of the bytes written.
std::span<const uint8_t> srv_rdata(uint16_t priority, uint16_t weight, uint16_t port,
                                   const dns::Name& target, Rdata& out) {
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

// One (address, port) pair. `port` is null for an endpoint whose slice lists no port: it counts
// in its sets' N, as CoreDNS's port -1 sentinel does, and has no record.
struct Candidate {
  const dns::Name* target;
  const cluster::ServicePort* port;
};

// The candidates of `ports` (a null sentinel when there is none) for one target.
void add_candidates(const dns::Name& target, const std::vector<cluster::ServicePort>* ports,
                    std::vector<Candidate>& out) {
  if (ports == nullptr || ports->empty()) {
    out.push_back({&target, nullptr});
    return;
  }
  for (const cluster::ServicePort& port : *ports) {
    out.push_back({&target, &port});
  }
}

// One set at `owner`: weight floor(100 / N) for its N candidates. The builder stores a record
// once, which collapses candidates with the same target and port.
void add_set(zone::ZoneBuilder& builder, uint32_t ttl, const dns::Name& owner,
             const std::vector<Candidate>& set) {
  uint16_t weight = srv_weight(set.size());
  Rdata rdata;
  for (const Candidate& candidate : set) {
    if (candidate.port == nullptr || candidate.port->port < 1 || candidate.port->port > 65535) {
      continue;
    }
    auto number = static_cast<uint16_t>(candidate.port->port);
    builder.add(owner, dns::RrType::SRV, ttl,
                srv_rdata(0, weight, number, *candidate.target, rdata));
  }
}

// `_<port>._<proto>.<service>` for each named port among `all`, with the candidates of that port.
// Names and protocols match in any case, as CoreDNS compares them (strings.EqualFold).
void add_port_sets(zone::ZoneBuilder& builder, uint32_t ttl, const dns::Name& service_name,
                   const std::vector<Candidate>& all) {
  std::map<std::pair<std::string, std::string>, std::vector<Candidate>> sets;
  for (const Candidate& candidate : all) {
    if (candidate.port != nullptr && !candidate.port->name.empty()) {
      sets[{lowercase(candidate.port->name), lowercase(candidate.port->protocol)}].push_back(
          candidate);
    }
  }
  for (const auto& [key, set] : sets) {
    auto proto = service_name.prepend("_" + key.second);
    auto owner = proto ? proto->prepend("_" + key.first) : std::nullopt;
    if (owner) {
      add_set(builder, ttl, *owner, set);
    }
  }
}

}  // namespace

uint16_t srv_weight(size_t candidates) {
  if (candidates == 0) {
    return 100;
  }
  size_t weight = 100 / candidates;
  return static_cast<uint16_t>(weight == 0 ? 1 : weight);
}

void add_service_srv(zone::ZoneBuilder& builder, uint32_t ttl, const dns::Name& service_name,
                     const std::vector<cluster::ServicePort>& ports, size_t cluster_ips) {
  std::vector<Candidate> all;
  for (size_t i = 0; i < cluster_ips; ++i) {
    add_candidates(service_name, &ports, all);
  }
  add_port_sets(builder, ttl, service_name, all);
  add_set(builder, ttl, service_name, all);
}

void add_endpoint_srv(zone::ZoneBuilder& builder, uint32_t ttl, const dns::Name& service_name,
                      const std::vector<SrvEndpoint>& endpoints, bool headless) {
  std::vector<Candidate> all;
  // Endpoints that share a name (one hostname in an IPv4 and an IPv6 slice) share its set.
  std::map<std::string, std::vector<Candidate>> by_target;
  for (const SrvEndpoint& endpoint : endpoints) {
    size_t first = all.size();
    add_candidates(endpoint.target, endpoint.ports, all);
    dns::Name key = endpoint.target.lowercased();
    std::span<const uint8_t> wire = key.wire();
    std::vector<Candidate>& own = by_target[std::string(wire.begin(), wire.end())];
    own.insert(own.end(), all.begin() + static_cast<ptrdiff_t>(first), all.end());
  }
  for (const auto& [wire, set] : by_target) {
    add_set(builder, ttl, *set.front().target, set);
  }
  if (headless) {
    add_port_sets(builder, ttl, service_name, all);
    add_set(builder, ttl, service_name, all);
  }
}

}  // namespace vmdns::rules
