// libFuzzer target: a Corefile's text -> its words, server blocks and serve's settings, or an
// error naming its line. Whatever the bytes, reading must neither crash nor throw; every error
// names a place; every word of the blocks sits on a line of the file; and the settings it
// accepts merge into arguments that serve's own flag parser takes or refuses.
//
// Imports read from a small in-memory tree (a snippet file, a glob of two files, an import of
// the Corefile itself), so that the fuzzer explores the splicing too.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "corefile/imports.h"
#include "corefile/parser.h"
#include "fuzz_check.h"
#include "settings/corefile_settings.h"
#include "settings/serve_options.h"

namespace {

using vmdns::fuzz::check;

void check_lines(const std::vector<vmdns::corefile::Directive>& directives) {
  for (const auto& d : directives) {
    check(d.name.line >= 1);
    for (const auto& arg : d.args) {
      check(arg.line >= d.name.line);
    }
    check_lines(d.block);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmdns;
  std::string text(reinterpret_cast<const char*>(data), size);
  const std::string path = "/etc/coredns/Corefile";
  corefile::FileAccess files = corefile::memory_file_access(
      {{path, text},
       {"/etc/coredns/custom/a.server", "example.com:53 {\n forward . 10.0.0.1\n}\n"},
       {"/etc/coredns/custom/b.override", "log\n"},
       {"/etc/coredns/snippet", "(s) {\n errors\n}\n"},
       {"/etc/upstream.conf", "nameserver 192.0.2.1\n"}},
      [](const std::string& name) {
        return name == "DOMAIN" ? std::optional<std::string>("cluster.local") : std::nullopt;
      });
  std::string error;
  auto words = corefile::read_words(path, files, &error);
  if (!words) {
    check(!error.empty());
    return 0;
  }
  auto parsed = corefile::parse(*words, &error);
  if (!parsed) {
    check(error.find(':') != std::string::npos);
    return 0;
  }
  for (const auto& block : parsed->blocks) {
    check(!block.keys.empty());
    check_lines(block.directives);
  }
  auto settings = settings::read_corefile_settings(path, files, {}, &error);
  if (!settings) {
    check(error.rfind("/etc/coredns/", 0) == 0);
    return 0;
  }
  settings::ServeOptions options;
  CLI::App command("vmdns serve");
  settings::add_serve_options(command, options);
  std::vector<std::string> arguments = settings::merged_arguments(settings->settings, {});
  std::reverse(arguments.begin(), arguments.end());
  try {
    command.parse(arguments);
  } catch (const CLI::ParseError&) {
  }
  return 0;
}
