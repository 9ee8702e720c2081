// vmdns check: validate manifests and report every problem, for CI pipelines and humans.

#include <iostream>

#include "cli/commands.h"
#include "settings/options.h"
#include "explain/mistakes.h"

namespace vmdns::cli {

void register_check(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<settings::SourceOptions>();
  auto strict = std::make_shared<bool>(false);
  CLI::App* command = app.add_subcommand(
      "check", "Validate manifests: print every problem (file, document, object, field) and "
               "exit 1 if there is an error");
  settings::add_source_options(*command, *options);
  command->add_flag("--strict", *strict, "Exit 1 on warnings too (for CI pipelines)");
  command->callback([options, strict, &exit_code] {
    sources::LoadResult loaded = sources::load_manifests(options->files);
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
    std::cout << "checked " << loaded.files << " file(s): " << loaded.objects << " object(s), "
              << loaded.skipped << " skipped, " << errors << " error(s), " << warnings
              << " warning(s)\n";
    exit_code = errors > 0 || (*strict && warnings > 0) ? 1 : 0;
  });
}

}  // namespace vmdns::cli
