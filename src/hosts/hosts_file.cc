#include "hosts/hosts_file.h"

#include <arpa/inet.h>

#include <cstring>

namespace vmdns::hosts {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) {
      ++i;
    }
    size_t start = i;
    while (i < line.size() && !is_space(line[i])) {
      ++i;
    }
    if (i > start) {
      out.push_back(line.substr(start, i - start));
    }
  }
  return out;
}

// A field quoted in an error, cut short and with control octets shown as '?', so that a binary
// file cannot fill the log or mangle the terminal.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text.substr(0, 64)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  return out + (text.size() > 64 ? "...\"" : "\"");
}

bool parse_address(std::string_view text, HostsEntry* entry) {
  std::string_view bare = text.substr(0, text.find('%'));
  if (bare.empty() || bare.size() > INET6_ADDRSTRLEN) {
    return false;
  }
  std::string host(bare);
  if (host.find(':') == std::string::npos) {
    entry->ipv6 = false;
    return inet_pton(AF_INET, host.c_str(), entry->address.data()) == 1;
  }
  entry->ipv6 = true;
  return inet_pton(AF_INET6, host.c_str(), entry->address.data()) == 1;
}

// The line's entry; `errors` gets why a field or the whole line is left out.
std::optional<HostsEntry> parse_line(std::string_view line, std::vector<std::string>* errors) {
  size_t comment = line.find('#');
  if (comment != std::string_view::npos) {
    line = line.substr(0, comment);
  }
  std::vector<std::string_view> fields = fields_of(line);
  if (fields.empty()) {
    return std::nullopt;
  }
  HostsEntry entry;
  if (!parse_address(fields[0], &entry)) {
    errors->push_back(quoted(fields[0]) + " is not an IPv4 or IPv6 address");
    return std::nullopt;
  }
  if (fields.size() == 1) {
    errors->push_back("no name after the address " + quoted(fields[0]));
    return std::nullopt;
  }
  for (size_t i = 1; i < fields.size(); ++i) {
    std::string why;
    auto name = dns::Name::from_text(fields[i], &why);
    if (!name || name->is_root()) {
      errors->push_back(quoted(fields[i]) + " is not a host name" +
                        (why.empty() ? "" : ": " + why));
      continue;
    }
    entry.names.push_back(name->lowercased());
  }
  if (entry.names.empty()) {
    return std::nullopt;
  }
  return entry;
}

}  // namespace

HostsParse parse_hosts(std::string_view text, std::string_view origin) {
  HostsParse out;
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    std::vector<std::string> errors;
    if (auto entry = parse_line(line, &errors)) {
      out.entries.push_back(std::move(*entry));
    }
    for (const std::string& error : errors) {
      out.errors.push_back(std::string(origin) + ":" + std::to_string(number) + ": " + error);
    }
  }
  return out;
}

std::optional<HostsEntry> parse_host_line(std::string_view line, std::string* error) {
  std::vector<std::string> errors;
  auto entry = parse_line(line, &errors);
  if (!errors.empty()) {
    *error = errors.front();
    return std::nullopt;
  }
  if (!entry) {
    *error = "no address and name";
  }
  return entry;
}

}  // namespace vmdns::hosts
