#include "kube/api_object.h"


namespace vmdns::kube {
namespace {

using sources::json_string_member;
using sources::JsonValue;

}  // namespace

std::optional<Kind> kind_of(const sources::Object& object) {
  struct Visitor {
    std::optional<Kind> operator()(const cluster::VirtualMachine&) const {
      return Kind::VirtualMachine;
    }
    std::optional<Kind> operator()(const cluster::VirtualMachineInstance&) const {
      return Kind::VirtualMachineInstance;
    }
    std::optional<Kind> operator()(const cluster::Pod&) const { return Kind::Pod; }
    std::optional<Kind> operator()(const cluster::Service&) const { return Kind::Service; }
    std::optional<Kind> operator()(const cluster::EndpointSlice&) const {
      return Kind::EndpointSlice;
    }
    std::optional<Kind> operator()(const cluster::Namespace&) const { return Kind::Namespace; }
  };
  return std::visit(Visitor{}, object);
}

void put(cluster::State& state, sources::Object object) {
  std::visit(
      [&state](auto&& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, cluster::Namespace>) {
          std::string name = o.meta.name;
          state.namespaces.insert_or_assign(std::move(name), std::move(o));
        } else {
          cluster::ObjectKey key = cluster::key_of(o.meta);
          if constexpr (std::is_same_v<T, cluster::Service>) {
            state.services.insert_or_assign(std::move(key), std::move(o));
          } else if constexpr (std::is_same_v<T, cluster::EndpointSlice>) {
            state.endpoint_slices.insert_or_assign(std::move(key), std::move(o));
          } else if constexpr (std::is_same_v<T, cluster::VirtualMachineInstance>) {
            state.vmis.insert_or_assign(std::move(key), std::move(o));
          } else if constexpr (std::is_same_v<T, cluster::VirtualMachine>) {
            state.vms.insert_or_assign(std::move(key), std::move(o));
          } else {
            state.pods.insert_or_assign(std::move(key), std::move(o));
          }
        }
      },
      std::move(object));
}

std::optional<sources::Object> decode_api_object(const JsonValue& item, const ApiKind& kind,
                                                 const std::string& origin,
                                                 std::vector<cluster::Diagnostic>& diagnostics) {
  // Lists and watch events hold one object each: its size in bytes bounds its nodes anyway, so
  // the budget only guards against a pathological object.
  sources::ReadBudget budget(size_t{1} << 22);
  sources::DecodedObject decoded =
      sources::decode_object(item, cluster::Origin{origin, 0, 0}, budget, diagnostics,
                             kind.name, kind.api_version());
  if (decoded.status != sources::DecodedObject::Status::Loaded || !decoded.object ||
      kind_of(*decoded.object) != kind.kind) {
    return std::nullopt;
  }
  return std::move(decoded.object);
}

std::optional<cluster::ObjectKey> key_of(const JsonValue& object, const ApiKind& kind) {
  JsonValue metadata = object.member("metadata");
  std::string name = json_string_member(metadata, "name");
  if (name.empty()) {
    return std::nullopt;
  }
  std::string namespace_name;
  if (kind.namespaced) {
    namespace_name = json_string_member(metadata, "namespace");
    if (namespace_name.empty()) {
      namespace_name = "default";
    }
  }
  return cluster::ObjectKey{std::move(namespace_name), std::move(name)};
}

std::string resource_version_of(const JsonValue& object) {
  return json_string_member(object.member("metadata"), "resourceVersion");
}

int status_code(const JsonValue& status) {
  std::optional<int64_t> code = status.member("code").int64();
  return code && *code >= 0 && *code < 1000 ? static_cast<int>(*code) : 0;
}

std::string status_message(const JsonValue& status) {
  std::string message = json_string_member(status, "message");
  std::string reason = json_string_member(status, "reason");
  if (message.empty()) {
    return reason;
  }
  return reason.empty() ? message : reason + ": " + message;
}

}  // namespace vmdns::kube
