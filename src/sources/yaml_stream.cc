#include "sources/yaml_stream.h"

#include <array>

namespace vmdns::sources {
namespace {

// yaml-cpp's null scalars (and YAML 1.1's): what `field: ~` or `field:` means.
bool is_null_text(std::string_view text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

// Lower case, upper case, or capitalized: "true", "TRUE", "True", not "tRUE".
bool flexible_case_equals(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) {
    return false;
  }
  bool all_upper = true;
  bool rest_lower = true;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    char upper = static_cast<char>(lower[i] - 'a' + 'A');
    if (c != lower[i] && c != upper) {
      return false;
    }
    all_upper = all_upper && c == upper;
    rest_lower = rest_lower && (i == 0 || c == lower[i]);
  }
  return all_upper || rest_lower;
}

}  // namespace

const YamlNode* YamlNode::find(std::string_view name) const {
  for (size_t i = 0; i < entries(); ++i) {
    const YamlNode& k = key(i);
    if (k.type == Type::Scalar && k.text == name) {
      return &value(i);
    }
  }
  return nullptr;
}

std::optional<bool> yaml_boolean(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kNames = {{
      {"y", "n"}, {"yes", "no"}, {"true", "false"}, {"on", "off"}}};
  for (const auto& [yes, no] : kNames) {
    if (flexible_case_equals(text, yes)) {
      return true;
    }
    if (flexible_case_equals(text, no)) {
      return false;
    }
  }
  return std::nullopt;
}

YamlStream::YamlStream(std::string_view text, int first_line) : first_line_(first_line) {
  yaml_parser_initialize(&parser_);
  yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
}

YamlStream::~YamlStream() {
  yaml_parser_delete(&parser_);
}

int YamlStream::line_of(const yaml_mark_t& mark) const {
  return first_line_ + static_cast<int>(mark.line) + 1;
}

YamlNode* YamlStream::add_node(YamlNode::Type type, const yaml_mark_t& mark,
                               const yaml_char_t* anchor) {
  YamlNode& node = nodes_.emplace_back();
  node.type = type;
  node.line = line_of(mark);
  text_spans_.emplace_back(0, 0);
  link_offsets_.push_back(0);
  if (anchor != nullptr) {
    anchors_[reinterpret_cast<const char*>(anchor)] = &node;
  }
  return &node;
}

void YamlStream::attach(const YamlNode* node) {
  if (open_.empty()) {
    root_ = node;
  } else {
    pending_.push_back(node);
  }
}

void YamlStream::close(const Open& open) {
  link_offsets_[open.index] = links_.size();
  links_.insert(links_.end(), pending_.begin() + static_cast<ptrdiff_t>(open.first_pending),
                pending_.end());
  open.node->size = static_cast<uint32_t>(pending_.size() - open.first_pending);
  pending_.resize(open.first_pending);
}

void YamlStream::finish_document() {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    YamlNode& node = nodes_[i];
    if (node.type == YamlNode::Type::Scalar) {
      node.text = std::string_view(text_).substr(text_spans_[i].first, text_spans_[i].second);
    } else if (node.type != YamlNode::Type::Null) {
      node.children = links_.data() + link_offsets_[i];
    }
  }
}

void YamlStream::fail(const std::string& problem, const yaml_mark_t& mark) {
  error_ = Error{line_of(mark), problem};
  done_ = true;
}

const YamlNode* YamlStream::next() {
  nodes_.clear();
  text_.clear();
  links_.clear();
  text_spans_.clear();
  link_offsets_.clear();
  pending_.clear();
  open_.clear();
  anchors_.clear();
  root_ = nullptr;
  bool in_document = false;
  while (!done_) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser_, &event)) {
      std::string problem = parser_.problem != nullptr ? parser_.problem : "cannot be parsed";
      if (parser_.context != nullptr) {
        problem += std::string(" ") + parser_.context;
      }
      fail(problem, parser_.error == YAML_READER_ERROR ? parser_.mark : parser_.problem_mark);
      return nullptr;
    }
    // Copied out of the event before it is freed at the end of this iteration.
    bool document_ended = false;
    switch (event.type) {
      case YAML_STREAM_END_EVENT:
        done_ = true;
        break;
      case YAML_DOCUMENT_START_EVENT:
        in_document = true;
        break;
      case YAML_DOCUMENT_END_EVENT:
        document_ended = in_document;
        break;
      case YAML_ALIAS_EVENT: {
        auto found = anchors_.find(reinterpret_cast<const char*>(event.data.alias.anchor));
        if (found == anchors_.end()) {
          fail("unknown anchor " + std::string(reinterpret_cast<const char*>(
                                       event.data.alias.anchor)),
               event.start_mark);
          yaml_event_delete(&event);
          return nullptr;
        }
        attach(found->second);
        break;
      }
      case YAML_SCALAR_EVENT: {
        std::string_view value(reinterpret_cast<const char*>(event.data.scalar.value),
                               event.data.scalar.length);
        bool plain = event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        YamlNode* node =
            add_node(plain && is_null_text(value) ? YamlNode::Type::Null : YamlNode::Type::Scalar,
                     event.start_mark, event.data.scalar.anchor);
        node->plain = plain;
        if (node->type == YamlNode::Type::Scalar) {
          text_spans_.back() = {text_.size(), value.size()};
          text_.append(value);
        }
        attach(node);
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        bool sequence = event.type == YAML_SEQUENCE_START_EVENT;
        YamlNode* node = add_node(sequence ? YamlNode::Type::Sequence : YamlNode::Type::Map,
                                  event.start_mark,
                                  sequence ? event.data.sequence_start.anchor
                                           : event.data.mapping_start.anchor);
        attach(node);
        open_.push_back({node, nodes_.size() - 1, pending_.size()});
        break;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        if (!open_.empty()) {
          close(open_.back());
          open_.pop_back();
        }
        break;
      default:
        break;
    }
    yaml_event_delete(&event);
    if (document_ended) {
      finish_document();
      static const YamlNode kEmpty;
      return root_ != nullptr ? root_ : &kEmpty;
    }
  }
  return nullptr;
}

}  // namespace vmdns::sources
