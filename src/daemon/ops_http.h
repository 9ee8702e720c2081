#pragma once
// `vmdns serve`'s HTTP endpoints: /metrics, /health and /ready on the listeners of the
// --metrics-listen, --health-listen and --ready-listen flags (settings::OpsOptions).
//
//   auto http = start_ops_http(options.ops, options.client_ipv6_prefix, serving,
//                              [&] { return metrics.render(serving); }, &error);
//   if (!http) die(error);        // an explicitly given listener cannot be bound
//   http->stop();

#include <functional>
#include <memory>
#include <string>

#include "ops/http_server.h"
#include "ops/serving_state.h"
#include "settings/ops_options.h"

namespace vmdns::daemon {

// Binds the listeners (those that share an address share one socket, thread and budget) and
// starts their threads: /metrics from `render_metrics`, /health and /ready from `serving`, and
// `explain` (GET /explain/<name>, when given) beside /health.
// `client_ipv6_prefix` is --client-ipv6-prefix. Returns null with `error` set when an
// explicitly given listener cannot be bound or started; a default listener that is busy is
// only a warning.
std::unique_ptr<ops::HttpServer> start_ops_http(const settings::OpsOptions& options,
                                                unsigned client_ipv6_prefix,
                                                const ops::ServingState& serving,
                                                std::function<std::string()> render_metrics,
                                                std::string* error,
                                                ops::HttpEndpoint explain = {});

}  // namespace vmdns::daemon
