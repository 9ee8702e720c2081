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
#include "heap/allocator.h"

namespace vmdns::builder {

// The keys of one batch's changes. They live from the store's first change to the build that
// takes them, amid the store nodes and records allocated in between: in the allocator's
// transient arena, their pages do not stay pinned by those (heap/allocator.h).
using KeySet = std::set<cluster::ObjectKey, std::less<cluster::ObjectKey>,
                        heap::TransientAllocator<cluster::ObjectKey>>;
using NameSet =
    std::set<std::string, std::less<std::string>, heap::TransientAllocator<std::string>>;

struct ChangedObjects {
  KeySet vmis;
  KeySet pods;
  KeySet services;
  KeySet endpoint_slices;
  NameSet namespaces;  // Namespace objects, by name
  // VirtualMachines are plans, never served: their changes touch no record.

  size_t size() const {
    return vmis.size() + pods.size() + services.size() + endpoint_slices.size() +
           namespaces.size();
  }
  bool empty() const { return size() == 0; }
};

}  // namespace vmdns::builder
