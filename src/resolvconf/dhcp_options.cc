#include "resolvconf/dhcp_options.h"

#include <algorithm>

#include "dns/name.h"
#include "dns/reader.h"

namespace vmdns::resolvconf {
namespace {

constexpr size_t kMaxSearchEntry = 253;
constexpr size_t kMaxPointer = 0x3FFF;

// KubeVirt's isValidSearchDomain: labels of [a-zA-Z0-9-] that neither start nor end with '-'.
std::string search_entry_problem(const std::string& entry) {
  if (entry.empty()) {
    return "is empty";
  }
  if (entry.size() > kMaxSearchEntry) {
    return "is longer than 253 characters";
  }
  size_t start = 0;
  while (start <= entry.size()) {
    size_t end = entry.find('.', start);
    if (end == std::string::npos) {
      end = entry.size();
    }
    std::string_view label(entry.data() + start, end - start);
    if (label.empty()) {
      return "has an empty label";
    }
    if (label.size() > dns::kMaxLabelLength) {
      return "has a label longer than 63 characters";
    }
    for (char c : label) {
      bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) {
        return "has a character other than letters, digits and '-'";
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return "has a label that starts or ends with '-'";
    }
    start = end + 1;
  }
  return "";
}

bool same_suffix(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](uint8_t x, uint8_t y) {
           return dns::ascii_lower(x) == dns::ascii_lower(y);
         });
}

}  // namespace

std::optional<std::vector<uint8_t>> encode_domain_search(const std::vector<std::string>& search,
                                                         std::string* error) {
  struct Written {
    size_t offset;
    std::vector<uint8_t> suffix;  // the uncompressed name from this label on
  };
  std::vector<Written> written;
  std::vector<uint8_t> out;
  for (const std::string& entry : search) {
    std::string text = entry;
    if (!text.empty() && text.back() == '.') {
      text.pop_back();
    }
    std::string problem = search_entry_problem(text);
    std::optional<dns::Name> name = problem.empty() ? dns::Name::from_text(text) : std::nullopt;
    if (!name) {
      *error = "search entry \"" + entry + "\" " + (problem.empty() ? "is not a name" : problem);
      return std::nullopt;
    }
    std::span<const uint8_t> wire = name->wire();
    size_t pos = 0;
    while (wire[pos] != 0) {
      std::span<const uint8_t> suffix = wire.subspan(pos);
      auto earlier = std::find_if(written.begin(), written.end(),
                                  [&](const Written& w) { return same_suffix(w.suffix, suffix); });
      if (earlier != written.end()) {
        out.push_back(static_cast<uint8_t>(0xC0 | (earlier->offset >> 8)));
        out.push_back(static_cast<uint8_t>(earlier->offset & 0xFF));
        break;
      }
      if (out.size() <= kMaxPointer) {
        written.push_back({out.size(), {suffix.begin(), suffix.end()}});
      }
      size_t label = wire[pos] + 1u;
      out.insert(out.end(), wire.begin() + static_cast<ptrdiff_t>(pos),
                 wire.begin() + static_cast<ptrdiff_t>(pos + label));
      pos += label;
    }
    if (wire[pos] == 0) {
      out.push_back(0);
    }
  }
  return out;
}

std::optional<std::vector<std::string>> decode_domain_search(std::span<const uint8_t> data) {
  std::vector<std::string> out;
  dns::Reader reader(data);
  while (reader.remaining() > 0) {
    dns::Name name;
    if (!reader.read_name(name)) {
      return std::nullopt;
    }
    std::string text = name.to_text();
    text.pop_back();
    out.push_back(text);
  }
  return out;
}

std::vector<DhcpOption> split_option(uint8_t code, std::span<const uint8_t> data,
                                     size_t max_length) {
  std::vector<DhcpOption> out;
  for (size_t at = 0; at < data.size(); at += max_length) {
    size_t n = std::min(max_length, data.size() - at);
    out.push_back({code,
                   {data.begin() + static_cast<ptrdiff_t>(at),
                    data.begin() + static_cast<ptrdiff_t>(at + n)}});
  }
  return out;
}

std::vector<uint8_t> option_bytes(const std::vector<DhcpOption>& options) {
  std::vector<uint8_t> out;
  for (const DhcpOption& option : options) {
    out.push_back(option.code);
    out.push_back(static_cast<uint8_t>(option.data.size()));
    out.insert(out.end(), option.data.begin(), option.data.end());
  }
  return out;
}

std::string hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    if (!out.empty()) {
      out += ' ';
    }
    out += kDigits[b >> 4];
    out += kDigits[b & 0xF];
  }
  return out;
}

}  // namespace vmdns::resolvconf
