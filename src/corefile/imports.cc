#include "corefile/imports.h"

#include <map>

#include "corefile/environment.h"
#include "corefile/lexer.h"

namespace vmdns::corefile {
namespace {

using Snippets = std::map<std::string, std::vector<Token>>;

bool has_glob(const std::string& pattern) {
  return pattern.find_first_of("*?[") != std::string::npos;
}

std::string directory_of(const std::string& file) {
  size_t slash = file.rfind('/');
  return slash == std::string::npos ? std::string() : file.substr(0, slash + 1);
}

// "(name)": a snippet's definition.
bool is_snippet_name(const Token& token) {
  return !token.quoted && token.text.size() > 2 && token.text.front() == '(' &&
         token.text.back() == ')';
}

std::optional<std::vector<Token>> lex_file(const std::string& path, const FileAccess& files,
                                           std::string* error) {
  std::string why;
  auto text = files.read(path, &why);
  if (!text) {
    *error = path + ": " + why;
    return std::nullopt;
  }
  auto tokens = lex(*text, path, error);
  if (!tokens) {
    return std::nullopt;
  }
  for (Token& token : *tokens) {
    token.text = expand_environment(token.text, files.environment);
  }
  return tokens;
}

class Expander {
 public:
  Expander(const FileAccess& files, std::string* error) : files_(files), error_(error) {}

  bool expand(const std::vector<Token>& tokens, int depth, std::vector<Token>& out) {
    int nesting = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
      const Token& token = tokens[i];
      bool line_start = i == 0 || !tokens[i - 1].same_line(token);
      if (nesting == 0 && line_start && is_snippet_name(token) && i + 1 < tokens.size() &&
          tokens[i + 1].is_open() && tokens[i + 1].same_line(token)) {
        size_t end = 0;
        if (!snippet(tokens, i, &end)) {
          return false;
        }
        i = end;
        continue;
      }
      if (line_start && !token.quoted && token.text == "import") {
        size_t args = 0;
        while (i + 1 + args < tokens.size() && tokens[i + 1 + args].same_line(token)) {
          ++args;
        }
        if (args != 1) {
          *error_ = token.where() + ": import takes one argument (a file, a glob pattern or a "
                                    "snippet's name), got " +
                    std::to_string(args);
          return false;
        }
        if (!import(token, tokens[i + 1], depth, out)) {
          return false;
        }
        i += 1;
        continue;
      }
      if (token.is_open()) {
        ++nesting;
      } else if (token.is_close() && nesting > 0) {
        --nesting;
      }
      if (out.size() >= kMaxWords) {
        *error_ = token.where() + ": the Corefile and its imports hold more than " +
                  std::to_string(kMaxWords) + " words";
        return false;
      }
      out.push_back(token);
    }
    return true;
  }

 private:
  // tokens[start] is "(name)" and tokens[start + 1] "{": records the words up to the matching
  // "}" (at *end).
  bool snippet(const std::vector<Token>& tokens, size_t start, size_t* end) {
    const Token& name = tokens[start];
    int nesting = 0;
    std::vector<Token> body;
    for (size_t i = start + 1; i < tokens.size(); ++i) {
      if (tokens[i].is_open()) {
        if (nesting++ == 0) {
          continue;
        }
      } else if (tokens[i].is_close()) {
        if (--nesting == 0) {
          snippets_[name.text.substr(1, name.text.size() - 2)] = std::move(body);
          *end = i;
          return true;
        }
      }
      body.push_back(tokens[i]);
    }
    *error_ = name.where() + ": snippet " + name.text + ": its block is not closed";
    return false;
  }

  bool import(const Token& directive, const Token& argument, int depth, std::vector<Token>& out) {
    if (depth >= kMaxImportDepth) {
      *error_ = directive.where() + ": import " + argument.text + ": imports nest more than " +
                std::to_string(kMaxImportDepth) + " deep (an import cycle?)";
      return false;
    }
    if (auto it = snippets_.find(argument.text); it != snippets_.end()) {
      std::vector<Token> body = it->second;  // expanding may define snippets: copy first
      return expand(body, depth + 1, out);
    }
    std::string pattern = argument.text;
    if (pattern.empty()) {
      *error_ = directive.where() + ": import: the path is empty";
      return false;
    }
    if (pattern.front() != '/') {
      pattern = directory_of(directive.file) + pattern;
    }
    std::vector<std::string> paths;
    if (has_glob(pattern)) {
      paths = files_.glob(pattern);  // none: fine, as in CoreDNS
    } else {
      paths.push_back(pattern);
    }
    for (const std::string& path : paths) {
      std::string why;
      auto tokens = lex_file(path, files_, &why);
      if (!tokens) {
        *error_ = directive.where() + ": import " + argument.text + ": " + why;
        return false;
      }
      if (!expand(*tokens, depth + 1, out)) {
        return false;
      }
    }
    return true;
  }

  const FileAccess& files_;
  std::string* error_;
  Snippets snippets_;
};

}  // namespace

std::optional<std::vector<Token>> expand_imports(std::vector<Token> tokens,
                                                 const FileAccess& files, std::string* error) {
  std::vector<Token> out;
  Expander expander(files, error);
  if (!expander.expand(tokens, 0, out)) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<Token>> read_words(const std::string& path, const FileAccess& files,
                                             std::string* error) {
  auto tokens = lex_file(path, files, error);
  if (!tokens) {
    return std::nullopt;
  }
  return expand_imports(std::move(*tokens), files, error);
}

}  // namespace vmdns::corefile
