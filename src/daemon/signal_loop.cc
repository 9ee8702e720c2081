#include "daemon/signal_loop.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "daemon/daemon.h"
#include "daemon/serve_ops.h"

namespace vmdns::daemon {

SignalLoop::SignalLoop() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

void SignalLoop::run(Daemon& daemon) {
  for (;;) {
    int signal = 0;
    if (sigwait(&signals_, &signal) != 0) {
      continue;
    }
    if (signal == SIGHUP) {
      daemon.reload();
      continue;
    }
    spdlog::info("signal {}: shutting down", signal);
    if (signal == SIGTERM) {
      lameduck(daemon.lameduck_period(), signal_waits(signals_), daemon.serving());
    }
    return;
  }
}

}  // namespace vmdns::daemon
