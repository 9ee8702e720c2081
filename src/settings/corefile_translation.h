#pragma once
// What the Corefile translation's files share: the settings being built, the errors, and the
// plugins' own translators (corefile_plugins.cc). Internal to cli/.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "corefile/corefile.h"
#include "corefile/file_access.h"
#include "corefile/server_key.h"
#include "settings/config_file.h"

namespace vmdns::settings::corefile_translation {

using corefile::Directive;
using corefile::ServerKey;
using corefile::Token;

class Translation {
 public:
  Translation(const CLI::App& command, const corefile::FileAccess& files, std::string* error)
      : command_(command), files_(files), error_(error) {}

  bool has_flag(const std::string& flag) const;
  // Appends `values` to `flag` ({} for a switch), set at `at` by `what` ("kubernetes ttl").
  // False with the error set when vmdns has no such flag: `what` is not supported.
  bool add(const std::string& flag, const std::vector<std::string>& values, const Token& at,
           const std::string& what);
  bool fail(const Token& at, const std::string& why);
  bool fail_with(const std::string& error);  // an error that names its place itself
  bool unsupported_plugin(const Directive& directive);
  // `plugin`'s option or argument `word` ("forward", "policy").
  bool unsupported(const std::string& plugin, const Token& word);
  bool expect_no_block(const Directive& directive);
  bool expect_args(const Directive& directive, size_t low, size_t high);

  const corefile::FileAccess& files() const { return files_; }
  ConfigSettings& settings() { return settings_; }

 private:
  const CLI::App& command_;
  const corefile::FileAccess& files_;
  std::string* error_;
  ConfigSettings settings_;
};

// The zones a plugin in a block serves: its own arguments, else the block's keys.
struct BlockZones {
  std::vector<ServerKey> keys;
  bool root() const;
};

// What the blocks' plugins found, gathered for the flags that several plugins or blocks set.
struct Gathered {
  bool kubernetes = false;
  bool kubeconfig = false;
  bool root_forward = false;   // `forward .` in the root block
  std::optional<Token> cache;  // the first cache directive
  std::string cache_text;      // its words, to compare with other blocks' caches
  // The kubernetes plugin's zones: "cluster.local.", or a reverse zone's CIDR as written.
  std::vector<std::string> served;
  // Each transfer plugin: where, its zones (as `served`), its addresses as flags.
  struct Transfer {
    Token at;
    std::vector<std::string> zones;
    std::vector<std::string> allow;   // --allow-transfer
    std::vector<std::string> notify;  // --notify
  };
  std::vector<Transfer> transfers;
};

bool translate_kubernetes(Translation& t, const Directive& d, const BlockZones& zones,
                          Gathered& gathered);
bool translate_forward(Translation& t, const Directive& d, const BlockZones& zones,
                       Gathered& gathered);
bool translate_cache(Translation& t, const Directive& d, const BlockZones& zones,
                     Gathered& gathered);
bool translate_hosts(Translation& t, const Directive& d, const BlockZones& zones);
// transfer [ZONES...] { to ADDRESS... } -> --allow-transfer and --notify (corefile_transfer.cc);
// finish_transfer checks, once every block is read, that the zones are those vmdns serves.
bool translate_transfer(Translation& t, const Directive& d, const BlockZones& zones,
                        Gathered& gathered);
bool finish_transfer(Translation& t, const Gathered& gathered);

// "example.com." -> "example.com", "." stays.
std::string flag_zone(const std::string& zone);

}  // namespace vmdns::settings::corefile_translation
