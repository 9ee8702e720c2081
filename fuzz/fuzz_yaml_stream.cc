// libFuzzer target: text -> YamlStream's documents. Whatever the bytes, the stream must end (at
// the end of the text or at an error with a line), and every node it hands out must be readable:
// the walk below touches each node's text and children, bounded as the loader bounds its reads
// (aliases make graphs, even cycles).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "sources/yaml_stream.h"

namespace {

size_t walk(const vmdns::sources::YamlNode& root, size_t budget) {
  std::vector<const vmdns::sources::YamlNode*> stack{&root};
  size_t bytes = 0;
  while (!stack.empty() && budget-- > 0) {
    const vmdns::sources::YamlNode* node = stack.back();
    stack.pop_back();
    bytes += node->text.size() + static_cast<size_t>(node->line);
    for (uint32_t i = 0; i < node->size; ++i) {
      stack.push_back(node->children[i]);
    }
    if (node->is_map() && node->find("kind") != nullptr) {
      ++bytes;
    }
  }
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vmdns::sources::YamlStream stream(text);
  size_t documents = 0;
  volatile size_t sink = 0;
  while (const vmdns::sources::YamlNode* root = stream.next()) {
    sink = sink + walk(*root, size + 1024);
    // Every document consumes input: more documents than bytes would be a parser loop.
    vmdns::fuzz::check(++documents <= size + 1);
  }
  vmdns::fuzz::check(!stream.error() || stream.error()->line >= 0);
  vmdns::fuzz::check(stream.next() == nullptr);  // the end stays the end
  return 0;
}
