// vmdns serve: answer DNS queries for the manifests' cluster objects over UDP and TCP.

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/metered_query_handler.h"
#include "cli/ops_options.h"
#include "cli/options.h"
#include "cli/rate_limited_query_handler.h"
#include "cli/serve_metrics.h"
#include "cli/snapshot_query_handler.h"
#include "control/control_loop.h"
#include "forward/forwarder.h"
#include "forward/upstream.h"
#include "ops/serving_state.h"
#include "kube/kube_source.h"
#include "kube/state_file.h"
#include "kube/state_saver.h"
#include "server/client_networks.h"
#include "server/response_rate_limiter.h"
#include "server/server.h"
#include "sources/manifest_watcher.h"

namespace vmdns::cli {
namespace {

struct ServeOptions {
  SourceOptions sources;
  ZoneOptions zones;
  std::string listen = "127.0.0.1:5353";
  unsigned threads = 0;
  unsigned max_tcp_connections = 1024;
  unsigned tcp_idle_timeout_ms = 10000;
  unsigned tcp_query_timeout_ms = 2000;
  std::vector<std::string> upstreams;  // empty: the nameservers of resolv_conf
  bool no_upstream = false;
  std::vector<std::string> allow_forward;  // empty: the private and loopback ranges
  uint32_t rrl = 0;                        // UDP responses a second per client network; 0: off
  uint32_t rrl_slip = 2;
  unsigned upstream_timeout_ms = 1500;
  size_t max_forwards = 1024;
  size_t cache_size = 10000;
  std::string resolv_conf = "/etc/resolv.conf";
  bool autopath = false;
  bool expand_short_names = false;
  OpsOptions ops;
  // The Kubernetes API as a source (--kubeconfig or --in-cluster).
  std::string kubeconfig;
  std::string context;
  bool in_cluster = false;
  std::string labels;
  unsigned resync_seconds = 600;
  std::string state_dir;
};

// --state-dir: the objects of the last sync, served at once as their own origin until the API's
// collections have listed. Returns the origin's name, or "" when there was nothing to restore.
std::string restore_state(const std::string& state_dir, sources::ObjectSink& sink) {
  std::string path = state_dir + "/state.json";
  std::string error;
  if (::access(path.c_str(), F_OK) != 0) {
    spdlog::info("--state-dir: no {} yet: unknown names answer SERVFAIL until the first sync",
                 path);
    return "";
  }
  auto restored = kube::load_state_file(path, &error);
  if (!restored) {
    spdlog::warn("--state-dir: {}; waiting for the API server", error);
    return "";
  }
  size_t objects = restored->namespaces.size() + restored->services.size() +
                   restored->endpoint_slices.size() + restored->vmis.size() +
                   restored->pods.size();
  std::string origin = "restored " + path;
  sink.replace_origin(origin, std::move(*restored));
  spdlog::warn("serving {} object(s) restored from {}: STALE until the API server answers",
               objects, path);
  return origin;
}

// The upstreams to forward to: --upstream, else resolv.conf's nameservers other than ourselves.
// Empty (with no error) means names outside our zones are REFUSED.
std::optional<std::vector<forward::Upstream>> upstreams_of(const ServeOptions& options,
                                                           const server::ListenAddress& listen,
                                                           std::string* error) {
  std::vector<forward::Upstream> out;
  if (options.no_upstream) {
    return out;
  }
  if (options.upstreams.empty()) {
    out = forward::system_upstreams(options.resolv_conf, listen);
    if (out.empty()) {
      spdlog::warn("no nameserver in {} other than ourselves: names outside our zones are "
                   "refused", options.resolv_conf);
    }
    return out;
  }
  for (const std::string& text : options.upstreams) {
    auto upstream = forward::parse_upstream(text, error);
    if (!upstream) {
      *error = "--upstream: " + *error;
      return std::nullopt;
    }
    if (forward::is_self(*upstream, listen)) {
      spdlog::warn("--upstream {} is this server's own address; loops are answered SERVFAIL",
                   upstream->to_string());
    }
    out.push_back(*upstream);
  }
  return out;
}

// --allow-forward: the clients names outside our zones are forwarded for.
std::optional<server::ClientNetworks> allowed_clients(const ServeOptions& options,
                                                      std::string* error) {
  if (options.allow_forward.empty()) {
    return server::ClientNetworks::private_and_loopback();
  }
  server::ClientNetworks out;
  for (const std::string& text : options.allow_forward) {
    auto network = server::ClientNetworks::parse_network(text, error);
    if (!network) {
      *error = "--allow-forward: " + *error;
      return std::nullopt;
    }
    out.add(*network);
  }
  return out;
}

// The listen address is a fine ns.dns.<zone> address unless it is a wildcard.
std::string default_advertise(const server::ListenAddress& listen) {
  std::string text = listen.to_string();
  std::string host = text.substr(0, text.rfind(':'));
  if (host == "0.0.0.0" || host == "[::]") {
    return "127.0.0.1";
  }
  if (host.size() > 2 && host.front() == '[') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

std::string zone_list(const zone::ZoneConfig& config) {
  std::string out;
  for (const dns::Name& zone : config.zones) {
    out += (out.empty() ? "" : ", ") + zone.to_text();
  }
  if (config.vm_zone) {
    out += ", " + config.vm_zone->to_text();
  }
  return out;
}

ops::SyncState to_ops(sources::SyncStatus status) {
  switch (status) {
    case sources::SyncStatus::Synced:
      return ops::SyncState::Synced;
    case sources::SyncStatus::Lost:
      return ops::SyncState::Lost;
    case sources::SyncStatus::NotSynced:
      break;
  }
  return ops::SyncState::NotYet;
}

// SIGTERM: /health and /ready fail at once, so that load balancers and kubelet take this
// replica out of rotation, while queries keep being answered for the lame-duck period (CoreDNS's
// health lameduck). A second SIGTERM or a SIGINT ends it early.
void lameduck(std::chrono::milliseconds period, const sigset_t& signals,
              ops::ServingState& serving) {
  serving.enter_lameduck();
  if (period.count() == 0) {
    return;
  }
  spdlog::info("lame duck: answering queries for {} ms more", period.count());
  auto end = std::chrono::steady_clock::now() + period;
  for (;;) {
    auto left = end - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds::zero()) {
      return;
    }
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left);
    timespec timeout{static_cast<time_t>(seconds.count()),
                     static_cast<long>((left - seconds) / std::chrono::nanoseconds(1))};
    int signal = sigtimedwait(&signals, nullptr, &timeout);
    if (signal == SIGINT || signal == SIGTERM) {
      spdlog::info("signal {}: ending the lame duck period early", signal);
      return;
    }
  }
}

int run(const ServeOptions& options) {
  std::string error;
  auto listen = server::parse_listen_address(options.listen, &error);
  if (!listen) {
    std::cerr << "vmdns serve: --listen: " << error << "\n";
    return 2;
  }
  auto config = make_zone_config(options.zones, default_advertise(*listen), &error);
  if (!config) {
    std::cerr << "vmdns serve: " << error << "\n";
    return 2;
  }

  config->client_search = options.autopath || options.expand_short_names;
  if (options.autopath && config->pods != zone::PodMode::Verified) {
    spdlog::info("--autopath: VMI guests only; Pods need --pods verified");
  }

  auto upstreams = upstreams_of(options, *listen, &error);
  if (!upstreams) {
    std::cerr << "vmdns serve: " << error << "\n";
    return 2;
  }
  auto allow_forward = allowed_clients(options, &error);
  if (!allow_forward) {
    std::cerr << "vmdns serve: " << error << "\n";
    return 2;
  }
  auto allowed = std::make_shared<const server::ClientNetworks>(std::move(*allow_forward));

  // Block the signals we wait for before any thread starts, so every thread inherits the mask
  // and they are delivered only to sigwait() below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::optional<kube::KubeConfig> kube_config;
  if (options.in_cluster) {
    kube_config = kube::in_cluster_config(kube::kServiceAccountDir, &error);
  } else if (!options.kubeconfig.empty()) {
    kube_config = kube::load_kubeconfig(options.kubeconfig, options.context, &error);
  }
  if ((options.in_cluster || !options.kubeconfig.empty()) && !kube_config) {
    std::cerr << "vmdns serve: " << error << "\n";
    return 2;
  }
  if (!kube_config && options.sources.files.empty()) {
    std::cerr << "vmdns serve: give -f PATH, --kubeconfig FILE or --in-cluster\n";
    return 2;
  }

  // The control thread publishes a new snapshot whenever a source changes; the manifest files
  // are read here, before the server starts, and then watched.
  zone::SnapshotHolder holder;
  ops::ServingState serving;
  ServeMetrics metrics("dns://" + listen->to_string());

  // Declared before the server: routes it holds name the server's sockets, so it is stopped
  // first (below) and destroyed last.
  std::unique_ptr<forward::Forwarder> forwarder;
  if (!upstreams->empty()) {
    // The forwarder's thread answers what server-side search gives back from its own copy of
    // the snapshot pointer.
    auto forwarder_snapshot = std::make_shared<zone::LocalSnapshot>(holder);
    forwarder = std::make_unique<forward::Forwarder>(forward::ForwarderOptions{
        .upstreams = *upstreams,
        .timeout = std::chrono::milliseconds(options.upstream_timeout_ms),
        .max_in_flight = std::max<size_t>(options.max_forwards, 1),
        .cache_entries = options.cache_size,
        .local_answer = [forwarder_snapshot](std::span<const uint8_t> query,
                                             const forward::ClientQuery& client,
                                             std::span<uint8_t> out) {
          return SnapshotQueryHandler::answer_locally(forwarder_snapshot->get(), query, client,
                                                      out);
        },
        .reply_counters = &metrics.queries().add_thread()});
    if (!forwarder->start(&error)) {
      spdlog::critical("cannot start forwarding: {}", error);
      return 1;
    }
    std::string list;
    for (const forward::Upstream& upstream : *upstreams) {
      list += (list.empty() ? "" : ", ") + upstream.to_string();
    }
    std::string clients;
    for (const server::ClientNetwork& network : allowed->networks()) {
      clients += (clients.empty() ? "" : ", ") + network.to_string();
    }
    spdlog::info("forwarding names outside our zones to {}, for clients in {}", list, clients);
  }
  metrics.set_forwarder(forwarder.get(), *upstreams);

  // The HTTP endpoints come up before the first load, so that /health answers and /ready says
  // why it is not ready while a large directory loads.
  auto http = start_ops_http(
      options.ops, serving, [&metrics, &serving] { return metrics.render(serving); }, &error);
  if (!http) {
    std::cerr << "vmdns serve: " << error << "\n";
    return 2;
  }

  // The control thread publishes a new snapshot whenever a source changes; the manifest files
  // are read here, before the DNS server starts, and then watched. Each publish updates
  // /metrics and /ready.
  control::ControlLoop control(
      holder, *config,
      control::ControlOptions{.on_publish = [&metrics,
                                             &serving](const control::PublishReport& report) {
        metrics.snapshot_built(report.state, report.snapshot, report.generation, report.build_time);
        std::vector<ops::SourceReport> sources;
        for (const control::OriginStatus& origin : report.origins) {
          sources.push_back({origin.name, to_ops(origin.sync.status), origin.sync.reason});
        }
        serving.replace_sources(sources);
        serving.snapshot_published();
      }});
  control.start();
  // The Kubernetes API: every collection is announced NotSynced before the first snapshot is
  // served (unknown names answer SERVFAIL), unless --state-dir had a state to restore; the
  // reflectors start once the server listens.
  std::unique_ptr<kube::StateSaver> saver;
  std::unique_ptr<kube::KubeSource> api;
  if (kube_config) {
    std::string restored;
    if (!options.state_dir.empty()) {
      ::mkdir(options.state_dir.c_str(), 0700);
      restored = restore_state(options.state_dir, control);
    }
    kube::KubeSourceOptions api_options{
        .namespaces = options.zones.namespaces,
        .label_selector = options.labels,
        .pods = options.zones.pods != "disabled",
        .resync_period = std::chrono::seconds(options.resync_seconds),
        .serving_restored_state = !restored.empty()};
    sources::ObjectSink* sink = &control;
    if (!options.state_dir.empty()) {
      std::vector<std::string> origins =
          kube::KubeSource(*kube_config, api_options, control).origins();
      saver = std::make_unique<kube::StateSaver>(control, options.state_dir + "/state.json",
                                                 origins, restored);
      sink = saver.get();
    }
    api = std::make_unique<kube::KubeSource>(*kube_config, api_options, *sink);
    api->announce();
  }
  auto started = std::chrono::steady_clock::now();
  sources::ManifestWatcher watcher(options.sources.files, control);
  sources::RescanSummary loaded = watcher.start();
  control.flush();
  std::shared_ptr<const zone::Snapshot> first = holder.current();
  if (!first) {
    spdlog::critical("cannot build the first snapshot (see the error above)");
    return 1;
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  spdlog::info("loaded {} object(s) from {} file(s): {} record(s) in {} ({} ms)", loaded.objects,
               loaded.files, first->record_count(), zone_list(*config), elapsed.count());
  if (config->client_search) {
    spdlog::info("server-side search knows the search lists of {} client address(es)",
                 first->clients().client_count());
  }
  first.reset();  // the holder keeps it while it is served

  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  forward::Forwarder* forward_to = forwarder.get();
  // One limiter for every UDP worker: SO_REUSEPORT spreads a client's queries over them.
  std::shared_ptr<server::ResponseRateLimiter> limiter;
  if (options.rrl > 0) {
    limiter = std::make_shared<server::ResponseRateLimiter>(
        server::RateLimit{.responses_per_second = options.rrl, .slip = options.rrl_slip});
    spdlog::info("UDP responses limited to {} a second per /24 or /56, every {} over it {}",
                 options.rrl, options.rrl_slip,
                 options.rrl_slip == 0 ? "dropped" : "sent truncated, the others dropped");
  }
  ServerSearchOptions search{.autopath = options.autopath,
                             .expand_short_names = options.expand_short_names,
                             .cname_ttl = config->ttl};
  server::Server server({.listen = *listen,
                         .threads = std::max(threads, 1u),
                         .max_tcp_connections = options.max_tcp_connections,
                         .tcp_idle_timeout_ms = options.tcp_idle_timeout_ms,
                         .tcp_query_timeout_ms = options.tcp_query_timeout_ms},
                        [&holder, forward_to, search, &metrics, &options, allowed, limiter] {
                          std::unique_ptr<server::QueryHandler> handler =
                              std::make_unique<SnapshotQueryHandler>(holder, forward_to, search,
                                                                     allowed);
                          if (limiter) {
                            handler = std::make_unique<RateLimitedQueryHandler>(std::move(handler),
                                                                                limiter);
                          }
                          return std::make_unique<MeteredQueryHandler>(
                              std::move(handler), metrics.queries().add_thread(),
                              options.ops.log_queries);
                        });
  if (!server.start(&error)) {
    spdlog::critical("cannot listen on {}: {}", options.listen, error);
    return 1;
  }
  spdlog::info("serving {} on {} (udp, tcp; {} thread(s))", zone_list(*config),
               server.bound_address().to_string(), threads);
  // One line on stdout that scripts and tests read to learn the port picked for :0.
  std::cout << "listening on " << server.bound_address().to_string() << std::endl;
  if (api) {
    api->start();
  }

  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) {
      continue;
    }
    if (signal == SIGHUP) {
      spdlog::info("SIGHUP: reloading the manifests");
      watcher.reload();
      continue;
    }
    spdlog::info("signal {}: shutting down", signal);
    if (signal == SIGTERM) {
      lameduck(*parse_duration(options.ops.lameduck), signals, serving);
    }
    http->stop();
    if (api) {
      api->stop();
    }
    if (saver) {
      saver->stop();
    }
    watcher.stop();
    control.stop();
    if (forwarder) {
      forwarder->stop();
    }
    server.stop();
    return 0;
  }
}

}  // namespace

