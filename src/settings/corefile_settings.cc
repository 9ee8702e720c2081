#include "settings/corefile_settings.h"

#include <map>
#include <set>

#include "corefile/load.h"
#include "settings/corefile_translation.h"

namespace vmdns::settings {
namespace corefile_translation {

bool Translation::has_flag(const std::string& flag) const {
  return command_.get_option_no_throw(flag) != nullptr;
}

bool Translation::add(const std::string& flag, const std::vector<std::string>& values,
                      const Token& at, const std::string& what) {
  if (!has_flag(flag)) {
    return fail(at, what + " is not supported by vmdns");
  }
  auto [it, added] = settings_.try_emplace(flag);
  ConfigSetting& setting = it->second;
  if (added) {
    setting.line = at.line;
    setting.where = at.where() + ": " + what;
  }
  setting.values.insert(setting.values.end(), values.begin(), values.end());
  return true;
}

bool Translation::fail(const Token& at, const std::string& why) {
  *error_ = at.where() + ": " + why;
  return false;
}

bool Translation::fail_with(const std::string& error) {
  *error_ = error;
  return false;
}

bool Translation::unsupported_plugin(const Directive& directive) {
  return fail(directive.name, "plugin \"" + directive.name.text + "\" is not supported by vmdns");
}

bool Translation::unsupported(const std::string& plugin, const Token& word) {
  return fail(word, plugin + ": \"" + word.text + "\" is not supported by vmdns");
}

bool Translation::expect_no_block(const Directive& directive) {
  if (directive.has_block && !directive.block.empty()) {
    return unsupported(directive.name.text, directive.block.front().name);
  }
  return true;
}

bool Translation::expect_args(const Directive& directive, size_t low, size_t high) {
  if (directive.args.size() > high) {
    return unsupported(directive.name.text, directive.args[high]);
  }
  if (directive.args.size() < low) {
    return fail(directive.name, directive.name.text + ": expected " + std::to_string(low) +
                                    " argument(s), got " + std::to_string(directive.args.size()));
  }
  return true;
}

bool BlockZones::root() const {
  for (const ServerKey& key : keys) {
    if (key.is_root()) {
      return true;
    }
  }
  return false;
}

std::string flag_zone(const std::string& zone) {
  if (zone.size() > 1 && zone.back() == '.') {
    return zone.substr(0, zone.size() - 1);
  }
  return zone;
}

namespace {

// An HTTP listener's address as CoreDNS writes it (":8080", "localhost:9153", "[::]:8181") ->
// --*-listen's ADDR:PORT; an empty host is every address there too.
std::optional<std::string> listener_address(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return std::nullopt;
  }
  std::string host = text.substr(0, colon);
  std::string port = text.substr(colon + 1);
  if (host == "localhost") {
    host = "127.0.0.1";
  }
  return host + ":" + port;
}

// The walk over the server blocks: each directive to its translator, then the settings that
// depend on the whole file.
class Walk {
 public:
  Walk(Translation& t, std::string path) : t_(t), path_(std::move(path)) {}

  bool run(const corefile::Corefile& corefile, CorefileSettings& out) {
    for (const corefile::ServerBlock& block : corefile.blocks) {
      if (!server_block(block)) {
        return false;
      }
    }
    return finish(corefile, out);
  }

 private:
  bool server_block(const corefile::ServerBlock& block) {
    BlockZones zones;
    std::string why;
    for (const Token& key : block.keys) {
      auto parsed = corefile::parse_server_key(key, &why);
      if (!parsed) {
        return t_.fail_with(why);
      }
      if (port_ && parsed->port != *port_) {
        return t_.fail(key, "server block key \"" + key.text + "\": vmdns serves one port, and " +
                                port_at_->where() + " chose " + std::to_string(*port_));
      }
      port_ = parsed->port;
      port_at_ = key;
      zones.keys.push_back(*parsed);
    }
    if (zones.root()) {
      if (root_) {
        return t_.fail(block.keys.front(), "a second server block for the root zone \".\"");
      }
      root_ = true;
    }
    std::set<std::string> seen;
    for (const Directive& d : block.directives) {
      const std::string& name = d.name.text;
      if (name != "forward" && !seen.insert(name).second) {
        return t_.fail(d.name, "plugin \"" + name + "\" appears twice in this server block");
      }
      if (!directive(d, zones)) {
        return false;
      }
    }
    return true;
  }

