// vmdns explain: the VM owner's view. Without a name, the names each VM and VMI gets (or will
// get when it starts); with one, whether it resolves and, if not, the first reason why.

#include <iostream>

#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/object_sources.h"
#include "explain/name_explanation.h"
#include "explain/report.h"
#include "explain/workload_view.h"
#include "settings/options.h"

namespace vmdns::cli {
namespace {

struct ExplainOptions {
  ObjectSources sources;
  settings::ZoneOptions zone;
  std::string name;
  std::string from_vmi;
  std::string namespace_name;
  std::vector<std::string> nameservers;
  bool expanded = false;
  std::string output = "table";
};

}  // namespace

void register_explain(CLI::App& app, int& exit_code, bool kubectl_plugin) {
  auto options = std::make_shared<ExplainOptions>();
  options->sources.kubectl_plugin = kubectl_plugin;
  CLI::App* command = app.add_subcommand(
      "explain",
      "The names each VM and VMI gets (or will get when it starts); with NAME, whether it "
      "resolves and, if not, why and how to fix it");
  add_object_sources(*command, options->sources);
  settings::add_zone_options(*command, options->zone);
  command->add_option("name", options->name,
                      "a name to explain: a FQDN, or a short name with --from-vmi or --namespace");
  command->add_option("--from-vmi", options->from_vmi,
                      "resolve NAME as this VM's or VMI's guest does (its DHCP search list)");
  // kubectl's -n: the namespace a short name is completed in (the context's by default).
  command->add_option(kubectl_plugin ? "-n,--namespace" : "--namespace", options->namespace_name,
                      kubectl_plugin
                          ? "resolve NAME as a pod of this namespace does, and the --from-vmi's "
                            "namespace (default: the context's, else default)"
                          : "the --from-vmi's namespace; alone, resolve NAME as a pod of it does");
  command->add_option("--nameserver", options->nameservers,
                      "the cluster DNS Service's IP, for the guest's view (default 10.96.0.10)");
  command->add_flag("--expanded-dns-config", options->expanded,
                    "kubelet's ExpandedDNSConfig search limits (32 entries, 2048 characters)");
  command->add_option("--output", options->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  command->callback([options, &exit_code] {
    std::string error;
    std::optional<rules::ZoneConfig> config = settings::make_zone_config(options->zone, "", &error);
    if (!config) {
      std::cerr << "error: " << error << "\n";
      exit_code = 2;
      return;
    }
    if (!options->from_vmi.empty() && options->name.empty()) {
      std::cerr << "error: --from-vmi needs a NAME to explain\n";
      exit_code = 2;
      return;
    }
    resolvconf::ClusterDns cluster;
    cluster.zone = options->zone.zones.front();
    if (!options->nameservers.empty()) {
      cluster.nameservers = options->nameservers;
    }
    if (options->expanded) {
      cluster.limits = resolvconf::kExpandedSearchLimits;
    }
    auto objects = load_objects(options->sources, options->zone.pods == "verified", &error);
    if (!objects) {
      std::cerr << "error: " << error << "\n";
      exit_code = 2;
      return;
    }
    const sources::LoadResult& loaded = objects->loaded;
    for (const cluster::Diagnostic& d : loaded.diagnostics) {
      if (d.severity == cluster::Severity::Error) {
        spdlog::error("{}", d.to_string());
      } else {
        spdlog::warn("{}", d.to_string());
      }
    }
    if (options->sources.kubectl_plugin && options->namespace_name.empty()) {
      options->namespace_name = objects->namespace_name;  // the context's, else default
    }
    bool json = options->output == "json";
    if (options->name.empty()) {
      auto views = explain::workload_views(loaded.state, *config, cluster);
      std::cout << (json ? explain::views_json(views) : explain::views_table(views));
      exit_code = 0;
      return;
    }
    explain::NameQuery query{options->name, options->from_vmi, options->namespace_name};
    auto explanation = explain::explain_name(loaded.state, *config, cluster, query, &error);
    if (!explanation) {
      std::cerr << "error: " << error << "\n";
      exit_code = 1;
      return;
    }
    std::cout << (json ? explain::explanation_json(*explanation)
                       : explain::explanation_text(*explanation));
    exit_code = explanation->resolves ? 0 : 1;
  });
}

}  // namespace vmdns::cli
