#pragma once
// `vmdns serve --config FILE`: a YAML mapping of the same settings as serve's flags, named as
// the flags without their dashes. Flags given on the command line win over the file.
//
//   # /etc/vmdns/vmdns.yaml
//   filename: [/etc/vmdns/manifests]
//   zone: [cluster.local]
//   ttl: 30
//   reverse-zone: [10.96.0.0/12]
//   log-queries: true
//   lameduck: 5s
//
//   auto settings = parse_config_text(text, "vmdns.yaml", serve_command, &error);
//   std::vector<std::string> args = merged_arguments(*settings, given_arguments(serve_command));
//
// A scalar is one value, a list repeats the flag, true/false turn a switch on or off, an empty
// value leaves the default. Unknown keys, nested mappings and YAML syntax errors are errors that
// name the file, the line and the key; the caller keeps its previous settings then.

#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace vmdns::settings {

// One setting of the file: its values as flag arguments ({} for a switch turned on) and where.
struct ConfigSetting {
  ConfigSetting(std::vector<std::string> values = {}, int line = 0, std::string where = {})
      : values(std::move(values)), line(line), where(std::move(where)) {}

  std::vector<std::string> values;
  int line = 0;  // 1-based
  // Where it comes from, for errors, when not "<file>: line N": "Corefile:12: kubernetes ttl".
  std::string where;
  bool operator==(const ConfigSetting& other) const { return values == other.values; }
};

// By flag: "--ttl" -> {{"30"}, 3}.
using ConfigSettings = std::map<std::string, ConfigSetting>;

// `command` knows the flags (serve's); `path` names the file in errors.
std::optional<ConfigSettings> parse_config_text(const std::string& text, const std::string& path,
                                                const CLI::App& command, std::string* error);
std::optional<ConfigSettings> read_config_file(const std::string& path, const CLI::App& command,
                                               std::string* error);

// What was given on the command line of the parsed `command`, as arguments again, and the
// flags' names (so that the file cannot override them).
struct GivenArguments {
  std::vector<std::string> arguments;
  std::set<std::string> flags;  // "--ttl"
};
GivenArguments given_arguments(const CLI::App& command);

// The file's settings for the flags not given on the command line, then the command line.
std::vector<std::string> merged_arguments(const ConfigSettings& settings,
                                          const GivenArguments& given);

// The flags whose settings differ between two readings of the file ("--ttl"), those given on the
// command line left out (they win over either reading).
std::set<std::string> changed_settings(const ConfigSettings& before, const ConfigSettings& after,
                                       const GivenArguments& given);

}  // namespace vmdns::settings
