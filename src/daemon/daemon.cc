#include "daemon/daemon.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <thread>
#include <vector>

#include "control/control_loop.h"
#include "daemon/config_watcher.h"
#include "daemon/load_progress.h"
#include "daemon/ops_http.h"
#include "daemon/query_pipeline.h"
#include "daemon/serve_api.h"
#include "daemon/serve_forward.h"
#include "daemon/serve_hosts.h"
#include "daemon/serve_ops.h"
#include "daemon/serial_file.h"
#include "daemon/serve_notify.h"
#include "daemon/serve_tsig.h"
#include "daemon/transfer_tsig.h"
#include "forward/forwarder.h"
#include "heap/allocator.h"
#include "net/client_networks.h"
#include "net/response_rate_limiter.h"
#include "server/server.h"
#include "sources/manifest_watcher.h"

namespace vmdns::daemon {
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

std::string zone_list(const rules::ZoneConfig& config) {
  std::string out;
  for (const dns::Name& zone : config.zones) {
    out += (out.empty() ? "" : ", ") + zone.to_text();
  }
  if (config.vm_zone) {
    out += ", " + config.vm_zone->to_text();
  }
  return out;
}

// A setting serve refuses before anything starts: exit code 2.
bool refuse(const std::string& what, int* exit_code) {
  std::cerr << "vmdns serve: " << what << "\n";
  *exit_code = 2;
  return false;
}

}  // namespace

Daemon::Daemon(const settings::ServeOptions& options)
    : log_queries_(options.ops.log_queries),
      lameduck_ms_(settings::parse_duration(options.ops.lameduck)
                       .value_or(std::chrono::milliseconds(0))
                       .count()) {}

Daemon::~Daemon() = default;

std::unique_ptr<Daemon> Daemon::start(const settings::ServeOptions& options,
                                      const SettingsSource* source, int* exit_code) {
  heap::configure();  // before the first thread
  std::unique_ptr<Daemon> daemon(new Daemon(options));
  if (!daemon->start_components(options, source, exit_code)) {
    return nullptr;  // what was started is stopped, in reverse
  }
  *exit_code = 0;
  return daemon;
}

