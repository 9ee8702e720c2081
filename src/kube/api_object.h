#pragma once
// One object of a list or a watch event (JSON) -> the slim cluster object the manifest decoders
// make, with the same field rules (sources::decode_object). Diagnostics are logged, naming the
// collection and the object; an object with an error is skipped.
//
//   auto object = decode_api_object(item, api_kind(Kind::Service), "/api/v1/services");

#include <optional>
#include <string>
#include <vector>

#include "cluster/diagnostic.h"
#include "cluster/model.h"
#include "kube/api_kind.h"
#include "sources/json_value.h"
#include "sources/object_decoder.h"

namespace vmdns::kube {

// `item` may lack kind and apiVersion (the API server leaves them out of list items); they are
// filled in from `kind`. nullopt when the object is invalid (diagnostics go to `diagnostics`)
// or of another kind.
std::optional<sources::Object> decode_api_object(const sources::JsonValue& item, const ApiKind& kind,
                                                 const std::string& origin,
                                                 std::vector<cluster::Diagnostic>& diagnostics);

// The API kind of a decoded object.
std::optional<Kind> kind_of(const sources::Object& object);

// Adds `object` to `state`, replacing the one with the same kind, namespace and name.
void put(cluster::State& state, sources::Object object);

// metadata.namespace and metadata.name, without any other check (for DELETED events, whose
// object need not be valid to be removed). The namespace is "" for a cluster-scoped kind.
std::optional<cluster::ObjectKey> key_of(const sources::JsonValue& object, const ApiKind& kind);

// metadata.resourceVersion; "" when absent.
std::string resource_version_of(const sources::JsonValue& object);

// A Status object's code (410 for Gone) and message; 0 and "" when it is not one.
int status_code(const sources::JsonValue& status);
std::string status_message(const sources::JsonValue& status);

}  // namespace vmdns::kube
