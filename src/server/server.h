#pragma once
// UDP and TCP listeners on one address and port.
//
//   Server server({.listen = *parse_listen_address("127.0.0.1:0", &err), .threads = 2}, factory);
//   if (!server.start(&err)) die(err);
//   server.bound_address();   // the actual port when 0 was asked for
//   ...
//   server.stop();            // from any thread, or a signal handler via request_stop()
//
// UDP: one worker thread per `threads`, each with its own SO_REUSEPORT socket bound to the same
// address, receiving and sending in batches (recvmmsg / sendmmsg). TCP (RFC 1035 section 4.2.2,
// RFC 7766): one event-loop thread (epoll, non-blocking sockets) with 2-octet length framing,
// several queries per connection answered in order, idle and query timeouts and a connection
// limit, so TCP never blocks a UDP worker.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/connection_counters.h"
#include "net/listen_address.h"
#include "server/query_handler.h"

namespace vmdns::server {

struct ServerOptions {
  net::ListenAddress listen;
  unsigned threads = 1;  // UDP workers
  unsigned max_tcp_connections = 1024;
  unsigned max_tcp_connections_per_client = 64;
  unsigned client_ipv6_prefix = 128;  // the bits of an IPv6 address that name one client
  unsigned tcp_idle_timeout_ms = 10000;
  unsigned tcp_query_timeout_ms = 2000;  // to receive the rest of a message once begun
  // The clock the TCP timeouts (and a stalled stream's) are timed by, and each UDP batch (the
  // time handed to QueryHandler::begin_batch, which --rrl counts seconds by); empty:
  // std::chrono::steady_clock. A test passes its own and calls Server::tick() after moving it.
  std::function<std::chrono::steady_clock::time_point()> clock = nullptr;
};

class Server {
 public:
  Server(ServerOptions options, QueryHandlerFactory factory);
  ~Server();  // stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds UDP and TCP on the same port (when the port is 0, the port the kernel picked for UDP
  // is also used for TCP) and starts the threads. False with `error` set on failure.
  bool start(std::string* error);
  // Asks every thread to finish and joins them. Idempotent.
  void stop();
  // Only asks the threads to finish, without joining; async-signal-safe, so a signal handler may
  // call it. stop() (or the destructor) still joins.
  void request_stop();
  // Returns once the TCP loop has read its clock and closed what the time expires, a stream
  // whose client stalled included (a test that moved ServerOptions::clock); at once when the
  // server is not running.
  void tick();
  const net::ListenAddress& bound_address() const { return bound_; }
  // What the TCP loop did with its connections, across restarts; valid after the server is gone.
  std::shared_ptr<const net::ConnectionCounters> tcp_counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  net::ListenAddress bound_;
};

}  // namespace vmdns::server
