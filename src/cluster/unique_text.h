#pragma once
// UniqueText: text unique to one object that most objects leave empty or short (a VMI's
// spec.hostname), in one pointer: empty costs 8 bytes and no allocation, set costs one exact-size
// heap block (length and characters). A std::string is 32 bytes whether set or not; at 100,000
// VMIs those 24 bytes took the node of State::vmis past a size class (BENCHMARKS.md, memory
// per object). Immutable once made, as a model field is replaced rather than edited; reads as a
// std::string_view.
//
//   cluster::UniqueText hostname = std::string("vm-1");
//   if (!hostname.empty()) { std::string copy = hostname.str(); }

#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace vmdns::cluster {

class UniqueText {
 public:
  UniqueText() = default;
  UniqueText(std::string_view text) { assign(text); }                      // NOLINT
  UniqueText(const std::string& text) : UniqueText(std::string_view(text)) {}  // NOLINT
  UniqueText(const char* text) : UniqueText(std::string_view(text)) {}         // NOLINT
  UniqueText(const UniqueText& other) : UniqueText(other.view()) {}
  UniqueText(UniqueText&&) noexcept = default;
  UniqueText& operator=(const UniqueText& other) {
    if (this != &other) {
      assign(other.view());
    }
    return *this;
  }
  UniqueText& operator=(UniqueText&&) noexcept = default;

  bool empty() const { return block_ == nullptr; }
  size_t size() const { return view().size(); }
  std::string_view view() const {
    if (block_ == nullptr) {
      return {};
    }
    uint32_t size = 0;
    std::memcpy(&size, block_.get(), sizeof size);
    return {block_.get() + sizeof size, size};
  }
  operator std::string_view() const { return view(); }  // NOLINT: reads like a string
  std::string str() const { return std::string(view()); }

  friend bool operator==(const UniqueText& a, const UniqueText& b) { return a.view() == b.view(); }
  friend bool operator==(const UniqueText& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const UniqueText& a, const char* b) { return a.view() == b; }
  friend bool operator==(const UniqueText& a, const std::string& b) { return a.view() == b; }
  friend std::ostream& operator<<(std::ostream& out, const UniqueText& text) {
    return out << text.view();
  }

 private:
  void assign(std::string_view text) {
    if (text.empty()) {
      block_.reset();
      return;
    }
    auto size = static_cast<uint32_t>(text.size());
    block_ = std::make_unique_for_overwrite<char[]>(sizeof size + size);
    std::memcpy(block_.get(), &size, sizeof size);
    std::memcpy(block_.get() + sizeof size, text.data(), size);
  }

  std::unique_ptr<char[]> block_;  // the length (4 bytes), then the characters; null when empty
};

}  // namespace vmdns::cluster
