#pragma once
// `import` and snippets, as Caddy (and so CoreDNS) splices them into a Corefile's words:
//
//   (common) {          # a snippet: a name in parentheses at the top level, then a block
//       errors
//       cache 30
//   }
//   example.com:53 {
//       import common   # the snippet's words, here
//       forward . 10.0.0.1
//   }
//   import /etc/coredns/custom/*.server   # every matching file's words, sorted by path
//
// `import` is the first word of a line and takes one argument: a snippet's name, a file
// (relative paths are relative to the importing file's directory), or a glob pattern. A pattern
// that matches nothing imports nothing (k3s's Corefile imports usually absent files); a plain
// path that does not exist is an error. Imports nest up to 10 deep, which also ends a cycle, and
// the spliced words are at most kMaxWords.
//
//   auto words = expand_imports(std::move(tokens), system_file_access(), &error);

#include <optional>
#include <string>
#include <vector>

#include "corefile/file_access.h"
#include "corefile/token.h"

namespace vmdns::corefile {

inline constexpr int kMaxImportDepth = 10;
// Words after every import is spliced in: far above any real Corefile, and a bound on a snippet
// that imports itself several times over (each level multiplies the words).
inline constexpr size_t kMaxWords = 100000;

// The words of a file read with `files`: lexed, environment variables substituted, imports
// spliced in. Errors name the file and line: "Corefile:4: import custom.conf: No such file".
std::optional<std::vector<Token>> read_words(const std::string& path, const FileAccess& files,
                                             std::string* error);

// The same for words already read from `tokens`' files.
std::optional<std::vector<Token>> expand_imports(std::vector<Token> tokens,
                                                 const FileAccess& files, std::string* error);

}  // namespace vmdns::corefile
