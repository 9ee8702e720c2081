#pragma once
// `vmdns serve --corefile FILE`: a CoreDNS Corefile read as serve's settings, so that a cluster's
// `coredns` ConfigMap can be mounted as it is. Each plugin and each of its options becomes the
// flags that do the same (kubernetes -> --zone, --reverse-zone, --pods, --ttl, ...; forward ->
// --upstream, or --stub-domain in a block of its own zone; cache -> the cache flags; health,
// ready, prometheus -> the HTTP listeners), each setting remembering its file and line. A plugin
// or an option vmdns does not have is an error, never ignored:
//
//   Corefile:14: plugin "rewrite" is not supported by vmdns
//
//   auto read = corefile_reader(path, system_file_access(), given);
//   auto loaded = load_serve_settings(path, read, given, &error);   // cli/serve_config.h
//
// Flags given on the command line win over the Corefile. A source given there (-f, --kubeconfig,
// --in-cluster) replaces the Corefile's (its kubernetes plugin means --in-cluster, or
// --kubeconfig when it names one), and --upstream or --no-upstream replaces its forward.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "corefile/corefile.h"
#include "corefile/file_access.h"
#include "settings/config_file.h"
#include "settings/serve_config.h"

namespace vmdns::settings {

struct CorefileSettings {
  ConfigSettings settings;
  bool reload = false;  // the reload plugin: follow the file's changes
};

// The settings of a parsed Corefile, as serve's flags (`command` knows them). `files` reads the
// files that forward names (a resolv.conf of upstreams).
std::optional<CorefileSettings> corefile_settings(const corefile::Corefile& corefile,
                                                  const std::string& path, const CLI::App& command,
                                                  const corefile::FileAccess& files,
                                                  std::string* error);

// Reads, parses and translates the Corefile at `path`; the settings the command line replaces
// (its source, its upstreams) are left out.
std::optional<CorefileSettings> read_corefile_settings(const std::string& path,
                                                       const corefile::FileAccess& files,
                                                       const GivenArguments& given,
                                                       std::string* error);

// read_corefile_settings() as a SettingsReader, for load_serve_settings() and ConfigReloader.
SettingsReader corefile_reader(const std::string& path, corefile::FileAccess files,
                               const GivenArguments& given);

}  // namespace vmdns::settings
