#include "settings/options.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

#include "cluster/dns1123.h"
#include "rules/reverse_zone.h"

namespace vmdns::settings {
namespace {

// "none" turns a list flag off, alone: with other values it is a mistake worth naming.
bool none_or_list(const char* flag, const std::vector<std::string>& values, std::string* error) {
  if (values.size() > 1 && std::find(values.begin(), values.end(), "none") != values.end()) {
    *error = std::string(flag) + " none cannot be given with other values";
    return false;
  }
  return true;
}

// A --fallthrough zone: a domain name ("." for all of them) or, as CoreDNS normalises its zones,
// a CIDR standing for its reverse zone.
std::optional<dns::Name> parse_fallthrough(const std::string& text, std::string* error) {
  std::string why;
  if (text.find('/') != std::string::npos) {
    auto name = rules::parse_reverse_zone(text, &why);
    if (!name) {
      *error = "--fallthrough " + why;
    }
    return name;
  }
  auto name = dns::Name::from_text(text, &why);
  if (!name) {
    *error =
        "--fallthrough \"" + text + "\" is not a domain name" + (why.empty() ? "" : ": " + why);
    return std::nullopt;
  }
  return name->lowercased();
}

}  // namespace

void add_source_options(CLI::App& command, SourceOptions& options, bool required) {
  command
      .add_option("-f,--filename", options.files,
                  "Manifest file, directory (recursive: *.yaml, *.yml, *.json) or - for stdin; "
                  "repeatable, like kubectl apply -f")
      ->required(required);
}

void add_zone_options(CLI::App& command, ZoneOptions& options) {
  add_option_with_default(
      command, "--zone", options.zones,
      "Cluster domain to serve; repeatable (CoreDNS: the kubernetes plugin's zones)");
  add_option_in_range(command, "--ttl", options.ttl, "TTL of answers (CoreDNS: ttl)", 0, 3600);
  command
      .add_option("--negative-ttl", options.negative_ttl,
                  "SOA minimum and TTL of the SOA in negative answers (default: --ttl)")
      ->check(CLI::Range(0, 3600));
  add_option_with_default(
      command, "--reverse-zone", options.reverse_zones,
      "Reverse zone to serve with PTRs, as a name (10.in-addr.arpa) or a CIDR (10.96.0.0/12, "
      "fd00::/8); repeatable; none: no reverse zone (CoreDNS: the server block's zones)");
  add_option_with_default(
      command, "--fallthrough", options.fallthrough,
      "Names at or below this zone (a name, a CIDR, or . for every zone) that our data says do "
      "not exist are forwarded upstream instead of NXDOMAIN; repeatable; none: every NXDOMAIN "
      "is ours (CoreDNS: the kubernetes plugin's fallthrough ZONES)");
  add_option_with_default(
      command, "--pods", options.pods,
      "Records under pod.<zone>: disabled, insecure or verified (CoreDNS: pods)")
      ->check(CLI::IsMember({"disabled", "insecure", "verified"}));
  command.add_flag("--endpoint-pod-names", options.endpoint_pod_names,
                   "Name endpoints without a hostname after their Pod or VMI "
                   "(CoreDNS: endpoint_pod_names)");
  command.add_flag("--ignore-empty-service", options.ignore_empty_service,
                   "No records for a ClusterIP Service without ready endpoints "
                   "(CoreDNS: ignore empty_service)");
  command
      .add_option("--namespaces", options.namespaces,
                  "Only these namespaces exist, comma-separated; repeatable "
                  "(CoreDNS: namespaces)")
      ->delimiter(',');
  command.add_option("--vm-zone", options.vm_zone,
                     "Zone of VMI names on secondary networks, <interface>.<vmi>.<namespace>.ZONE "
                     "and <vmi>.<namespace>.ZONE, as KubeSecondaryDNS serves them (e.g. vm)");
  add_option_in_range(command, "--vm-zone-ttl", options.vm_zone_ttl,
                      "TTL of the --vm-zone records (KubeSecondaryDNS: 3600)", 0, 86400);
  command.add_flag("--vm-zone-pod-network", options.vm_zone_pod_network,
                   "With --vm-zone, name the pod network's interface too "
                   "(<interface>.<vmi>.<namespace>.ZONE, with its PTRs), and answer "
                   "<vmi>.<namespace>.ZONE with the pod network's addresses: a name for every "
                   "VM, no Service needed");
  command.add_option("--advertise-address", options.advertise_addresses,
                     "Address of ns.dns.<zone>, the apex NS target; repeatable "
                     "(default: the listen address, or 127.0.0.1 when it is a wildcard)");
}

std::optional<rules::ZoneConfig> make_zone_config(const ZoneOptions& options,
                                                 const std::string& default_advertise,
                                                 std::string* error) {
  rules::ZoneConfig config;
  for (const std::string& text : options.zones) {
    std::string why;
    auto name = dns::Name::from_text(text, &why);
    if (!name || name->is_root()) {
      *error = "--zone \"" + text + "\" is not a domain name" + (why.empty() ? "" : ": " + why);
      return std::nullopt;
    }
    config.zones.push_back(name->lowercased());
  }
  if (!none_or_list("--reverse-zone", options.reverse_zones, error) ||
      !none_or_list("--fallthrough", options.fallthrough, error)) {
    return std::nullopt;
  }
  for (const std::string& text : options.reverse_zones) {
    if (text == "none") {
      break;
    }
    std::string why;
    auto name = rules::parse_reverse_zone(text, &why);
    if (!name) {
      *error = "--reverse-zone " + why;
      return std::nullopt;
    }
    config.reverse_zones.push_back(*name);
  }
  for (const std::string& text : options.fallthrough) {
    if (text == "none") {
      break;
    }
    auto name = parse_fallthrough(text, error);
    if (!name) {
      return std::nullopt;
    }
    config.fallthrough.push_back(*name);
  }
  if (!options.vm_zone.empty()) {
    std::string why;
    auto name = dns::Name::from_text(options.vm_zone, &why);
    if (!name || name->is_root() || !name->prepend("hostmaster")) {
      *error = "--vm-zone \"" + options.vm_zone + "\" is not a domain name" +
               (why.empty() ? "" : ": " + why);
      return std::nullopt;
    }
    *name = name->lowercased();
    auto taken = [&name](const std::vector<dns::Name>& zones) {
      return std::find(zones.begin(), zones.end(), *name) != zones.end();
    };
    if (taken(config.zones) || taken(config.reverse_zones)) {
      *error =
          "--vm-zone \"" + options.vm_zone + "\" is already served as a --zone or --reverse-zone";
      return std::nullopt;
    }
    config.vm_zone = *name;
    config.vm_zone_ttl = options.vm_zone_ttl;
    config.vm_zone_pod_network = options.vm_zone_pod_network;
  } else if (options.vm_zone_pod_network) {
    *error = "--vm-zone-pod-network names VMs in the --vm-zone: give --vm-zone ZONE too";
    return std::nullopt;
  }
  for (const std::string& ns : options.namespaces) {
    if (!cluster::is_dns1123_label(ns)) {
      *error = "--namespaces \"" + ns + "\" is not a namespace name";
      return std::nullopt;
    }
    config.namespaces.push_back(ns);
  }
  config.pods = options.pods == "insecure"   ? rules::PodMode::Insecure
                : options.pods == "verified" ? rules::PodMode::Verified
                                             : rules::PodMode::Disabled;
  config.endpoint_pod_names = options.endpoint_pod_names;
  config.ignore_empty_service = options.ignore_empty_service;
  config.ttl = options.ttl;
  config.negative_ttl = options.negative_ttl.value_or(options.ttl);
  config.serial = static_cast<uint32_t>(std::time(nullptr));
  std::vector<std::string> advertise = options.advertise_addresses;
  if (advertise.empty() && !default_advertise.empty()) {
    advertise.push_back(default_advertise);
  }
  for (const std::string& text : advertise) {
    auto address = cluster::IpAddress::parse(text);
    if (!address) {
      *error = "--advertise-address \"" + text + "\" is not an IP address";
      return std::nullopt;
    }
    config.nameserver_addresses.push_back(*address);
  }
  return config;
}

sources::LoadResult load_and_log(const SourceOptions& options) {
  sources::LoadResult result = sources::load_manifests(options.files);
  for (const cluster::Diagnostic& d : result.diagnostics) {
    if (d.severity == cluster::Severity::Error) {
      spdlog::error("{}", d.to_string());
    } else {
      spdlog::warn("{}", d.to_string());
    }
  }
  return result;
}

}  // namespace vmdns::settings