  bool directive(const Directive& d, const BlockZones& zones) {
    const std::string& name = d.name.text;
    if (name == "kubernetes") {
      if (gathered_.kubernetes) {
        return t_.fail(d.name, "a second kubernetes plugin: vmdns serves one cluster");
      }
      return translate_kubernetes(t_, d, zones, gathered_);
    }
    if (name == "forward") {
      return translate_forward(t_, d, zones, gathered_);
    }
    if (name == "cache") {
      return translate_cache(t_, d, zones, gathered_);
    }
    if (name == "hosts") {
      return translate_hosts(t_, d, zones);
    }
    if (name == "transfer") {
      return translate_transfer(t_, d, zones, gathered_);
    }
    if (name == "health" || name == "ready" || name == "prometheus") {
      return listener(d);
    }
    if (name == "autopath") {
      if (d.args.size() != 1 || d.args[0].text != "@kubernetes") {
        return d.args.empty() ? t_.fail(d.name, "autopath: expected @kubernetes")
                              : t_.unsupported("autopath", d.args[d.args[0].text == "@kubernetes"]);
      }
      return t_.expect_no_block(d) && switch_once("--autopath", d, "autopath");
    }
    if (name == "log") {
      if (!d.args.empty() && (d.args.size() > 1 || d.args[0].text != ".")) {
        return t_.unsupported("log", d.args[d.args[0].text == "." ? 1 : 0]);
      }
      return t_.expect_no_block(d) && switch_once("--log-queries", d, "log");
    }
    if (name == "errors" || name == "loop") {
      // errors: vmdns logs its errors always; loop: vmdns's own queries carry a token that
      // detects a forwarding loop (README, Forwarding).
      return t_.expect_args(d, 0, 0) && t_.expect_no_block(d);
    }
    if (name == "reload") {
      reload_ = true;
      return t_.expect_args(d, 0, 2) && t_.expect_no_block(d);
    }
    if (name == "loadbalance") {
      if (!d.args.empty() && d.args[0].text != "round_robin") {
        return t_.unsupported("loadbalance", d.args[0]);
      }
      return t_.expect_args(d, 0, 1) && t_.expect_no_block(d) &&
             switch_once("--loadbalance", d, "loadbalance");
    }
    if (name == "bind") {
      return bind(d);
    }
    return t_.unsupported_plugin(d);
  }

  bool switch_once(const std::string& flag, const Directive& d, const std::string& what) {
    if (t_.settings().contains(flag)) {
      return true;  // the same plugin in another block
    }
    return t_.add(flag, {}, d.name, what);
  }

  // health [ADDR] { lameduck DURATION }, ready [ADDR], prometheus [ADDR]: one listener each,
  // shared by every block that names it.
  bool listener(const Directive& d) {
    static const std::map<std::string, std::pair<std::string, std::string>> kListeners = {
        {"health", {"--health-listen", ":8080"}},
        {"ready", {"--ready-listen", ":8181"}},
        {"prometheus", {"--metrics-listen", "localhost:9153"}},
    };
    const auto& [flag, fallback] = kListeners.at(d.name.text);
    if (!t_.expect_args(d, 0, 1)) {
      return false;
    }
    if (d.name.text == "health") {
      for (const Directive& option : d.block) {
        if (option.name.text != "lameduck") {
          return t_.unsupported("health", option.name);
        }
        if (!t_.expect_args(option, 1, 1) || !t_.expect_no_block(option) ||
            !t_.add("--lameduck", {option.args[0].text}, option.name, "health lameduck")) {
          return false;
        }
      }
    } else if (!t_.expect_no_block(d)) {
      return false;
    }
    std::string written = d.args.empty() ? fallback : d.args[0].text;
    auto address = listener_address(written);
    if (!address) {
      return t_.fail(d.args.empty() ? d.name : d.args[0],
                     d.name.text + ": \"" + written + "\" is not ADDR:PORT");
    }
    auto it = t_.settings().find(flag);
    if (it != t_.settings().end()) {
      if (it->second.values != std::vector<std::string>{*address}) {
        return t_.fail(d.name, d.name.text + ": vmdns has one " + d.name.text +
                                   " listener, and another block chose " + it->second.values[0]);
      }
      return true;
    }
    return t_.add(flag, {*address}, d.name, d.name.text);
  }

