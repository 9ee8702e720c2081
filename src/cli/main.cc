// vmdns: authoritative cluster DNS for Kubernetes, with KubeVirt VMs as first-class citizens.
// Installed as kubectl-vmdns too (a link to the same binary), it is `kubectl vmdns`: explain and
// check against the live cluster of kubectl's kubeconfig, with kubectl's -n and --context.

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <string_view>

#include "cli/commands.h"
#include "cli/log_format.h"

namespace {

// kubectl runs a plugin by the path it found on $PATH: the name says which mode to run in.
bool run_as_kubectl_plugin(const char* argv0) {
  std::string_view path = argv0 == nullptr ? "" : argv0;
  size_t slash = path.rfind('/');
  return path.substr(slash == std::string_view::npos ? 0 : slash + 1) == "kubectl-vmdns";
}

}  // namespace

int main(int argc, char** argv) {
  // Logs go to stderr; stdout carries command output (zone text, check reports).
  auto logger = spdlog::stderr_color_mt("vmdns");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);

  const bool plugin = run_as_kubectl_plugin(argc > 0 ? argv[0] : nullptr);
  CLI::App app{plugin ? "kubectl vmdns: why does (or doesn't) a KubeVirt VM's name resolve, asked "
                        "of the live cluster of the current kubeconfig context"
                      : "vmdns: cluster DNS for Kubernetes and KubeVirt virtual machines",
               plugin ? "kubectl vmdns" : "vmdns"};
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
  if (plugin) {
    vmdns::cli::register_explain(app, exit_code, /*kubectl_plugin=*/true);
    vmdns::cli::register_check(app, exit_code, /*kubectl_plugin=*/true);
  } else {
    vmdns::cli::register_serve(app, exit_code);
    vmdns::cli::register_records(app, exit_code);
    vmdns::cli::register_check(app, exit_code);
    vmdns::cli::register_resolv_conf(app, exit_code);
    vmdns::cli::register_lookup(app, exit_code);
    vmdns::cli::register_explain(app, exit_code);
  }

  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
