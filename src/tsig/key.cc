#include "tsig/key.h"

#include <array>

namespace vmdns::tsig {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) {
  size_t at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

void set(std::string* error, std::string text) {
  if (error != nullptr) {
    *error = std::move(text);
  }
}

}  // namespace

std::optional<std::vector<uint8_t>> decode_base64(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      compact.push_back(c);
    }
  }
  if (compact.empty() || compact.size() % 4 != 0) {
    return std::nullopt;
  }
  std::vector<uint8_t> out;
  for (size_t i = 0; i < compact.size(); i += 4) {
    bool last = i + 4 == compact.size();
    std::array<int, 4> v{};
    size_t padding = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = compact[i + j];
      if (c == '=' && last && j >= 2) {
        ++padding;
        v[j] = 0;
        continue;
      }
      if (padding != 0 || (v[j] = sextet(c)) < 0) {
        return std::nullopt;  // a character outside the alphabet, or data after padding
      }
    }
    uint32_t group = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) |
                     uint32_t(v[3]);
    out.push_back(static_cast<uint8_t>(group >> 16));
    if (padding < 2) {
      out.push_back(static_cast<uint8_t>(group >> 8));
    }
    if (padding < 1) {
      out.push_back(static_cast<uint8_t>(group));
    }
  }
  return out;
}

std::string encode_base64(std::span<const uint8_t> bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = uint32_t(bytes[i]) << 16;
    if (n > 1) {
      group |= uint32_t(bytes[i + 1]) << 8;
    }
    if (n > 2) {
      group |= bytes[i + 2];
    }
    for (size_t j = 0; j < 4; ++j) {
      out.push_back(j <= n ? kAlphabet[(group >> (18 - 6 * j)) & 0x3F] : '=');
    }
  }
  return out;
}

std::optional<Key> parse_key_spec(std::string_view spec, std::string* error) {
  size_t first = spec.find(':');
  size_t second = first == std::string_view::npos ? first : spec.find(':', first + 1);
  if (second == std::string_view::npos) {
    set(error, "\"" + std::string(spec) + "\": expected NAME:ALGORITHM:BASE64");
    return std::nullopt;
  }
  std::string_view name_text = spec.substr(0, first);
  std::string_view algorithm_text_part = spec.substr(first + 1, second - first - 1);
  std::string_view secret = spec.substr(second + 1);
  std::string where = "key \"" + std::string(name_text) + "\": ";
  std::string name_error;
  std::optional<dns::Name> name =
      name_text.empty() ? std::nullopt : dns::Name::from_text(name_text, &name_error);
  if (!name) {
    set(error, where + "name: " + (name_error.empty() ? "empty" : name_error));
    return std::nullopt;
  }
  std::optional<Algorithm> algorithm = algorithm_from_text(algorithm_text_part);
  if (!algorithm) {
    set(error, where + "algorithm \"" + std::string(algorithm_text_part) +
                   "\" is not supported (hmac-sha256 or hmac-sha512)");
    return std::nullopt;
  }
  std::optional<std::vector<uint8_t>> bytes = decode_base64(secret);
  if (!bytes) {
    set(error, where + "secret: not base64");
    return std::nullopt;
  }
  return Key{name->lowercased(), *algorithm, std::move(*bytes)};
}

bool KeyRing::add(Key key, std::string* error) {
  key.name = key.name.lowercased();
  if (find(key.name) != nullptr) {
    set(error, "key \"" + key.name.to_text() + "\" is defined twice");
    return false;
  }
  keys_.push_back(std::move(key));
  return true;
}

const Key* KeyRing::find(const dns::Name& name) const {
  for (const Key& key : keys_) {
    if (key.name == name) {
      return &key;
    }
  }
  return nullptr;
}

}  // namespace vmdns::tsig
