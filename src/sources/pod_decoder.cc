// Pod: hostname, subdomain, DNS policy and config, addresses, readiness.

#include "sources/dns_config_fields.h"
#include "sources/kind_decoders.h"

namespace vmdns::sources {

std::optional<cluster::Pod> decode_pod(FieldReader& reader, const Field& root,
                                       cluster::ObjectMeta meta) {
  cluster::Pod pod;
  pod.meta = std::move(meta);
  Field spec = reader.map(root["spec"]);
  pod.hostname = decode_label_field(reader, spec["hostname"]);
  pod.subdomain = decode_label_field(reader, spec["subdomain"]);
  pod.dns_policy = decode_dns_policy(reader, spec["dnsPolicy"]);
  pod.dns_config = decode_dns_config(reader, spec["dnsConfig"], pod.dns_policy);

  Field status = reader.map(root["status"]);
  pod.phase = reader.string(status["phase"]).value_or("");
  std::map<std::string, std::string> conditions = decode_conditions(reader, status["conditions"]);
  auto ready = conditions.find("Ready");
  pod.ready = ready != conditions.end() && ready->second == "True";

  // status.podIPs lists every family of a dual-stack pod; status.podIP is its first entry and
  // all that older clusters report.
  std::vector<Field> ips;
  for (const Field& item : reader.list(status["podIPs"])) {
    ips.push_back(reader.map(item)["ip"]);
  }
  if (ips.empty()) {
    ips.push_back(status["podIP"]);
  }
  for (const Field& ip : ips) {
    if (std::optional<cluster::IpAddress> address = reader.address(ip)) {
      pod.addresses.push_back(*address);
    }
  }
  if (reader.failed()) {
    return std::nullopt;
  }
  return pod;
}

}  // namespace vmdns::sources
