#pragma once
// Manifest text -> its YAML documents, one at a time, each as a small tree of YamlNode.
//
//   YamlStream stream(text);
//   while (const YamlNode* root = stream.next()) {
//     if (const YamlNode* kind = root->find("kind")) use(kind->text, kind->line);
//   }                                            // each root lives until the next call
//   if (stream.error()) report(stream.error()->line, stream.error()->message);
//
// Built on libyaml's event parser: a document's nodes are made from its events and dropped when
// the next document is read, so loading a manifest of any size holds one document's tree at a
// time, never the whole file's (the decoders keep only the slim cluster objects). The buffers
// are reused from document to document.
//
// What the nodes keep is what the field readers need, with yaml-cpp's reading of YAML: plain
// scalars `~`, `null`, `Null`, `NULL` and the empty one are null; a quoted or block scalar is
// not `plain` (a Service's targetPort "8080" stays a string). An alias is the anchored node
// itself, shared, so a tree may be a graph (even a cycle: `&l [*l]`); readers bound their walk
// (ReadBudget) rather than trusting its shape.

#include <yaml.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vmdns::sources {

struct YamlNode {
  enum class Type : uint8_t { Null, Scalar, Sequence, Map };

  Type type = Type::Null;
  bool plain = true;      // a plain scalar, neither quoted nor a block scalar
  int line = 0;           // 1-based line where the node starts
  std::string_view text;  // a scalar's value (after escapes and folding)
  // A sequence's items; a map's keys and values, alternating (key 0, value 0, key 1, ...).
  const YamlNode* const* children = nullptr;
  uint32_t size = 0;  // items of a sequence, 2 x entries of a map

  bool is_null() const { return type == Type::Null; }
  bool is_scalar() const { return type == Type::Scalar; }
  bool is_sequence() const { return type == Type::Sequence; }
  bool is_map() const { return type == Type::Map; }
  size_t entries() const { return type == Type::Map ? size / 2 : 0; }
  const YamlNode& key(size_t i) const { return *children[2 * i]; }
  const YamlNode& value(size_t i) const { return *children[2 * i + 1]; }
  // The value of the first entry whose key is the scalar `name`; nullptr if none (or not a map).
  const YamlNode* find(std::string_view name) const;
};

class YamlStream {
 public:
  // `text` must outlive the stream. `first_line` is added to every line: the lines before `text`
  // when it is a part of a file.
  explicit YamlStream(std::string_view text, int first_line = 0);
  ~YamlStream();
  YamlStream(const YamlStream&) = delete;
  YamlStream& operator=(const YamlStream&) = delete;

  // The root of the next document (a null node for an empty one), valid until the next call;
  // nullptr at the end of the text or at a syntax error (then error() is set).
  const YamlNode* next();

  struct Error {
    int line = 0;  // 1-based; 0 when libyaml names none
    std::string message;
  };
  const std::optional<Error>& error() const { return error_; }

 private:
  struct Open {
    YamlNode* node;
    size_t index;          // in nodes_
    size_t first_pending;  // its first child in pending_
  };

  YamlNode* add_node(YamlNode::Type type, const yaml_mark_t& mark, const yaml_char_t* anchor);
  void attach(const YamlNode* node);
  void close(const Open& open);
  void finish_document();
  void fail(const std::string& problem, const yaml_mark_t& mark);

  int line_of(const yaml_mark_t& mark) const;

  yaml_parser_t parser_;
  int first_line_ = 0;
  bool done_ = false;
  std::optional<Error> error_;
  // One document's tree; cleared for the next. Nodes live in a deque so that pointers to them
  // (children, anchors) stay valid while it grows; scalar text and child lists are appended to
  // flat buffers, addressed by offset until the document is complete (then by pointer).
  std::deque<YamlNode> nodes_;
  std::string text_;
  std::vector<const YamlNode*> links_;
  std::vector<std::pair<size_t, size_t>> text_spans_;  // node index -> (offset, length)
  std::vector<size_t> link_offsets_;                   // node index -> offset into links_
  std::vector<const YamlNode*> pending_;               // children of the open collections
  std::vector<Open> open_;
  std::unordered_map<std::string, const YamlNode*> anchors_;
  const YamlNode* root_ = nullptr;
};

// YAML 1.1's booleans as kubectl's YAML library and yaml-cpp read them: y/n, yes/no, true/false,
// on/off, in lower case, upper case or capitalized.
std::optional<bool> yaml_boolean(std::string_view text);

}  // namespace vmdns::sources
