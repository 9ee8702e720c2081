#pragma once
// DNS over TCP (RFC 1035 section 4.2.2, RFC 7766): one event-loop thread with epoll and
// non-blocking sockets. Each message is preceded by its length in two octets; a client may send
// several queries without waiting (pipelining, RFC 7766 section 6.2.1.1) and they are answered
// in order. Input and output per connection are bounded, a connection that sends no complete
// query and reads no reply for the idle timeout is closed, and since no socket call blocks, a
// slow client never holds up the others. A query the handler defers (kDeferred) is answered when
// its reply arrives through the loop's TcpCompletions, possibly after later queries' replies
// (RFC 7766 section 7: responses may be sent out of order).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/query_handler.h"
#include "server/reply_route.h"
#include "server/socket_util.h"

namespace vmdns::server {

struct TcpLimits {
  unsigned max_connections = 1024;
  unsigned idle_timeout_ms = 10000;
};

class TcpLoop {
 public:
  // Input buffered per connection: one whole message of the largest size with its length.
  static constexpr size_t kMaxInput = 2 + 65535;
  // Replies queued for a client that does not read them. Past this, the connection's input is
  // no longer read or answered until the client catches up (RFC 7766 section 6.2.3 lets a
  // server manage its resources this way).
  static constexpr size_t kMaxOutput = size_t{256} * 1024;

  // `listener` is a bound, listening, non-blocking socket. `stop_fd` becomes readable when the
  // server stops; `stopping` is set just before.
  TcpLoop(UniqueFd listener, std::unique_ptr<QueryHandler> handler, TcpLimits limits, int stop_fd,
          const std::atomic<bool>* stopping);
  ~TcpLoop();
  TcpLoop(const TcpLoop&) = delete;
  TcpLoop& operator=(const TcpLoop&) = delete;

  // Creates the epoll instance. False with `error` set on failure.
  bool init(std::string* error);
  // The thread body: returns once the server stops, after closing every connection.
  void run();

 private:
  using Clock = std::chrono::steady_clock;
  struct Connection;

  void accept_connections(Clock::time_point now);
  void on_event(Connection* connection, uint32_t events, Clock::time_point now);
  bool read_input(Connection* connection);
  bool answer_queries(Connection* connection, Clock::time_point now);
  bool flush_output(Connection* connection, Clock::time_point now);
  bool progress(Connection* connection, Clock::time_point now);
  bool update_interest(Connection* connection);
  void close_connection(Connection* connection);
  void touch(Connection* connection, Clock::time_point now);
  void unlink_idle(Connection* connection);
  void expire_idle(Clock::time_point now);
  int next_timeout_ms(Clock::time_point now) const;
  void set_listener_enabled(bool enabled);
  void complete_deferred(Clock::time_point now);

  UniqueFd listener_;
  std::unique_ptr<QueryHandler> handler_;
  TcpLimits limits_;
  int stop_fd_;
  const std::atomic<bool>* stopping_;
  UniqueFd epoll_;

  // Indexed by file descriptor; descriptors are small and dense.
  std::vector<std::unique_ptr<Connection>> connections_;
  size_t open_connections_ = 0;
  // Connections from least to most recently active. Every connection has the same timeout, so
  // the first one is always the next to expire: O(1) to find, O(1) to refresh.
  Connection* idle_oldest_ = nullptr;
  Connection* idle_newest_ = nullptr;

  // When accept fails for lack of descriptors or memory, the listener stays readable; it is
  // taken out of epoll for a moment instead of spinning.
  bool listener_enabled_ = true;
  Clock::time_point listener_resume_at_{};

  // The handler writes each reply here, after room for the two-octet length.
  std::unique_ptr<uint8_t[]> reply_;

  // Deferred replies come back here; connection ids are the fd in the low 32 bits and a serial
  // in the high 32, so a reply for a closed connection never reaches a new one on the same fd.
  std::unique_ptr<TcpCompletions> completions_;
  std::vector<TcpCompletions::Completion> completed_;
  uint32_t next_serial_ = 1;
  ReplyRoute route_;
};

}  // namespace vmdns::server
