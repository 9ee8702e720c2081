#pragma once
// TSIG keys (RFC 8945 section 3): a name, an algorithm and a shared secret, and the set of them
// a server knows.
//
//   std::string error;
//   std::optional<Key> key = parse_key_spec("xfr.example.:hmac-sha256:c2VjcmV0LXNlY3JldA==", &error);
//   KeyRing ring;
//   ring.add(*key, &error);                  // false: a second key of the same name
//   const Key* found = ring.find(*dns::Name::from_text("XFR.example."));   // names ignore case

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.h"
#include "tsig/algorithm.h"

namespace vmdns::tsig {

struct Key {
  dns::Name name;  // lowercase: the MAC covers it in canonical form (RFC 8945 section 4.3.3)
  Algorithm algorithm = Algorithm::HmacSha256;
  std::vector<uint8_t> secret;
};

// `--tsig-key NAME:ALGORITHM:BASE64`, e.g. "xfr.example:hmac-sha512:...". The error says which
// field is wrong: `key "xfr.example": algorithm "hmac-md5" is not supported (hmac-sha256 or
// hmac-sha512)`.
std::optional<Key> parse_key_spec(std::string_view spec, std::string* error);

// Standard base64 (RFC 4648 section 4) with its padding; spaces and newlines between groups are
// skipped, as key files wrap long secrets. nullopt for anything else.
std::optional<std::vector<uint8_t>> decode_base64(std::string_view text);
std::string encode_base64(std::span<const uint8_t> bytes);

// The keys of a server, found by name.
class KeyRing {
 public:
  // False, with `error`, when a key of that name is already there.
  bool add(Key key, std::string* error);
  const Key* find(const dns::Name& name) const;
  bool empty() const { return keys_.empty(); }
  const std::vector<Key>& keys() const { return keys_; }

 private:
  std::vector<Key> keys_;
};

}  // namespace vmdns::tsig
