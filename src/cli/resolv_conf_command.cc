// vmdns resolv-conf: the resolv.conf a pod or a VMI's guest gets, or the guest's DHCP options.

#include <iostream>

#include "cli/commands.h"
#include "resolvconf/dhcp_options.h"
#include "resolvconf/workload.h"
#include "settings/options.h"

namespace vmdns::cli {
namespace {

struct ResolvConfOptions {
  settings::SourceOptions sources;
  resolvconf::WorkloadRef ref;
  std::vector<std::string> nameservers;
  std::string zone = "cluster.local";
  bool expanded = false;
  std::string format = "resolv";
};

const char* option_name(uint8_t code) {
  switch (code) {
    case resolvconf::kOptionDnsServers:
      return "domain-name-servers";
    case resolvconf::kOptionHostName:
      return "host-name";
    case resolvconf::kOptionDomainName:
      return "domain-name";
    default:
      return "domain-search";
  }
}

int print_dhcp(const resolvconf::WorkloadDns& dns) {
  std::string error;
  auto options = resolvconf::dhcp_options(*dns.guest, &error);
  if (!options) {
    std::cerr << "error: " << error << "\n";
    return 1;
  }
  std::vector<uint8_t> search;
  size_t parts = 0;
  for (const resolvconf::DhcpOption& option : *options) {
    if (option.code == resolvconf::kOptionDomainSearch) {
      search.insert(search.end(), option.data.begin(), option.data.end());
      ++parts;
    }
  }
  for (const resolvconf::DhcpOption& option : *options) {
    std::string readable;
    if (option.code == resolvconf::kOptionDnsServers) {
      for (size_t i = 0; i + 4 <= option.data.size(); i += 4) {
        readable += (readable.empty() ? "" : " ") + std::to_string(option.data[i]) + "." +
                    std::to_string(option.data[i + 1]) + "." + std::to_string(option.data[i + 2]) +
                    "." + std::to_string(option.data[i + 3]);
      }
    } else if (option.code == resolvconf::kOptionDomainSearch && search.empty()) {
      readable = "(continued)";
    } else if (option.code == resolvconf::kOptionDomainSearch) {
      for (const std::string& name : resolvconf::decode_domain_search(search).value_or(
               std::vector<std::string>{"(malformed)"})) {
        readable += (readable.empty() ? "" : " ") + name;
      }
      if (parts > 1) {
        readable += " (" + std::to_string(parts) + " options, concatenated per RFC 3396)";
      }
    } else {
      readable.assign(option.data.begin(), option.data.end());
    }
    std::cout << "option " << int(option.code) << " (" << option_name(option.code)
              << "): " << readable << "\n  " << resolvconf::hex(resolvconf::option_bytes({option}))
              << "\n";
    if (option.code == resolvconf::kOptionDomainSearch) {
      search.clear();  // the readable list is printed once, with the first part
    }
  }
  return 0;
}

}  // namespace

void register_resolv_conf(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ResolvConfOptions>();
  CLI::App* command = app.add_subcommand(
      "resolv-conf",
      "Print the resolv.conf a pod (--namespace) or a VMI's guest (--vmi, from -f manifests) "
      "gets, or the guest's DHCP options (--format dhcp)");
  command->add_option("--namespace", options->ref.ns,
                      "the workload's namespace (a plain pod: default when not given)");
  auto* vmi = command->add_option("--vmi", options->ref.vmi,
                                  "a VirtualMachineInstance from the manifests: its guest's view");
  auto* pod = command->add_option("--pod", options->ref.pod, "a Pod from the manifests");
  vmi->excludes(pod);
  command->add_option("-f,--filename", options->sources.files,
                      "manifests holding the --vmi or --pod (file, directory or -; repeatable)");
  command->add_option("--nameserver", options->nameservers,
                      "the cluster DNS Service's IP (kubelet --cluster-dns; repeatable; default "
                      "10.96.0.10)");
  command->add_option("--zone", options->zone, "the cluster domain")->capture_default_str();
  command->add_flag("--expanded-dns-config", options->expanded,
                    "kubelet's ExpandedDNSConfig limits (32 search entries, 2048 characters) "
                    "instead of 6 and 256");
  command->add_option("--format", options->format, "resolv or dhcp (a VMI only)")
      ->check(CLI::IsMember({"resolv", "dhcp"}))
      ->capture_default_str();
  command->callback([options, &exit_code] {
    resolvconf::ClusterDns cluster;
    cluster.zone = options->zone;
    if (!options->nameservers.empty()) {
      cluster.nameservers = options->nameservers;
    }
    if (options->expanded) {
      cluster.limits = resolvconf::kExpandedSearchLimits;
    }
    if (options->format == "dhcp" && options->ref.vmi.empty()) {
      std::cerr << "error: --format dhcp needs --vmi: only a VMI's guest gets DHCP options\n";
      exit_code = 2;
      return;
    }
    sources::LoadResult loaded;
    bool named = !options->ref.vmi.empty() || !options->ref.pod.empty();
    if (named && options->sources.files.empty()) {
      std::cerr << "error: --vmi and --pod read the object from manifests: add -f PATH\n";
      exit_code = 2;
      return;
    }
    if (named) {
      loaded = settings::load_and_log(options->sources);
    }
    std::string error;
    auto dns =
        resolvconf::workload_dns(named ? &loaded.state : nullptr, cluster, options->ref, &error);
    if (!dns) {
      std::cerr << "error: " << error << "\n";
      exit_code = 1;
      return;
    }
    for (const std::string& warning : dns->warnings) {
      std::cerr << "warning: " << warning << "\n";
    }
    if (options->format == "dhcp") {
      exit_code = print_dhcp(*dns);
      return;
    }
    std::cout << "# " << dns->description << "\n";
    if (dns->guest && !dns->guest->pod_options.empty()) {
      std::string pod_options;
      for (const std::string& option : dns->guest->pod_options) {
        pod_options += " " + option;
      }
      std::cout << "# the launcher pod's options (" << pod_options.substr(1)
                << ") are not sent over DHCP\n";
    }
    std::cout << dns->conf.to_text();
    exit_code = 0;
  });
}

}  // namespace vmdns::cli
