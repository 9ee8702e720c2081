#pragma once
// The JSON of the Kubernetes API (list pages, watch events, the --state-dir file), parsed by
// simdjson into a DOM that the field reader and the kind decoders walk.
//
//   JsonDocument page;
//   if (!page.parse(body)) log(page.error());          // "TAPE_ERROR: The JSON document ..."
//   for (JsonValue item : page.root().member("items").items()) decode(item);
//
// simdjson was chosen by measuring (BENCHMARKS.md, "The parsers of Debian bookworm"): on the
// API's list pages it parses 18x faster than nlohmann-json and 4x faster than RapidJSON, which
// is what makes a first sync run at 100,000 objects/s and more. Input is untrusted: simdjson
// validates UTF-8 and the whole grammar before anything is read, refuses NaN, comments and
// trailing commas and anything after the root, as the API server's decoder does, and walks
// nesting without recursion (at most kMaxDepth levels). Of a key that appears twice in an
// object, the last one counts (JsonValue::member), as Go's decoder has it.
//
// A JsonValue is a 16-byte view into its document: it is valid until the document is parsed
// again or destroyed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vmdns::sources {

class JsonValue {
 public:
  enum class Type : uint8_t { Absent, Null, Object, Array, String, Boolean, Number };

  // An absent value: a member an object does not have.
  JsonValue() = default;

  Type type() const;
  // True unless absent (a JSON null exists).
  bool exists() const { return exists_; }
  bool is_null() const { return type() == Type::Null; }
  bool is_object() const { return type() == Type::Object; }
  bool is_array() const { return type() == Type::Array; }
  bool is_string() const { return type() == Type::String; }
  bool is_bool() const { return type() == Type::Boolean; }
  bool is_number() const { return type() == Type::Number; }

  // A string's text; "" for anything else.
  std::string_view string() const;
  // A boolean's value; false for anything else.
  bool boolean() const;
  // A number without a fraction or an exponent that fits int64; nullopt for anything else.
  std::optional<int64_t> int64() const;
  // The member `key` of an object (the last one when it appears twice); absent when this is not
  // an object or has no such member.
  JsonValue member(std::string_view key) const;
  // An array's items; empty for anything else.
  std::vector<JsonValue> items() const;
  // An object's members in their order; empty for anything else.
  std::vector<std::pair<std::string_view, JsonValue>> members() const;
  // The value as compact JSON text (numbers in diagnostics: "1.5 is not an integer").
  std::string text() const;

 private:
  friend struct JsonAccess;
  alignas(8) unsigned char element_[16] = {};  // a simdjson::dom::element
  bool exists_ = false;
};

class JsonDocument {
 public:
  static constexpr size_t kMaxDepth = 1024;

  JsonDocument();
  ~JsonDocument();
  JsonDocument(JsonDocument&&) noexcept;
  JsonDocument& operator=(JsonDocument&&) noexcept;

  // Parses `text` (copied into a padded buffer the document keeps for the next parse); the
  // values of the last parse stay valid until the next one. False on invalid JSON: error() says
  // why, and the root is absent.
  bool parse(std::string_view text);

  JsonValue root() const { return root_; }
  const std::string& error() const { return error_; }

 private:
  struct Parser;
  std::unique_ptr<Parser> parser_;
  JsonValue root_;
  std::string error_;
};

// The string member `key` of an object; "" when absent or not a string.
std::string json_string_member(const JsonValue& object, std::string_view key);

}  // namespace vmdns::sources
