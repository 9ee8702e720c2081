#pragma once
// Where a deferred reply goes: enough to send it later, from any thread, without the worker.
//
//   // in a handler, for a query it cannot answer yet:
//   pending.route = route;                     // a plain copy, no allocation
//   return QueryHandler::kDeferred;
//   // later, on another thread:
//   send_reply(pending.route, reply_bytes);
//
// UDP: the worker's socket (sendmsg on a UDP socket is safe from any thread), the client's
// address and, on a wildcard listener, the local address the query came to, so the reply leaves
// from it. TCP: the TCP loop's completion queue and the connection's id; the loop frames the
// reply and sends it in its own thread, in whatever order replies complete (RFC 7766 section
// 7 allows out-of-order responses). A route is only valid while the server that made it runs:
// whoever holds routes must be stopped before the server is.

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/socket_util.h"
#include "net/transport.h"
#include "sync/guarded.h"

namespace vmdns::net {

// The local address a UDP reply must be sent from (IP_PKTINFO / IPV6_PKTINFO), if any.
struct ReplySource {
  int family = 0;  // 0: let the kernel choose (the socket is bound to one address)
  in_addr v4{};
  in6_addr v6{};
};

// Replies finished outside the TCP loop, handed to it with an eventfd wake-up. The lock is held
// only to append or to swap the queue, never on the UDP path.
class TcpCompletions {
 public:
  struct Completion {
    uint64_t connection;
    std::vector<uint8_t> reply;  // empty: nothing to send, the deferred query is only released
  };

  TcpCompletions();
  bool valid() const { return event_.valid(); }
  int fd() const { return event_.get(); }
  // Any thread.
  void post(uint64_t connection, std::span<const uint8_t> reply);
  // The loop thread: everything posted so far (and clears the eventfd).
  void take(std::vector<Completion>* out);

 private:
  UniqueFd event_;
  sync::Guarded<std::vector<Completion>> queue_;
};

struct ReplyRoute {
  Transport transport = Transport::Udp;
  // The client's address and port, over UDP and TCP.
  sockaddr_storage peer{};
  socklen_t peer_length = 0;
  // UDP
  int udp_fd = -1;
  ReplySource source;
  // TCP
  TcpCompletions* tcp = nullptr;
  uint64_t connection = 0;
};

// Sends `reply` to the route's client. For UDP a failed send is logged at debug level and
// dropped, like a worker's own replies.
void send_reply(const ReplyRoute& route, std::span<const uint8_t> reply);

// Fills `control` (at least kReplySourceControlSize octets, aligned for cmsghdr) with the
// IP_PKTINFO / IPV6_PKTINFO that makes a reply leave from `source`; returns its length, 0 when
// `source` has no family.
inline constexpr size_t kReplySourceControlSize =
    CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo));
size_t write_reply_source(const ReplySource& source, void* control);
// The destination address of a received datagram, from its IP_PKTINFO / IPV6_PKTINFO.
ReplySource read_reply_source(const msghdr& received);

}  // namespace vmdns::net