void register_serve(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* command = app.add_subcommand(
      "serve", "Serve the cluster zone for the manifests over UDP and TCP (authoritative)");
  add_source_options(*command, options->sources, /*required=*/false);
  add_zone_options(*command, options->zones);
  auto* kubeconfig = command->add_option(
      "--kubeconfig", options->kubeconfig,
      "Watch the Kubernetes API of this kubeconfig's context (with or without -f)");
  command->add_option("--context", options->context,
                      "The kubeconfig context to use (default: its current-context)")
      ->needs(kubeconfig);
  command
      ->add_flag("--in-cluster", options->in_cluster,
                 "Watch the Kubernetes API with the pod's service account")
      ->excludes(kubeconfig);
  command->add_option("--labels", options->labels,
                      "Label selector for Services, EndpointSlices, Pods and VMIs, pushed down "
                      "to the API (CoreDNS: labels)");
  command
      ->add_option("--resync-period", options->resync_seconds,
                   "Seconds between full lists of every watched kind, which repair any missed "
                   "event")
      ->capture_default_str()
      ->check(CLI::Range(1u, 86400u));
  command->add_option("--state-dir", options->state_dir,
                      "Keep the last synced API objects here and serve them at once on the "
                      "next start, until the API server answers");
  command
      ->add_option("--listen", options->listen,
                   "ADDR:PORT for UDP and TCP; IPv6 in brackets, port 0 picks a free port")
      ->capture_default_str();
  command->add_option("--threads", options->threads,
                      "UDP worker threads (default: the number of cores)");
  command
      ->add_option("--max-tcp-connections", options->max_tcp_connections,
                   "TCP connections open at once; a connection past it is closed at once")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1000000u));
  command
      ->add_option("--tcp-idle-timeout", options->tcp_idle_timeout_ms,
                   "Milliseconds a TCP connection may stay open with no complete query and no "
                   "reply sent (RFC 7766)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3600000u));
  command
      ->add_option("--tcp-query-timeout", options->tcp_query_timeout_ms,
                   "Milliseconds a TCP client has to send the rest of a message once its first "
                   "octet has arrived; slower clients are cut off")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3600000u));
  auto* upstream = command->add_option(
      "--upstream", options->upstreams,
      "ADDR[:PORT] to forward names outside our zones to, tried in order (repeatable; default: "
      "the nameservers of /etc/resolv.conf other than this server)");
  command->add_flag("--no-upstream", options->no_upstream,
                    "Do not forward: names outside our zones are REFUSED")
      ->excludes(upstream);
  command->add_option("--allow-forward", options->allow_forward,
                      "CIDR of clients whose names outside our zones are forwarded; others get "
                      "REFUSED (repeatable; default: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, "
                      "100.64.0.0/10, 127.0.0.0/8, fc00::/7, fe80::/10, ::1)");
  command
      ->add_option("--rrl", options->rrl,
                   "UDP responses a second to each client /24 (IPv4) or /56 (IPv6); past it "
                   "replies are dropped or slipped (0: no limit)")
      ->capture_default_str();
  command
      ->add_option("--rrl-slip", options->rrl_slip,
                   "Every Nth reply over the --rrl rate is sent truncated (TC) instead of "
                   "dropped, so real clients retry over TCP (0: drop all, 1: truncate all)")
      ->capture_default_str()
      ->check(CLI::Range(0u, 100u));
  command
      ->add_option("--upstream-timeout", options->upstream_timeout_ms,
                   "Milliseconds to wait for one upstream before trying the next")
      ->capture_default_str()
      ->check(CLI::Range(1u, 60000u));
  command
      ->add_option("--max-forwards", options->max_forwards,
                   "Forwarded queries in flight at once; beyond it, SERVFAIL")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{65536}));
  command
      ->add_option("--cache-size", options->cache_size,
                   "Upstream answers kept in the cache (0: no cache)")
      ->capture_default_str();
  command->add_flag("--autopath", options->autopath,
                    "Server-side search: a known VMI's (with --pods verified, a Pod's) query for "
                    "<x>.<its first search entry> that does not exist is answered for the next "
                    "name its search list would try, with a CNAME (CoreDNS: autopath)");
  command->add_flag("--expand-short-names", options->expand_short_names,
                    "A known VMI's or Pod's query for a name of 2+ labels outside our zones that "
                    "the upstream does not have is answered as <name>.<ns>.svc.<zone>, with a "
                    "CNAME, when that exists");
  add_ops_options(*command, options->ops);
  command->callback([options, &exit_code] { exit_code = run(*options); });
}

}  // namespace vmdns::cli
