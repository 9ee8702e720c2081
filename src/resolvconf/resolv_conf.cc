#include "resolvconf/resolv_conf.h"

#include <charconv>
#include <sstream>

namespace vmdns::resolvconf {
namespace {

std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
      ++i;
    }
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
      ++i;
    }
    if (i > start) {
      out.emplace_back(line.substr(start, i - start));
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    out += (out.empty() ? "" : " ") + item;
  }
  return out;
}

}  // namespace

int ResolvConf::ndots() const {
  int ndots = kDefaultNdots;
  for (const std::string& option : options) {
    std::string_view text = option;
    if (text.starts_with("ndots:")) {
      int value = 0;
      auto digits = text.substr(6);
      auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (error == std::errc() && value >= 0) {
        ndots = value > kMaxNdots ? kMaxNdots : value;
      }
    }
  }
  return ndots;
}

std::string ResolvConf::to_text() const {
  std::string out;
  for (const std::string& nameserver : nameservers) {
    out += "nameserver " + nameserver + "\n";
  }
  if (!search.empty()) {
    out += "search " + join(search) + "\n";
  }
  if (!options.empty()) {
    out += "options " + join(options) + "\n";
  }
  return out;
}

ResolvConf parse_resolv_conf(std::string_view text, std::vector<std::string>* warnings) {
  ResolvConf conf;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    size_t comment = line.find_first_of("#;");
    if (comment != std::string::npos) {
      line.resize(comment);
    }
    std::vector<std::string> items = words(line);
    if (items.empty()) {
      continue;
    }
    std::string keyword = items.front();
    items.erase(items.begin());
    if (keyword == "nameserver" && !items.empty()) {
      if (conf.nameservers.size() < kMaxNameservers) {
        conf.nameservers.push_back(items.front());
      } else {
        conf.more_nameservers.push_back(items.front());
        if (warnings) {
          warnings->push_back("nameserver " + items.front() +
                              " ignored: glibc reads at most 3 nameservers");
        }
      }
    } else if (keyword == "search" || keyword == "domain") {
      conf.search =
          keyword == "domain" && items.size() > 1 ? std::vector<std::string>{items.front()} : items;
    } else if (keyword == "options") {
      conf.options.insert(conf.options.end(), items.begin(), items.end());
    }
  }
  return conf;
}

}  // namespace vmdns::resolvconf
