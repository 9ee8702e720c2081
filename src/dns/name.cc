#include "dns/name.h"

#include "dns/wire_text.h"

#include <algorithm>

namespace vmdns::dns {
namespace {

// Offsets of the label length octets of a valid wire name, root excluded. A 255-octet name has
// at most 127 non-root labels (each at least 2 octets).
constexpr size_t kMaxLabels = 128;

size_t label_offsets(std::span<const uint8_t> wire, std::array<uint8_t, kMaxLabels>& out) {
  size_t count = 0;
  size_t pos = 0;
  while (pos < wire.size() && wire[pos] != 0) {
    out[count++] = static_cast<uint8_t>(pos);
    pos += 1 + wire[pos];
  }
  return count;
}

bool labels_equal_ci(const uint8_t* a, const uint8_t* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) {
      return false;
    }
  }
  return true;
}

// RFC 1035 section 5.1 gives these a special meaning in master files; escaping them (and
// space) keeps to_text() output parseable by from_text() and by zone-file readers.
bool needs_backslash(uint8_t c) {
  switch (c) {
    case '.':
    case '\\':
    case '"':
    case '(':
    case ')':
    case ';':
    case '@':
    case '$':
    case ' ':
      return true;
    default:
      return false;
  }
}

std::string label_preview(std::string_view label) {
  constexpr size_t kPreview = 16;
  if (label.size() <= kPreview) {
    return std::string(label);
  }
  return std::string(label.substr(0, kPreview)) + "...";
}

}  // namespace

Name::Name() {
  wire_[0] = 0;
  length_ = 1;
}

std::optional<Name> Name::from_text(std::string_view text, std::string* error) {
  auto fail = [&](std::string message) -> std::optional<Name> {
    if (error != nullptr) {
      *error = std::move(message);
    }
    return std::nullopt;
  };
  Name name;
  if (text.empty() || text == ".") {
    return name;
  }

  // `label_start` is the offset of the open label's length octet, filled in when it closes.
  std::array<uint8_t, kMaxNameLength + 1> buf{};
  size_t size = 0;
  size_t label_start = 0;
  buf[size++] = 0;
  // The text of the open label as written, for error messages.
  size_t label_text_start = 0;

  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '.') {
      size_t label_length = size - label_start - 1;
      if (label_length == 0) {
        return fail("empty label in \"" + std::string(text) + "\"");
      }
      buf[label_start] = static_cast<uint8_t>(label_length);
      ++i;
      if (i == text.size()) {
        break;  // trailing dot: the name is already absolute
      }
      if (size >= kMaxNameLength) {
        return fail("name \"" + label_preview(text) + "\" is longer than 255 octets");
      }
      label_start = size;
      buf[size++] = 0;
      label_text_start = i;
      continue;
    }
    uint8_t octet = 0;
    if (c == '\\') {
      // RFC 1035 section 5.1: \X is the octet X itself, \DDD a decimal octet value.
      if (i + 1 >= text.size()) {
        return fail("dangling backslash at the end of \"" + std::string(text) + "\"");
      }
      char next = text[i + 1];
      if (next >= '0' && next <= '9') {
        unsigned value = 0;
        for (size_t k = 1; k <= 3; ++k) {
          if (i + k >= text.size() || text[i + k] < '0' || text[i + k] > '9') {
            return fail("\\DDD escape needs three decimal digits in \"" + std::string(text) + "\"");
          }
          value = value * 10 + static_cast<unsigned>(text[i + k] - '0');
        }
        if (value > 255) {
          return fail("\\DDD escape value " + std::to_string(value) + " is over 255");
        }
        octet = static_cast<uint8_t>(value);
        i += 4;
      } else {
        octet = static_cast<uint8_t>(next);
        i += 2;
      }
    } else {
      octet = static_cast<uint8_t>(c);
      ++i;
    }
    if (size - label_start - 1 >= kMaxLabelLength) {
      // Find the end of this label's text for the message.
      size_t end = label_text_start;
      while (end < text.size() && text[end] != '.') {
        end += (text[end] == '\\' && end + 1 < text.size()) ? 2 : 1;
      }
      return fail("label \"" +
                  label_preview(text.substr(label_text_start, end - label_text_start)) +
                  "\" is longer than 63 octets");
    }
    if (size >= kMaxNameLength) {
      return fail("name \"" + label_preview(text) + "\" is longer than 255 octets");
    }
    buf[size++] = octet;
  }
  size_t label_length = size - label_start - 1;
  if (label_length == 0) {
    // Only reachable when the last label opened was never filled, which the loop rules out;
    // kept so that a future change cannot produce a malformed name.
    return fail("empty label in \"" + std::string(text) + "\"");
  }
  buf[label_start] = static_cast<uint8_t>(label_length);
  // The root label: the total, including it, must stay within 255 octets (RFC 1035 3.1).
  if (size + 1 > kMaxNameLength) {
    return fail("name \"" + label_preview(text) + "\" is longer than 255 octets");
  }
  buf[size++] = 0;
  std::copy_n(buf.begin(), size, name.wire_.begin());
  name.length_ = static_cast<uint8_t>(size);
  return name;
}

