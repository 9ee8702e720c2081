#pragma once
// Service label selectors (equality-based, as spec.selector is).

#include <optional>

#include "cluster/model.h"

namespace vmdns::cluster {

// True when every pair of a non-empty `selector` is in `labels`. An absent or empty selector
// selects nothing (a Service without a selector has no computed endpoints).
bool selector_matches(const std::optional<Labels>& selector, const Labels& labels);

}  // namespace vmdns::cluster
