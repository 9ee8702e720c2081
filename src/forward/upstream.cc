#include "forward/upstream.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "net/socket_util.h"
#include "resolvconf/resolv_conf.h"

namespace vmdns::forward {
namespace {

bool same_address(const Upstream& a, const net::ListenAddress& b) {
  if (a.family() != b.family()) {
    return false;
  }
  if (a.family() == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(&a.storage)->sin_addr.s_addr ==
           reinterpret_cast<const sockaddr_in*>(&b.storage)->sin_addr.s_addr;
  }
  return std::memcmp(&reinterpret_cast<const sockaddr_in6*>(&a.storage)->sin6_addr,
                     &reinterpret_cast<const sockaddr_in6*>(&b.storage)->sin6_addr,
                     sizeof(in6_addr)) == 0;
}

bool is_local_wildcard_target(const Upstream& a) {
  if (a.family() == AF_INET) {
    uint32_t address = ntohl(reinterpret_cast<const sockaddr_in*>(&a.storage)->sin_addr.s_addr);
    return (address >> 24) == 127 || address == 0;
  }
  const in6_addr& address = reinterpret_cast<const sockaddr_in6*>(&a.storage)->sin6_addr;
  return IN6_IS_ADDR_LOOPBACK(&address) || IN6_IS_ADDR_UNSPECIFIED(&address);
}

// A bare resolv.conf address, with an optional %scope for IPv6.
std::optional<Upstream> parse_nameserver(std::string_view text) {
  std::string host(text);
  std::string scope;
  size_t percent = host.find('%');
  if (percent != std::string::npos) {
    scope = host.substr(percent + 1);
    host.resize(percent);
  }
  Upstream upstream;
  if (scope.empty()) {
    sockaddr_in* v4 = reinterpret_cast<sockaddr_in*>(&upstream.storage);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(kDnsPort);
      upstream.length = sizeof(sockaddr_in);
      return upstream;
    }
  }
  upstream = Upstream{};
  sockaddr_in6* v6 = reinterpret_cast<sockaddr_in6*>(&upstream.storage);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) != 1) {
    return std::nullopt;
  }
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons(kDnsPort);
  if (!scope.empty()) {
    unsigned index = 0;
    auto [end, ec] = std::from_chars(scope.data(), scope.data() + scope.size(), index);
    if (ec != std::errc() || end != scope.data() + scope.size()) {
      index = if_nametoindex(scope.c_str());
    }
    if (index == 0) {
      return std::nullopt;
    }
    v6->sin6_scope_id = index;
  }
  upstream.length = sizeof(sockaddr_in6);
  return upstream;
}

}  // namespace

std::optional<Upstream> parse_upstream(std::string_view text, std::string* error) {
  std::string with_port;
  if (!text.empty() && text.front() == '[') {
    with_port = text.back() == ']' ? std::string(text) + ":53" : std::string(text);
  } else if (std::count(text.begin(), text.end(), ':') > 1) {
    with_port = "[" + std::string(text) + "]:53";  // a bare IPv6 address
  } else if (text.find(':') == std::string_view::npos) {
    with_port = std::string(text) + ":53";
  } else {
    with_port = std::string(text);
  }
  std::string detail;
  auto upstream = net::parse_listen_address(with_port, &detail);
  if (!upstream) {
    *error = "\"" + std::string(text) + "\" is not ADDR[:PORT]: " + detail;
    return std::nullopt;
  }
  if (upstream->port() == 0) {
    *error = "\"" + std::string(text) + "\": port 0 is not a port a server answers on";
    return std::nullopt;
  }
  return upstream;
}

bool is_self(const Upstream& upstream, const net::ListenAddress& listen) {
  if (upstream.port() != listen.port() || upstream.family() != listen.family()) {
    return false;
  }
  return same_address(upstream, listen) ||
         (net::is_wildcard(listen) && is_local_wildcard_target(upstream));
}

std::vector<Upstream> resolv_conf_upstreams(std::string_view text,
                                            const net::ListenAddress& listen) {
  resolvconf::ResolvConf conf = resolvconf::parse_resolv_conf(text);
  std::vector<Upstream> out;
  for (const auto* list : {&conf.nameservers, &conf.more_nameservers}) {
    for (std::string_view address : *list) {
      // A file with CRLF line ends: the address ends at the line's end, as in CoreDNS.
      while (!address.empty() && std::isspace(static_cast<unsigned char>(address.back()))) {
        address.remove_suffix(1);
      }
      auto upstream = parse_nameserver(address);
      if (!upstream || is_self(*upstream, listen)) {
        continue;
      }
      bool seen = false;
      for (const Upstream& other : out) {
        seen = seen || (other.length == upstream->length &&
                        std::memcmp(&other.storage, &upstream->storage, other.length) == 0);
      }
      if (!seen) {
        out.push_back(*upstream);
      }
    }
  }
  return out;
}

std::vector<Upstream> system_upstreams(const std::string& path, const net::ListenAddress& listen) {
  std::ifstream file(path);
  if (!file) {
    return {};
  }
  std::stringstream text;
  text << file.rdbuf();
  return resolv_conf_upstreams(text.str(), listen);
}

}  // namespace vmdns::forward
