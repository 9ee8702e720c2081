// vmdns records: the whole zone in master-file format, as vmdns would serve it.

#include <algorithm>
#include <iostream>

#include "cli/commands.h"
#include "settings/options.h"
#include "builder/build.h"
#include "zone/zone_text.h"

namespace vmdns::cli {

void register_records(CLI::App& app, int& exit_code) {
  struct Options {
    settings::SourceOptions sources;
    settings::ZoneOptions zones;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "records",
      "Print every record vmdns serves for the manifests, in RFC 1035 master-file "
      "format, sorted (one zone after the other)");
  settings::add_source_options(*command, options->sources);
  settings::add_zone_options(*command, options->zones);
  command->callback([options, &exit_code] {
    std::string error;
    auto config = settings::make_zone_config(options->zones, "127.0.0.1", &error);
    if (!config) {
      std::cerr << "vmdns records: " << error << "\n";
      exit_code = 2;
      return;
    }
    sources::LoadResult loaded = settings::load_and_log(options->sources);
    auto snapshot = builder::build(loaded.state, *config);
    // The cluster zones in the order given, then the --vm-zone, then the reverse zones, each
    // after a "; zone" line.
    std::vector<dns::Name> apexes = config->zones;
    if (config->vm_zone) {
      apexes.push_back(*config->vm_zone);
    }
    apexes.insert(apexes.end(), config->reverse_zones.begin(), config->reverse_zones.end());
    std::vector<dns::Name> printed;
    for (const dns::Name& apex : apexes) {
      const zone::Zone* zone = snapshot->find_zone(apex);
      if (zone == nullptr || std::find(printed.begin(), printed.end(), apex) != printed.end()) {
        continue;  // a zone given twice (as a name and as a CIDR) is printed once
      }
      printed.push_back(apex);
      std::cout << "; zone " << apex.to_text() << "\n";
      zone::write_zone_text(*zone, std::cout);
    }
    std::cout.flush();
  });
}

}  // namespace vmdns::cli
