#pragma once
// Typed, path-naming access to the fields of one manifest or API object.
//
//   FieldReader r(origin, diagnostics);
//   Field spec = r.map(root["spec"]);                  // error if spec is not a map
//   std::optional<std::string> host = r.string(spec["hostname"]);
//   // a wrong type: "spec.hostname must be a string, not a list", and r.failed()
//
// Manifests are untrusted input: every read here checks the node's type first and turns a
// mismatch into an error diagnostic naming the field's path.
// Absent and null fields read as "unset", the way Kubernetes decodes JSON null.
//
// The same reader walks a YamlNode (manifest files, see yaml_stream.h) or a JSON value
// (objects from the Kubernetes API, see json_value.h), so that both sources share every field rule of the
// kind decoders. JSON values are typed: a number where a string belongs is an error, as the API
// server's own decoder has it; YAML scalars are untyped text and convert as kubectl reads them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/diagnostic.h"
#include "cluster/ip_address.h"
#include "cluster/model.h"
#include "sources/json_value.h"
#include "sources/yaml_stream.h"

namespace vmdns::sources {

// A node and the path that reached it ("spec.ports[0].port"). Neither is set when the field is
// absent. A field of a JSON object has `json` set (possibly to a null value), a field of a YAML
// document `node`. The tree or document they point into must outlive the Field.
struct Field {
  const YamlNode* node = nullptr;
  std::string path;
  JsonValue json = {};

  // The root of a JSON object: its document must outlive every Field read from it.
  static Field of_json(const JsonValue& value) { return {nullptr, "", value}; }

  bool present() const;
  bool is_map() const;
  // The value of `key` when this is a map; a null node otherwise.
  Field operator[](const char* key) const;
};

// `value` in double quotes, with quotes, backslashes and control characters escaped and long
// values shortened, so that a diagnostic stays one readable line.
std::string quoted(std::string_view value);

// Bounds the nodes that reading one file may visit. YAML aliases let a few bytes name a list
// again and again ("billion laughs": `items: &a [*a, *a, ...]`, or one big list aliased from
// every object), so the work would grow exponentially, or quadratically, with the input. Without
// aliases a file has fewer nodes than bytes, so a budget of its size never stops a real manifest.
class ReadBudget {
 public:
  explicit ReadBudget(size_t nodes) : left_(nodes) {}
  // Takes one node; false (and exceeded() from then on) once the budget is spent.
  bool take() {
    if (left_ == 0) {
      exceeded_ = true;
      return false;
    }
    --left_;
    return true;
  }
  bool exceeded() const { return exceeded_; }

 private:
  size_t left_;
  bool exceeded_ = false;
};

class FieldReader {
 public:
  // Every list item and map entry read takes one node of `budget`; when it runs out, the reader
  // fails without a diagnostic of its own (the loader reports it once for the file).
  FieldReader(cluster::Origin origin, ReadBudget& budget,
              std::vector<cluster::Diagnostic>& diagnostics)
      : origin_(std::move(origin)), budget_(budget), diagnostics_(diagnostics) {}

  // "VirtualMachineInstance default/x": the object every later diagnostic names.
  void set_object(std::string object) { object_ = std::move(object); }
  const cluster::Origin& origin() const { return origin_; }

  void error(const std::string& field, std::string message);
  void warning(const std::string& field, std::string message);
  // True once an error was reported: the object is then skipped.
  bool failed() const { return failed_; }

  // `field` if it is a map; a null Field (and an error unless it is absent) otherwise.
  Field map(const Field& field);
  // The items of a list, with paths "field[i]"; empty (and an error unless absent) otherwise.
  std::vector<Field> list(const Field& field);

  std::optional<std::string> string(const Field& field);
  std::optional<int64_t> integer(const Field& field);
  std::optional<bool> boolean(const Field& field);
  // Kubernetes' IntOrString (a Service's targetPort): a JSON number or string; in YAML a plain
  // scalar that reads as an integer is one, and a quoted one ("8080") stays a string, as kubectl
  // converts it. An integer in `number`, else the text in `name`.
  struct IntOrString {
    std::optional<int64_t> number;
    std::string name;
  };
  std::optional<IntOrString> int_or_string(const Field& field);
  // A map of strings to strings (labels, selectors).
  std::optional<cluster::Labels> string_map(const Field& field);
  // An IP address; with `allow_prefix`, a "/nn" suffix is dropped (some clusters report VMI
  // IPv6 addresses with their prefix length). An unparsable address is a warning, and nullopt.
  std::optional<cluster::IpAddress> address(const Field& field, bool allow_prefix = false);

 private:
  void type_error(const Field& field, std::string_view expected);

  bool take_node();

  cluster::Origin origin_;
  ReadBudget& budget_;
  std::vector<cluster::Diagnostic>& diagnostics_;
  std::string object_;
  bool failed_ = false;
};

}  // namespace vmdns::sources
