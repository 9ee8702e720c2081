#include "tsig/key_file.h"

#include <fstream>
#include <sstream>

namespace vmdns::tsig {
namespace {

struct Token {
  enum class Kind { End, Word, Quoted, Open, Close, Semicolon };
  Kind kind = Kind::End;
  std::string text;
  size_t line = 1;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // False with `error` on an unterminated string or comment.
  bool next(Token& out, std::string& error) {
    skip_space_and_comments(error);
    if (!error.empty()) {
      return false;
    }
    out = Token{};
    out.line = line_;
    if (at_ >= text_.size()) {
      return true;
    }
    char c = text_[at_];
    if (c == '{' || c == '}' || c == ';') {
      ++at_;
      out.kind = c == '{' ? Token::Kind::Open
                          : (c == '}' ? Token::Kind::Close : Token::Kind::Semicolon);
      out.text = std::string(1, c);
      return true;
    }
    if (c == '"') {
      size_t end = text_.find('"', at_ + 1);
      if (end == std::string_view::npos) {
        error = "unterminated string";
        return false;
      }
      out.kind = Token::Kind::Quoted;
      out.text = std::string(text_.substr(at_ + 1, end - at_ - 1));
      for (char q : out.text) {
        line_ += q == '\n' ? 1 : 0;
      }
      at_ = end + 1;
      return true;
    }
    size_t start = at_;
    while (at_ < text_.size() && !is_space(text_[at_]) && text_[at_] != '{' &&
           text_[at_] != '}' && text_[at_] != ';' && text_[at_] != '"' &&
           !text_.substr(at_).starts_with("//") && !text_.substr(at_).starts_with("/*") &&
           text_[at_] != '#') {
      ++at_;
    }
    out.kind = Token::Kind::Word;
    out.text = std::string(text_.substr(start, at_ - start));
    return true;
  }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

  void skip_space_and_comments(std::string& error) {
    while (at_ < text_.size()) {
      std::string_view rest = text_.substr(at_);
      if (is_space(rest[0])) {
        line_ += rest[0] == '\n' ? 1 : 0;
        ++at_;
      } else if (rest[0] == '#' || rest.starts_with("//")) {
        size_t end = text_.find('\n', at_);
        at_ = end == std::string_view::npos ? text_.size() : end;
      } else if (rest.starts_with("/*")) {
        size_t end = text_.find("*/", at_ + 2);
        if (end == std::string_view::npos) {
          error = "unterminated comment";
          return;
        }
        for (size_t i = at_; i < end; ++i) {
          line_ += text_[i] == '\n' ? 1 : 0;
        }
        at_ = end + 2;
      } else {
        return;
      }
    }
  }

  std::string_view text_;
  size_t at_ = 0;
  size_t line_ = 1;
};

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

class Parser {
 public:
  Parser(std::string_view text, std::string_view file) : lexer_(text), file_(file) {}

  KeyFileParse run() {
    KeyFileParse out;
    while (advance() && token_.kind != Token::Kind::End) {
      if (token_.kind != Token::Kind::Word || token_.text != "key") {
        fail("expected a key statement, found " + quoted(token_.text));
        break;
      }
      if (!parse_key(out)) {
        break;
      }
    }
    if (!error_.empty()) {
      out.keys.clear();
      out.error = std::move(error_);
    }
    return out;
  }

 private:
  bool advance() {
    std::string lex_error;
    if (!lexer_.next(token_, lex_error)) {
      fail(lex_error);
      return false;
    }
    return true;
  }

  bool fail(const std::string& text) {
    if (error_.empty()) {
      error_ = std::string(file_) + ":" + std::to_string(token_.line) + ": " + text;
    }
    return false;
  }

  bool expect(Token::Kind kind, std::string_view what, std::string_view context) {
    if (!advance()) {
      return false;
    }
    if (token_.kind != kind) {
      return fail(std::string(context) + "expected " + std::string(what) + ", found " +
                  (token_.kind == Token::Kind::End ? "the end of the file" : quoted(token_.text)));
    }
    return true;
  }

  // key NAME { algorithm ALG; secret "BASE64"; };
  bool parse_key(KeyFileParse& out) {
    if (!advance()) {
      return false;
    }
    if (token_.kind != Token::Kind::Word && token_.kind != Token::Kind::Quoted) {
      return fail("key: expected a name");
    }
    std::string name_text = token_.text;
    std::string context = "key " + quoted(name_text) + ": ";
    std::string name_error;
    std::optional<dns::Name> name =
        name_text.empty() ? std::nullopt : dns::Name::from_text(name_text, &name_error);
    if (!name) {
      return fail(context + "name: " + (name_error.empty() ? "empty" : name_error));
    }
    size_t key_line = token_.line;
    if (!expect(Token::Kind::Open, "\"{\"", context)) {
      return false;
    }
    std::optional<Algorithm> algorithm;
    std::optional<std::vector<uint8_t>> secret;
    while (true) {
      if (!advance()) {
        return false;
      }
      if (token_.kind == Token::Kind::Close) {
        break;
      }
      if (token_.kind != Token::Kind::Word) {
        return fail(context + "expected algorithm or secret, found " +
                    (token_.kind == Token::Kind::End ? "the end of the file" : quoted(token_.text)));
      }
      std::string field = token_.text;
      if (field != "algorithm" && field != "secret") {
        return fail(context + "unknown field " + quoted(field) + " (algorithm or secret)");
      }
      if ((field == "algorithm" && algorithm) || (field == "secret" && secret)) {
        return fail(context + field + ": given twice");
      }
      if (!advance()) {
        return false;
      }
      if (token_.kind != Token::Kind::Word && token_.kind != Token::Kind::Quoted) {
        return fail(context + field + ": expected a value");
      }
      if (field == "algorithm") {
        algorithm = algorithm_from_text(token_.text);
        if (!algorithm) {
          return fail(context + "algorithm " + quoted(token_.text) +
                      " is not supported (hmac-sha256 or hmac-sha512)");
        }
      } else {
        secret = decode_base64(token_.text);
        if (!secret) {
          return fail(context + "secret: not base64");
        }
      }
      if (!expect(Token::Kind::Semicolon, "\";\"", context + field + ": ")) {
        return false;
      }
    }
    if (!expect(Token::Kind::Semicolon, "\";\" after \"}\"", context)) {
      return false;
    }
    if (!algorithm || !secret) {
      token_.line = key_line;
      return fail(context + (algorithm ? "no secret" : "no algorithm"));
    }
    for (const Key& other : out.keys) {
      if (other.name == *name) {
        token_.line = key_line;
        return fail(context + "defined twice");
      }
    }
    out.keys.push_back(Key{name->lowercased(), *algorithm, std::move(*secret)});
    return true;
  }

  Lexer lexer_;
  std::string_view file_;
  Token token_;
  std::string error_;
};

}  // namespace

KeyFileParse parse_key_file(std::string_view text, std::string_view file_name) {
  return Parser(text, file_name).run();
}

KeyFileParse load_key_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    KeyFileParse out;
    out.error = path + ": cannot be read";
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_key_file(text.str(), path);
}

}  // namespace vmdns::tsig
