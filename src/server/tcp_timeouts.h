#pragma once
// The two timeouts of a TCP connection (RFC 7766 section 6.2.3: the server decides how long a
// connection may stay open, and may close one that holds its resources without progress):
//   - idle: no complete query and no reply sent for `idle`;
//   - query: the rest of a message not arrived `query` after its first octet (a slow-loris
//     client trickling a query in).
// Each is a DeadlineQueue, so the loop asks one place when it must next wake and which
// connections to close.
//
//   TcpTimeouts timeouts(10000ms, 2000ms);
//   timeouts.active(connection, now);                       // accepted, answered, sent
//   timeouts.track_partial_message(connection, now, answered);
//   while (TcpConnection* c = timeouts.expired(now)) { close(c); }   // close() calls forget(c)

#include <chrono>
#include <optional>

#include "net/deadline_queue.h"
#include "server/tcp_connection.h"

namespace vmdns::server {

class TcpTimeouts {
 public:
  using Clock = std::chrono::steady_clock;

  TcpTimeouts(std::chrono::milliseconds idle, std::chrono::milliseconds query);

  // The connection made progress (accepted, a query answered, a reply sent, even in part):
  // its idle timeout starts again.
  void active(TcpConnection* connection, Clock::time_point now) { idle_.restart(connection, now); }
  // After a round of reading, answering and sending: runs the query timeout while the client
  // owes the rest of a message, restarting it when `answered` (the next message begins).
  void track_partial_message(TcpConnection* connection, Clock::time_point now, bool answered);
  // The connection is closing: it has no timeouts left.
  void forget(TcpConnection* connection);
  // A connection whose timeout has passed (logged with the reason), or null; `*idle` says which
  // timeout. The caller closes it, which forgets it.
  TcpConnection* expired(Clock::time_point now, bool* idle = nullptr) const;
  // The earliest deadline of any connection, if there is one.
  std::optional<Clock::time_point> next_deadline() const;
  // Forgets every connection at once (they are being destroyed together).
  void clear();

 private:
  // Every connection, least recently active first, and the connections part of whose next
  // message has arrived, longest waiting first.
  net::DeadlineQueue<TcpConnection> idle_;
  net::DeadlineQueue<TcpConnection> partial_;
};

}  // namespace vmdns::server
