#pragma once
// A Corefile's structure: server blocks, each with its keys and its plugins' directives, every
// word keeping its file and line. What the words mean is for the caller to decide.
//
//   .:53 {                                   ServerBlock{keys: [".:53"], directives: [
//       errors                                 {errors},
//       kubernetes cluster.local {             {kubernetes, args [cluster.local], block: [
//           pods insecure                         {pods, args [insecure]}]},
//       }
//   }                                          ]}

#include <string>
#include <vector>

#include "corefile/token.h"

namespace vmdns::corefile {

struct Directive {
  Token name;
  std::vector<Token> args;
  bool has_block = false;  // "{ ... }" followed, perhaps empty
  std::vector<Directive> block;

  std::string where() const { return name.where(); }
};

struct ServerBlock {
  std::vector<Token> keys;  // ".:53", "dns://example.com:53", "10.0.0.0/24", ...
  std::vector<Directive> directives;
};

struct Corefile {
  std::vector<ServerBlock> blocks;
};

}  // namespace vmdns::corefile
