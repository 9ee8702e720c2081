#include "kube/api_kind.h"

#include <array>

namespace vmdns::kube {
namespace {

constexpr std::array kKinds = {
    ApiKind{Kind::Namespace, "Namespace", "", "v1", "namespaces", false, false},
    ApiKind{Kind::Service, "Service", "", "v1", "services", true, true},
    ApiKind{Kind::EndpointSlice, "EndpointSlice", "discovery.k8s.io", "v1", "endpointslices", true,
            true},
    ApiKind{Kind::VirtualMachineInstance, "VirtualMachineInstance", "kubevirt.io", "v1",
            "virtualmachineinstances", true, true},
    ApiKind{Kind::Pod, "Pod", "", "v1", "pods", true, true},
    // Last, and left out of api_kinds(): serve does not watch VMs.
    ApiKind{Kind::VirtualMachine, "VirtualMachine", "kubevirt.io", "v1", "virtualmachines", true,
            false},
};
constexpr size_t kServedKinds = kKinds.size() - 1;

}  // namespace

std::string ApiKind::collection_path(std::string_view namespace_name) const {
  std::string out = group.empty() ? "/api/" + std::string(version)
                                  : "/apis/" + std::string(group) + "/" + std::string(version);
  if (namespaced && !namespace_name.empty()) {
    out += "/namespaces/" + std::string(namespace_name);
  }
  return out + "/" + std::string(resource);
}

std::string ApiKind::api_version() const {
  return group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
}

const ApiKind& api_kind(Kind kind) {
  for (const ApiKind& info : kKinds) {
    if (info.kind == kind) {
      return info;
    }
  }
  return kKinds.front();
}

std::span<const ApiKind> api_kinds() { return std::span(kKinds).first(kServedKinds); }

sources::ObjectKind object_kind(Kind kind) {
  switch (kind) {
    case Kind::Namespace:
      return sources::ObjectKind::Namespace;
    case Kind::Service:
      return sources::ObjectKind::Service;
    case Kind::EndpointSlice:
      return sources::ObjectKind::EndpointSlice;
    case Kind::VirtualMachineInstance:
      return sources::ObjectKind::VirtualMachineInstance;
    case Kind::VirtualMachine:
      return sources::ObjectKind::VirtualMachine;
    case Kind::Pod:
      break;
  }
  return sources::ObjectKind::Pod;
}

}  // namespace vmdns::kube
