#pragma once
// A Corefile's text -> its words, as Caddy's lexer (which CoreDNS uses) splits them:
// whitespace separates words; `#` outside quotes starts a comment to the end of the line;
// "double quotes" make one word of what they hold (newlines included, `\"` is a quote, any other
// backslash stays as it is). A word's line is the line it starts on.
//
//   std::string error;
//   auto tokens = lex("forward . \"10.0.0.1\" # upstream\n", "Corefile", &error);
//   // forward, ., 10.0.0.1 (quoted), all on line 1
//
// The only error is a quote left open: "Corefile:3: a quoted word is not closed".

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "corefile/token.h"

namespace vmdns::corefile {

std::optional<std::vector<Token>> lex(std::string_view text, const std::string& file,
                                      std::string* error);

}  // namespace vmdns::corefile
