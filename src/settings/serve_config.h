#pragma once
// --config FILE for `vmdns serve`: the file's settings under the command line's, read at start
// and again on SIGHUP or when the file changes. A reload applies what can change while serving
// (the zone settings, --log-queries, --lameduck) and names the settings that need a restart
// (listen addresses, threads, upstreams, the sources); an invalid file changes nothing.
//
//   auto loaded = load_serve_config(path, given_arguments(command), &error);   // at start
//   ConfigReloader reloader(path, given, *loaded, /*api_source=*/false, apply);
//   reloader.reload();   // SIGHUP, or the file changed: logs what it did

#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "settings/config_file.h"
#include "settings/serve_options.h"

namespace vmdns::settings {

struct LoadedServeConfig {
  ServeOptions options;     // the command line over the file
  ConfigSettings settings;  // the file's own settings, as read
};

// Reads a file's settings (flag -> values): a --config YAML file or a --corefile Corefile.
using SettingsReader = std::function<std::optional<ConfigSettings>(std::string* error)>;

// Reads the settings of `path` with `read` and parses them under the command line's `given`
// arguments, as serve's flags. A setting that the flags refuse is reported with its line:
// "vmdns.yaml: line 3: ttl: ..." (or the setting's own `where`).
std::optional<LoadedServeConfig> load_serve_settings(const std::string& path,
                                                     const SettingsReader& read,
                                                     const GivenArguments& given,
                                                     std::string* error);

// The same for a --config YAML file.
std::optional<LoadedServeConfig> load_serve_config(const std::string& path,
                                                   const GivenArguments& given, std::string* error);
SettingsReader config_file_reader(const std::string& path);

// The settings a running server takes without a restart ("--ttl", ...). With the Kubernetes API
// as a source, --namespaces and --pods choose what is watched, and need a restart.
bool reloadable_setting(const std::string& flag, bool api_source);

class ConfigReloader {
 public:
  // `apply` gets the new options and the flags that changed and can be applied; it returns
  // false with `error` set to refuse them (the old settings stay).
  using Apply = std::function<bool(const ServeOptions& options,
                                   const std::set<std::string>& changed, std::string* error)>;

  // A --config YAML file.
  ConfigReloader(std::string path, GivenArguments given, LoadedServeConfig loaded, bool api_source,
                 Apply apply);
  // Any settings file: `label` names the flag in logs ("--corefile").
  ConfigReloader(std::string label, std::string path, SettingsReader read, GivenArguments given,
                 LoadedServeConfig loaded, bool api_source, Apply apply);

  // Reads the file again; true when it was valid (whether or not anything changed). Safe to
  // call from any thread; calls are serialised.
  bool reload();

 private:
  const std::string label_;
  const std::string path_;
  const SettingsReader read_;
  const GivenArguments given_;
  const bool api_source_;
  const Apply apply_;
  std::mutex mutex_;  // serialises reload(); guards settings_
  ConfigSettings settings_;
};

}  // namespace vmdns::settings
