// vmdns records: the whole zone in master-file format, as vmdns would serve it.

#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
#include "zone/build.h"
#include "zone/zone_text.h"

namespace vmdns::cli {

void register_records(CLI::App& app, int& exit_code) {
  struct Options {
    SourceOptions sources;
    ZoneOptions zones;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "records", "Print every record vmdns serves for the manifests, in RFC 1035 master-file "
                 "format, sorted (one zone after the other)");
  add_source_options(*command, options->sources);
  add_zone_options(*command, options->zones);
  command->callback([options, &exit_code] {
    std::string error;
    auto config = make_zone_config(options->zones, "127.0.0.1", &error);
    if (!config) {
      std::cerr << "vmdns records: " << error << "\n";
      exit_code = 2;
      return;
    }
    sources::LoadResult loaded = load_and_log(options->sources);
    auto snapshot = zone::build(loaded.state, *config);
    for (const dns::Name& apex : config->zones) {
      const zone::Zone* zone = snapshot->find_zone(apex);
      std::cout << "; zone " << apex.to_text() << "\n";
      zone::write_zone_text(*zone, std::cout);
    }
    std::cout.flush();
  });
}

}  // namespace vmdns::cli
