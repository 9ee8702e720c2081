#include "corefile/environment.h"

#include <array>

namespace vmdns::corefile {
namespace {

struct Form {
  std::string_view open;
  std::string_view close;
};

// The three spellings, tried at each `{`.
constexpr std::array<Form, 3> kForms = {{{"{$", "}"}, {"{env.", "}"}, {"{%", "%}"}}};

bool is_name(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string expand_environment(std::string_view word, const EnvironmentLookup& lookup) {
  std::string out;
  size_t i = 0;
  while (i < word.size()) {
    bool replaced = false;
    if (word[i] == '{') {
      for (const Form& form : kForms) {
        if (word.substr(i, form.open.size()) != form.open) {
          continue;
        }
        size_t start = i + form.open.size();
        size_t end = word.find(form.close, start);
        if (end == std::string_view::npos || !is_name(word.substr(start, end - start))) {
          continue;
        }
        if (auto value = lookup(std::string(word.substr(start, end - start)))) {
          out += *value;
        }
        i = end + form.close.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      out += word[i];
      ++i;
    }
  }
  return out;
}

}  // namespace vmdns::corefile
