// vmdns serve: answer DNS queries for the manifests' cluster objects over UDP and TCP.

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "daemon/daemon.h"
#include "daemon/signal_loop.h"
#include "settings/corefile_settings.h"
#include "settings/serve_config.h"
#include "settings/serve_options.h"

namespace vmdns::cli {
namespace {

// Serves until SIGINT or SIGTERM; serve's exit code.
int run(const settings::ServeOptions& options, const daemon::SettingsSource* source) {
  daemon::SignalLoop signals;  // before any thread starts
  int exit_code = 0;
  std::unique_ptr<daemon::Daemon> running = daemon::Daemon::start(options, source, &exit_code);
  if (!running) {
    return exit_code;
  }
  signals.run(*running);
  running.reset();  // every component stopped, the last started first
  return 0;
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
    daemon::SettingsSource source;
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
