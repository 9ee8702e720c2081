#pragma once
// A domain name in uncompressed wire form (RFC 1035 section 3.1), at most 255 octets.
//
//   auto name = Name::from_text("myvmi.mysubdomain.default.svc.cluster.local");
//   name->label_count();                // 6
//   name->to_text();                    // "myvmi.mysubdomain.default.svc.cluster.local."
//   name->is_subdomain_of(*Name::from_text("cluster.local"));  // true
//
// Names are always absolute: a trailing dot in text is optional. Comparison is case-insensitive
// (RFC 4343); the original case is kept for output.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vmdns::dns {

class Reader;

inline constexpr size_t kMaxNameLength = 255;
inline constexpr size_t kMaxLabelLength = 63;

class Name {
 public:
  // The root name ".".
  Name();
  // Copies the name's own octets, not the whole 255-octet array: names are copied on the query
  // path (the question, its lowercased form, CNAME targets) and are mostly 20 to 60 octets.
  Name(const Name& other) noexcept : length_(other.length_) {
    std::memcpy(wire_.data(), other.wire_.data(), length_);
  }
  Name& operator=(const Name& other) noexcept {
    length_ = other.length_;
    std::memmove(wire_.data(), other.wire_.data(), length_);
    return *this;
  }

  // Parses presentation format: labels separated by dots, "\." and "\DDD" escapes (RFC 1035
  // section 5.1). "." and "" are the root. On failure returns nullopt and, if `error` is given,
  // sets it to a message such as `label "aaaa..." is longer than 63 octets`.
  static std::optional<Name> from_text(std::string_view text, std::string* error = nullptr);
  // Takes an uncompressed wire-form name; rejects anything malformed or with trailing bytes.
  static std::optional<Name> from_wire(std::span<const uint8_t> wire);

  // An uncompressed wire name its holder keeps valid (a zone's own apex, stored as wire octets):
  // copied, not checked again.
  static Name from_valid_wire(std::string_view wire) {
    Name name;
    name.length_ = static_cast<uint8_t>(wire.size());
    std::memcpy(name.wire_.data(), wire.data(), wire.size());
    return name;
  }

  std::span<const uint8_t> wire() const { return {wire_.data(), length_}; }
  // The wire bytes as a string_view, for hashing and map keys.
  std::string_view wire_view() const {
    return {reinterpret_cast<const char*>(wire_.data()), length_};
  }
  size_t wire_length() const { return length_; }
  size_t label_count() const;
  bool is_root() const { return length_ == 1; }
  // The first label, without its length octet; empty for the root.
  std::string_view first_label() const;

  // Presentation format with a trailing dot; "." for the root. Non-printable octets and
  // special characters are escaped so that from_text(to_text()) round-trips.
  std::string to_text() const;
  Name lowercased() const;

  // True when this name equals `parent` or lies below it (case-insensitive).
  bool is_subdomain_of(const Name& parent) const;
  // This name without its first label; the root's parent is the root.
  Name parent() const;
  // `label` + "." + this name; nullopt if the label is empty, over 63 octets, or the result
  // is over 255 octets.
  std::optional<Name> prepend(std::string_view label) const;
  // This name's labels followed by `suffix`'s, e.g. "a.b." + "c.d." = "a.b.c.d.".
  std::optional<Name> concat(const Name& suffix) const;

  // Case-insensitive equality.
  bool operator==(const Name& other) const;

 private:
  friend class Reader;  // read_name() decompresses straight into wire_

  // The length first: a name's length and its first octets share a cache line. Octets past
  // length_ are never read, so they are left uninitialised: a Name is made per query, and
  // zero-filling 255 octets each time cost more than the name's own copy.
  uint8_t length_ = 0;
  std::array<uint8_t, kMaxNameLength> wire_;
};

// RFC 4034 section 6.1 canonical order (label by label from the right, case-insensitive),
// negative / zero / positive like strcmp. Used to print zones sorted.
int canonical_compare(const Name& a, const Name& b);
// The same for two valid uncompressed wire names (a zone's keys, without copying them).
int canonical_compare_wire(std::span<const uint8_t> a, std::span<const uint8_t> b);

// ASCII lowercase of wire-form bytes; label length octets are never letters so the whole
// buffer can be folded in one pass.
inline uint8_t ascii_lower(uint8_t c) {
  return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

}  // namespace vmdns::dns
