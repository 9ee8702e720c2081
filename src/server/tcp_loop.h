#pragma once
// DNS over TCP (RFC 1035 section 4.2.2, RFC 7766): one event-loop thread with epoll and
// non-blocking sockets. Each message is preceded by its length in two octets; a client may send
// several queries without waiting (pipelining, RFC 7766 section 6.2.1.1) and they are answered
// in order. Input and output per connection are bounded; a connection that sends no complete
// query and reads no reply for the idle timeout is closed, and so is one that takes longer than
// the query timeout to send the rest of a message it has begun (a slow-loris client). Since no
// socket call blocks, a slow client never holds up the others. A query the handler defers
// (kDeferred) is answered when its reply arrives through the loop's TcpCompletions, possibly after
// later queries' replies (RFC 7766 section 7: responses may be sent out of order). A query the
// handler answers with a stream of messages (kStream: a zone transfer) lends the connection to
// a StreamPump thread until the stream ends; the queries after it wait in the input buffer.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/connection_admission.h"
#include "net/connection_counters.h"
#include "net/loop_tick.h"
#include "net/reply_route.h"
#include "net/socket_util.h"
#include "server/query_handler.h"
#include "server/tcp_connection.h"
#include "server/stream_pump.h"
#include "server/tcp_timeouts.h"

namespace vmdns::server {

struct TcpLimits {
  unsigned max_connections = 1024;
  // No client holds more; well below max_connections, so that one client cannot fill it.
  unsigned max_connections_per_client = 64;
  // The bits of an IPv6 address that name one client (IPv4: the whole address).
  unsigned client_ipv6_prefix = 128;
  // A connection with no complete query and no reply sent for this long is closed.
  unsigned idle_timeout_ms = 10000;
  // A message whose first octet has arrived must be complete this long after; a client that
  // trickles a query in (slow loris) is cut off.
  unsigned query_timeout_ms = 2000;
  // The clock the timeouts (and the pump's stall timeout, and the listener's pause) are timed
  // by; empty: std::chrono::steady_clock. A test passes its own and calls TcpLoop::tick()
  // after moving it.
  std::function<std::chrono::steady_clock::time_point()> clock = nullptr;
};

class TcpLoop {
 public:
  static constexpr size_t kMaxInput = TcpConnection::kMaxInput;
  static constexpr size_t kMaxOutput = TcpConnection::kMaxOutput;

  // `listener` is a bound, listening, non-blocking socket. `stop_fd` becomes readable when the
  // server stops; `stopping` is set just before. `counters` (which must outlive the loop) gets
  // what happens to connections.
  TcpLoop(net::UniqueFd listener, std::unique_ptr<QueryHandler> handler, TcpLimits limits,
          int stop_fd, const std::atomic<bool>* stopping, net::ConnectionCounters* counters);
  ~TcpLoop();
  TcpLoop(const TcpLoop&) = delete;
  TcpLoop& operator=(const TcpLoop&) = delete;

  // Creates the epoll instance. False with `error` set on failure.
  bool init(std::string* error);
  // The thread body: returns once the server stops, after closing every connection.
  void run();
  // Any other thread: returns once the loop has run a round with its clock's time read after
  // the call, every connection that time expires closed (net/loop_tick.h). The pump's round
  // comes first, so that a stream it gives up is a connection this round closes.
  void tick() {
    pump_.tick();
    tick_.tick();
  }

 private:
  using Clock = std::chrono::steady_clock;
  using Connection = TcpConnection;

  void accept_connections(Clock::time_point now);
  void on_event(Connection* connection, uint32_t events, Clock::time_point now);
  bool read_input(Connection* connection);
  bool answer_queries(Connection* connection, Clock::time_point now);
  bool flush_output(Connection* connection, Clock::time_point now);
  bool progress(Connection* connection, Clock::time_point now);
  bool update_interest(Connection* connection);
  void close_connection(Connection* connection);
  void expire(Clock::time_point now);
  int next_timeout_ms(Clock::time_point now) const;
  void set_listener_enabled(bool enabled);
  void complete_deferred(Clock::time_point now);
  Clock::time_point clock_now() const { return limits_.clock ? limits_.clock() : Clock::now(); }
  // Streamed replies (reply_stream.h): the connection goes to the pump once what was queued
  // before is sent, and comes back when the stream ends.
  bool lend_when_ready(Connection* connection);
  void take_back(Clock::time_point now);

  net::UniqueFd listener_;
  std::unique_ptr<QueryHandler> handler_;
  TcpLimits limits_;
  int stop_fd_;
  const std::atomic<bool>* stopping_;
  net::UniqueFd epoll_;

  // Indexed by file descriptor; descriptors are small and dense.
  std::vector<std::unique_ptr<Connection>> connections_;
  TcpTimeouts timeouts_;
  net::ConnectionCounters* counters_;
  // Who holds the connections: the per-client limit, and which to close when full.
  net::ConnectionAdmission<Connection> admission_;

  // When accept fails for lack of descriptors or memory, the listener stays readable; it is
  // taken out of epoll for a moment instead of spinning.
  bool listener_enabled_ = true;
  Clock::time_point listener_resume_at_{};

  // The handler writes each reply here.
  std::unique_ptr<uint8_t[]> reply_;

  // Deferred replies come back here; connection ids are the fd in the low 32 bits and a serial
  // in the high 32, so a reply for a closed connection never reaches a new one on the same fd.
  std::unique_ptr<net::TcpCompletions> completions_;
  std::vector<net::TcpCompletions::Completion> completed_;
  uint32_t next_serial_ = 1;
  net::ReplyRoute route_;

  StreamPump pump_;
  std::vector<StreamPump::Returned> returned_;

  net::LoopTick tick_;
};

}  // namespace vmdns::server