std::optional<Name> Name::from_wire(std::span<const uint8_t> wire) {
  if (wire.empty() || wire.size() > kMaxNameLength) {
    return std::nullopt;
  }
  size_t pos = 0;
  while (true) {
    if (pos >= wire.size()) {
      return std::nullopt;  // ran off the end without a root label
    }
    uint8_t length = wire[pos];
    if (length == 0) {
      break;
    }
    if (length > kMaxLabelLength) {
      return std::nullopt;  // a pointer or a reserved label type (RFC 6891 section 5)
    }
    pos += 1 + length;
  }
  if (pos + 1 != wire.size()) {
    return std::nullopt;  // trailing bytes after the root label
  }
  Name name;
  std::copy(wire.begin(), wire.end(), name.wire_.begin());
  name.length_ = static_cast<uint8_t>(wire.size());
  return name;
}

size_t Name::label_count() const {
  size_t count = 0;
  size_t pos = 0;
  while (pos < length_ && wire_[pos] != 0) {
    ++count;
    pos += 1 + wire_[pos];
  }
  return count;
}

std::string_view Name::first_label() const {
  if (length_ <= 1) {
    return {};
  }
  return {reinterpret_cast<const char*>(wire_.data() + 1), wire_[0]};
}

std::string Name::to_text() const {
  if (is_root()) {
    return ".";
  }
  std::string out;
  out.reserve(length_ + 8);
  size_t pos = 0;
  while (pos < length_ && wire_[pos] != 0) {
    uint8_t length = wire_[pos];
    for (size_t k = 1; k <= length; ++k) {
      uint8_t c = wire_[pos + k];
      internal::append_presentation_char(out, c, needs_backslash(c), /*space_ok=*/false);
    }
    out.push_back('.');
    pos += 1 + length;
  }
  return out;
}

Name Name::lowercased() const {
  Name out = *this;
  for (size_t i = 0; i < length_; ++i) {
    out.wire_[i] = ascii_lower(wire_[i]);
  }
  return out;
}

bool Name::is_subdomain_of(const Name& parent) const {
  if (parent.length_ > length_) {
    return false;
  }
  // Only a label boundary can start the parent's suffix.
  size_t pos = 0;
  while (pos < length_) {
    if (length_ - pos == parent.length_) {
      return labels_equal_ci(wire_.data() + pos, parent.wire_.data(), parent.length_);
    }
    if (length_ - pos < parent.length_ || wire_[pos] == 0) {
      return false;
    }
    pos += 1 + wire_[pos];
  }
  return false;
}

Name Name::parent() const {
  if (is_root() || length_ == 0) {
    return Name();
  }
  size_t skip = 1 + wire_[0];
  Name out;
  std::copy(wire_.begin() + skip, wire_.begin() + length_, out.wire_.begin());
  out.length_ = static_cast<uint8_t>(length_ - skip);
  return out;
}

std::optional<Name> Name::prepend(std::string_view label) const {
  if (label.empty() || label.size() > kMaxLabelLength ||
      length_ + 1 + label.size() > kMaxNameLength) {
    return std::nullopt;
  }
  Name out;
  out.wire_[0] = static_cast<uint8_t>(label.size());
  std::copy(label.begin(), label.end(), out.wire_.begin() + 1);
  std::copy(wire_.begin(), wire_.begin() + length_, out.wire_.begin() + 1 + label.size());
  out.length_ = static_cast<uint8_t>(length_ + 1 + label.size());
  return out;
}

std::optional<Name> Name::concat(const Name& suffix) const {
  // Our labels without the root octet, then all of the suffix.
  size_t head = length_ - 1;
  if (head + suffix.length_ > kMaxNameLength) {
    return std::nullopt;
  }
  Name out;
  std::copy(wire_.begin(), wire_.begin() + head, out.wire_.begin());
  std::copy(suffix.wire_.begin(), suffix.wire_.begin() + suffix.length_, out.wire_.begin() + head);
  out.length_ = static_cast<uint8_t>(head + suffix.length_);
  return out;
}

bool Name::operator==(const Name& other) const {
  return length_ == other.length_ && labels_equal_ci(wire_.data(), other.wire_.data(), length_);
}

int canonical_compare(const Name& a, const Name& b) {
  return canonical_compare_wire(a.wire(), b.wire());
}

int canonical_compare_wire(std::span<const uint8_t> wa, std::span<const uint8_t> wb) {
  std::array<uint8_t, kMaxLabels> la{};
  std::array<uint8_t, kMaxLabels> lb{};
  size_t na = label_offsets(wa, la);
  size_t nb = label_offsets(wb, lb);
  // RFC 4034 section 6.1: compare the rightmost labels first; within a label, octet by octet
  // with uppercase folded, a shorter label sorting before a longer one it prefixes; a name
  // with fewer labels sorts first.
  while (na > 0 && nb > 0) {
    --na;
    --nb;
    const uint8_t* pa = wa.data() + la[na];
    const uint8_t* pb = wb.data() + lb[nb];
    size_t len_a = pa[0];
    size_t len_b = pb[0];
    size_t common = std::min(len_a, len_b);
    for (size_t i = 1; i <= common; ++i) {
      int x = ascii_lower(pa[i]);
      int y = ascii_lower(pb[i]);
      if (x != y) {
        return x < y ? -1 : 1;
      }
    }
    if (len_a != len_b) {
      return len_a < len_b ? -1 : 1;
    }
  }
  if (na != nb) {
    return na < nb ? -1 : 1;
  }
  return 0;
}

}  // namespace vmdns::dns