  // bind ADDR: the one address vmdns listens on.
  bool bind(const Directive& d) {
    if (d.args.empty()) {
      return t_.fail(d.name, "bind: expected an address");
    }
    if (d.args.size() > 1) {
      return t_.fail(d.args[1], "bind: vmdns listens on one address (--listen), not several");
    }
    if (!t_.expect_no_block(d)) {
      return false;
    }
    if (bind_ && bind_->text != d.args[0].text) {
      return t_.fail(d.args[0], "bind: vmdns listens on one address, and " + bind_->where() +
                                    " chose " + bind_->text);
    }
    bind_ = d.args[0];
    return true;
  }

  bool finish(const corefile::Corefile& corefile, CorefileSettings& out) {
    if (corefile.blocks.empty()) {
      return t_.fail_with(path_ + ": no server block: expected .:53 { kubernetes ... }");
    }
    const Token& first = corefile.blocks.front().keys.front();
    if (!gathered_.kubernetes) {
      return t_.fail(first,
                     "no kubernetes plugin: vmdns serves a cluster's names, and needs "
                     "its zone (kubernetes cluster.local in-addr.arpa ip6.arpa)");
    }
    if (!finish_transfer(t_, gathered_)) {
      return false;
    }
    std::string host = "0.0.0.0";
    if (bind_) {
      host = bind_->text.find(':') != std::string::npos ? "[" + bind_->text + "]" : bind_->text;
    }
    if (!t_.add("--listen", {host + ":" + std::to_string(*port_)}, bind_ ? *bind_ : *port_at_,
                bind_ ? "bind" : "server block key")) {
      return false;
    }
    if (!gathered_.root_forward && !t_.add("--no-upstream", {}, first, "no forward for \".\"")) {
      return false;
    }
    if (!gathered_.cache && !t_.add("--cache-size", {"0"}, first, "no cache plugin")) {
      return false;
    }
    for (const char* flag : {"--health-listen", "--ready-listen", "--metrics-listen"}) {
      if (!t_.settings().contains(flag) && !t_.add(flag, {"none"}, first, "no such plugin")) {
        return false;
      }
    }
    if (!gathered_.kubeconfig && !t_.add("--in-cluster", {}, first, "kubernetes")) {
      return false;
    }
    out.reload = reload_;
    return true;
  }

  Translation& t_;
  Gathered gathered_;
  std::optional<uint16_t> port_;
  std::optional<Token> port_at_;
  std::optional<Token> bind_;
  bool root_ = false;
  bool reload_ = false;
  std::string path_;
};

}  // namespace
}  // namespace corefile_translation

std::optional<CorefileSettings> corefile_settings(const corefile::Corefile& corefile,
                                                  const std::string& path, const CLI::App& command,
                                                  const corefile::FileAccess& files,
                                                  std::string* error) {
  corefile_translation::Translation t(command, files, error);
  CorefileSettings out;
  corefile_translation::Walk walk(t, path);
  if (!walk.run(corefile, out)) {
    return std::nullopt;
  }
  out.settings = std::move(t.settings());
  return out;
}

std::optional<CorefileSettings> read_corefile_settings(const std::string& path,
                                                       const corefile::FileAccess& files,
                                                       const GivenArguments& given,
                                                       std::string* error) {
  auto corefile = corefile::load(path, files, error);
  if (!corefile) {
    return std::nullopt;
  }
  ServeOptions unused;
  CLI::App flags("vmdns serve");
  add_serve_options(flags, unused);
  auto out = corefile_settings(*corefile, path, flags, files, error);
  if (!out) {
    return std::nullopt;
  }
  // What the command line chooses as a group: a source, or the upstreams.
  static const std::vector<std::set<std::string>> kGroups = {
      {"--filename", "--kubeconfig", "--context", "--in-cluster"},
      {"--upstream", "--no-upstream"},
  };
  for (const auto& group : kGroups) {
    bool given_one = std::any_of(group.begin(), group.end(), [&](const std::string& flag) {
      return given.flags.contains(flag);
    });
    if (given_one) {
      for (const std::string& flag : group) {
        out->settings.erase(flag);
      }
    }
  }
  return out;
}

SettingsReader corefile_reader(const std::string& path, corefile::FileAccess files,
                               const GivenArguments& given) {
  return
      [path, files = std::move(files), given](std::string* error) -> std::optional<ConfigSettings> {
        auto out = read_corefile_settings(path, files, given, error);
        if (!out) {
          return std::nullopt;
        }
        return std::move(out->settings);
      };
}

}  // namespace vmdns::settings
