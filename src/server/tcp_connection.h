#pragma once
// One DNS-over-TCP connection's buffers and state, as the TCP loop (tcp_loop.h) drives it:
// input framed by two-octet lengths (RFC 1035 section 4.2.2), queued replies, and its places
// in the loop's deadline queues. Nothing here touches epoll; the loop decides when to read,
// answer, send and close.
//
//   TcpConnection c(std::move(fd), id, peer, peer_length);
//   if (c.receive() == TcpConnection::Received::Data && c.has_complete_message()) {
//     c.queue_reply(answer_of(c.next_message()));
//     c.consume(2 + c.next_length());
//   }
//   c.send_queued();

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "net/client_table.h"
#include "net/deadline_queue.h"
#include "net/socket_util.h"
#include "server/reply_stream.h"

namespace vmdns::server {

struct TcpConnection {
  // The largest DNS message: its length is carried in two octets.
  static constexpr size_t kMaxMessage = 65535;
  // Input buffered: one whole message of the largest size with its length.
  static constexpr size_t kMaxInput = 2 + kMaxMessage;
  // Replies queued for a client that does not read them. Past this, the connection's input is
  // no longer read or answered until the client catches up (RFC 7766 section 6.2.3 lets a
  // server manage its resources this way).
  static constexpr size_t kMaxOutput = size_t{256} * 1024;

  TcpConnection(net::UniqueFd socket, uint64_t id, const sockaddr_storage& peer,
                socklen_t peer_length);

  enum class Received { Data, Nothing, Eof, Error };
  // One recv() into the free part of the input buffer (none when it is full).
  Received receive();
  enum class Sent { Some, Nothing, Error };
  // Sends as much of the queued output as the socket takes.
  Sent send_queued();

  // Frames `reply` with its length and queues it. `reply` is at most kMaxMessage octets.
  void queue_reply(std::span<const uint8_t> reply);
  // Drops `octets` of answered input from the front of the buffer.
  void consume(size_t octets);
  // Grows the input buffer to kMaxInput when the next message does not fit the current one.
  void make_room_for_next_message();

  size_t pending_output() const { return output.size() - output_sent; }
  // No room for one more reply of the largest size.
  bool backed_up() const { return pending_output() + 2 + kMaxMessage > kMaxOutput; }
  size_t next_length() const { return (size_t{input[0]} << 8) | input[1]; }
  bool has_complete_message() const {
    return input_length >= 2 && input_length >= 2 + next_length();
  }
  // Part of a message has arrived and the rest is awaited from the client.
  bool awaiting_rest_of_message() const { return input_length > 0 && !has_complete_message(); }
  // Where it stands among its client's connections when a full loop closes one of them for
  // another client's (the smallest first): an idle one (nothing of a query received), least
  // recently active first, then one trickling a query in. Nullopt for a connection with a
  // query being answered (complete, deferred, or its reply not all sent): it is never closed
  // for another.
  std::optional<std::pair<int, std::chrono::steady_clock::time_point>> eviction_rank() const {
    if (closing || deferred > 0 || pending_output() > 0 || has_complete_message() || stream ||
        lent) {
      return std::nullopt;
    }
    // The idle deadline is the last activity plus a timeout every connection shares.
    return std::pair(awaiting_rest_of_message() ? 1 : 0, idle.deadline);
  }

  net::UniqueFd fd;
  uint64_t id = 0;
  // The client's address, for handlers that answer by who asks (ReplyRoute::peer).
  sockaddr_storage peer{};
  socklen_t peer_length = 0;

  std::unique_ptr<uint8_t[]> input;
  size_t input_capacity = 0;
  size_t input_length = 0;
  std::vector<uint8_t> output;
  size_t output_sent = 0;
  uint32_t interest = 0;  // the epoll events asked for

  // No more queries are answered (the handler asked to close, or the client sent a zero-length
  // message); the connection closes once the replies already queued are sent.
  bool closing = false;
  // The client closed its sending side: answer what is complete, send it, then close.
  bool peer_closed = false;
  // Queries the handler deferred whose replies have not come back yet; the connection stays
  // open for them after the client closes its side.
  size_t deferred = 0;
  // A streamed reply (a zone transfer) waiting for the replies before it to be sent; then the
  // connection is lent to the StreamPump (`lent`) until the stream ends, and not read, timed
  // out or closed by the loop meanwhile.
  std::unique_ptr<ReplyStream> stream;
  bool lent = false;

  // Since the last complete query or reply (the idle timeout, RFC 7766 section 6.2.3).
  net::DeadlineQueue<TcpConnection>::Link idle;
  // Since the first octet of a message that has not arrived whole (the query timeout).
  net::DeadlineQueue<TcpConnection>::Link partial;
  // Its client's other connections (the per-client limit, and which to close when full).
  net::ClientTable<TcpConnection>::Link client;
};

}  // namespace vmdns::server
