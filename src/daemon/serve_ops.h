#pragma once
// `vmdns serve`'s operations wiring: what each published snapshot tells /metrics and /ready, and
// the lame-duck period on SIGTERM.
//
//   control::ControlLoop control(holder, config, {.on_publish = publish_to_ops(metrics, serving)});
//   ...
//   lameduck(std::chrono::seconds(5), signals, serving);   // SIGTERM

#include <signal.h>

#include <chrono>
#include <functional>

#include "control/control_loop.h"
#include "daemon/serve_metrics.h"
#include "ops/serving_state.h"

namespace vmdns::daemon {

// The control loop's on_publish: the snapshot's figures into `metrics`, each origin's sync state
// into `serving`. Both must outlive the loop.
std::function<void(const control::PublishReport&)> publish_to_ops(ServeMetrics& metrics,
                                                                  ops::ServingState& serving);

// SIGTERM: /health and /ready fail at once, so that load balancers and kubelet take this
// replica out of rotation, while queries keep being answered for `period` (CoreDNS's health
// lameduck). A second SIGTERM or a SIGINT among `signals` (blocked, waited for) ends it early.
void lameduck(std::chrono::milliseconds period, const sigset_t& signals,
              ops::ServingState& serving);

}  // namespace vmdns::daemon
