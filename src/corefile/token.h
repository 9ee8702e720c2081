#pragma once
// One word of a Corefile, with where it was read: the unit every later stage works on.
//
//   Token{.text = "cache", .file = "/etc/coredns/Corefile", .line = 12}
//   token.where()   // "/etc/coredns/Corefile:12"

#include <string>

namespace vmdns::corefile {

struct Token {
  std::string text;
  std::string file;
  int line = 0;         // 1-based
  bool quoted = false;  // "{" in quotes is a word, not a brace

  std::string where() const { return file + ":" + std::to_string(line); }
  // An unquoted brace opens or closes a block.
  bool is_open() const { return !quoted && text == "{"; }
  bool is_close() const { return !quoted && text == "}"; }
  // True when `other` starts a new line after this token (or comes from another file).
  bool same_line(const Token& other) const { return file == other.file && line == other.line; }
};

}  // namespace vmdns::corefile