bool Daemon::start_components(const settings::ServeOptions& options, const SettingsSource* source,
                              int* exit_code) {
  std::string error;
  auto listen = net::parse_listen_address(options.listen, &error);
  if (!listen) {
    return refuse("--listen: " + error, exit_code);
  }
  listen_ = *listen;
  config_ = settings::make_zone_config(options.zones, default_advertise(listen_), &error);
  if (!config_) {
    return refuse(error, exit_code);
  }
  rules::ZoneConfig& config = *config_;
  config.client_search = options.autopath || options.expand_short_names;
  if (options.autopath && config.pods != rules::PodMode::Verified) {
    spdlog::info("--autopath: VMI guests only; Pods need --pods verified");
  }
  auto upstreams = upstreams_of(options, listen_, &error);
  if (!upstreams) {
    return refuse(error, exit_code);
  }
  auto routes = forward_routes_of(options, listen_, &error);
  if (!routes) {
    return refuse(error, exit_code);
  }
  auto inline_hosts = host_entries(options, &error);
  if (!inline_hosts) {
    return refuse(error, exit_code);
  }
  auto allow_forward = allowed_clients(options, &error);
  if (!allow_forward) {
    return refuse(error, exit_code);
  }
  auto allowed = std::make_shared<const net::ClientNetworks>(std::move(*allow_forward));
  auto allow_transfer = transfer_clients(options, &error);
  if (!allow_transfer) {
    return refuse(error, exit_code);
  }
  auto keys = tsig_keys(options, &error);
  if (!keys) {
    return refuse(error, exit_code);
  }
  tsig_keys_ = std::move(*keys);
  if (!tsig_keys_.empty()) {
    spdlog::info("{} TSIG key(s) loaded", tsig_keys_.keys().size());
  }
  auto notify_targets = notify_peers(options, tsig_keys_, &error);
  if (!notify_targets) {
    return refuse(error, exit_code);
  }
  auto kube_config = api_config(options, &error);
  if (!kube_config) {
    return refuse(error, exit_code);
  }
  if (!*kube_config && options.sources.files.empty()) {
    return refuse("give -f PATH, --kubeconfig FILE or --in-cluster", exit_code);
  }
  *exit_code = 1;  // from here on, a component that fails
  metrics_ = std::make_unique<ServeMetrics>("dns://" + listen_.to_string());
  ServeMetrics& metrics = *metrics_;

  // The forwarder: the workers' clients of it are made when the server starts.
  forward::Forwarder* forwarder = nullptr;
  if (!upstreams->empty() || !routes->stubs.empty()) {
    auto started =
        start_forwarder(options, *upstreams, *routes, *allowed, holder_, metrics, &error);
    if (!started) {
      spdlog::critical("cannot start forwarding: {}", error);
      return false;
    }
    forwarder = &stack_.push(std::move(started));
  }
  metrics.set_forwarder(forwarder,
                        forwarder ? forwarder->upstreams() : std::vector<forward::Upstream>{});

  // The HTTP endpoints come up before the first load, so that /health answers and /ready says
  // why it is not ready while a large directory loads.
  settings::OpsOptions ops = options.ops;
  settings::keep_defaults_on_loopback(ops, listen_);
  auto http = start_ops_http(
      ops, options.client_ipv6_prefix, serving_, [this] { return metrics_->render(serving_); },
      &error, explain_.endpoint());
  if (!http) {
    return refuse(error, exit_code);
  }
  for (size_t i = 0; i < http->listener_count(); ++i) {
    metrics.add_http_listener(http->paths(i), http->counters(i));
  }
  stack_.push(std::move(http));

  // Zone transfers: refused (and counted) unless --allow-transfer; the journal of differences
  // is kept only for clients that may ask for it.
  bool transfers_allowed = !allow_transfer->empty();
  transfers_ = std::make_unique<xfr::Transfers>(xfr::TransferOptions{
      .allow = std::make_shared<const net::ClientNetworks>(std::move(*allow_transfer)),
      .auth = tsig_keys_.empty() ? nullptr : std::make_shared<const TsigTransferAuth>(tsig_keys_),
      .max_streams = 32,
      .holder = &holder_});
  metrics.set_transfers(transfers_.get());
  // NOTIFY: each new serial of a zone told to every --notify target, from a thread of its own.
  if (!notify_targets->empty()) {
    if (!transfers_allowed) {
      spdlog::warn("--notify without --allow-transfer: the secondaries told cannot transfer");
    }
    notifier_ = std::make_unique<notify::Notifier>(std::move(*notify_targets),
                                                   notify::ScheduleOptions{});
    if (!notifier_->ok()) {
      spdlog::critical("{}", notifier_->error());
      return false;
    }
    metrics.set_notifier(notifier_.get());
  }
  // Serials only grow across restarts with --state-dir: the next one follows the last kept.
  std::string state_dir = options.state_dir;
  if (!state_dir.empty()) {
    config.serial = serial_after_restart(state_dir, config.serial);
  }
  auto on_publish = [this, ops_update = publish_to_ops(metrics, serving_), transfers_allowed,
                     state_dir](const control::PublishReport& r) {
    ops_update(r);
    if (transfers_allowed) {
      transfers_->publish(holder_.current());
    }
    if (notifier_) {
      notifier_->publish(r.snapshot);
    }
    if (!state_dir.empty()) {
      keep_serial(state_dir, r.snapshot.serial());
    }
  };

  // The control thread publishes a new snapshot whenever a source changes; each publish updates
  // /metrics and /ready.
  auto& control = stack_.emplace<control::ControlLoop>(
      holder_, config,
      control::ControlOptions{
          .on_publish = std::move(on_publish),
          .address_hold = settings::parse_duration(options.address_hold)
                              .value_or(std::chrono::milliseconds(0))});
  control.start();
  control_ = &control;
  // GET /explain/<name> asks the control thread from now on, and not once it is stopping.
  explain_.attach(&control);
  stack_.on_unwind([this] { explain_.attach(nullptr); });
  // The Kubernetes API: every collection is announced NotSynced before the first snapshot is
  // served (unknown names answer SERVFAIL), unless --state-dir had a state to restore; the
  // reflectors start once the server listens.
  // Long loads report their progress on a terminal, at most once a second.
  bool terminal = ::isatty(STDERR_FILENO) == 1;
  auto& files_progress = stack_.emplace<LoadProgress>("reading the manifests", terminal);
  auto& api_progress = stack_.emplace<LoadProgress>("kubernetes: first sync", terminal);
  auto& files_sink = stack_.emplace<ProgressSink>(control, files_progress);
  ServeApi* api = nullptr;
  if (*kube_config) {
    api = &stack_.emplace<ServeApi>(
        **kube_config, options, control,
        [this](const std::string& origin) { serving_.count_source_errors(origin, "watch", 1); },
        api_progress);
  }
  // The manifest files are read here, before the server starts, and then watched.
  auto started = std::chrono::steady_clock::now();
  auto& watcher = stack_.emplace<sources::ManifestWatcher>(
      options.sources.files, files_sink,
      sources::WatchOptions{.on_errors = [this](const std::map<std::string, size_t>& errors) {
        for (const auto& [file, count] : errors) {
          serving_.count_source_errors(file, "manifest", count);
        }
      }});
  watcher_ = &watcher;
  sources::RescanSummary loaded = watcher.start();
  files_progress.finish();
  control.flush();
  std::shared_ptr<const zone::Snapshot> first = holder_.current();
  if (!first) {
    spdlog::critical("cannot build the first snapshot (see the error above)");
    return false;
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  // The files' share (reading, parsing, decoding) apart from the build's, which the control
  // loop logs when it publishes.
  double load_s = static_cast<double>(loaded.load_time.count()) / 1e6;
  spdlog::info("loaded {} object(s) from {} file(s): {} record(s) in {} ({} ms; reading the files "
               "{:.0f} ms, {:.0f} objects/s, {} ms of CPU)",
               loaded.objects, loaded.files, first->record_count(), zone_list(config),
               elapsed.count(), load_s * 1000,
               load_s > 0 ? static_cast<double>(loaded.objects) / load_s : 0.0,
               loaded.load_cpu_time.count() / 1000);
  if (config.client_search) {
    spdlog::info("server-side search knows the search lists of {} client address(es)",
                 first->clients().client_count());
  }
  first.reset();  // the holder keeps it while it is served

  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
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
  auto& hosts = stack_.emplace<ServeHosts>(options, std::move(*inline_hosts));
  hosts.start();
  hosts_ = &hosts;
  auto& server = stack_.emplace<server::Server>(
      server::ServerOptions{
          .listen = listen_,
          .threads = std::max(threads, 1u),
          .max_tcp_connections = options.max_tcp_connections,
          .max_tcp_connections_per_client = options.max_tcp_connections_per_client,
          .client_ipv6_prefix = options.client_ipv6_prefix,
          .tcp_idle_timeout_ms = options.tcp_idle_timeout_ms,
          .tcp_query_timeout_ms = options.tcp_query_timeout_ms},
      make_query_handler_factory(
          holder_,
          dispatch::DispatcherOptions{.forwarder = forwarder,
                                      .search = {.autopath = options.autopath,
                                                 .expand_short_names = options.expand_short_names,
                                                 .cname_ttl = config.ttl},
                                      .allow_forward = allowed,
                                      .hosts = hosts.enabled() ? &hosts.holder() : nullptr,
                                      .loadbalance = options.loadbalance,
                                      .limiter = limiter,
                                      .log_queries = &log_queries_,
                                      .transfers = transfers_.get()},
          metrics));
  // The forwarder's thread replies through the server's sockets: it ends before they close.
  if (forwarder != nullptr) {
    stack_.on_unwind([forwarder] { forwarder->stop(); });
  }
  if (!server.start(&error)) {
    spdlog::critical("cannot listen on {}: {}", options.listen, error);
    return false;
  }
  bound_ = server.bound_address();
  metrics.set_tcp_connections(server.tcp_counters());
  spdlog::info("serving {} on {} (udp, tcp; {} thread(s))", zone_list(config), bound_.to_string(),
               threads);
  // One line on stdout that scripts and tests read to learn the port picked for :0.
  std::cout << "listening on " << bound_.to_string() << std::endl;
  if (api != nullptr) {
    api->start();
    stack_.on_unwind([api] { api->stop(); });
  }

  source_ = source;
  if (source != nullptr) {
    reloader_ = &stack_.emplace<settings::ConfigReloader>(
        source->label, source->path, source->read, source->given, source->loaded,
        /*api_source=*/kube_config->has_value(),
        [this](const settings::ServeOptions& next, const std::set<std::string>& changed,
               std::string* why) { return apply(next, changed, why); });
    if (source->watch) {
      settings::ConfigReloader* reloader = reloader_;
      auto watcher_of_file =
          std::make_unique<ConfigWatcher>(source->path, [reloader] { reloader->reload(); });
      if (watcher_of_file->start(&error)) {
        stack_.push(std::move(watcher_of_file));
      } else {
        spdlog::warn("{} {}: not watched ({}); SIGHUP reloads it", source->label, source->path,
                     error);
      }
    }
  }
  return true;
}

bool Daemon::apply(const settings::ServeOptions& next, const std::set<std::string>& changed,
                   std::string* why) {
  bool zone_changed = std::any_of(changed.begin(), changed.end(), [](const std::string& f) {
    return f != "--log-queries" && f != "--lameduck";
  });
  if (zone_changed) {
    auto next_config = settings::make_zone_config(next.zones, default_advertise(listen_), why);
    if (!next_config) {
      return false;
    }
    next_config->client_search = config_->client_search;
    control_->replace_config(std::move(*next_config));
  }
  log_queries_ = next.ops.log_queries;
  lameduck_ms_ = settings::parse_duration(next.ops.lameduck)->count();
  return true;
}

void Daemon::reload() {
  spdlog::info("SIGHUP: reloading the {}manifests", !reloader_ ? ""
                                                    : source_->label == "--config"
                                                        ? "config file and the "
                                                        : "Corefile and the ");
  if (reloader_ != nullptr) {
    reloader_->reload();
  }
  watcher_->reload();
  hosts_->reload();
  control_->rebuild();
}

void Daemon::flush() {
  // A reload's manifests are read on the watcher's thread: wait for them to reach the control
  // loop before flushing it, or flush() could return with the files not yet read.
  if (watcher_ != nullptr) {
    watcher_->wait_for_reloads();
  }
  control_->flush();
}

}  // namespace vmdns::daemon
