#include "corefile/server_key.h"

#include <algorithm>
#include <cctype>

namespace vmdns::corefile {

std::string normalize_zone(std::string zone) {
  std::transform(zone.begin(), zone.end(), zone.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (zone.empty() || zone == ".") {
    return ".";
  }
  if (zone.back() != '.') {
    zone += '.';
  }
  return zone;
}

bool is_within(const std::string& name, const std::string& zone) {
  if (zone == ".") {
    return true;
  }
  if (name.size() < zone.size() || name.compare(name.size() - zone.size(), zone.size(), zone)) {
    return false;
  }
  return name.size() == zone.size() || name[name.size() - zone.size() - 1] == '.';
}

std::optional<ServerKey> parse_server_key(const Token& key, std::string* error) {
  auto fail = [&](const std::string& why) {
    *error = key.where() + ": server block key \"" + key.text + "\": " + why;
    return std::nullopt;
  };
  std::string text = key.text;
  if (size_t scheme = text.find("://"); scheme != std::string::npos) {
    std::string name = text.substr(0, scheme);
    if (name != "dns") {
      return fail("the " + name + ":// scheme is not supported by vmdns (plain DNS: dns:// or "
                                  "no scheme)");
    }
    text = text.substr(scheme + 3);
  }
  ServerKey out;
  std::string host = text;
  // The port follows the last colon; a CIDR's own colons (IPv6) come before its "/".
  size_t slash = text.find('/');
  size_t colon = text.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    std::string port = text.substr(colon + 1);
    host = text.substr(0, colon);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); })) {
      return fail("the port \"" + port + "\" is not a number");
    }
    int number = std::stoi(port);
    if (number < 1 || number > 65535) {
      return fail("the port " + port + " is not between 1 and 65535");
    }
    out.port = static_cast<uint16_t>(number);
  }
  if (slash != std::string::npos) {
    out.cidr = true;
    out.zone = host;
    return out;
  }
  if (host.find(':') != std::string::npos) {
    return fail("expected ZONE[:PORT]");
  }
  out.zone = normalize_zone(host);
  if (out.zone.find("..") != std::string::npos || out.zone.size() > 254 ||
      (out.zone.size() > 1 && out.zone.front() == '.')) {
    return fail("\"" + host + "\" is not a domain name");
  }
  return out;
}

}  // namespace vmdns::corefile
