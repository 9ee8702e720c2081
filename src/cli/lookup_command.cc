// vmdns lookup: resolve a name the way a workload's glibc stub resolver does, showing every
// name tried.

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "dns/name.h"
#include "dns/types.h"
#include "resolvconf/search_order.h"
#include "resolvconf/stub_client.h"
#include "resolvconf/workload.h"
#include "settings/options.h"

namespace vmdns::cli {
namespace {

constexpr uint16_t kDnsPort = 53;

struct LookupOptions {
  std::string name;
  std::string type = "A";
  std::string server;
  resolvconf::WorkloadRef ref;
  settings::SourceOptions sources;
  std::string resolv_conf;
  std::vector<std::string> nameservers;
  std::string zone = "cluster.local";
};

resolvconf::Outcome outcome_of(const resolvconf::StubReply& reply) {
  if (!reply.ok()) {
    return resolvconf::Outcome::Failure;
  }
  switch (reply.rcode) {
    case dns::Rcode::NoError:
      return reply.answers.empty() ? resolvconf::Outcome::NoData : resolvconf::Outcome::Answer;
    case dns::Rcode::NxDomain:
      return resolvconf::Outcome::NxDomain;
    case dns::Rcode::ServFail:
      return resolvconf::Outcome::ServFail;
    case dns::Rcode::Refused:
      return resolvconf::Outcome::Refused;
    default:
      return resolvconf::Outcome::Failure;
  }
}

// The search list and ndots of the workload, and where its queries go.
struct Context {
  resolvconf::ResolvConf conf;
  std::string description;
};

std::optional<Context> context_of(const LookupOptions& options, std::string* error) {
  Context context;
  if (!options.resolv_conf.empty()) {
    std::ifstream file(options.resolv_conf);
    if (!file) {
      *error = "cannot read " + options.resolv_conf;
      return std::nullopt;
    }
    std::stringstream text;
    text << file.rdbuf();
    context.conf = resolvconf::parse_resolv_conf(text.str());
    context.description = options.resolv_conf;
    return context;
  }
  bool named = !options.ref.vmi.empty() || !options.ref.pod.empty();
  if (!named && options.ref.ns.empty()) {
    context.description = "no search list";
    return context;
  }
  if (named && options.sources.files.empty()) {
    *error = "--vmi and --pod read the object from manifests: add -f PATH";
    return std::nullopt;
  }
  resolvconf::ClusterDns cluster;
  cluster.zone = options.zone;
  if (!options.nameservers.empty()) {
    cluster.nameservers = options.nameservers;
  }
  sources::LoadResult loaded;
  if (named) {
    loaded = settings::load_and_log(options.sources);
  }
  auto dns = resolvconf::workload_dns(named ? &loaded.state : nullptr, cluster, options.ref, error);
  if (!dns) {
    return std::nullopt;
  }
  for (const std::string& warning : dns->warnings) {
    std::cerr << "warning: " << warning << "\n";
  }
  context.conf = dns->conf;
  context.description = dns->description;
  return context;
}

int run_lookup(const LookupOptions& options) {
  std::string error;
  std::optional<dns::RrType> type = dns::rr_type_from_text(options.type);
  if (!type) {
    std::cerr << "error: unknown type " << options.type << "\n";
    return 2;
  }
  std::optional<Context> context = context_of(options, &error);
  if (!context) {
    std::cerr << "error: " << error << "\n";
    return 2;
  }
  std::string server_text = options.server;
  if (server_text.empty()) {
    server_text = !options.resolv_conf.empty() && !context->conf.nameservers.empty()
                      ? context->conf.nameservers.front()
                      : "127.0.0.1:5353";
  }
  auto server = resolvconf::parse_server_address(server_text, kDnsPort, &error);
  if (!server) {
    std::cerr << "error: --server: " << error << "\n";
    return 2;
  }
  std::string search;
  for (const std::string& entry : context->conf.search) {
    search += " " + entry;
  }
  std::cout << ";; " << context->description
            << "\n;; search:" << (search.empty() ? " (none)" : search)
            << "\n;; ndots: " << context->conf.ndots() << "  server: " << server->text << "\n";

  std::vector<resolvconf::StubReply> replies;
  auto query = [&](const std::string& fqdn) {
    resolvconf::StubReply reply;
    std::string name_error;
    if (std::optional<dns::Name> name = dns::Name::from_text(fqdn, &name_error)) {
      reply = resolvconf::stub_query(*server, *name, *type);
    } else {
      reply.error = name_error;
    }
    replies.push_back(reply);
    return outcome_of(reply);
  };
  resolvconf::SearchResult result =
      resolvconf::res_search(options.name, context->conf.search, context->conf.ndots(), query);
  for (size_t i = 0; i < result.tries.size(); ++i) {
    const resolvconf::StubReply& reply = replies[i];
    std::cout << "try " << result.tries[i].name << " " << options.type << ": "
              << (reply.ok() ? dns::rcode_name(reply.rcode) : "error (" + reply.error + ")")
              << (reply.ok() && reply.rcode == dns::Rcode::NoError && reply.answers.empty()
                      ? " (NODATA)"
                      : "")
              << (reply.over_tcp ? " (TC, retried over TCP)" : "") << "\n";
    for (const resolvconf::StubRecord& record : reply.answers) {
      std::cout << "    " << record.text << "\n";
    }
  }
  if (result.resolved()) {
    std::cout << "result: " << result.tries.back().name << " " << options.type << ": NOERROR\n";
    return 0;
  }
  std::cout << "result: " << options.name << " " << options.type << ": not resolved, "
            << resolvconf::outcome_name(result.result) << "\n";
  return 1;
}

}  // namespace

void register_lookup(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<LookupOptions>();
  CLI::App* command = app.add_subcommand(
      "lookup",
      "Resolve NAME as a workload's glibc stub resolver does (search list, ndots), querying "
      "--server; print every name tried. Exit 0 when resolved, 1 when not");
  command->add_option("name", options->name, "the name, as an application would give it")
      ->required();
  command->add_option("type", options->type, "the record type")->capture_default_str();
  command->add_option("--server", options->server,
                      "ADDR[:PORT] to query (default 127.0.0.1:5353, or the first nameserver "
                      "of --resolv-conf on port 53)");
  command->add_option("--namespace", options->ref.ns,
                      "a pod of this namespace (ndots 5), or the namespace of --vmi/--pod");
  auto* vmi = command->add_option("--vmi", options->ref.vmi,
                                  "a VirtualMachineInstance from -f: its guest's search list");
  auto* pod = command->add_option("--pod", options->ref.pod, "a Pod from -f");
  auto* file = command->add_option("--resolv-conf", options->resolv_conf,
                                   "read the search list, ndots and nameserver from this file");
  vmi->excludes(pod);
  file->excludes(vmi);
  file->excludes(pod);
  command->add_option("-f,--filename", options->sources.files,
                      "manifests holding the --vmi or --pod (file, directory or -; repeatable)");
  command->add_option("--nameserver", options->nameservers,
                      "the cluster DNS Service's IP for the workload's resolv.conf");
  command->add_option("--zone", options->zone, "the cluster domain")->capture_default_str();
  command->callback([options, &exit_code] { exit_code = run_lookup(*options); });
}

}  // namespace vmdns::cli
