// vmdns serve: answer DNS queries for the manifests' cluster objects over UDP and TCP.

#include <signal.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/snapshot_query_handler.h"
#include "server/server.h"
#include "zone/build.h"

namespace vmdns::cli {
namespace {

struct ServeOptions {
  SourceOptions sources;
  ZoneOptions zones;
  std::string listen = "127.0.0.1:5353";
  unsigned threads = 0;
};

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
  return out;
}

// Loads the manifests and publishes a new snapshot. The files are read whole each time; a file
// that fails keeps nothing of its own, but the other files still load.
void reload(const ServeOptions& options, zone::ZoneConfig config, zone::SnapshotHolder& holder) {
  auto started = std::chrono::steady_clock::now();
  sources::LoadResult loaded = load_and_log(options.sources);
  config.serial = std::max(config.serial + 1, static_cast<uint32_t>(std::time(nullptr)));
  auto snapshot = zone::build(loaded.state, config);
  auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  spdlog::info("loaded {} object(s) from {} file(s): {} record(s) in {} ({} us)", loaded.objects,
               loaded.files, snapshot->record_count(), zone_list(config), elapsed.count());
  holder.publish(std::move(snapshot));
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

  // Block the signals we wait for before any thread starts, so every thread inherits the mask
  // and they are delivered only to sigwait() below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  zone::SnapshotHolder holder;
  reload(options, *config, holder);

  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  server::Server server({.listen = *listen, .threads = std::max(threads, 1u)},
                        [&holder] { return std::make_unique<SnapshotQueryHandler>(holder); });
  if (!server.start(&error)) {
    spdlog::critical("cannot listen on {}: {}", options.listen, error);
    return 1;
  }
  spdlog::info("serving {} on {} (udp, tcp; {} thread(s))", zone_list(*config),
               server.bound_address().to_string(), threads);
  // One line on stdout that scripts and tests read to learn the port picked for :0.
  std::cout << "listening on " << server.bound_address().to_string() << std::endl;

  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) {
      continue;
    }
    if (signal == SIGHUP) {
      spdlog::info("SIGHUP: reloading the manifests");
      reload(options, *config, holder);
      continue;
    }
    spdlog::info("signal {}: shutting down", signal);
    server.stop();
    return 0;
  }
}

}  // namespace

void register_serve(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* command = app.add_subcommand(
      "serve", "Serve the cluster zone for the manifests over UDP and TCP (authoritative)");
  add_source_options(*command, options->sources);
  add_zone_options(*command, options->zones);
  command
      ->add_option("--listen", options->listen,
                   "ADDR:PORT for UDP and TCP; IPv6 in brackets, port 0 picks a free port")
      ->capture_default_str();
  command->add_option("--threads", options->threads,
                      "UDP worker threads (default: the number of cores)");
  command->callback([options, &exit_code] { exit_code = run(*options); });
}

}  // namespace vmdns::cli
