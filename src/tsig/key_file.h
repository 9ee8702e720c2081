#pragma once
// TSIG key files in BIND's syntax, as `tsig-keygen` and `rndc-confgen` write them and as BIND
// and Knot users already hold them (`--tsig-key-file`):
//
//   # the transfer key shared with ns1
//   key "xfr.example" {
//       algorithm hmac-sha256;
//       secret "c2VjcmV0LXNlY3JldC1zZWNyZXQ=";
//   };
//
// `#`, `//` and `/* */` comments; several keys a file; any other statement is an error. Every
// error names the file, the line, the key and the field:
//
//   KeyFileParse p = parse_key_file(text, "/etc/vmdns/keys.conf");
//   if (!p.error.empty()) { ... "/etc/vmdns/keys.conf:3: key "xfr.example": algorithm
//                              "hmac-md5" is not supported (hmac-sha256 or hmac-sha512)" ... }

#include <string>
#include <string_view>
#include <vector>

#include "tsig/key.h"

namespace vmdns::tsig {

struct KeyFileParse {
  std::vector<Key> keys;
  std::string error;  // empty when the whole file parsed
};

KeyFileParse parse_key_file(std::string_view text, std::string_view file_name);

// Reads and parses `path`; an unreadable file is an error naming it.
KeyFileParse load_key_file(const std::string& path);

}  // namespace vmdns::tsig
