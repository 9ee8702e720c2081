// vmdns check: validate manifests and report every problem, for CI pipelines and humans.

#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"

namespace vmdns::cli {

void register_check(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<SourceOptions>();
  CLI::App* command = app.add_subcommand(
      "check", "Validate manifests: print every problem (file, document, object, field) and "
               "exit 1 if there is an error");
  add_source_options(*command, *options);
  command->callback([options, &exit_code] {
    sources::LoadResult loaded = sources::load_manifests(options->files);
    size_t errors = 0;
    size_t warnings = 0;
    for (const cluster::Diagnostic& d : loaded.diagnostics) {
      std::cout << d.to_string() << "\n";
      (d.severity == cluster::Severity::Error ? errors : warnings)++;
    }
    std::cout << "checked " << loaded.files << " file(s): " << loaded.objects << " object(s), "
              << loaded.skipped << " skipped, " << errors << " error(s), " << warnings
              << " warning(s)\n";
    exit_code = errors > 0 ? 1 : 0;
  });
}

}  // namespace vmdns::cli
