// Fields that several kinds share: ports, hostname-like labels, status conditions.

#include "cluster/dns1123.h"
#include "sources/kind_decoders.h"

namespace vmdns::sources {
namespace {

constexpr int64_t kMaxPort = 65535;

bool is_protocol(std::string_view protocol) {
  return protocol == "TCP" || protocol == "UDP" || protocol == "SCTP";
}

}  // namespace

std::vector<cluster::ServicePort> decode_ports(FieldReader& reader, const Field& ports,
                                               bool port_required) {
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
