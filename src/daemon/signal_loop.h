#pragma once
// The process's signals for `vmdns serve`: SIGHUP reloads the daemon, SIGINT and SIGTERM end it
// (SIGTERM after the lame-duck period). Kept apart from the Daemon so that a test runs one
// without signals.
//
//   SignalLoop signals;                       // blocks them: before any thread starts
//   auto daemon = Daemon::start(options, source, &exit_code);
//   if (daemon) signals.run(*daemon);         // returns on SIGINT or SIGTERM
//   daemon.reset();                           // stops it

#include <signal.h>

namespace vmdns::daemon {

class Daemon;

class SignalLoop {
 public:
  // Blocks SIGINT, SIGTERM and SIGHUP in the calling thread, so that every thread started
  // afterwards inherits the mask and they are delivered to run() alone.
  SignalLoop();

  // Waits for the signals: SIGHUP reloads `daemon`; SIGTERM fails /health and /ready for the
  // lame-duck period while queries are still answered; SIGINT and SIGTERM then return.
  void run(Daemon& daemon);

 private:
  sigset_t signals_;
};

}  // namespace vmdns::daemon
