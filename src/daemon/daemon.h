#pragma once
// `vmdns serve` running: every component it needs, started in order from its settings, reloaded
// on request, stopped in reverse order when the Daemon is destroyed. Signals are not its
// business (daemon/signal_loop.h), so a test runs it in-process:
//
//   settings::ServeOptions options;                 // as `vmdns serve` would parse them
//   options.sources.files = {"examples/"};
//   options.listen = "127.0.0.1:0";
//   options.no_upstream = true;
//   int exit_code = 0;
//   auto daemon = Daemon::start(options, nullptr, &exit_code);   // null: exit with exit_code
//   daemon->bound_address();   // the port picked for :0
//   daemon->reload();          // what SIGHUP does
//   daemon.reset();            // stops everything, the last started first
//
// Started in this order (so stopped in the reverse one): the forwarder, the HTTP endpoints, the
// control loop, the Kubernetes API source, the manifest watcher and its first load, the hosts
// entries, the DNS server, then the API's reflectors, the --config/--corefile reloader and its
// file watcher. The forwarder's thread, which replies through the server's sockets, is stopped
// just before the server is.

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "daemon/component_stack.h"
#include "daemon/ops_explain.h"
#include "daemon/serve_metrics.h"
#include "net/listen_address.h"
#include "notify/notifier.h"
#include "ops/serving_state.h"
#include "settings/serve_config.h"
#include "settings/serve_options.h"
#include "rules/zone_config.h"
#include "xfr/transfers.h"
#include "tsig/key.h"
#include "zone/snapshot_holder.h"

namespace vmdns::control {
class ControlLoop;
}
namespace vmdns::sources {
class ManifestWatcher;
}

namespace vmdns::daemon {

class ServeHosts;

// --config or --corefile: the file, how it is read, and the command line it was merged under.
struct SettingsSource {
  std::string label;  // "--config", "--corefile"
  std::string path;
  settings::SettingsReader read;
  bool watch = true;  // follow the file's changes (a Corefile: only with its reload plugin)
  settings::GivenArguments given;
  settings::LoadedServeConfig loaded;
};

class Daemon {
 public:
  // Starts serving `options` (with `source`'s file reloaded on reload() and, when watched, on
  // its changes; `source` may be null and must otherwise outlive the Daemon). Null when it
  // cannot start: the reason is on stderr or in the log, and `exit_code` is serve's (2: bad
  // settings, 1: a component failed).
  static std::unique_ptr<Daemon> start(const settings::ServeOptions& options,
                                       const SettingsSource* source, int* exit_code);
  ~Daemon();  // stops every component, the last started first

  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // The DNS server's address (the port the kernel picked for :0).
  const net::ListenAddress& bound_address() const { return bound_; }

  // SIGHUP: reads the settings file (if any) again, then the manifests and the hosts file, and
  // rebuilds the snapshot in full. Returns once the work is queued; flush() waits for it.
  void reload();
  // Blocks until every change queued so far is served, the manifests of a reload() included.
  void flush();

  // --lameduck as last (re)loaded.
  std::chrono::milliseconds lameduck_period() const {
    return std::chrono::milliseconds(lameduck_ms_.load());
  }
  ops::ServingState& serving() { return serving_; }

 private:
  explicit Daemon(const settings::ServeOptions& options);
  // The steps of start(); false with `exit_code` set.
  bool start_components(const settings::ServeOptions& options, const SettingsSource* source,
                        int* exit_code);
  bool apply(const settings::ServeOptions& next, const std::set<std::string>& changed,
             std::string* why);

  // Read by the components for as long as any runs: destroyed after the stack.
  zone::SnapshotHolder holder_;
  ops::ServingState serving_;
  std::unique_ptr<ServeMetrics> metrics_;
  ExplainEndpoint explain_;  // GET /explain/<name>, answered by the control loop while it runs
  std::unique_ptr<xfr::Transfers> transfers_;  // AXFR/IXFR: the TCP loop's streams read it
  std::atomic<bool> log_queries_;
  std::atomic<int64_t> lameduck_ms_;
  net::ListenAddress listen_;
  net::ListenAddress bound_;
  std::optional<rules::ZoneConfig> config_;
  tsig::KeyRing tsig_keys_;  // --tsig-key, --tsig-key-file: fixed for the process's life
  std::unique_ptr<notify::Notifier> notifier_;  // --notify; on_publish feeds it
  const SettingsSource* source_ = nullptr;

  // Set while started, owned by the stack.
  control::ControlLoop* control_ = nullptr;
  sources::ManifestWatcher* watcher_ = nullptr;
  ServeHosts* hosts_ = nullptr;
  settings::ConfigReloader* reloader_ = nullptr;

  ComponentStack stack_;  // last member: unwound first
};

}  // namespace vmdns::daemon
