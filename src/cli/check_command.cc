// vmdns check: validate manifests and report every problem, for CI pipelines and humans.

#include <iostream>

#include "cli/commands.h"
#include "cli/object_sources.h"
#include "explain/mistakes.h"

namespace vmdns::cli {

void register_check(CLI::App& app, int& exit_code, bool kubectl_plugin) {
  auto options = std::make_shared<ObjectSources>();
  options->kubectl_plugin = kubectl_plugin;
  auto strict = std::make_shared<bool>(false);
  CLI::App* command = app.add_subcommand(
      "check", "Validate manifests or a live cluster: print every problem (file or API URL, "
               "document, object, field) and exit 1 if there is an error");
  add_object_sources(*command, *options);
  auto all_namespaces = std::make_shared<bool>(false);
  if (kubectl_plugin) {
    CLI::Option* ns = command->add_option(
        "-n,--namespace", options->namespace_name,
        "Check this namespace (default: the context's, else default)");
    command->add_flag("-A,--all-namespaces", *all_namespaces, "Check every namespace")
        ->excludes(ns);
  }
  command->add_flag("--strict", *strict, "Exit 1 on warnings too (for CI pipelines)");
  command->callback([options, strict, all_namespaces, &exit_code] {
    options->scoped = options->kubectl_plugin && !*all_namespaces;
    std::string error;
    // The launcher pods only: a Service that selects other Pods has its EndpointSlice, which
    // is enough for the check "selects nothing".
    auto objects = load_objects(*options, /*all_pods=*/false, &error);
    if (!objects) {
      std::cerr << "error: " << error << "\n";
      exit_code = 2;
      return;
    }
    sources::LoadResult& loaded = objects->loaded;
    // The mistakes that keep a VM's name from resolving, found before it runs.
    for (cluster::Diagnostic& d : explain::find_mistakes(loaded.state)) {
      loaded.diagnostics.push_back(std::move(d));
    }
    size_t errors = 0;
    size_t warnings = 0;
    for (const cluster::Diagnostic& d : loaded.diagnostics) {
      std::cout << d.to_string() << "\n";
      (d.severity == cluster::Severity::Error ? errors : warnings)++;
    }
    // Where the objects came from: "2 file(s)", the API server's URL, or both.
    std::string read = objects->server.empty() ? std::to_string(loaded.files) + " file(s)"
                       : options->files.empty()
                           ? objects->server
                           : std::to_string(loaded.files) + " file(s) and " + objects->server;
    if (options->scoped) {
      read += " namespace " + objects->namespace_name;
    }
    std::cout << "checked " << read << ": " << loaded.objects + objects->listed << " object(s), "
              << loaded.skipped << " skipped, " << errors << " error(s), " << warnings
              << " warning(s)\n";
    exit_code = errors > 0 || (*strict && warnings > 0) ? 1 : 0;
  });
}

}  // namespace vmdns::cli
