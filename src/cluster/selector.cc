#include "cluster/selector.h"

namespace vmdns::cluster {

bool selector_matches(const std::optional<Labels>& selector, const Labels& labels) {
  // Kubernetes computes no endpoints for a Service without a selector (the user manages its
  // EndpointSlices), and an empty selector would otherwise select every pod in the namespace.
  if (!selector || selector->empty()) {
    return false;
  }
  for (const auto& [key, value] : *selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) {
      return false;
    }
  }
  return true;
}

}  // namespace vmdns::cluster
