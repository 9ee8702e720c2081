#pragma once
// A Corefile's words (after imports) -> its server blocks, by Caddy's grammar:
//
//   KEY[,] [KEY...] {        keys end at the line's end unless one ends with a comma
//       NAME [ARG...] [{     a directive: its name and the words on its line; a "{" after them
//           NAME [ARG...]    (on the line or the next) opens its block of sub-directives,
//       }]                   nested as deep as written
//   }
//
// A file with a single server block may leave out its braces. Errors name file and line:
// "Corefile:9: unexpected \"}\": no block is open", "Corefile:1: the block of .:53 is not closed".
//
//   auto corefile = parse(words, &error);

#include <optional>
#include <string>
#include <vector>

#include "corefile/corefile.h"
#include "corefile/token.h"

namespace vmdns::corefile {

std::optional<Corefile> parse(const std::vector<Token>& tokens, std::string* error);

}  // namespace vmdns::corefile
