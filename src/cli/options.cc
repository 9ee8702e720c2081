#include "cli/options.h"

#include <spdlog/spdlog.h>

#include <ctime>

namespace vmdns::cli {

void add_source_options(CLI::App& command, SourceOptions& options) {
  command
      .add_option("-f,--filename", options.files,
                  "Manifest file, directory (recursive: *.yaml, *.yml, *.json) or - for stdin; "
                  "repeatable, like kubectl apply -f")
      ->required();
}

void add_zone_options(CLI::App& command, ZoneOptions& options) {
  command
      .add_option("--zone", options.zones,
                  "Cluster domain to serve; repeatable (CoreDNS: the kubernetes plugin's zones)")
      ->capture_default_str();
  command.add_option("--ttl", options.ttl, "TTL of answers and of the SOA minimum (CoreDNS: ttl)")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  command.add_option("--advertise-address", options.advertise_addresses,
                     "Address of ns.dns.<zone>, the apex NS target; repeatable "
                     "(default: the listen address, or 127.0.0.1 when it is a wildcard)");
}

std::optional<zone::ZoneConfig> make_zone_config(const ZoneOptions& options,
                                                 const std::string& default_advertise,
                                                 std::string* error) {
  zone::ZoneConfig config;
  for (const std::string& text : options.zones) {
    std::string why;
    auto name = dns::Name::from_text(text, &why);
    if (!name || name->is_root()) {
      *error = "--zone \"" + text + "\" is not a domain name" + (why.empty() ? "" : ": " + why);
      return std::nullopt;
    }
    config.zones.push_back(name->lowercased());
  }
  config.ttl = options.ttl;
  config.negative_ttl = options.ttl;
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

}  // namespace vmdns::cli
