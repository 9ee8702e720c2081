// The Corefile's hosts plugin into serve's --host and --hosts-* flags. See corefile_settings.h.

#include <arpa/inet.h>

#include "settings/corefile_translation.h"

namespace vmdns::settings::corefile_translation {
namespace {

bool is_ip(const std::string& text) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

std::string words_joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) {
    out += (out.empty() ? "" : " ") + word;
  }
  return out;
}

}  // namespace

bool translate_hosts(Translation& t, const Directive& d, const BlockZones& zones) {
  // vmdns's entries answer every name our zones do not have: as hosts in the root block.
  if (!zones.root()) {
    return t.fail(d.name,
                  "hosts: vmdns has one set of hosts entries, for every zone; hosts in "
                  "a block other than the root's (.) is not supported by vmdns");
  }
  std::string file = d.args.empty() ? "/etc/hosts" : d.args[0].text;
  for (size_t i = 1; i < d.args.size(); ++i) {
    if (corefile::normalize_zone(d.args[i].text) != ".") {
      return t.unsupported("hosts", d.args[i]);
    }
  }
  bool fallthrough = false;
  for (const Directive& option : d.block) {
    const std::string& name = option.name.text;
    if (!t.expect_no_block(option)) {
      return false;
    }
    bool ok = true;
    if (is_ip(name)) {
      std::vector<std::string> words{name};
      for (const Token& arg : option.args) {
        words.push_back(arg.text);
      }
      ok = t.expect_args(option, 1, 1000) &&
           t.add("--host", {words_joined(words)}, option.name, "hosts entry");
    } else if (name == "ttl") {
      ok = t.expect_args(option, 1, 1) &&
           t.add("--hosts-ttl", {option.args[0].text}, option.name, "hosts ttl");
    } else if (name == "reload") {
      ok = t.expect_args(option, 1, 1) &&
           t.add("--hosts-reload", {option.args[0].text}, option.name, "hosts reload");
    } else if (name == "fallthrough") {
      fallthrough = true;
      if (!option.args.empty()) {
        return t.unsupported("hosts fallthrough", option.args[0]);
      }
    } else {
      return t.unsupported("hosts", option.name);
    }
    if (!ok) {
      return false;
    }
  }
  if (!fallthrough) {
    return t.fail(d.name,
                  "hosts without fallthrough is not supported by vmdns (CoreDNS then "
                  "answers SERVFAIL for every other name of its zones)");
  }
  return t.add("--hosts-file", {file}, d.name, "hosts");
}

}  // namespace vmdns::settings::corefile_translation
