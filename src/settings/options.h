#pragma once
// Options shared by the commands: where objects come from and how zones are built.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rules/zone_config.h"
#include "sources/manifest_loader.h"

namespace vmdns::settings {

struct SourceOptions {
  std::vector<std::string> files;
};

struct ZoneOptions {
  std::vector<std::string> zones{"cluster.local"};
  uint32_t ttl = 5;
  std::optional<uint32_t> negative_ttl;  // default: ttl
  std::vector<std::string> advertise_addresses;
  // Names or CIDRs; kubeadm's Corefile serves these two (`kubernetes cluster.local in-addr.arpa
  // ip6.arpa`). "none" alone: no reverse zone.
  std::vector<std::string> reverse_zones{"in-addr.arpa", "ip6.arpa"};
  // Names (or CIDRs, "." for every zone) whose NXDOMAINs are asked upstream; kubeadm's
  // `fallthrough in-addr.arpa ip6.arpa`. "none" alone: none.
  std::vector<std::string> fallthrough{"in-addr.arpa", "ip6.arpa"};
  std::string pods = "disabled";
  bool endpoint_pod_names = false;
  bool ignore_empty_service = false;
  std::vector<std::string> namespaces;
  std::string vm_zone;  // empty: none
  uint32_t vm_zone_ttl = rules::kKubeSecondaryDnsTtl;
  bool vm_zone_pod_network = false;
};

// A flag taking a value whose default --help shows; in a range, values outside it are refused:
//   add_option_with_default(command, "--rrl", options.rrl, "UDP responses a second ...");
//   add_option_in_range(command, "--ttl", options.ttl, "TTL of answers", 0, 3600);
// (`low` and `high` keep their own type: CLI11 names it in --help, "INT in [0 - 3600]".)
template <typename T>
CLI::Option* add_option_with_default(CLI::App& command, std::string name, T& value,
                                     std::string help) {
  return command.add_option(std::move(name), value, std::move(help))->capture_default_str();
}

template <typename T, typename Bound>
CLI::Option* add_option_in_range(CLI::App& command, std::string name, T& value, std::string help,
                                 Bound low, Bound high) {
  return add_option_with_default(command, std::move(name), value, std::move(help))
      ->check(CLI::Range(low, high));
}

// `required`: -f must be given (serve can take its objects from the Kubernetes API instead).
void add_source_options(CLI::App& command, SourceOptions& options, bool required = true);
void add_zone_options(CLI::App& command, ZoneOptions& options);

// `default_advertise` is used when no --advertise-address was given (may be empty).
std::optional<rules::ZoneConfig> make_zone_config(const ZoneOptions& options,
                                                 const std::string& default_advertise,
                                                 std::string* error);

// Loads the manifests and logs every diagnostic (errors and warnings) on stderr.
sources::LoadResult load_and_log(const SourceOptions& options);

}  // namespace vmdns::settings
