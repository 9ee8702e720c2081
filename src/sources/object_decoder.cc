#include "sources/object_decoder.h"

#include <spdlog/spdlog.h>

#include <array>
#include <exception>

#include "cluster/dns1123.h"
#include "sources/field_reader.h"
#include "sources/kind_decoders.h"

namespace vmdns::sources {
namespace {

enum class NameRule { Label, Subdomain };

struct KindInfo {
  std::string_view kind;
  std::string_view group;                    // "" for the core API group
  std::array<std::string_view, 2> versions;  // the accepted ones; "" pads
  NameRule name_rule;
  bool namespaced;
};

// Object names are DNS-1123 subdomains, except Services and Namespaces, whose names become one
// DNS label each.
constexpr std::array kKinds = {
    KindInfo{
        "VirtualMachineInstance", "kubevirt.io", {"v1", "v1alpha3"}, NameRule::Subdomain, true},
    KindInfo{"VirtualMachine", "kubevirt.io", {"v1", ""}, NameRule::Subdomain, true},
    KindInfo{"Pod", "", {"v1", ""}, NameRule::Subdomain, true},
    KindInfo{"Service", "", {"v1", ""}, NameRule::Label, true},
    KindInfo{"EndpointSlice", "discovery.k8s.io", {"v1", ""}, NameRule::Subdomain, true},
    KindInfo{"Namespace", "", {"v1", ""}, NameRule::Label, false},
};

const KindInfo* find_kind(std::string_view kind) {
  for (const KindInfo& info : kKinds) {
    if (info.kind == kind) {
      return &info;
    }
  }
  return nullptr;
}

std::string join_versions(const KindInfo& info) {
  std::string out;
  for (std::string_view version : info.versions) {
    if (version.empty()) {
      continue;
    }
    if (!out.empty()) {
      out += " or ";
    }
    out += info.group.empty() ? std::string(version)
                              : std::string(info.group) + "/" + std::string(version);
  }
  return out;
}

// Reads metadata; reports a missing or invalid name. The object is named in every diagnostic
// from here on, even when its name is invalid, so that the user can find it.
cluster::ObjectMeta decode_meta(FieldReader& reader, const Field& root, const KindInfo& info) {
  cluster::ObjectMeta meta;
  meta.origin = reader.origin();
  Field metadata = reader.map(root["metadata"]);
  std::optional<std::string> name = reader.string(metadata["name"]);
  std::optional<std::string> ns = reader.string(metadata["namespace"]);
  if (!info.namespaced) {
    meta.namespace_name = {};
  } else if (ns && !ns->empty()) {
    meta.namespace_name = *ns;
  }
  meta.name = name.value_or("");
  reader.set_object(meta.name.empty() ? std::string(info.kind) : object_name(info.kind, meta));

  if (meta.name.empty()) {
    reader.error("metadata.name", "is required");
  } else if (info.name_rule == NameRule::Label ? !cluster::is_dns1123_label(meta.name)
                                               : !cluster::is_dns1123_subdomain(meta.name)) {
    reader.error("metadata.name", quoted(meta.name) + (info.name_rule == NameRule::Label
                                                           ? " is not a DNS-1123 label"
                                                           : " is not a DNS-1123 subdomain"));
  }
  if (info.namespaced && !cluster::is_dns1123_label(meta.namespace_name)) {
    reader.error("metadata.namespace", quoted(meta.namespace_name) + " is not a DNS-1123 label");
  }
  if (std::optional<cluster::Labels> labels = reader.string_map(metadata["labels"])) {
    meta.labels = std::move(*labels);
  }
  return meta;
}

// Wraps a kind's decoder result into the variant, or Failed.
template <typename T>
DecodedObject loaded(std::optional<T> object, const FieldReader& reader) {
  if (!object || reader.failed()) {
    return {DecodedObject::Status::Failed, std::nullopt};
  }
  return {DecodedObject::Status::Loaded, Object(std::move(*object))};
}

DecodedObject decode_known(FieldReader& reader, const Field& root, const KindInfo& info,
                           const std::optional<std::string>& api_version) {
  cluster::ObjectMeta meta = decode_meta(reader, root, info);
  if (!api_version) {
    reader.warning("apiVersion", "is missing; read as " + join_versions(info));
  } else {
    std::string_view version = *api_version;
    version.remove_prefix(info.group.empty() ? 0 : info.group.size() + 1);
    bool known = false;
    for (std::string_view accepted : info.versions) {
      known = known || (!accepted.empty() && accepted == version);
    }
    if (!known) {
      reader.warning("apiVersion",
                     quoted(*api_version) + " is not " + join_versions(info) + "; read anyway");
    }
  }
  if (info.kind == "VirtualMachineInstance") {
    return loaded(decode_vmi(reader, root, std::move(meta)), reader);
  }
  if (info.kind == "VirtualMachine") {
    return loaded(decode_vm(reader, root, std::move(meta)), reader);
  }
  if (info.kind == "Pod") {
    return loaded(decode_pod(reader, root, std::move(meta)), reader);
  }
  if (info.kind == "Service") {
    return loaded(decode_service(reader, root, std::move(meta)), reader);
  }
  if (info.kind == "EndpointSlice") {
    return loaded(decode_endpoint_slice(reader, root, std::move(meta)), reader);
  }
  // Namespace: the name is all vmdns needs.
  return loaded(std::optional<cluster::Namespace>(cluster::Namespace{std::move(meta)}), reader);
}

// The group part of "group/version"; "" for core's "v1".
std::string_view group_of(std::string_view api_version) {
  size_t slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
}

}  // namespace

std::string object_name(std::string_view kind, const cluster::ObjectMeta& meta) {
  std::string out(kind);
  out += ' ';
  if (!meta.namespace_name.empty()) {
    out += meta.namespace_name + "/";
  }
  return out + meta.name;
}

namespace {

// The kind and apiVersion check and the kind's decoder, for a root already known to be a map.
// `default_kind` and `default_api_version` stand for absent fields when not empty.
DecodedObject decode_root(FieldReader& reader, const Field& root, const cluster::Origin& origin,
                          std::string_view default_kind = {},
                          std::string_view default_api_version = {}) {
  Field kind_field = root["kind"];
  Field api_version_field = root["apiVersion"];
  std::optional<std::string> kind = reader.string(kind_field);
  std::optional<std::string> api_version = reader.string(api_version_field);
  if (reader.failed()) {
    return {};
  }
  if (!default_kind.empty() && !kind_field.json.exists()) {
    kind = std::string(default_kind);
  }
  if (!default_api_version.empty() && !api_version_field.json.exists()) {
    api_version = std::string(default_api_version);
  }
  if (!kind || kind->empty()) {
    reader.error("kind", "is required");
    return {};
  }
  const KindInfo* info = find_kind(*kind);
  // A kind of another API group is another kind altogether (Knative's serving.knative.dev
  // Service is not a core Service).
  if (info == nullptr || (api_version && group_of(*api_version) != info->group)) {
    spdlog::debug("{}: skipping {} {}", cluster::origin_to_string(origin),
                  api_version.value_or("?"), *kind);
    return {DecodedObject::Status::Skipped, std::nullopt};
  }
  return decode_known(reader, root, *info, api_version);
}

}  // namespace

DecodedObject decode_object(const YamlNode& node, const cluster::Origin& origin,
                            ReadBudget& budget, std::vector<cluster::Diagnostic>& diagnostics) {
  FieldReader reader(origin, budget, diagnostics);
  try {
    if (!node.is_map()) {
      reader.error("", "not an object: expected a map with apiVersion, kind and metadata");
      return {};
    }
    return decode_root(reader, Field{&node, ""}, origin);
  } catch (const std::exception& e) {
    // Every read checks types first; this is the last line of defence against an exception we
    // did not foresee (std::bad_alloc), so that one object never stops its file.
    reader.error("", std::string("object could not be read: ") + e.what());
  } catch (...) {
    reader.error("", "object could not be read");
  }
  return {};
}

DecodedObject decode_object(const JsonValue& object, const cluster::Origin& origin,
                            ReadBudget& budget, std::vector<cluster::Diagnostic>& diagnostics,
                            std::string_view kind, std::string_view api_version) {
  FieldReader reader(origin, budget, diagnostics);
  try {
    Field root = Field::of_json(object);
    if (!root.is_map()) {
      reader.error("", "not an object: expected a map with apiVersion, kind and metadata");
      return {};
    }
    return decode_root(reader, root, origin, kind, api_version);
  } catch (const std::exception& e) {
    reader.error("", std::string("object could not be read: ") + e.what());
  }
  return {};
}

}  // namespace vmdns::sources
