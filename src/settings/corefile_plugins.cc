// The Corefile plugins that carry most settings: kubernetes, forward and cache, each into serve's
// flags. See corefile_settings.h.

#include <arpa/inet.h>

#include <algorithm>
#include <sstream>

#include "settings/corefile_translation.h"

namespace vmdns::settings::corefile_translation {
namespace {

using corefile::is_within;
using corefile::normalize_zone;

bool is_reverse(const std::string& zone) {
  return is_within(zone, "in-addr.arpa.") || is_within(zone, "ip6.arpa.");
}

bool is_ip(const std::string& text) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

void add_unique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) {
    list.push_back(value);
  }
}

std::string joined(const std::vector<std::string>& words, char separator) {
  std::string out;
  for (const std::string& word : words) {
    out += (out.empty() ? "" : std::string(1, separator)) + word;
  }
  return out;
}

// A directive and its block as one line of words, to compare two blocks' caches.
std::string words_of(const Directive& d) {
  std::string out = d.name.text;
  for (const Token& arg : d.args) {
    out += " " + arg.text;
  }
  if (d.has_block) {
    out += " {";
    for (const Directive& option : d.block) {
      out += " " + words_of(option) + ";";
    }
    out += " }";
  }
  return out;
}

bool is_number(const std::string& text) {
  return !text.empty() && text.size() < 10 &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

// The nameservers of a resolv.conf-style file, as CoreDNS's forward reads one.
bool nameservers_of(Translation& t, const Token& path, std::vector<std::string>& out) {
  std::string why;
  auto text = t.files().read(path.text, &why);
  if (!text) {
    return t.fail(path, "forward: " + path.text + ": " + why);
  }
  std::istringstream lines(*text);
  std::string line;
  size_t before = out.size();
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string keyword;
    std::string address;
    if (words >> keyword >> address && keyword == "nameserver") {
      out.push_back(address.find(':') != std::string::npos ? "[" + address + "]" : address);
    }
  }
  if (out.size() == before) {
    return t.fail(path, "forward: " + path.text + " names no nameserver");
  }
  return true;
}

}  // namespace

bool translate_kubernetes(Translation& t, const Directive& d, const BlockZones& zones,
                          Gathered& gathered) {
  gathered.kubernetes = true;
  std::vector<std::string> cluster_zones;
  std::vector<std::string> reverse_zones;
  std::vector<std::string> all;  // for a fallthrough without zones
  auto add_zone = [&](const std::string& text, const Token& at) {
    if (text.find('/') != std::string::npos) {  // a CIDR: its reverse zone
      add_unique(reverse_zones, text);
      add_unique(all, text);
      return true;
    }
    std::string zone = normalize_zone(text);
    if (zone == ".") {
      return t.fail(at,
                    "kubernetes: vmdns does not serve the cluster at the root zone: name "
                    "the cluster domain (kubernetes cluster.local in-addr.arpa ip6.arpa)");
    }
    add_unique(is_reverse(zone) ? reverse_zones : cluster_zones, flag_zone(zone));
    add_unique(all, flag_zone(zone));
    return true;
  };
  for (const Token& arg : d.args) {
    if (!add_zone(arg.text, arg)) {
      return false;
    }
  }
  if (d.args.empty()) {
    for (const ServerKey& key : zones.keys) {
      if (!add_zone(key.zone, d.name)) {
        return false;
      }
    }
  }
  if (cluster_zones.empty()) {
    return t.fail(d.name, "kubernetes: no cluster zone (such as cluster.local) among its zones");
  }
  for (const std::string& zone : all) {
    gathered.served.push_back(zone.find('/') != std::string::npos ? zone : normalize_zone(zone));
  }
  if (!t.add("--zone", cluster_zones, d.name, "kubernetes zones")) {
    return false;
  }
  if (!reverse_zones.empty() &&
      !t.add("--reverse-zone", reverse_zones, d.name, "kubernetes reverse zones")) {
    return false;
  }
  std::optional<Token> fallthrough;
  std::vector<std::string> fallthrough_zones;
  for (const Directive& option : d.block) {
    const std::string& name = option.name.text;
    const std::string what = "kubernetes " + name;
    if (!t.expect_no_block(option)) {
      return false;
    }
    bool ok = true;
    if (name == "pods") {
      ok = t.expect_args(option, 1, 1) && t.add("--pods", {option.args[0].text}, option.name, what);
    } else if (name == "endpoint_pod_names") {
      ok = t.expect_args(option, 0, 0) && t.add("--endpoint-pod-names", {}, option.name, what);
    } else if (name == "ttl") {
      ok = t.expect_args(option, 1, 1) && t.add("--ttl", {option.args[0].text}, option.name, what);
    } else if (name == "fallthrough") {
      fallthrough = option.name;
      for (const Token& arg : option.args) {
        std::string zone = arg.text.find('/') != std::string::npos
                               ? arg.text
                               : flag_zone(normalize_zone(arg.text));
        add_unique(fallthrough_zones, zone);
      }
      if (option.args.empty()) {
        fallthrough_zones = all;
      }
    } else if (name == "namespaces") {
      std::vector<std::string> namespaces;
      for (const Token& arg : option.args) {
        namespaces.push_back(arg.text);
      }
      ok = t.expect_args(option, 1, 1000) && t.add("--namespaces", namespaces, option.name, what);
    } else if (name == "labels") {
      std::vector<std::string> words;
      for (const Token& arg : option.args) {
        words.push_back(arg.text);
      }
      ok = t.expect_args(option, 1, 1000) &&
           t.add("--labels", {joined(words, ' ')}, option.name, what);
    } else if (name == "ignore") {
      if (option.args.size() == 1 && option.args[0].text != "empty_service") {
        return t.unsupported("kubernetes ignore", option.args[0]);
      }
      ok = t.expect_args(option, 1, 1) && t.add("--ignore-empty-service", {}, option.name, what);
    } else if (name == "kubeconfig") {
      gathered.kubeconfig = true;
      ok = t.expect_args(option, 1, 2) &&
           t.add("--kubeconfig", {option.args[0].text}, option.name, what) &&
           (option.args.size() < 2 || t.add("--context", {option.args[1].text}, option.name, what));
    } else {
      return t.unsupported("kubernetes", option.name);
    }
    if (!ok) {
      return false;
    }
  }
  // vmdns serves in-addr.arpa and ip6.arpa when no reverse zone is named, and falls through in
  // them; CoreDNS serves the zones it names alone, and falls through only with fallthrough.
  if (t.has_flag("--fallthrough")) {
    if (reverse_zones.empty() && !t.add("--reverse-zone", {"none"}, d.name, "kubernetes zones")) {
      return false;
    }
    if (!fallthrough) {
      return t.add("--fallthrough", {"none"}, d.name, "kubernetes without fallthrough");
    }
  }
  if (fallthrough) {
    return t.add("--fallthrough", fallthrough_zones, *fallthrough, "kubernetes fallthrough");
  }
  return true;
}

