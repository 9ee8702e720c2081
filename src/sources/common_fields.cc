// Fields that several kinds share: ports, hostname-like labels, status conditions.

#include "cluster/dns1123.h"
#include "sources/kind_decoders.h"

namespace vmdns::sources {
namespace {

constexpr int64_t kMaxPort = 65535;

bool is_protocol(std::string_view protocol) {
  return protocol == "TCP" || protocol == "UDP" || protocol == "SCTP";
}

// spec.ports[].targetPort: a port number, or the name of a container port. Zero and the empty
// string are what the API server replaces with the Service port: both leave the port unset.
void decode_target_port(FieldReader& reader, const Field& field, cluster::ServicePort& port) {
  std::optional<FieldReader::IntOrString> value = reader.int_or_string(field);
  if (!value) {
    return;
  }
  if (value->number) {
    if (*value->number < 0 || *value->number > kMaxPort) {
      reader.error(field.path, std::to_string(*value->number) + " is not in 1..65535");
    } else {
      port.target_port = static_cast<int>(*value->number);
    }
    return;
  }
  if (!value->name.empty() && !cluster::is_port_name(value->name)) {
    reader.error(field.path, quoted(value->name) +
                                 " is neither a port number nor a port name (at most 15 "
                                 "characters of a-z, 0-9 and '-', with a letter, no '-' at "
                                 "either end or twice in a row)");
    return;
  }
  port.target_port_name = value->name;
}

}  // namespace

std::vector<cluster::ServicePort> decode_ports(FieldReader& reader, const Field& ports,
                                               PortsOf kind) {
  bool port_required = kind == PortsOf::Service;
  std::vector<cluster::ServicePort> out;
  for (const Field& item : reader.list(ports)) {
    Field entry = reader.map(item);
    if (!entry.present()) {
      if (!item.present()) {
        reader.error(item.path, "must be a map, not null");
      }
      continue;
    }
    cluster::ServicePort port;
    port.name = reader.string(entry["name"]).value_or("");
    port.protocol = reader.string(entry["protocol"]).value_or("TCP");
    if (!is_protocol(port.protocol)) {
      reader.error(entry["protocol"].path, quoted(port.protocol) + " is not one of TCP, UDP, SCTP");
    }
    Field number = entry["port"];
    std::optional<int64_t> value = reader.integer(number);
    if (value && (*value < 1 || *value > kMaxPort)) {
      reader.error(number.path, std::to_string(*value) + " is not in 1..65535");
    } else if (value) {
      port.port = static_cast<int>(*value);
    } else if (port_required && !number.present()) {
      reader.error(number.path, "is required");
    }
    if (kind == PortsOf::Service) {
      decode_target_port(reader, entry["targetPort"], port);
    }
    out.push_back(std::move(port));
  }
  return out;
}

std::string decode_label_field(FieldReader& reader, const Field& field) {
  std::string value = reader.string(field).value_or("");
  if (!value.empty() && !cluster::is_dns1123_label(value)) {
    reader.error(field.path, quoted(value) + " is not a DNS-1123 label");
  }
  return value;
}

std::map<std::string, std::string> decode_conditions(FieldReader& reader, const Field& field) {
  std::map<std::string, std::string> out;
  for (const Field& item : reader.list(field)) {
    Field condition = reader.map(item);
    std::optional<std::string> type = reader.string(condition["type"]);
    std::optional<std::string> status = reader.string(condition["status"]);
    if (type) {
      out[*type] = status.value_or("");
    }
  }
  return out;
}

}  // namespace vmdns::sources
