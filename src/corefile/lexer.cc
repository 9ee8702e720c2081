#include "corefile/lexer.h"

namespace vmdns::corefile {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

std::optional<std::vector<Token>> lex(std::string_view text, const std::string& file,
                                      std::string* error) {
  std::vector<Token> tokens;
  int line = 1;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      ++i;
      continue;
    }
    if (is_space(c)) {
      ++i;
      continue;
    }
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') {
        ++i;
      }
      continue;
    }
    Token token{.text = {}, .file = file, .line = line, .quoted = false};
    if (c == '"') {
      token.quoted = true;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char q = text[i];
        if (q == '\\' && i + 1 < text.size()) {
          // Only a quote is escaped: `\"` is `"`, any other pair stays as written.
          char next = text[i + 1];
          if (next != '"') {
            token.text += '\\';
          }
          if (next == '\n') {
            ++line;
          }
          token.text += next;
          i += 2;
          continue;
        }
        if (q == '"') {
          closed = true;
          ++i;
          break;
        }
        if (q == '\n') {
          ++line;
        }
        token.text += q;
        ++i;
      }
      if (!closed) {
        *error = token.where() + ": a quoted word is not closed";
        return std::nullopt;
      }
      tokens.push_back(std::move(token));
      continue;
    }
    // A bare word runs to whitespace; a `#` inside it starts a comment, as in Caddy.
    while (i < text.size() && !is_space(text[i]) && text[i] != '#') {
      token.text += text[i];
      ++i;
    }
    tokens.push_back(std::move(token));
  }
  return tokens;
}

}  // namespace vmdns::corefile
