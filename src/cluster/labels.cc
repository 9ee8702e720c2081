#include "cluster/labels.h"

#include <algorithm>
#include <stdexcept>

namespace vmdns::cluster {

Labels::Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  for (const auto& [key, value] : pairs) {
    (*this)[key] = value;
  }
}

size_t Labels::lower_bound(std::string_view key) const {
  const value_type* it = std::lower_bound(
      begin(), end(), key,
      [](const value_type& pair, std::string_view k) { return std::string_view(pair.first) < k; });
  return static_cast<size_t>(it - begin());
}

Labels::const_iterator Labels::find(std::string_view key) const {
  size_t at = lower_bound(key);
  return at < size() && pairs_[at].first == key ? begin() + at : end();
}

const SharedText& Labels::at(std::string_view key) const {
  const_iterator it = find(key);
  if (it == end()) {
    throw std::out_of_range("Labels::at: no label " + std::string(key));
  }
  return it->second;
}

SharedText& Labels::operator[](std::string_view key) {
  size_t at = lower_bound(key);
  if (at < size() && pairs_[at].first == key) {
    return pairs_[at].second;
  }
  return pairs_.insert(pairs_.begin() + at, {SharedText(key), SharedText()})->second;
}

std::pair<Labels::const_iterator, bool> Labels::emplace(std::string_view key,
                                                        std::string_view value) {
  size_t at = lower_bound(key);
  if (at < size() && pairs_[at].first == key) {
    return {begin() + at, false};
  }
  pairs_.insert(pairs_.begin() + at, {SharedText(key), SharedText(value)});
  return {begin() + at, true};
}

size_t Labels::erase(std::string_view key) {
  size_t at = lower_bound(key);
  if (at >= size() || pairs_[at].first != key) {
    return 0;
  }
  pairs_.erase(pairs_.begin() + at);
  return 1;
}

bool operator==(const Labels& a, const Labels& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace vmdns::cluster
