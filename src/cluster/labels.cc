#include "cluster/labels.h"

#include <algorithm>
#include <stdexcept>

namespace vmdns::cluster {

Labels::Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  for (const auto& [key, value] : pairs) {
    (*this)[key] = value;
  }
}

Labels::Labels(const Labels& other)
    : pairs_(other.size_ == 0 ? nullptr : std::make_unique<value_type[]>(other.size_)),
      size_(other.size_) {
  std::copy(other.begin(), other.end(), pairs_.get());
}

Labels& Labels::operator=(const Labels& other) {
  if (this != &other) {
    Labels copy(other);
    *this = std::move(copy);
  }
  return *this;
}

size_t Labels::lower_bound(std::string_view key) const {
  const value_type* it = std::lower_bound(
      begin(), end(), key,
      [](const value_type& pair, std::string_view k) { return std::string_view(pair.first) < k; });
  return static_cast<size_t>(it - begin());
}

Labels::const_iterator Labels::find(std::string_view key) const {
  size_t at = lower_bound(key);
  return at < size_ && pairs_[at].first == key ? begin() + at : end();
}

const SharedText& Labels::at(std::string_view key) const {
  const_iterator it = find(key);
  if (it == end()) {
    throw std::out_of_range("Labels::at: no label " + std::string(key));
  }
  return it->second;
}

Labels::value_type& Labels::insert_at(size_t at) {
  auto grown = std::make_unique<value_type[]>(size_ + 1);
  std::move(pairs_.get(), pairs_.get() + at, grown.get());
  std::move(pairs_.get() + at, pairs_.get() + size_, grown.get() + at + 1);
  pairs_ = std::move(grown);
  ++size_;
  return pairs_[at];
}

SharedText& Labels::operator[](std::string_view key) {
  size_t at = lower_bound(key);
  if (at < size_ && pairs_[at].first == key) {
    return pairs_[at].second;
  }
  value_type& pair = insert_at(at);
  pair.first = SharedText(key);
  return pair.second;
}

std::pair<Labels::const_iterator, bool> Labels::emplace(std::string_view key,
                                                        std::string_view value) {
  size_t at = lower_bound(key);
  if (at < size_ && pairs_[at].first == key) {
    return {begin() + at, false};
  }
  value_type& pair = insert_at(at);
  pair = {SharedText(key), SharedText(value)};
  return {begin() + at, true};
}

size_t Labels::erase(std::string_view key) {
  size_t at = lower_bound(key);
  if (at >= size_ || pairs_[at].first != key) {
    return 0;
  }
  if (size_ == 1) {
    pairs_.reset();
    size_ = 0;
    return 1;
  }
  auto shrunk = std::make_unique<value_type[]>(size_ - 1);
  std::move(pairs_.get(), pairs_.get() + at, shrunk.get());
  std::move(pairs_.get() + at + 1, pairs_.get() + size_, shrunk.get() + at);
  pairs_ = std::move(shrunk);
  --size_;
  return 1;
}

bool operator==(const Labels& a, const Labels& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace vmdns::cluster
