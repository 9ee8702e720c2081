// vmdns: authoritative cluster DNS for Kubernetes, with KubeVirt VMs as first-class citizens.

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/log_format.h"

int main(int argc, char** argv) {
  // Logs go to stderr; stdout carries command output (zone text, check reports).
  auto logger = spdlog::stderr_color_mt("vmdns");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);

  CLI::App app{"vmdns: cluster DNS for Kubernetes and KubeVirt virtual machines"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  std::string log_format = "text";
  app.add_option("--log-format", log_format, "text, or json: one JSON object per line")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  app.parse_complete_callback([&] {
    spdlog::set_level(spdlog::level::from_str(log_level));
    vmdns::cli::set_log_format(log_format);
  });

  int exit_code = 0;
  vmdns::cli::register_serve(app, exit_code);
  vmdns::cli::register_records(app, exit_code);
  vmdns::cli::register_check(app, exit_code);
  vmdns::cli::register_resolv_conf(app, exit_code);
  vmdns::cli::register_lookup(app, exit_code);
  vmdns::cli::register_explain(app, exit_code);

  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
