#pragma once
// One function per command: registers its options on `app` and returns the callback's exit code
// through `exit_code` when the command runs.

#include <CLI/CLI.hpp>

namespace vmdns::cli {

void register_serve(CLI::App& app, int& exit_code);
void register_records(CLI::App& app, int& exit_code);
// `kubectl_plugin`: as `kubectl vmdns` runs them (the live cluster by default, -n).
void register_check(CLI::App& app, int& exit_code, bool kubectl_plugin = false);
void register_resolv_conf(CLI::App& app, int& exit_code);
void register_lookup(CLI::App& app, int& exit_code);
void register_explain(CLI::App& app, int& exit_code, bool kubectl_plugin = false);

}  // namespace vmdns::cli
