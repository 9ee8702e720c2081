#pragma once
// How `vmdns explain` prints: a table for people, JSON (--output json) for scripts.
//
//   std::cout << views_table(workload_views(...));
//   std::cout << explanation_text(*explain_name(...));

#include <string>
#include <vector>

#include "explain/name_explanation.h"
#include "explain/workload_view.h"

namespace vmdns::explain {

// One row per VM or VMI: OBJECT, STATE, SERVICES, NAMES, FROM ITS GUEST (short names); a cell
// with several values takes one line each. Notes follow the table.
std::string views_table(const std::vector<WorkloadView>& views);
std::string views_json(const std::vector<WorkloadView>& views);

// "<name>: resolves to A 10.244.0.57 (as <fqdn>)", or "<name>: does not resolve" then
// "  <step>: <reason>" and "  fix: <fix>"; the tries in order.
std::string explanation_text(const NameExplanation& explanation);
std::string explanation_json(const NameExplanation& explanation);

}  // namespace vmdns::explain
