// libFuzzer target: a --config file's text -> serve's settings or an error naming its line.
// Whatever the bytes, reading must neither crash nor throw, and the settings it accepts must
// merge into arguments that serve's own flag parser takes or refuses with an error.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "settings/config_file.h"
#include "settings/serve_options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmdns::settings;
  static ServeOptions flags_options;
  static CLI::App* flags = [] {
    auto* app = new CLI::App("vmdns serve");
    add_serve_options(*app, flags_options);
    return app;
  }();
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto settings = parse_config_text(text, "fuzz.yaml", *flags, &error);
  if (!settings) {
    return 0;
  }
  ServeOptions options;
  CLI::App command("vmdns serve");
  add_serve_options(command, options);
  std::vector<std::string> arguments = merged_arguments(*settings, {});
  std::reverse(arguments.begin(), arguments.end());
  try {
    command.parse(arguments);
  } catch (const CLI::ParseError&) {
  }
  (void)changed_settings(*settings, {}, {});
  return 0;
}
