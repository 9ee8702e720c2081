#pragma once
// SharedText: an immutable string held once by every object that carries the same text. The
// model's repeated fields use it: the file or URL an object was read from (the 120,020 objects
// of one manifest all name the same file), label keys and values (kubevirt.io/domain on every
// VMI, a group's label on each of its members), namespaces, phases, node names. One pointer
// (8 bytes) in place of a 32-byte std::string and its heap copy past 15 characters.
//
// Every text lives once in a process-wide table, counted by the SharedTexts that hold it and
// freed with the last one; so two SharedTexts are equal exactly when they point at the same
// text, and a copy costs an atomic increment. Making one from a string looks the table up under
// a lock (decoders do, on any thread); copying, comparing and reading take no lock.
//
//   cluster::SharedText file = std::string("cluster.yaml");
//   cluster::SharedText same = "cluster.yaml";  // the same characters: no second copy
//   std::string message = file + ": document 3";
//
// Not for text unique to one object (a name, a hostname): the table's entry costs more than a
// std::string would.

#include <atomic>
#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace vmdns::cluster {

class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string_view text) : entry_(intern(text)) {}  // NOLINT: reads like a string
  SharedText(const std::string& text) : SharedText(std::string_view(text)) {}  // NOLINT
  SharedText(const char* text) : SharedText(std::string_view(text)) {}  // NOLINT
  SharedText(const SharedText& other) : entry_(other.entry_) {
    if (entry_ != nullptr) {
      entry_->refs.fetch_add(1, std::memory_order_relaxed);
    }
  }
  SharedText(SharedText&& other) noexcept : entry_(std::exchange(other.entry_, nullptr)) {}
  SharedText& operator=(const SharedText& other) {
    SharedText copy(other);
    std::swap(entry_, copy.entry_);
    return *this;
  }
  SharedText& operator=(SharedText&& other) noexcept {
    std::swap(entry_, other.entry_);
    return *this;
  }
  ~SharedText() {
    if (entry_ != nullptr) {
      release(entry_);
    }
  }

  const std::string& str() const { return entry_ != nullptr ? entry_->text : none(); }
  operator const std::string&() const { return str(); }  // NOLINT: reads like a string
  operator std::string_view() const { return str(); }    // NOLINT
  bool empty() const { return entry_ == nullptr; }
  size_t size() const { return str().size(); }
  const char* c_str() const { return str().c_str(); }

  // One entry per text: the same text is the same entry.
  friend bool operator==(const SharedText& a, const SharedText& b) { return a.entry_ == b.entry_; }
  friend bool operator==(const SharedText& a, std::string_view b) { return a.str() == b; }
  friend bool operator==(const SharedText& a, const char* b) { return a.str() == b; }
  friend bool operator==(const SharedText& a, const std::string& b) { return a.str() == b; }
  friend std::strong_ordering operator<=>(const SharedText& a, const SharedText& b) {
    return a.entry_ == b.entry_ ? std::strong_ordering::equal : a.str() <=> b.str();
  }
  friend auto operator<=>(const SharedText& a, std::string_view b) {
    return std::string_view(a.str()) <=> b;
  }
  friend std::string operator+(std::string a, const SharedText& b) { return a += b.str(); }
  friend std::string operator+(const SharedText& a, std::string_view b) {
    return std::string(a.str()).append(b);
  }
  friend std::string operator+(const SharedText& a, const char* b) {
    return std::string(a.str()).append(b);
  }
  friend std::ostream& operator<<(std::ostream& out, const SharedText& text) {
    return out << text.str();
  }

  // How many distinct texts the process holds (tests).
  static size_t distinct();

 private:
  struct Entry {
    std::atomic<uint32_t> refs;
    std::string text;
  };
  // The table's entry for `text`, counted once more (null for the empty text).
  static Entry* intern(std::string_view text);
  // Drops one count of `entry`; the last one removes it from the table.
  static void release(Entry* entry);
  static const std::string& none() {
    static const std::string none;
    return none;
  }
  Entry* entry_ = nullptr;
};

}  // namespace vmdns::cluster
