// Service: type, selector, cluster IPs (or headless), ports, externalName.

#include "cluster/dns1123.h"
#include "sources/kind_decoders.h"

namespace vmdns::sources {
namespace {

constexpr std::string_view kNone = "None";  // clusterIP of a headless Service

std::optional<cluster::ServiceType> parse_type(std::string_view text) {
  if (text == "ClusterIP") {
    return cluster::ServiceType::ClusterIP;
  }
  if (text == "NodePort") {
    return cluster::ServiceType::NodePort;
  }
  if (text == "LoadBalancer") {
    return cluster::ServiceType::LoadBalancer;
  }
  if (text == "ExternalName") {
    return cluster::ServiceType::ExternalName;
  }
  return std::nullopt;
}

// spec.clusterIPs (dual stack), else spec.clusterIP; "None" makes the Service headless.
void decode_cluster_ips(FieldReader& reader, const Field& spec, cluster::Service& service) {
  Field single = spec["clusterIP"];
  std::optional<std::string> single_text = reader.string(single);
  auto add = [&](const Field& ip, const std::optional<std::string>& text) {
    if (!text || text->empty()) {
      return;
    }
    if (*text == kNone) {
      service.headless = true;
    } else if (std::optional<cluster::IpAddress> address = reader.address(ip)) {
      service.cluster_ips.push_back(*address);
    }
  };
  std::vector<Field> ips = reader.list(spec["clusterIPs"]);
  for (const Field& ip : ips) {
    add(ip, reader.string(ip));
  }
  if (ips.empty()) {
    add(single, single_text);
  } else if (single_text == kNone) {
    service.headless = true;  // hand-written manifests may disagree; None wins
  }
}

}  // namespace

std::optional<cluster::Service> decode_service(FieldReader& reader, const Field& root,
                                               cluster::ObjectMeta meta) {
  cluster::Service service;
  service.meta = std::move(meta);
  Field spec = reader.map(root["spec"]);

  Field type = spec["type"];
  if (std::optional<std::string> text = reader.string(type)) {
    if (std::optional<cluster::ServiceType> parsed = parse_type(*text)) {
      service.type = *parsed;
    } else {
      reader.error(type.path, quoted(*text) +
                                  " is not one of ClusterIP, NodePort, LoadBalancer, ExternalName");
    }
  }
  service.selector = reader.string_map(spec["selector"]);
  decode_cluster_ips(reader, spec, service);
  service.ports = decode_ports(reader, spec["ports"], PortsOf::Service);
  service.publish_not_ready_addresses =
      reader.boolean(spec["publishNotReadyAddresses"]).value_or(false);

  Field external_name = spec["externalName"];
  service.external_name = reader.string(external_name).value_or("");
  if (service.type == cluster::ServiceType::ExternalName) {
    // Kubernetes accepts the name with or without its trailing dot.
    std::string_view name = service.external_name;
    if (!name.empty() && name.back() == '.') {
      name.remove_suffix(1);
    }
    if (service.external_name.empty()) {
      reader.error(external_name.path, "is required for type ExternalName");
    } else if (!cluster::is_dns1123_subdomain(name)) {
      reader.error(external_name.path,
                   quoted(service.external_name) + " is not a DNS-1123 subdomain");
    }
  }
  if (reader.failed()) {
    return std::nullopt;
  }
  return service;
}

}  // namespace vmdns::sources
