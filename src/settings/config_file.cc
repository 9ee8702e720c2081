#include "settings/config_file.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace vmdns::settings {
namespace {

// A flag that takes no value (--log-queries): true or false in the file.
bool is_switch(const CLI::Option& option) {
  return option.get_expected_max() == 0;
}

int line_of(const YAML::Node& node) {
  return node.Mark().line + 1;
}

std::string where(const std::string& path, const YAML::Node& node) {
  return path + ": line " + std::to_string(line_of(node));
}

// One entry of the mapping into `settings`; false with `error` set when it is not a setting.
bool read_setting(const std::string& path, const YAML::Node& key, const YAML::Node& value,
                  const CLI::App& command, ConfigSettings& settings, std::string* error) {
  if (!key.IsScalar()) {
    *error = where(path, key) + ": a setting's name must be a plain word";
    return false;
  }
  const std::string& name = key.Scalar();
  std::string flag = "--" + name;
  const CLI::Option* option = nullptr;
  if (!name.empty() && name.front() != '-' && name != "config" && name != "help") {
    option = command.get_option_no_throw(flag);
  }
  if (option == nullptr || option->get_lnames().empty() || option->get_lnames().front() != name) {
    *error = where(path, key) + ": unknown setting \"" + name +
             "\" (settings are serve's flags without their dashes: ttl, zone, upstream, ...)";
    return false;
  }
  if (settings.contains(flag)) {
    *error = where(path, key) + ": \"" + name + "\" is set twice";
    return false;
  }
  std::vector<std::string> values;
  if (value.IsScalar()) {
    values.push_back(value.Scalar());
  } else if (value.IsSequence()) {
    for (const YAML::Node& item : value) {
      if (!item.IsScalar()) {
        *error = where(path, item) + ": \"" + name + "\": expected a list of plain values";
        return false;
      }
      values.push_back(item.Scalar());
    }
  } else if (!value.IsNull()) {
    *error = where(path, value) + ": \"" + name + "\": expected a value or a list of values";
    return false;
  }
  if (is_switch(*option)) {
    bool on = false;
    if (!value.IsScalar() || !YAML::convert<bool>::decode(value, on)) {
      *error =
          where(path, value.IsNull() ? key : value) + ": \"" + name + "\": expected true or false";
      return false;
    }
    if (on) {
      settings[flag] = {{}, line_of(key)};
    }
    return true;
  }
  if (values.size() > 1 && option->get_expected_max() <= 1) {
    *error = where(path, value) + ": \"" + name + "\": takes one value, not a list";
    return false;
  }
  if (!values.empty()) {  // "zone:" with nothing: the default
    settings[flag] = {std::move(values), line_of(key)};
  }
  return true;
}

}  // namespace

std::optional<ConfigSettings> parse_config_text(const std::string& text, const std::string& path,
                                                const CLI::App& command, std::string* error) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    *error = path + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg;
    return std::nullopt;
  }
  ConfigSettings settings;
  if (root.IsNull()) {
    return settings;  // an empty file: nothing set
  }
  if (!root.IsMap()) {
    *error =
        where(path, root) + ": expected a mapping of settings (ttl: 30, zone: [cluster.local])";
    return std::nullopt;
  }
  try {
    for (const auto& entry : root) {
      if (!read_setting(path, entry.first, entry.second, command, settings, error)) {
        return std::nullopt;
      }
    }
  } catch (const YAML::Exception& e) {
    *error = path + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg;
    return std::nullopt;
  }
  return settings;
}

std::optional<ConfigSettings> read_config_file(const std::string& path, const CLI::App& command,
                                               std::string* error) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) {
    *error = path + ": cannot be read";
    return std::nullopt;
  }
  return parse_config_text(text.str(), path, command, error);
}

GivenArguments given_arguments(const CLI::App& command) {
  GivenArguments given;
  for (const CLI::Option* option : command.get_options()) {
    if (option->count() == 0 || option->get_lnames().empty()) {
      continue;
    }
    std::string flag = "--" + option->get_lnames().front();
    given.flags.insert(flag);
    if (is_switch(*option)) {
      given.arguments.push_back(flag);
      continue;
    }
    for (const std::string& value : option->results()) {
      given.arguments.push_back(flag + "=" + value);
    }
  }
  return given;
}

std::vector<std::string> merged_arguments(const ConfigSettings& settings,
                                          const GivenArguments& given) {
  std::vector<std::string> out;
  for (const auto& [flag, setting] : settings) {
    if (given.flags.contains(flag)) {
      continue;
    }
    if (setting.values.empty()) {
      out.push_back(flag);
    }
    for (const std::string& value : setting.values) {
      out.push_back(flag + "=" + value);
    }
  }
  out.insert(out.end(), given.arguments.begin(), given.arguments.end());
  return out;
}

std::set<std::string> changed_settings(const ConfigSettings& before, const ConfigSettings& after,
                                       const GivenArguments& given) {
  std::set<std::string> changed;
  auto compare = [&](const ConfigSettings& one, const ConfigSettings& other) {
    for (const auto& [flag, setting] : one) {
      auto it = other.find(flag);
      if (!given.flags.contains(flag) && (it == other.end() || !(it->second == setting))) {
        changed.insert(flag);
      }
    }
  };
  compare(before, after);
  compare(after, before);
  return changed;
}

}  // namespace vmdns::settings
