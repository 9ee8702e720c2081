#include "sources/json_value.h"

#include <simdjson.h>

#include <cstring>
#include <type_traits>

namespace vmdns::sources {

static_assert(JsonDocument::kMaxDepth == simdjson::DEFAULT_MAX_DEPTH);

using simdjson::dom::element;
using simdjson::dom::element_type;

// Converts between JsonValue's bytes and the simdjson element they hold.
struct JsonAccess {
  static_assert(sizeof(element) <= sizeof(JsonValue::element_));
  static_assert(std::is_trivially_copyable_v<element>);

  static element get(const JsonValue& value) {
    element out;
    std::memcpy(static_cast<void*>(&out), value.element_, sizeof(element));
    return out;
  }
  static JsonValue make(const element& e) {
    JsonValue out;
    std::memcpy(out.element_, static_cast<const void*>(&e), sizeof(element));
    out.exists_ = true;
    return out;
  }
};

JsonValue::Type JsonValue::type() const {
  if (!exists_) {
    return Type::Absent;
  }
  switch (JsonAccess::get(*this).type()) {
    case element_type::OBJECT:
      return Type::Object;
    case element_type::ARRAY:
      return Type::Array;
    case element_type::STRING:
      return Type::String;
    case element_type::BOOL:
      return Type::Boolean;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return Type::Number;
    case element_type::NULL_VALUE:
      break;
  }
  return Type::Null;
}

std::string_view JsonValue::string() const {
  std::string_view out;
  if (exists_ && JsonAccess::get(*this).get_string().get(out) == simdjson::SUCCESS) {
    return out;
  }
  return {};
}

bool JsonValue::boolean() const {
  bool out = false;
  return exists_ && JsonAccess::get(*this).get_bool().get(out) == simdjson::SUCCESS && out;
}

std::optional<int64_t> JsonValue::int64() const {
  if (!exists_) {
    return std::nullopt;
  }
  element e = JsonAccess::get(*this);
  // A number written with a fraction or an exponent is a double, even when whole ("1.0"): not
  // an integer for the API server's decoder either. An unsigned one above int64's range fails.
  if (e.type() != element_type::INT64 && e.type() != element_type::UINT64) {
    return std::nullopt;
  }
  int64_t out = 0;
  if (e.get_int64().get(out) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return out;
}

JsonValue JsonValue::member(std::string_view key) const {
  simdjson::dom::object object;
  if (!exists_ || JsonAccess::get(*this).get_object().get(object) != simdjson::SUCCESS) {
    return {};
  }
  JsonValue found;
  for (simdjson::dom::key_value_pair field : object) {
    if (field.key == key) {
      found = JsonAccess::make(field.value);
    }
  }
  return found;
}

std::vector<JsonValue> JsonValue::items() const {
  std::vector<JsonValue> out;
  simdjson::dom::array array;
  if (exists_ && JsonAccess::get(*this).get_array().get(array) == simdjson::SUCCESS) {
    out.reserve(array.size());
    for (element item : array) {
      out.push_back(JsonAccess::make(item));
    }
  }
  return out;
}

std::vector<std::pair<std::string_view, JsonValue>> JsonValue::members() const {
  std::vector<std::pair<std::string_view, JsonValue>> out;
  simdjson::dom::object object;
  if (exists_ && JsonAccess::get(*this).get_object().get(object) == simdjson::SUCCESS) {
    for (simdjson::dom::key_value_pair field : object) {
      out.emplace_back(field.key, JsonAccess::make(field.value));
    }
  }
  return out;
}

std::string JsonValue::text() const {
  return exists_ ? simdjson::minify(JsonAccess::get(*this)) : std::string();
}

struct JsonDocument::Parser {
  simdjson::dom::parser parser;
};

JsonDocument::JsonDocument() = default;
JsonDocument::~JsonDocument() = default;
JsonDocument::JsonDocument(JsonDocument&&) noexcept = default;
JsonDocument& JsonDocument::operator=(JsonDocument&&) noexcept = default;

bool JsonDocument::parse(std::string_view text) {
  if (parser_ == nullptr) {
    parser_ = std::make_unique<Parser>();  // simdjson's default depth limit is kMaxDepth
  }
  root_ = {};
  element root;
  simdjson::error_code error = parser_->parser.parse(text.data(), text.size()).get(root);
  if (error != simdjson::SUCCESS) {
    error_ = simdjson::error_message(error);
    return false;
  }
  error_.clear();
  root_ = JsonAccess::make(root);
  return true;
}

std::string json_string_member(const JsonValue& object, std::string_view key) {
  return std::string(object.member(key).string());
}

}  // namespace vmdns::sources
