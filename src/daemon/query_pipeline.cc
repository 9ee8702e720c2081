#include "daemon/query_pipeline.h"

#include <memory>

namespace vmdns::daemon {

server::QueryHandlerFactory make_query_handler_factory(const zone::SnapshotHolder& holder,
                                                       dispatch::DispatcherOptions options,
                                                       ServeMetrics& metrics) {
  return [&holder, options, &metrics]() -> std::unique_ptr<server::QueryHandler> {
    dispatch::DispatcherOptions worker = options;
    worker.counters = &metrics.queries().add_thread();
    return std::make_unique<dispatch::Dispatcher>(holder, worker);
  };
}

}  // namespace vmdns::daemon
