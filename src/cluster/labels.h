#pragma once
// Labels: an object's metadata.labels (or a Service's spec.selector) as one exact-size array of
// (key, value) pairs sorted by key, both SharedText. Label keys repeat on every object
// (kubevirt.io/domain, app) and values across a group (a Service selects a group by one): a
// pair is 16 bytes, where a std::map<std::string, std::string> cost a 96-byte node per pair and
// a heap copy of every text past 15 characters. The array and its length are one block
// (CompactVector): Labels is one pointer in an object. Reads like that map: find, count, at, iteration
// in key order; few objects change their labels, so setting one copies the array.
//
//   cluster::Labels labels = {{"app", "web"}, {"tier", "front"}};
//   labels["kubevirt.io"] = "virt-launcher";         // inserted in key order
//   auto it = labels.find("app");                    // it->second == "web"
//   for (const auto& [key, value] : labels) { ... }  // "app", "kubevirt.io", "tier"

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "cluster/compact_vector.h"
#include "cluster/shared_text.h"

namespace vmdns::cluster {

class Labels {
 public:
  using value_type = std::pair<SharedText, SharedText>;
  using iterator = value_type*;
  using const_iterator = const value_type*;

  Labels() = default;
  // A key given twice keeps its last value, as a map assigned in turn would.
  Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);

  const_iterator begin() const { return pairs_.begin(); }
  const_iterator end() const { return pairs_.end(); }
  size_t size() const { return pairs_.size(); }
  bool empty() const { return pairs_.empty(); }

  const_iterator find(std::string_view key) const;
  size_t count(std::string_view key) const { return find(key) != end() ? 1 : 0; }
  bool contains(std::string_view key) const { return find(key) != end(); }
  // The value of `key`, which must be there (std::out_of_range otherwise, as std::map::at).
  const SharedText& at(std::string_view key) const;
  // The value of `key`, inserted empty when absent.
  SharedText& operator[](std::string_view key);
  // Sets `key` to `value` unless it is there; returns the pair and whether it was inserted.
  std::pair<const_iterator, bool> emplace(std::string_view key, std::string_view value);
  std::pair<const_iterator, bool> insert(const value_type& pair) {
    return emplace(pair.first, pair.second);
  }
  size_t erase(std::string_view key);

  friend bool operator==(const Labels& a, const Labels& b);

 private:
  // Where `key` is or would go.
  size_t lower_bound(std::string_view key) const;

  CompactVector<value_type> pairs_;
};

}  // namespace vmdns::cluster
