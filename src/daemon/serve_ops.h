#pragma once
// `vmdns serve`'s operations wiring: what each published snapshot tells /metrics and /ready, and
// the lame-duck period on SIGTERM.
//
//   control::ControlLoop control(holder, config, {.on_publish = publish_to_ops(metrics, serving)});
//   ...
//   lameduck(std::chrono::seconds(5), signal_waits(signals), serving);   // SIGTERM

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

// How the lame-duck period reads the time and waits for signals. The program's
// (signal_waits()) is the steady clock and sigtimedwait; a unit test's is a script on a clock
// it moves itself.
struct LameduckClock {
  std::function<std::chrono::steady_clock::time_point()> now;
  // Waits at most `timeout` for a signal: the signal taken, or 0 when none came (a timeout, or
  // a wait cut short).
  std::function<int(std::chrono::nanoseconds timeout)> wait;
};

// The steady clock, and sigtimedwait for `signals` (blocked in every thread; copied).
LameduckClock signal_waits(const sigset_t& signals);

// SIGTERM: /health and /ready fail at once, so that load balancers and kubelet take this
// replica out of rotation, while queries keep being answered for `period` (CoreDNS's health
// lameduck). A second SIGTERM or a SIGINT ends it early; another signal (SIGHUP) is ignored.
void lameduck(std::chrono::milliseconds period, const LameduckClock& clock,
              ops::ServingState& serving);

}  // namespace vmdns::daemon
