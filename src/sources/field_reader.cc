#include "sources/field_reader.h"

#include <charconv>
#include <limits>

namespace vmdns::sources {
namespace {

constexpr size_t kMaxQuoted = 128;

std::string_view type_name(const YamlNode* node) {
  switch (node != nullptr ? node->type : YamlNode::Type::Null) {
    case YamlNode::Type::Map:
      return "a map";
    case YamlNode::Type::Sequence:
      return "a list";
    case YamlNode::Type::Scalar:
      return "a string";
    default:
      return "null";
  }
}

std::string_view type_name(const JsonValue& value) {
  switch (value.type()) {
    case JsonValue::Type::Object:
      return "a map";
    case JsonValue::Type::Array:
      return "a list";
    case JsonValue::Type::String:
      return "a string";
    case JsonValue::Type::Boolean:
      return "a boolean";
    case JsonValue::Type::Number:
      return "a number";
    default:
      return "null";
  }
}

std::string_view type_name(const Field& field) {
  return field.json.exists() ? type_name(field.json) : type_name(field.node);
}

// Digits after the last '/' of an address, as in "fd00::5/64".
bool is_prefix_suffix(std::string_view text) {
  if (text.empty() || text.size() > 3) {
    return false;
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

}  // namespace

bool Field::present() const {
  if (json.exists()) {
    return !json.is_null();
  }
  return node != nullptr && !node->is_null();
}

bool Field::is_map() const {
  return json.exists() ? json.is_object() : node != nullptr && node->is_map();
}

Field Field::operator[](const char* key) const {
  std::string child_path = path.empty() ? std::string(key) : path + "." + key;
  if (json.exists()) {
    // A missing key reads as an absent field: a null YAML node and no JSON value.
    return {nullptr, std::move(child_path), json.member(key)};
  }
  return {node != nullptr ? node->find(key) : nullptr, std::move(child_path)};
}

std::string quoted(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  size_t shown = 0;
  for (char c : value) {
    if (shown++ == kMaxQuoted) {
      out += "...";
      break;
    }
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

void FieldReader::error(const std::string& field, std::string message) {
  failed_ = true;
  diagnostics_.push_back({cluster::Severity::Error, origin_, object_, field, std::move(message)});
}

void FieldReader::warning(const std::string& field, std::string message) {
  diagnostics_.push_back({cluster::Severity::Warning, origin_, object_, field, std::move(message)});
}

void FieldReader::type_error(const Field& field, std::string_view expected) {
  error(field.path, "must be " + std::string(expected) + ", not " + std::string(type_name(field)));
}

bool FieldReader::take_node() {
  if (budget_.take()) {
    return true;
  }
  failed_ = true;
  return false;
}

Field FieldReader::map(const Field& field) {
  if (!field.present()) {
    return {nullptr, field.path};
  }
  if (field.json.exists() ? !field.json.is_object() : !field.node->is_map()) {
    type_error(field, "a map");
    return {nullptr, field.path};
  }
  return field;
}

std::vector<Field> FieldReader::list(const Field& field) {
  std::vector<Field> items;
  if (!field.present()) {
    return items;
  }
  if (field.json.exists() ? !field.json.is_array() : !field.node->is_sequence()) {
    type_error(field, "a list");
    return items;
  }
  size_t index = 0;
  if (field.json.exists()) {
    for (const JsonValue& item : field.json.items()) {
      if (!take_node()) {
        break;
      }
      items.push_back({nullptr, field.path + "[" + std::to_string(index++) + "]", item});
    }
    return items;
  }
  for (uint32_t i = 0; i < field.node->size; ++i) {
    if (!take_node()) {
      break;
    }
    items.push_back({field.node->children[i], field.path + "[" + std::to_string(index++) + "]"});
  }
  return items;
}

std::optional<std::string> FieldReader::string(const Field& field) {
  if (!field.present()) {
    return std::nullopt;
  }
  if (field.json.exists()) {
    if (!field.json.is_string()) {
      type_error(field, "a string");
      return std::nullopt;
    }
    return std::string(field.json.string());
  }
  if (!field.node->is_scalar()) {
    type_error(field, "a string");
    return std::nullopt;
  }
  return std::string(field.node->text);
}

std::optional<int64_t> FieldReader::integer(const Field& field) {
  if (!field.present()) {
    return std::nullopt;
  }
  if (field.json.exists()) {
    // A number with a fraction or an exponent is a double, even when it is whole ("1.0"), and
    // one beyond int64 too: neither is an integer for the API server's decoder.
    if (std::optional<int64_t> value = field.json.int64()) {
      return value;
    }
    if (field.json.is_number()) {
      error(field.path, field.json.text() + " is not an integer");
    } else {
      type_error(field, "an integer");
    }
    return std::nullopt;
  }
  if (!field.node->is_scalar()) {
    type_error(field, "an integer");
    return std::nullopt;
  }
  std::string_view text = field.node->text;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    error(field.path, sources::quoted(text) + " is not an integer");
    return std::nullopt;
  }
  return value;
}

std::optional<FieldReader::IntOrString> FieldReader::int_or_string(const Field& field) {
  if (!field.present()) {
    return std::nullopt;
  }
  if (field.json.exists()) {
    if (field.json.is_string()) {
      return IntOrString{std::nullopt, std::string(field.json.string())};
    }
    if (!field.json.is_number()) {
      type_error(field, "an integer or a string");
      return std::nullopt;
    }
    std::optional<int64_t> number = integer(field);
    if (!number) {
      return std::nullopt;
    }
    return IntOrString{number, ""};
  }
  if (!field.node->is_scalar()) {
    type_error(field, "an integer or a string");
    return std::nullopt;
  }
  std::string_view text = field.node->text;
  if (field.node->plain) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size()) {
      return IntOrString{value, ""};
    }
  }
  return IntOrString{std::nullopt, std::string(text)};
}

std::optional<bool> FieldReader::boolean(const Field& field) {
  if (!field.present()) {
    return std::nullopt;
  }
  if (field.json.exists()) {
    if (!field.json.is_bool()) {
      type_error(field, "a boolean");
      return std::nullopt;
    }
    return field.json.boolean();
  }
  // YAML 1.1's spellings (true/yes/on...), as the YAML library of kubectl takes them.
  if (!field.node->is_scalar()) {
    type_error(field, "a boolean");
    return std::nullopt;
  }
  std::optional<bool> value = yaml_boolean(field.node->text);
  if (!value) {
    error(field.path, sources::quoted(field.node->text) + " is not a boolean");
  }
  return value;
}

std::optional<cluster::Labels> FieldReader::string_map(const Field& field) {
  Field checked = map(field);
  if (!checked.present()) {
    return std::nullopt;
  }
  cluster::Labels labels;
  if (checked.json.exists()) {
    // A key given twice keeps its last value, as JsonValue::member reads it.
    for (const auto& [name, json_value] : checked.json.members()) {
      if (!take_node()) {
        break;
      }
      std::string key(name);
      Field value{nullptr, field.path + "[" + sources::quoted(key) + "]", json_value};
      if (!value.present()) {
        labels[key] = "";
      } else if (std::optional<std::string> text = string(value)) {
        labels[key] = *text;
      }
    }
    return labels;
  }
  for (size_t i = 0; i < checked.node->entries(); ++i) {
    if (!take_node()) {
      break;
    }
    const YamlNode& key_node = checked.node->key(i);
    if (!key_node.is_scalar()) {
      error(field.path, "keys must be strings, not " + std::string(type_name(&key_node)));
      continue;
    }
    std::string key(key_node.text);
    Field value{&checked.node->value(i), field.path + "[" + sources::quoted(key) + "]"};
    if (!value.present()) {
      labels[key] = "";  // JSON null decodes to the empty string
      continue;
    }
    if (std::optional<std::string> text = string(value)) {
      labels[key] = *text;
    }
  }
  return labels;
}

std::optional<cluster::IpAddress> FieldReader::address(const Field& field, bool allow_prefix) {
  std::optional<std::string> text = string(field);
  if (!text) {
    return std::nullopt;
  }
  std::string_view address = *text;
  size_t slash = address.rfind('/');
  if (allow_prefix && slash != std::string_view::npos &&
      is_prefix_suffix(address.substr(slash + 1))) {
    address = address.substr(0, slash);
  }
  std::optional<cluster::IpAddress> parsed = cluster::IpAddress::parse(address);
  if (!parsed) {
    warning(field.path, sources::quoted(*text) + " is not an IP address");
  }
  return parsed;
}

}  // namespace vmdns::sources
