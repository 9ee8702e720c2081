#include "settings/serve_config.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

namespace vmdns::settings {
namespace {

// CLI11 parses a vector of arguments given last-first.
std::optional<ServeOptions> parse_arguments(std::vector<std::string> arguments,
                                            std::string* error) {
  auto options = std::make_unique<ServeOptions>();
  CLI::App command("vmdns serve");
  add_serve_options(command, *options);
  std::reverse(arguments.begin(), arguments.end());
  try {
    command.parse(arguments);
  } catch (const CLI::ParseError& e) {
    *error = e.what();
    return std::nullopt;
  }
  return std::move(*options);
}

std::string joined(const std::set<std::string>& flags) {
  std::string out;
  for (const std::string& flag : flags) {
    out += (out.empty() ? "" : ", ") + flag.substr(2);
  }
  return out;
}

}  // namespace

SettingsReader config_file_reader(const std::string& path) {
  return [path](std::string* error) {
    ServeOptions unused;
    CLI::App flags("vmdns serve");
    add_serve_options(flags, unused);
    return read_config_file(path, flags, error);
  };
}

std::optional<LoadedServeConfig> load_serve_config(const std::string& path,
                                                   const GivenArguments& given,
                                                   std::string* error) {
  return load_serve_settings(path, config_file_reader(path), given, error);
}

std::optional<LoadedServeConfig> load_serve_settings(const std::string& path,
                                                     const SettingsReader& read,
                                                     const GivenArguments& given,
                                                     std::string* error) {
  auto settings = read(error);
  if (!settings) {
    return std::nullopt;
  }
  auto options = parse_arguments(merged_arguments(*settings, given), error);
  if (!options) {
    // Name the setting the flags refuse: the first one that fails on its own.
    for (const auto& [flag, setting] : *settings) {
      if (given.flags.contains(flag)) {
        continue;
      }
      ConfigSettings one{{flag, setting}};
      std::string why;
      if (!parse_arguments(merged_arguments(one, {}), &why)) {
        *error = setting.where.empty() ? path + ": line " + std::to_string(setting.line) + ": " +
                                             flag.substr(2) + ": " + why
                                       : setting.where + ": " + flag + ": " + why;
        return std::nullopt;
      }
    }
    *error = path + ": " + *error;
    return std::nullopt;
  }
  return LoadedServeConfig{std::move(*options), std::move(*settings)};
}

bool reloadable_setting(const std::string& flag, bool api_source) {
  static const std::set<std::string> kAlways = {
      "--zone",         "--ttl",         "--negative-ttl",       "--advertise-address",
      "--reverse-zone", "--fallthrough", "--endpoint-pod-names", "--ignore-empty-service",
      "--vm-zone",      "--vm-zone-ttl", "--vm-zone-pod-network", "--log-queries",
      "--lameduck"};
  if (kAlways.contains(flag)) {
    return true;
  }
  return !api_source && (flag == "--namespaces" || flag == "--pods");
}

ConfigReloader::ConfigReloader(std::string path, GivenArguments given, LoadedServeConfig loaded,
                               bool api_source, Apply apply)
    : ConfigReloader("--config", path, config_file_reader(path), std::move(given),
                     std::move(loaded), api_source, std::move(apply)) {}

ConfigReloader::ConfigReloader(std::string label, std::string path, SettingsReader read,
                               GivenArguments given, LoadedServeConfig loaded, bool api_source,
                               Apply apply)
    : label_(std::move(label)),
      path_(std::move(path)),
      read_(std::move(read)),
      given_(std::move(given)),
      api_source_(api_source),
      apply_(std::move(apply)),
      settings_(std::move(loaded.settings)) {}

bool ConfigReloader::reload() {
  std::lock_guard lock(mutex_);
  std::string error;
  auto loaded = load_serve_settings(path_, read_, given_, &error);
  if (!loaded) {
    spdlog::error("{}: {}; the settings in force are kept", label_, error);
    return false;
  }
  std::set<std::string> changed = changed_settings(settings_, loaded->settings, given_);
  if (changed.empty()) {
    spdlog::info("{} {}: no setting changed", label_, path_);
    return true;
  }
  std::set<std::string> now;
  std::set<std::string> later;
  for (const std::string& flag : changed) {
    (reloadable_setting(flag, api_source_) ? now : later).insert(flag);
  }
  if (!now.empty() && !apply_(loaded->options, now, &error)) {
    spdlog::error("{} {}: {}; the settings in force are kept", label_, path_, error);
    return false;
  }
  if (!now.empty()) {
    spdlog::info("{} {}: applied {}", label_, path_, joined(now));
  }
  if (!later.empty()) {
    spdlog::warn("{} {}: {} changed: needs a restart to take effect", label_, path_, joined(later));
  }
  settings_ = std::move(loaded->settings);
  return true;
}

}  // namespace vmdns::settings
