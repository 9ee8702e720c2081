// A TCP connection's turn in the loop: reading what arrived, answering the complete queries in
// order (RFC 7766 section 6.2.1.1), sending the replies, and what the loop waits for next.

#include <spdlog/spdlog.h>
#include <sys/epoll.h>

#include <cerrno>

#include "server/tcp_loop.h"

namespace vmdns::server {
namespace {

constexpr size_t kMaxMessage = TcpConnection::kMaxMessage;

}  // namespace

void TcpLoop::on_event(Connection* connection, uint32_t events, Clock::time_point now) {
  // EPOLLHUP: both directions are shut, and we never shut ours first, so the client reset or
  // vanished; nothing more can be delivered.
  if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
    spdlog::debug("tcp: connection reset or failed");
    close_connection(connection);
    return;
  }
  if ((events & EPOLLIN) != 0) {
    if (!read_input(connection)) {
      return;
    }
  }
  // Also the EPOLLOUT case: send what is queued, then answer what had to wait for it.
  progress(connection, now);
}

bool TcpLoop::read_input(Connection* connection) {
  if (connection->closing || connection->peer_closed) {
    return true;
  }
  // One read per readiness event, at most one buffer's worth: with level-triggered epoll the
  // rest is read on the next round, after the other ready connections had their turn.
  switch (connection->receive()) {
    case Connection::Received::Error:
      close_connection(connection);
      return false;
    case Connection::Received::Eof:
      connection->peer_closed = true;
      return true;
    case Connection::Received::Data:
    case Connection::Received::Nothing:
      return true;
  }
  return true;
}

bool TcpLoop::progress(Connection* connection, Clock::time_point now) {
  bool answered = false;
  for (;;) {
    answered = answer_queries(connection, now) || answered;
    if (!flush_output(connection, now)) {
      return false;
    }
    // Answering stops while the output is backed up. If the send made room, go on with the
    // queries already buffered: no new read would bring them back to our attention.
    if (connection->closing || connection->stream || connection->backed_up() ||
        !connection->has_complete_message()) {
      break;
    }
  }
  if (connection->stream) {
    timeouts_.track_partial_message(connection, now, answered);
    return lend_when_ready(connection);
  }
  bool done =
      (connection->closing && connection->deferred == 0) ||
      (connection->peer_closed && !connection->has_complete_message() && connection->deferred == 0);
  if (done && connection->pending_output() == 0) {
    close_connection(connection);
    return false;
  }
  timeouts_.track_partial_message(connection, now, answered);
  return update_interest(connection);
}

bool TcpLoop::answer_queries(Connection* connection, Clock::time_point now) {
  size_t offset = 0;
  bool answered = false;
  const uint8_t* input = connection->input.get();
  while (!connection->closing && !connection->stream) {
    size_t available = connection->input_length - offset;
    if (available < 2) {
      break;
    }
    size_t length = (size_t{input[offset]} << 8) | input[offset + 1];
    if (length == 0) {
      // No DNS message is empty (it has at least a 12-octet header); a client that sends one
      // is not speaking DNS.
      spdlog::debug("tcp: zero-length message; closing");
      connection->closing = true;
      break;
    }
    if (available < 2 + length || connection->backed_up()) {
      break;
    }
    route_.connection = connection->id;
    route_.peer = connection->peer;
    route_.peer_length = connection->peer_length;
    size_t reply_length =
        handler_->handle_deferrable(std::span<const uint8_t>(input + offset + 2, length),
                                    std::span<uint8_t>(reply_.get(), kMaxMessage), route_);
    offset += 2 + length;
    answered = true;
    if (reply_length == QueryHandler::kDeferred) {
      ++connection->deferred;
      continue;
    }
    if (reply_length == QueryHandler::kStream) {
      connection->stream = handler_->take_stream();
      if (!connection->stream) {
        connection->closing = true;  // a handler bug: nothing to send
      }
      break;
    }
    if (reply_length == 0) {
      // The handler's way to say this client gets nothing more on this connection.
      connection->closing = true;
      break;
    }
    if (reply_length > kMaxMessage) {
      spdlog::warn("tcp: the handler returned {} octets for a {}-octet buffer; closing",
                   reply_length, kMaxMessage);
      connection->closing = true;
      break;
    }
    connection->queue_reply(std::span<const uint8_t>(reply_.get(), reply_length));
  }
  if (connection->closing) {
    connection->input_length = 0;
  } else {
    connection->consume(offset);
  }
  // A message longer than the buffer: grow it once to the largest possible message.
  connection->make_room_for_next_message();
  if (answered) {
    timeouts_.active(connection, now);
  }
  return answered;
}

bool TcpLoop::flush_output(Connection* connection, Clock::time_point now) {
  switch (connection->send_queued()) {
    case Connection::Sent::Error:
      close_connection(connection);
      return false;
    case Connection::Sent::Some:
      // A client that reads its replies is not idle, however slowly it reads.
      timeouts_.active(connection, now);
      return true;
    case Connection::Sent::Nothing:
      return true;
  }
  return true;
}

bool TcpLoop::update_interest(Connection* connection) {
  uint32_t interest = 0;
  if (!connection->closing && !connection->peer_closed && !connection->backed_up() &&
      connection->input_length < connection->input_capacity) {
    interest |= EPOLLIN;
  }
  if (connection->pending_output() > 0) {
    interest |= EPOLLOUT;
  }
  if (interest == connection->interest) {
    return true;
  }
  epoll_event event{};
  event.events = interest;
  event.data.fd = connection->fd.get();
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, connection->fd.get(), &event) != 0) {
    spdlog::warn("tcp: epoll_ctl: {}", net::errno_text(errno));
    close_connection(connection);
    return false;
  }
  connection->interest = interest;
  return true;
}

}  // namespace vmdns::server
