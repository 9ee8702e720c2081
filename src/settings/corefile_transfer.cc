// The Corefile's transfer plugin into serve's --allow-transfer and --notify. See
// corefile_settings.h.
//
// CoreDNS (coredns.io/plugins/transfer): `transfer [ZONES...] { to ADDRESS... }` answers AXFR
// and IXFR of ZONES (else the block's) to each ADDRESS, and sends each a NOTIFY when a zone
// changes: an address is an IP (port 53) or IP:PORT, [IPv6]:PORT; `*` allows every client and
// notifies nobody. Earlier releases documented CIDRs too: a network allowed, never notified.
// vmdns's --allow-transfer and --notify cover every zone it serves, so the transfer plugins
// must name one list of addresses and cover the kubernetes plugin's zones; anything else is an
// error naming its line rather than a wider or narrower permission than the Corefile says.

#include <arpa/inet.h>

#include <algorithm>

#include "settings/corefile_translation.h"

namespace vmdns::settings::corefile_translation {
namespace {

using corefile::is_within;
using corefile::normalize_zone;

bool is_v4(const std::string& text) {
  unsigned char buffer[4];
  return ::inet_pton(AF_INET, text.c_str(), buffer) == 1;
}

bool is_v6(const std::string& text) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

bool is_port(const std::string& text) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return false;
  }
  unsigned long port = std::stoul(text);
  return port >= 1 && port <= 65535;
}

// One `to` word into the flags' values; false when it is not an address.
bool read_address(const std::string& word, Gathered::Transfer& out) {
  if (word.empty()) {  // a quoted ""
    return false;
  }
  if (word == "*") {
    out.allow.push_back("0.0.0.0/0");
    out.allow.push_back("::/0");
    return true;
  }
  if (size_t slash = word.find('/'); slash != std::string::npos) {
    std::string address = word.substr(0, slash);
    std::string bits = word.substr(slash + 1);
    size_t max = is_v4(address) ? 32 : (is_v6(address) ? 128 : 0);
    if (max == 0 || bits.empty() || bits.size() > 3 ||
        !std::all_of(bits.begin(), bits.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        std::stoul(bits) > max) {
      return false;
    }
    out.allow.push_back(word);
    return true;
  }
  std::string address = word;
  std::string port = "53";
  if (word.front() == '[') {
    size_t close = word.find(']');
    if (close == std::string::npos || close + 1 >= word.size() || word[close + 1] != ':') {
      return false;
    }
    address = word.substr(1, close - 1);
    port = word.substr(close + 2);
    if (!is_v6(address)) {
      return false;
    }
  } else if (!is_v6(word)) {
    size_t colon = word.find(':');
    if (colon != std::string::npos) {
      address = word.substr(0, colon);
      port = word.substr(colon + 1);
    }
    if (!is_v4(address)) {
      return false;
    }
  }
  if (!is_port(port)) {
    return false;
  }
  bool v6 = is_v6(address);
  out.allow.push_back(address + (v6 ? "/128" : "/32"));
  out.notify.push_back((v6 ? "[" + address + "]" : address) + ":" + port);
  return true;
}

// A transfer zone covers a served zone at or below it; a reverse zone written as a CIDR is
// covered by its own CIDR, the reverse tree of its family, or the root.
bool covers(const std::string& zone, const std::string& served) {
  if (zone == "." || zone == served) {
    return true;
  }
  if (served.find('/') != std::string::npos) {
    bool v6 = served.find(':') != std::string::npos;
    return zone == "arpa." || zone == (v6 ? "ip6.arpa." : "in-addr.arpa.");
  }
  return zone.find('/') == std::string::npos && is_within(served, zone);
}

std::string listed(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) {
    out += (out.empty() ? "" : " ") + word;
  }
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> words) {
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

}  // namespace

bool translate_transfer(Translation& t, const Directive& d, const BlockZones& zones,
                        Gathered& gathered) {
  Gathered::Transfer transfer{.at = d.name, .zones = {}, .allow = {}, .notify = {}};
  for (const Token& arg : d.args) {
    transfer.zones.push_back(arg.text.find('/') != std::string::npos ? arg.text
                                                                     : normalize_zone(arg.text));
  }
  if (d.args.empty()) {
    for (const ServerKey& key : zones.keys) {
      transfer.zones.push_back(key.zone);
    }
  }
  for (const Directive& option : d.block) {
    if (option.name.text != "to") {
      return t.unsupported("transfer", option.name);
    }
    if (!t.expect_no_block(option)) {
      return false;
    }
    if (option.args.empty()) {
      return t.fail(option.name, "transfer: to: expected ADDRESS... (to 192.0.2.53)");
    }
    for (const Token& word : option.args) {
      if (!read_address(word.text, transfer)) {
        return t.fail(word, "transfer: to: \"" + word.text +
                                "\" is not an address (ADDRESS, ADDRESS:PORT, [IPv6]:PORT, "
                                "CIDR or *)");
      }
    }
  }
  if (transfer.allow.empty()) {
    return t.fail(d.name, "transfer: expected a block with `to ADDRESS...`");
  }
  transfer.allow = sorted(transfer.allow);
  transfer.notify = sorted(transfer.notify);
  if (!gathered.transfers.empty()) {
    const Gathered::Transfer& first = gathered.transfers.front();
    if (transfer.allow != first.allow || transfer.notify != first.notify) {
      return t.fail(d.name,
                    "transfer: vmdns sends every zone to one list of secondaries "
                    "(--allow-transfer, --notify), and " +
                        first.at.where() + " names other addresses");
    }
    gathered.transfers.push_back(std::move(transfer));
    return true;
  }
  if (!t.add("--allow-transfer", transfer.allow, d.name, "transfer to") ||
      (!transfer.notify.empty() &&
       !t.add("--notify", transfer.notify, d.name, "transfer to (NOTIFY)"))) {
    return false;
  }
  gathered.transfers.push_back(std::move(transfer));
  return true;
}

bool finish_transfer(Translation& t, const Gathered& gathered) {
  for (const Gathered::Transfer& transfer : gathered.transfers) {
    for (const std::string& zone : transfer.zones) {
      bool ours = std::any_of(gathered.served.begin(), gathered.served.end(),
                              [&](const std::string& served) { return covers(zone, served); });
      if (!ours) {
        return t.fail(transfer.at,
                      "transfer: vmdns serves no zone at or below " + zone +
                          " (the kubernetes plugin's zones: " + listed(gathered.served) + ")");
      }
    }
  }
  if (gathered.transfers.empty()) {
    return true;
  }
  for (const std::string& served : gathered.served) {
    bool covered = false;
    for (const Gathered::Transfer& transfer : gathered.transfers) {
      covered =
          covered || std::any_of(transfer.zones.begin(), transfer.zones.end(),
                                 [&](const std::string& zone) { return covers(zone, served); });
    }
    if (!covered) {
      return t.fail(
          gathered.transfers.front().at,
          "transfer: vmdns allows the transfer of every zone it serves (--allow-transfer), "
          "and no transfer plugin names " +
              served + ": name it, or leave the zones to the kubernetes plugin's block");
    }
  }
  return true;
}

}  // namespace vmdns::settings::corefile_translation
