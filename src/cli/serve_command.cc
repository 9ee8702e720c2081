// vmdns serve: answer DNS queries for the manifests' cluster objects over UDP and TCP.

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "daemon/config_watcher.h"
#include "daemon/ops_http.h"
#include "settings/corefile_settings.h"
#include "daemon/load_progress.h"
#include "daemon/serve_api.h"
#include "settings/serve_config.h"
#include "daemon/serve_forward.h"
#include "daemon/serve_hosts.h"
#include "daemon/serve_metrics.h"
#include "daemon/serve_ops.h"
#include "settings/serve_options.h"
#include "control/control_loop.h"
#include "dispatch/dispatcher.h"
#include "forward/forwarder.h"
#include "net/client_networks.h"
#include "net/response_rate_limiter.h"
#include "ops/serving_state.h"
#include "server/server.h"
#include "sources/manifest_watcher.h"

namespace vmdns::cli {
namespace {

// The listen address is a fine ns.dns.<zone> address unless it is a wildcard.
std::string default_advertise(const net::ListenAddress& listen) {
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

// --config or --corefile: the file, how it is read, and the command line it was merged under;
// null without either.
struct ConfigSource {
  std::string label;  // "--config", "--corefile"
  std::string path;
  settings::SettingsReader read;
  bool watch = true;  // follow the file's changes (a Corefile: only with its reload plugin)
  settings::GivenArguments given;
  settings::LoadedServeConfig loaded;
};

int run(const settings::ServeOptions& options, const ConfigSource* config_source) {
  std::string error;
  auto listen = net::parse_listen_address(options.listen, &error);
  if (!listen) {
    std::cerr << "vmdns serve: --listen: " << error << "\n";
    return 2;
  }
  auto config = settings::make_zone_config(options.zones, default_advertise(*listen), &error);
  if (!config) {
    std::cerr << "vmdns serve: " << error << "\n";
    return 2;
  }

  config->client_search = options.autopath || options.expand_short_names;
  if (options.autopath && config->pods != zone::PodMode::Verified) {
    spdlog::info("--autopath: VMI guests only; Pods need --pods verified");
  }

  auto upstreams = daemon::upstreams_of(options, *listen, &error);
  if (!upstreams) {
    std::cerr << "vmdns serve: " << error << "\n";
    return 2;
  }
  auto routes = daemon::forward_routes_of(options, *listen, &error);
  if (!routes) {
    std::cerr << "vmdns serve: " << error << "\n";
    return 2;
  }
  auto inline_hosts = daemon::host_entries(options, &error);
  if (!inline_hosts) {
    std::cerr << "vmdns serve: " << error << "\n";
    return 2;
  }
  auto allow_forward = daemon::allowed_clients(options, &error);
  if (!allow_forward) {
    std::cerr << "vmdns serve: " << error << "\n";
    return 2;
  }
  auto allowed = std::make_shared<const net::ClientNetworks>(std::move(*allow_forward));

  // Block the signals we wait for before any thread starts, so every thread inherits the mask
  // and they are delivered only to sigwait() below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto kube_config = daemon::api_config(options, &error);
  if (!kube_config) {
    std::cerr << "vmdns serve: " << error << "\n";
    return 2;
  }
  if (!*kube_config && options.sources.files.empty()) {
    std::cerr << "vmdns serve: give -f PATH, --kubeconfig FILE or --in-cluster\n";
    return 2;
  }

  // The control thread publishes a new snapshot whenever a source changes; the manifest files
  // are read here, before the server starts, and then watched.
  zone::SnapshotHolder holder;
  ops::ServingState serving;
  daemon::ServeMetrics metrics("dns://" + listen->to_string());

  // Declared before the server: routes it holds name the server's sockets, so it is stopped
  // first (below) and destroyed last.
  std::unique_ptr<forward::Forwarder> forwarder;
  if (!upstreams->empty() || !routes->stubs.empty()) {
    forwarder = daemon::start_forwarder(options, *upstreams, *routes, *allowed, holder, metrics, &error);
    if (!forwarder) {
      spdlog::critical("cannot start forwarding: {}", error);
      return 1;
    }
  }
  metrics.set_forwarder(forwarder.get(),
                        forwarder ? forwarder->upstreams() : std::vector<forward::Upstream>{});

  // The HTTP endpoints come up before the first load, so that /health answers and /ready says
  // why it is not ready while a large directory loads.
  settings::OpsOptions ops = options.ops;
  settings::keep_defaults_on_loopback(ops, *listen);
  auto http = daemon::start_ops_http(
      ops, options.client_ipv6_prefix, serving,
      [&metrics, &serving] { return metrics.render(serving); }, &error);
  if (!http) {
    std::cerr << "vmdns serve: " << error << "\n";
    return 2;
  }
  for (size_t i = 0; i < http->listener_count(); ++i) {
    metrics.add_http_listener(http->paths(i), http->counters(i));
  }

  // The control thread publishes a new snapshot whenever a source changes; the manifest files
  // are read here, before the DNS server starts, and then watched. Each publish updates
  // /metrics and /ready.
  control::ControlLoop control(
      holder, *config, control::ControlOptions{.on_publish = daemon::publish_to_ops(metrics, serving)});
  control.start();
  // The Kubernetes API: every collection is announced NotSynced before the first snapshot is
  // served (unknown names answer SERVFAIL), unless --state-dir had a state to restore; the
  // reflectors start once the server listens.
  // Long loads report their progress on a terminal, at most once a second.
  bool terminal = ::isatty(STDERR_FILENO) == 1;
  daemon::LoadProgress files_progress("reading the manifests", terminal);
  daemon::LoadProgress api_progress("kubernetes: first sync", terminal);
  daemon::ProgressSink files_sink(control, files_progress);
  std::unique_ptr<daemon::ServeApi> api;
  if (*kube_config) {
    api = std::make_unique<daemon::ServeApi>(
        **kube_config, options, control,
        [&serving](const std::string& origin) { serving.count_source_errors(origin, "watch", 1); },
        api_progress);
  }
  auto started = std::chrono::steady_clock::now();
  sources::ManifestWatcher watcher(
      options.sources.files, files_sink,
      sources::WatchOptions{.on_errors = [&serving](const std::map<std::string, size_t>& errors) {
        for (const auto& [file, count] : errors) {
          serving.count_source_errors(file, "manifest", count);
        }
      }});
  sources::RescanSummary loaded = watcher.start();
  files_progress.finish();
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

  // What a --config reload may change while serving, besides the zone settings.
  std::atomic<bool> log_queries{options.ops.log_queries};
  std::atomic<int64_t> lameduck_ms{settings::parse_duration(options.ops.lameduck)->count()};
  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  forward::Forwarder* forward_to = forwarder.get();
  // One limiter for every UDP worker: SO_REUSEPORT spreads a client's queries over them.
  std::shared_ptr<net::ResponseRateLimiter> limiter;
  if (options.rrl > 0) {
    limiter = std::make_shared<net::ResponseRateLimiter>(
        net::RateLimit{.responses_per_second = options.rrl, .slip = options.rrl_slip});
    spdlog::info("UDP responses limited to {} a second per /24 or /56, every {} over it {}",
                 options.rrl, options.rrl_slip,
                 options.rrl_slip == 0 ? "dropped" : "sent truncated, the others dropped");
  }
  // Hosts entries: published before the server answers, and kept (with the holder the handlers
  // read) until after it stops.
  daemon::ServeHosts hosts(options, std::move(*inline_hosts));
  hosts.start();
  const hosts::HostsHolder* hosts_holder = hosts.enabled() ? &hosts.holder() : nullptr;
  dispatch::SearchOptions search{.autopath = options.autopath,
                             .expand_short_names = options.expand_short_names,
                             .cname_ttl = config->ttl};
  server::Server server(
      {.listen = *listen,
       .threads = std::max(threads, 1u),
       .max_tcp_connections = options.max_tcp_connections,
       .max_tcp_connections_per_client = options.max_tcp_connections_per_client,
       .client_ipv6_prefix = options.client_ipv6_prefix,
       .tcp_idle_timeout_ms = options.tcp_idle_timeout_ms,
       .tcp_query_timeout_ms = options.tcp_query_timeout_ms},
      [&holder, forward_to, search, &metrics, &log_queries, allowed, limiter, hosts_holder,
       loadbalance = options.loadbalance] {
        return std::make_unique<dispatch::Dispatcher>(
            holder, dispatch::DispatcherOptions{.forwarder = forward_to,
                                                .search = search,
                                                .allow_forward = allowed,
                                                .hosts = hosts_holder,
                                                .loadbalance = loadbalance,
                                                .limiter = limiter,
                                                .counters = &metrics.queries().add_thread(),
                                                .log_queries = &log_queries});
      });
  if (!server.start(&error)) {
    spdlog::critical("cannot listen on {}: {}", options.listen, error);
    return 1;
  }
  metrics.set_tcp_connections(server.tcp_counters());
  spdlog::info("serving {} on {} (udp, tcp; {} thread(s))", zone_list(*config),
               server.bound_address().to_string(), threads);
  // One line on stdout that scripts and tests read to learn the port picked for :0.
  std::cout << "listening on " << server.bound_address().to_string() << std::endl;
  if (api) {
    api->start();
  }

  std::unique_ptr<settings::ConfigReloader> reloader;
  std::unique_ptr<daemon::ConfigWatcher> config_watcher;
  if (config_source != nullptr) {
    auto apply = [&](const settings::ServeOptions& next, const std::set<std::string>& changed,
                     std::string* why) {
      bool zone_changed = std::any_of(changed.begin(), changed.end(), [](const std::string& f) {
        return f != "--log-queries" && f != "--lameduck";
      });
      if (zone_changed) {
        auto next_config = settings::make_zone_config(next.zones, default_advertise(*listen), why);
        if (!next_config) {
          return false;
        }
        next_config->client_search = config->client_search;
        control.replace_config(std::move(*next_config));
      }
      log_queries = next.ops.log_queries;
      lameduck_ms = settings::parse_duration(next.ops.lameduck)->count();
      return true;
    };
    reloader = std::make_unique<settings::ConfigReloader>(
        config_source->label, config_source->path, config_source->read, config_source->given,
        config_source->loaded, /*api_source=*/kube_config->has_value(), apply);
    if (config_source->watch) {
      config_watcher = std::make_unique<daemon::ConfigWatcher>(config_source->path,
                                                       [&reloader] { reloader->reload(); });
      if (!config_watcher->start(&error)) {
        spdlog::warn("{} {}: not watched ({}); SIGHUP reloads it", config_source->label,
                     config_source->path, error);
        config_watcher.reset();
      }
    }
  }

  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) {
      continue;
    }
    if (signal == SIGHUP) {
      spdlog::info("SIGHUP: reloading the {}manifests",
                   !reloader                             ? ""
                   : config_source->label == "--config" ? "config file and the "
                                                        : "Corefile and the ");
      if (reloader) {
        reloader->reload();
      }
      watcher.reload();
      hosts.reload();
      control.rebuild();
      continue;
    }
    spdlog::info("signal {}: shutting down", signal);
    if (signal == SIGTERM) {
      daemon::lameduck(std::chrono::milliseconds(lameduck_ms.load()), signals, serving);
    }
    if (config_watcher) {
      config_watcher->stop();
    }
    http->stop();
    if (api) {
      api->stop();
    }
    watcher.stop();
    hosts.stop();
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
  auto options = std::make_shared<settings::ServeOptions>();
  CLI::App* command = app.add_subcommand(
      "serve", "Serve the cluster zone for the manifests over UDP and TCP (authoritative)");
  settings::add_serve_options(*command, *options);
  command->callback([options, command, &exit_code] {
    if (options->config_file.empty() && options->corefile.empty()) {
      exit_code = run(*options, nullptr);
      return;
    }
    if (!options->config_file.empty() && !options->corefile.empty()) {
      std::cerr << "vmdns serve: --corefile and --config cannot be used together: give the "
                   "Corefile's settings alone, and the others as flags\n";
      exit_code = 2;
      return;
    }
    ConfigSource source;
    source.given = settings::given_arguments(*command);
    std::string error;
    if (!options->corefile.empty()) {
      source.label = "--corefile";
      source.path = options->corefile;
      corefile::FileAccess files = corefile::system_file_access();
      auto first = settings::read_corefile_settings(source.path, files, source.given, &error);
      if (!first) {
        std::cerr << "vmdns serve: --corefile: " << error << "\n";
        exit_code = 2;
        return;
      }
      source.watch = first->reload;
      source.read = settings::corefile_reader(source.path, files, source.given);
    } else {
      source.label = "--config";
      source.path = options->config_file;
      source.read = settings::config_file_reader(source.path);
    }
    auto loaded = settings::load_serve_settings(source.path, source.read, source.given, &error);
    if (!loaded) {
      std::cerr << "vmdns serve: " << source.label << ": " << error << "\n";
      exit_code = 2;
      return;
    }
    source.loaded = std::move(*loaded);
    exit_code = run(source.loaded.options, &source);
  });
}

}  // namespace vmdns::cli
