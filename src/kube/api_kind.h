#pragma once
// The kinds vmdns reads from the API, and where the API serves them.
//
//   const ApiKind& k = api_kind(cluster::Kind::VirtualMachineInstance);
//   k.collection_path("default")  // "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances"

#include <span>
#include <string>
#include <string_view>

#include "sources/object_sink.h"

namespace vmdns::kube {

enum class Kind { Namespace, Service, EndpointSlice, VirtualMachineInstance, Pod, VirtualMachine };

struct ApiKind {
  Kind kind;
  std::string_view name;       // "VirtualMachineInstance", as objects spell their kind
  std::string_view group;      // "" for the core group
  std::string_view version;    // "v1"
  std::string_view resource;   // "virtualmachineinstances"
  bool namespaced;
  // --labels applies to it (CoreDNS's `labels` option filters Services, their endpoints and
  // Pods; a VMI's labels are those of its virt-launcher pod). Never to Namespaces.
  bool takes_label_selector;

  // The collection's path, in one namespace or ("" or a cluster-scoped kind) in all.
  std::string collection_path(std::string_view namespace_name) const;
  // "kubevirt.io/v1", "v1".
  std::string api_version() const;
};

const ApiKind& api_kind(Kind kind);
// The kind as the object sink names it.
sources::ObjectKind object_kind(Kind kind);
// The kinds `serve` lists and watches, in the order it lists them at startup (Namespaces
// first). VirtualMachine is not among them: a VM is a plan, never served; `explain` and `check`
// list it through api_kind(Kind::VirtualMachine).
std::span<const ApiKind> api_kinds();

}  // namespace vmdns::kube