bool translate_forward(Translation& t, const Directive& d, const BlockZones& zones,
                       Gathered& gathered) {
  if (d.args.size() < 2) {
    return t.fail(d.name, "forward: expected FROM TO... (forward . 10.0.0.10)");
  }
  const Token& from = d.args[0];
  if (from.text.find('/') != std::string::npos || from.text.find("://") != std::string::npos) {
    return t.unsupported("forward", from);
  }
  std::string from_zone = normalize_zone(from.text);
  bool upstream = from_zone == "." && zones.root();
  std::vector<std::string> addresses;
  bool system = false;  // `forward . /etc/resolv.conf`: vmdns's own default
  for (size_t i = 1; i < d.args.size(); ++i) {
    const Token& to = d.args[i];
    std::string text = to.text;
    if (text.rfind("dns://", 0) == 0) {
      text = text.substr(6);
    }
    if (text.find("://") != std::string::npos) {
      return t.unsupported("forward", to);
    }
    if (text.find('/') != std::string::npos) {
      if (upstream && text == "/etc/resolv.conf" && d.args.size() == 2) {
        system = true;
      } else if (!nameservers_of(t, to, addresses)) {
        return false;
      }
      continue;
    }
    // A bare IPv6 address, as CoreDNS takes it, in the brackets the flags want.
    addresses.push_back(text.find(':') != std::string::npos && is_ip(text) ? "[" + text + "]"
                                                                           : text);
  }
  for (const Directive& option : d.block) {
    const std::string& name = option.name.text;
    if (!t.expect_no_block(option)) {
      return false;
    }
    if (name == "policy") {
      // vmdns tries its upstreams in order: CoreDNS's sequential policy.
      if (option.args.size() == 1 && option.args[0].text != "sequential") {
        return t.unsupported("forward policy", option.args[0]);
      }
      if (!t.expect_args(option, 1, 1)) {
        return false;
      }
      continue;
    }
    if (!upstream || (name != "max_concurrent" && name != "except")) {
      return t.unsupported("forward", option.name);
    }
    if (name == "max_concurrent") {
      if (!t.expect_args(option, 1, 1) ||
          !t.add("--max-forwards", {option.args[0].text}, option.name, "forward max_concurrent")) {
        return false;
      }
      continue;
    }
    std::vector<std::string> except;
    for (const Token& arg : option.args) {
      except.push_back(flag_zone(normalize_zone(arg.text)));
    }
    if (!t.expect_args(option, 1, 1000) ||
        !t.add("--forward-except", except, option.name, "forward except")) {
      return false;
    }
  }
  if (upstream) {
    if (gathered.root_forward) {
      return t.fail(d.name, "forward: a second forward for \".\"");
    }
    gathered.root_forward = true;
    return system || t.add("--upstream", addresses, d.name, "forward");
  }
  // A stub domain: FROM, or the block's own zones for `forward .`.
  std::vector<std::string> stubs;
  if (from_zone != ".") {
    stubs.push_back(from_zone);
  } else {
    for (const ServerKey& key : zones.keys) {
      if (key.cidr) {
        return t.fail(d.name, "forward: a block for a CIDR is not supported by vmdns");
      }
      stubs.push_back(key.zone);
    }
  }
  for (const std::string& zone : stubs) {
    if (!t.add("--stub-domain", {flag_zone(zone) + "=" + joined(addresses, ',')}, d.name,
               "forward for " + flag_zone(zone))) {
      return false;
    }
  }
  return true;
}

