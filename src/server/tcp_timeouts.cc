#include "server/tcp_timeouts.h"

#include <spdlog/spdlog.h>

namespace vmdns::server {

TcpTimeouts::TcpTimeouts(std::chrono::milliseconds idle, std::chrono::milliseconds query)
    : idle_(&TcpConnection::idle, idle), partial_(&TcpConnection::partial, query) {}

// The query timeout runs while the client owes the rest of a message: from the first octet of
// a message (or from the reply to the one before it, when they came together) until it is
// whole. It stops while the connection is backed up: the rest may be waiting in the socket,
// unread because the client does not read its replies (the idle timeout covers that).
void TcpTimeouts::track_partial_message(TcpConnection* connection, Clock::time_point now,
                                        bool answered) {
  if (connection->closing || connection->peer_closed || connection->backed_up() ||
      !connection->awaiting_rest_of_message()) {
    partial_.remove(connection);
  } else if (answered) {
    partial_.restart(connection, now);
  } else {
    partial_.start(connection, now);
  }
}

void TcpTimeouts::forget(TcpConnection* connection) {
  idle_.remove(connection);
  partial_.remove(connection);
}

TcpConnection* TcpTimeouts::expired(Clock::time_point now, bool* idle) const {
  if (TcpConnection* connection = idle_.expired(now)) {
    spdlog::debug("tcp: idle for {} ms; closing", idle_.timeout().count());
    if (idle != nullptr) {
      *idle = true;
    }
    return connection;
  }
  if (TcpConnection* connection = partial_.expired(now)) {
    spdlog::debug("tcp: a message not complete after {} ms; closing", partial_.timeout().count());
    if (idle != nullptr) {
      *idle = false;
    }
    return connection;
  }
  return nullptr;
}

std::optional<TcpTimeouts::Clock::time_point> TcpTimeouts::next_deadline() const {
  std::optional<Clock::time_point> earliest;
  for (const net::DeadlineQueue<TcpConnection>* queue : {&idle_, &partial_}) {
    Clock::time_point next;
    if (queue->next_deadline(&next) && (!earliest || next < *earliest)) {
      earliest = next;
    }
  }
  return earliest;
}

void TcpTimeouts::clear() {
  idle_.clear();
  partial_.clear();
}

}  // namespace vmdns::server
