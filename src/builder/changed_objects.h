#pragma once
// Which objects changed between two snapshots: what an incremental build (SnapshotBuilder) needs
// to know to rebuild only the parts of the zones they affect.
//
//   ChangedObjects changed;
//   changed.vmis.insert({"default", "vmi-fedora"});   // added, modified or removed: all alike
//   builder.build(state, config, &changed);

#include <cstddef>
#include <set>
#include <string>

#include "cluster/model.h"

namespace vmdns::builder {

struct ChangedObjects {
  std::set<cluster::ObjectKey> vmis;
  std::set<cluster::ObjectKey> pods;
  std::set<cluster::ObjectKey> services;
  std::set<cluster::ObjectKey> endpoint_slices;
  std::set<std::string> namespaces;  // Namespace objects, by name
  // VirtualMachines are plans, never served: their changes touch no record.

  size_t size() const {
    return vmis.size() + pods.size() + services.size() + endpoint_slices.size() +
           namespaces.size();
  }
  bool empty() const { return size() == 0; }
};

}  // namespace vmdns::builder
