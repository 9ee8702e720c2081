#include "server/udp_worker.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace vmdns::server {
namespace {

std::string peer_text(const sockaddr_storage& peer, socklen_t length) {
  net::ListenAddress address;
  address.storage = peer;
  address.length = length;
  return address.to_string();
}

}  // namespace

UdpWorker::UdpWorker(net::UniqueFd socket, std::unique_ptr<QueryHandler> handler, bool use_pktinfo,
                     int stop_fd, const std::atomic<bool>* stopping,
                     std::function<Clock::time_point()> clock)
    : socket_(std::move(socket)),
      handler_(std::move(handler)),
      use_pktinfo_(use_pktinfo),
      stop_fd_(stop_fd),
      stopping_(stopping),
      clock_(std::move(clock)),
      queries_(std::make_unique_for_overwrite<uint8_t[]>(kBatch * kQuerySlot)),
      replies_(std::make_unique_for_overwrite<uint8_t[]>(kBatch * kReplySlot)) {
  route_.transport = net::Transport::Udp;
  route_.udp_fd = socket_.get();
}

void UdpWorker::prepare_receive() {
  // recvmmsg overwrites the name and control lengths and the flags of each message.
  for (size_t i = 0; i < kBatch; ++i) {
    in_iov_[i] = {queries_.get() + i * kQuerySlot, kQuerySlot};
    msghdr& header = in_[i].msg_hdr;
    header.msg_name = &peers_[i];
    header.msg_namelen = sizeof(peers_[i]);
    header.msg_iov = &in_iov_[i];
    header.msg_iovlen = 1;
    header.msg_control = use_pktinfo_ ? in_control_[i].bytes : nullptr;
    header.msg_controllen = use_pktinfo_ ? sizeof(in_control_[i].bytes) : 0;
    header.msg_flags = 0;
    in_[i].msg_len = 0;
  }
}

// Waits until the socket has a datagram or the server stops. Stopping: stop() sets the atomic
// flag and writes to an eventfd that every worker polls next to its socket. The eventfd is never
// read, so it stays readable and wakes every worker, whether it is polling now or later. This
// needs no timeout (no periodic wake-ups on an idle server) and, unlike shutdown() on a UDP
// socket, does not rely on unspecified behaviour. Returns false when the server stops.
// The first kIdleRelease of a wait is timed: if no query comes in it, the handler lets go of its
// snapshot before the worker sleeps for good (one wake-up per quiet spell, not periodic), so
// that a worker no client hashes to does not keep an old snapshot alive.
bool UdpWorker::wait_readable() {
  bool released = false;
  for (;;) {
    if (stopping_->load(std::memory_order_acquire)) {
      return false;
    }
    pollfd fds[2] = {{socket_.get(), POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int ready = poll(fds, 2, released ? -1 : static_cast<int>(kIdleRelease.count()));
    if (ready == 0) {
      handler_->idle();
      released = true;
      continue;
    }
    if (ready < 0) {
      if (errno != EINTR) {
        spdlog::warn("udp worker: poll: {}", net::errno_text(errno));
      }
      continue;
    }
    if (fds[1].revents != 0) {
      return false;
    }
    if (fds[0].revents != 0) {
      return true;
    }
  }
}

void UdpWorker::run() {
  for (;;) {
    // Checked before every batch, so a stop is seen even when queries never let up.
    if (stopping_->load(std::memory_order_acquire)) {
      return;
    }
    prepare_receive();
    // Non-blocking: take whatever is queued (up to a batch) and block only in poll, where the
    // stop eventfd can wake us.
    int received = recvmmsg(socket_.get(), in_.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (received < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!wait_readable()) {
          return;
        }
      } else if (errno != EINTR) {
        // E.g. ENOMEM or a pending ICMP error; the socket stays usable.
        spdlog::warn("udp worker: recvmmsg: {}", net::errno_text(errno));
      }
      continue;
    }
    size_t replies = answer_batch(static_cast<size_t>(received));
    send_replies(replies);
  }
}

size_t UdpWorker::answer_batch(size_t received) {
  // One clock reading for the batch, handed down: the handler times its queries from it.
  handler_->begin_batch(now());
  // The batch's lookups are independent: started together, their cache misses overlap instead
  // of each query waiting for its own in turn.
  for (size_t i = 0; i < received; ++i) {
    if ((in_[i].msg_hdr.msg_flags & MSG_TRUNC) == 0) {
      handler_->prefetch({queries_.get() + i * kQuerySlot, in_[i].msg_len});
    }
  }
  size_t out = 0;
  for (size_t i = 0; i < received; ++i) {
    const msghdr& header = in_[i].msg_hdr;
    if ((header.msg_flags & MSG_TRUNC) != 0) {
      // The guard keeps the address formatting (which allocates) off the path unless asked for.
      if (spdlog::should_log(spdlog::level::debug)) {
        spdlog::debug("udp: dropped a query of more than {} octets from {}", kQuerySlot,
                      peer_text(peers_[i], header.msg_namelen));
      }
      continue;
    }
    std::span<const uint8_t> query(queries_.get() + i * kQuerySlot, in_[i].msg_len);
    std::span<uint8_t> reply(replies_.get() + i * kReplySlot, kReplySlot);
    std::memcpy(&route_.peer, &peers_[i], header.msg_namelen);
    route_.peer_length = header.msg_namelen;
    route_.source = use_pktinfo_ ? net::read_reply_source(header) : net::ReplySource{};
    size_t length = handler_->handle_deferrable(query, reply, route_);
    if (length == 0 || length == QueryHandler::kDeferred) {
      continue;
    }
    if (length > kReplySlot) {
      spdlog::warn("udp: the handler returned {} octets for a {}-octet buffer; dropped", length,
                   kReplySlot);
      continue;
    }
    out_iov_[out] = {reply.data(), length};
    msghdr& reply_header = out_[out].msg_hdr;
    reply_header.msg_name = &peers_[i];
    reply_header.msg_namelen = header.msg_namelen;
    reply_header.msg_iov = &out_iov_[out];
    reply_header.msg_iovlen = 1;
    reply_header.msg_control = nullptr;
    reply_header.msg_controllen = 0;
    reply_header.msg_flags = 0;
    out_[out].msg_len = 0;
    if (use_pktinfo_) {
      set_source(out);
    }
    ++out;
  }
  handler_->end_batch(now());
  return out;
}

// Sends the reply from the address the query was sent to (see open_udp_socket).
void UdpWorker::set_source(size_t out) {
  msghdr& reply = out_[out].msg_hdr;
  size_t length = net::write_reply_source(route_.source, out_control_[out].bytes);
  if (length > 0) {
    reply.msg_control = out_control_[out].bytes;
    reply.msg_controllen = length;
  }
}

void UdpWorker::send_replies(size_t count) {
  size_t sent = 0;
  while (sent < count) {
    int result = sendmmsg(socket_.get(), out_.data() + sent, count - sent, 0);
    if (result < 0) {
      if (errno == EINTR) {
        continue;
      }
      // sendmmsg reports an error only for the first message it could not send: skip that one
      // reply (an unreachable client, a full buffer) and send the rest.
      if (spdlog::should_log(spdlog::level::debug)) {
        int error_number = errno;
        const msghdr& header = out_[sent].msg_hdr;
        spdlog::debug(
            "udp: sendmsg to {}: {}",
            peer_text(*static_cast<const sockaddr_storage*>(header.msg_name), header.msg_namelen),
            net::errno_text(error_number));
      }
      ++sent;
      continue;
    }
    sent += static_cast<size_t>(result);
  }
}

}  // namespace vmdns::server
