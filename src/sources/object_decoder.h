#pragma once
// One manifest object (a YAML map) or API object (JSON) -> one slim cluster object, with
// diagnostics.
//
//   std::vector<cluster::Diagnostic> diagnostics;
//   ReadBudget budget(text.size());
//   DecodedObject d = decode_object(node, {"a.yaml", 1, 4}, budget, diagnostics);
//   if (d.status == DecodedObject::Status::Loaded) store(*d.object);
//
// Never throws on bad input: every problem is a diagnostic, and an object with an error is not
// returned, so one bad object never stops the rest of its file.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cluster/diagnostic.h"
#include "cluster/model.h"
#include "sources/field_reader.h"
#include "sources/json_value.h"
#include "sources/object_sink.h"
#include "sources/yaml_stream.h"

namespace vmdns::sources {

struct DecodedObject {
  enum class Status {
    Loaded,   // `object` holds the result (possibly with warnings)
    Skipped,  // a kind vmdns does not read (ConfigMap, Deployment, ...)
    Failed,   // an error diagnostic was reported
  };
  Status status = Status::Failed;
  std::optional<Object> object;
};

// `origin.line` should be the object's own line. The node must be a map; anything else fails.
// The object fails, silently, when `budget` runs out: the caller reports that once per file.
DecodedObject decode_object(const YamlNode& node, const cluster::Origin& origin,
                            ReadBudget& budget, std::vector<cluster::Diagnostic>& diagnostics);

// The same for an object of the Kubernetes API, as JSON: the same kinds and the same field rules.
// `budget` bounds the list items and map entries read (the size of the JSON text will do).
// `kind` and `api_version`, when not empty, stand for the object's own when it has none (the
// API server leaves them out of a list's items).
DecodedObject decode_object(const JsonValue& object, const cluster::Origin& origin,
                            ReadBudget& budget, std::vector<cluster::Diagnostic>& diagnostics,
                            std::string_view kind = {}, std::string_view api_version = {});

// "Service default/web", or "Namespace web" for the cluster-scoped Namespace.
std::string object_name(std::string_view kind, const cluster::ObjectMeta& meta);

}  // namespace vmdns::sources
