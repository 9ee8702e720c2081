#pragma once
// What each worker of the DNS server answers with: one dispatch::Dispatcher per UDP worker and
// one for the TCP loop, each with its own query counters.
//
//   server::Server server(options, make_query_handler_factory(holder, {.forwarder = f, ...},
//                                                             metrics));

#include "daemon/serve_metrics.h"
#include "dispatch/dispatcher.h"
#include "server/query_handler.h"
#include "zone/snapshot_holder.h"

namespace vmdns::daemon {

// `options` for every worker, but `counters` (each worker gets a thread of `metrics`' query
// counters). `holder`, `metrics` and what `options` points to must outlive the server.
server::QueryHandlerFactory make_query_handler_factory(const zone::SnapshotHolder& holder,
                                                       dispatch::DispatcherOptions options,
                                                       ServeMetrics& metrics);

}  // namespace vmdns::daemon
