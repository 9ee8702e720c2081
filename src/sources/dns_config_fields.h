#pragma once
// spec.dnsPolicy and spec.dnsConfig, shared by the Pod and VirtualMachineInstance decoders.
//
//   vmi.dns_policy = decode_dns_policy(reader, spec["dnsPolicy"]);
//   vmi.dns_config = decode_dns_config(reader, spec["dnsConfig"], vmi.dns_policy);
//   // "spec.dnsConfig.searches[1] \"a_b\" is not a DNS-1123 subdomain", and reader.failed()
//
// The API server's rules (k8s.io/kubernetes pkg/apis/core/validation: validateDNSPolicy,
// validatePodDNSConfig), with the ExpandedDNSConfig limits every current cluster has: at most
// 3 nameservers, 32 search paths and 2048 characters of search line. An object the API server
// would reject is an error, so it is skipped like any other invalid object. Header-only so
// that the two decoders share it without another translation unit.

#include <optional>
#include <string>

#include "cluster/dns1123.h"
#include "cluster/ip_address.h"
#include "cluster/model.h"
#include "sources/field_reader.h"

namespace vmdns::sources {

inline constexpr size_t kApiMaxNameservers = 3;
inline constexpr size_t kApiMaxSearchPaths = 32;
inline constexpr size_t kApiMaxSearchListChars = 2048;

// spec.dnsPolicy; empty when absent (the API server defaults it to ClusterFirst).
inline std::string decode_dns_policy(FieldReader& reader, const Field& field) {
  std::string policy = reader.string(field).value_or("");
  if (!policy.empty() && policy != "ClusterFirst" && policy != "ClusterFirstWithHostNet" &&
      policy != "Default" && policy != "None") {
    reader.error(field.path, quoted(policy) +
                                 " is not one of ClusterFirstWithHostNet, ClusterFirst, Default, "
                                 "None");
  }
  return policy;
}

inline std::optional<cluster::PodDnsConfig> decode_dns_config(FieldReader& reader,
                                                              const Field& field,
                                                              const std::string& policy) {
  Field config = reader.map(field);
  if (!config.present()) {
    if (policy == "None") {
      reader.error(field.path, "is required when dnsPolicy is None");
    }
    return std::nullopt;
  }
  cluster::PodDnsConfig out;
  Field nameservers = config["nameservers"];
  std::vector<Field> nameserver_items = reader.list(nameservers);
  for (const Field& item : nameserver_items) {
    std::optional<std::string> text = reader.string(item);
    if (!text) {
      continue;
    }
    if (std::optional<cluster::IpAddress> address = cluster::IpAddress::parse(*text)) {
      out.nameservers.push_back(*address);
    } else {
      reader.error(item.path, quoted(*text) + " is not an IP address");
    }
  }
  if (out.nameservers.size() > kApiMaxNameservers) {
    reader.error(nameservers.path, "must not have more than 3 nameservers");
  }
  if (policy == "None" && nameserver_items.empty()) {
    reader.error(nameservers.path, "must have at least one nameserver when dnsPolicy is None");
  }

  Field searches = config["searches"];
  size_t line_chars = 0;
  for (const Field& item : reader.list(searches)) {
    std::optional<std::string> text = reader.string(item);
    if (!text) {
      continue;
    }
    line_chars += text->size() + (out.searches.empty() ? 0 : 1);
    std::string search = *text;
    if (!search.empty() && search.back() == '.') {
      search.pop_back();  // "it is fine to have a trailing dot"
    }
    if (!cluster::is_dns1123_subdomain(search)) {
      reader.error(item.path, quoted(*text) + " is not a DNS-1123 subdomain");
    }
    out.searches.push_back(std::move(search));
  }
  if (out.searches.size() > kApiMaxSearchPaths) {
    reader.error(searches.path, "must not have more than 32 search paths");
  }
  if (line_chars > kApiMaxSearchListChars) {
    reader.error(searches.path,
                 "must not have more than 2048 characters (including spaces) in the search list");
  }

  for (const Field& item : reader.list(config["options"])) {
    Field entry = reader.map(item);
    cluster::PodDnsConfig::Option option;
    option.name = reader.string(entry["name"]).value_or("");
    option.value = reader.string(entry["value"]);
    if (option.name.empty()) {
      reader.error(item.path + ".name", "is required");
    }
    out.options.push_back(std::move(option));
  }
  return out;
}

}  // namespace vmdns::sources
