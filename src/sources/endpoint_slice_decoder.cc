// EndpointSlice (discovery.k8s.io/v1): the Service it belongs to, endpoints and ports.

#include "sources/kind_decoders.h"
#include "sources/rfc3339.h"

namespace vmdns::sources {
namespace {

constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";
constexpr const char* kTriggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time";

std::optional<cluster::IpAddress::Family> family_of(std::string_view address_type) {
  if (address_type == "IPv4") {
    return cluster::IpAddress::Family::V4;
  }
  if (address_type == "IPv6") {
    return cluster::IpAddress::Family::V6;
  }
  return std::nullopt;
}

cluster::EndpointSlice::Endpoint decode_endpoint(FieldReader& reader, const Field& entry,
                                                 std::optional<cluster::IpAddress::Family> family) {
  cluster::EndpointSlice::Endpoint endpoint;
  for (const Field& text : reader.list(entry["addresses"])) {
    if (!family) {
      // FQDN slices name hosts, not addresses; vmdns publishes no records for them.
      reader.string(text);
      continue;
    }
    std::optional<cluster::IpAddress> address = reader.address(text);
    if (!address) {
      continue;
    }
    if (address->family != *family) {
      reader.warning(text.path, quoted(address->to_string()) + " does not match addressType");
      continue;
    }
    endpoint.addresses.push_back(*address);
  }
  endpoint.ready = reader.boolean(reader.map(entry["conditions"])["ready"]);
  endpoint.hostname = decode_label_field(reader, entry["hostname"]);
  Field target = reader.map(entry["targetRef"]);
  endpoint.target_kind = reader.string(target["kind"]).value_or("");
  endpoint.target_name = reader.string(target["name"]).value_or("");
  endpoint.node_name = reader.string(entry["nodeName"]).value_or("");
  return endpoint;
}

}  // namespace

std::optional<cluster::EndpointSlice> decode_endpoint_slice(FieldReader& reader, const Field& root,
                                                            cluster::ObjectMeta meta) {
  cluster::EndpointSlice slice;
  slice.meta = std::move(meta);
  auto service = slice.meta.labels.find(kServiceNameLabel);
  if (service != slice.meta.labels.end()) {
    slice.service_name = service->second;
  } else {
    reader.warning("metadata.labels",
                   "has no kubernetes.io/service-name: the slice belongs to no Service");
  }

  Field address_type = root["addressType"];
  slice.address_type = reader.string(address_type).value_or("");
  std::optional<cluster::IpAddress::Family> family = family_of(slice.address_type);
  if (slice.address_type.empty()) {
    reader.error(address_type.path, "is required");
  } else if (!family && slice.address_type != "FQDN") {
    reader.error(address_type.path, quoted(slice.address_type.str()) + " is not one of IPv4, IPv6, FQDN");
  }
  for (const Field& item : reader.list(root["endpoints"])) {
    Field entry = reader.map(item);
    if (entry.present()) {
      slice.endpoints.push_back(decode_endpoint(reader, entry, family));
    }
  }
  slice.ports = decode_ports(reader, root["ports"], PortsOf::EndpointSlice);
  Field trigger = reader.map(reader.map(root["metadata"])["annotations"])[kTriggerTimeAnnotation];
  if (std::optional<std::string> text = reader.string(trigger)) {
    if (std::optional<int64_t> ns = parse_rfc3339(*text)) {
      slice.last_change_trigger_ns = *ns;
    } else {
      reader.warning(trigger.path, quoted(*text) + " is not an RFC 3339 time");
    }
  }
  if (reader.failed()) {
    return std::nullopt;
  }
  return slice;
}

}  // namespace vmdns::sources
