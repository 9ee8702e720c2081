#include "cluster/state_overlay.h"

namespace vmdns::cluster {
namespace {

template <typename Map>
void replace_each(Map& base, Map& planned) {
  for (auto& [key, object] : planned) {
    base.insert_or_assign(key, std::move(object));
  }
}

}  // namespace

void overlay(State& base, State planned) {
  replace_each(base.vmis, planned.vmis);
  replace_each(base.vms, planned.vms);
  replace_each(base.pods, planned.pods);
  replace_each(base.services, planned.services);
  replace_each(base.endpoint_slices, planned.endpoint_slices);
  replace_each(base.namespaces, planned.namespaces);
}

}  // namespace vmdns::cluster
