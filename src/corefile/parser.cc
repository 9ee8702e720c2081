#include "corefile/parser.h"

namespace vmdns::corefile {
namespace {

// Blocks nest at most this deep (no plugin has more than two levels): a bound on recursion for
// hostile input.
constexpr int kMaxNesting = 16;

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, std::string* error) : tokens_(tokens), error_(error) {}

  std::optional<Corefile> run() {
    Corefile corefile;
    while (pos_ < tokens_.size()) {
      ServerBlock block;
      if (!keys(block)) {
        return std::nullopt;
      }
      const Token& first = block.keys.front();
      if (pos_ < tokens_.size() && tokens_[pos_].is_open()) {
        ++pos_;
        if (!directives(block.directives, 1)) {
          return std::nullopt;
        }
        if (pos_ >= tokens_.size()) {
          *error_ = first.where() + ": the block of " + first.text + " is not closed (a \"}\" "
                                                                     "is missing)";
          return std::nullopt;
        }
        ++pos_;  // "}"
      } else {
        // Braces may be left out when the file holds one server block.
        if (!corefile.blocks.empty()) {
          *error_ = first.where() + ": expected \"{\" after the server block's keys";
          return std::nullopt;
        }
        if (!directives(block.directives, 0)) {
          return std::nullopt;
        }
        if (pos_ < tokens_.size()) {
          *error_ = tokens_[pos_].where() + ": unexpected \"}\": no block is open";
          return std::nullopt;
        }
      }
      corefile.blocks.push_back(std::move(block));
    }
    return corefile;
  }

 private:
  bool keys(ServerBlock& block) {
    bool another = false;
    while (pos_ < tokens_.size()) {
      const Token& token = tokens_[pos_];
      if (token.is_open()) {
        if (another || block.keys.empty()) {
          *error_ = token.where() + ": expected a server block key (such as .:53) before \"{\"";
          return false;
        }
        return true;
      }
      if (token.is_close()) {
        *error_ = token.where() + ": unexpected \"}\": no block is open";
        return false;
      }
      Token key = token;
      another = !key.text.empty() && key.text.back() == ',';
      if (another) {
        key.text.pop_back();
      }
      if (!key.text.empty()) {
        block.keys.push_back(std::move(key));
      }
      ++pos_;
      if (pos_ < tokens_.size() && !another && !tokens_[pos_].same_line(token)) {
        break;
      }
    }
    if (another) {
      *error_ = tokens_[pos_ - 1].where() + ": expected another server block key after \",\"";
      return false;
    }
    if (block.keys.empty()) {
      *error_ = tokens_[pos_ - 1].where() + ": expected a server block key (such as .:53)";
      return false;
    }
    return true;
  }

  // Directives up to the "}" that closes their block (left at pos_) or the end of the words.
  bool directives(std::vector<Directive>& out, int depth) {
    if (depth > kMaxNesting) {
      *error_ = tokens_[pos_ - 1].where() + ": blocks nest more than " +
                std::to_string(kMaxNesting) + " deep";
      return false;
    }
    while (pos_ < tokens_.size()) {
      const Token& token = tokens_[pos_];
      if (token.is_close()) {
        if (depth == 0) {
          *error_ = token.where() + ": unexpected \"}\": no block is open";
          return false;
        }
        return true;
      }
      if (token.is_open()) {
        *error_ = token.where() + ": unexpected \"{\": a block follows a directive's name";
        return false;
      }
      Directive directive;
      directive.name = token;
      ++pos_;
      while (pos_ < tokens_.size() && tokens_[pos_].same_line(tokens_[pos_ - 1]) &&
             !tokens_[pos_].is_open() && !tokens_[pos_].is_close()) {
        directive.args.push_back(tokens_[pos_]);
        ++pos_;
      }
      if (pos_ < tokens_.size() && tokens_[pos_].is_open()) {
        ++pos_;
        directive.has_block = true;
        if (!directives(directive.block, depth + 1)) {
          return false;
        }
        if (pos_ >= tokens_.size()) {
          *error_ = directive.where() + ": the block of " + directive.name.text +
                    " is not closed (a \"}\" is missing)";
          return false;
        }
        ++pos_;  // "}"
      }
      out.push_back(std::move(directive));
    }
    return true;
  }

  const std::vector<Token>& tokens_;
  std::string* error_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<Corefile> parse(const std::vector<Token>& tokens, std::string* error) {
  return Parser(tokens, error).run();
}

}  // namespace vmdns::corefile