bool translate_cache(Translation& t, const Directive& d, const BlockZones& zones,
                     Gathered& gathered) {
  std::string text = words_of(d);
  if (gathered.cache) {
    if (text != gathered.cache_text) {
      return t.fail(d.name,
                    "cache: vmdns has one cache for every forwarded name, so every "
                    "block's cache must be the same as " +
                        gathered.cache->where() + "'s");
    }
    return true;
  }
  gathered.cache = d.name;
  gathered.cache_text = text;
  // CoreDNS's defaults: 9984 entries of each kind; success at most 3600 s, denial 1800 s; both
  // at least 5 s.
  struct Kind {
    std::optional<uint64_t> capacity;
    std::string max_ttl;
    std::string min_ttl = "5";
    bool min_given = false;
  };
  Kind success{.capacity = {}, .max_ttl = "3600"};
  Kind denial{.capacity = {}, .max_ttl = "1800"};
  size_t first_zone = 0;
  if (!d.args.empty() && is_number(d.args[0].text)) {
    if (std::stoull(d.args[0].text) == 0) {
      return t.fail(d.args[0], "cache: the TTL must be above 0");
    }
    success.max_ttl = denial.max_ttl = d.args[0].text;
    first_zone = 1;
  }
  for (size_t i = first_zone; i < d.args.size(); ++i) {
    std::string zone = normalize_zone(d.args[i].text);
    bool block_zone = std::any_of(zones.keys.begin(), zones.keys.end(),
                                  [&](const ServerKey& key) { return key.zone == zone; });
    if (zone != "." && !block_zone) {
      return t.unsupported("cache", d.args[i]);
    }
  }
  for (const Directive& option : d.block) {
    const std::string& name = option.name.text;
    if (name != "success" && name != "denial") {
      return t.unsupported("cache", option.name);
    }
    if (!t.expect_no_block(option) || !t.expect_args(option, 1, 3)) {
      return false;
    }
    for (const Token& arg : option.args) {
      if (!is_number(arg.text)) {
        return t.fail(arg, "cache " + name + ": \"" + arg.text + "\" is not a number");
      }
    }
    Kind& kind = name == "success" ? success : denial;
    kind.capacity = std::stoull(option.args[0].text);
    if (option.args.size() > 1) {
      kind.max_ttl = option.args[1].text;
    }
    if (option.args.size() > 2) {
      kind.min_ttl = option.args[2].text;
      kind.min_given = true;
    }
  }
  for (Kind* kind : {&success, &denial}) {
    // CoreDNS caps a TTL at the maximum after raising it to the minimum: a default minimum above
    // a lower maximum (cache 3) gives way.
    if (!kind->min_given && std::stoull(kind->min_ttl) > std::stoull(kind->max_ttl)) {
      kind->min_ttl = kind->max_ttl;
    }
  }
  if (!t.add("--cache-max-ttl", {success.max_ttl}, d.name, "cache TTL") ||
      !t.add("--cache-min-ttl", {success.min_ttl}, d.name, "cache success MINTTL") ||
      !t.add("--cache-denial-max-ttl", {denial.max_ttl}, d.name, "cache denial TTL") ||
      !t.add("--cache-denial-min-ttl", {denial.min_ttl}, d.name, "cache denial MINTTL")) {
    return false;
  }
  if (success.capacity || denial.capacity) {
    // One cache holds both kinds: room for both.
    uint64_t entries = success.capacity.value_or(9984) + denial.capacity.value_or(9984);
    return t.add("--cache-size", {std::to_string(entries)}, d.name, "cache capacity");
  }
  return true;
}

}  // namespace vmdns::settings::corefile_translation
