#include "net/reply_route.h"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "net/listen_address.h"

namespace vmdns::net {

TcpCompletions::TcpCompletions() : event_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

void TcpCompletions::post(uint64_t connection, std::span<const uint8_t> reply) {
  queue_.lock()->push_back({connection, std::vector<uint8_t>(reply.begin(), reply.end())});
  uint64_t one = 1;
  while (write(event_.get(), &one, sizeof(one)) < 0 && errno == EINTR) {
  }
}

void TcpCompletions::take(std::vector<Completion>* out) {
  uint64_t drained = 0;
  while (read(event_.get(), &drained, sizeof(drained)) < 0 && errno == EINTR) {
  }
  out->clear();
  queue_.lock()->swap(*out);
}

size_t write_reply_source(const ReplySource& source, void* control) {
  msghdr header{};
  header.msg_control = control;
  header.msg_controllen = kReplySourceControlSize;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&header);
  // The interface index is left 0 so the routing table, not the arrival interface, picks the
  // way out.
  if (source.family == AF_INET) {
    in_pktinfo info{};
    info.ipi_spec_dst = source.v4;
    cmsg->cmsg_level = IPPROTO_IP;
    cmsg->cmsg_type = IP_PKTINFO;
    cmsg->cmsg_len = CMSG_LEN(sizeof(info));
    std::memcpy(CMSG_DATA(cmsg), &info, sizeof(info));
    return CMSG_SPACE(sizeof(info));
  }
  if (source.family == AF_INET6) {
    in6_pktinfo info{};
    info.ipi6_addr = source.v6;
    cmsg->cmsg_level = IPPROTO_IPV6;
    cmsg->cmsg_type = IPV6_PKTINFO;
    cmsg->cmsg_len = CMSG_LEN(sizeof(info));
    std::memcpy(CMSG_DATA(cmsg), &info, sizeof(info));
    return CMSG_SPACE(sizeof(info));
  }
  return 0;
}

ReplySource read_reply_source(const msghdr& received) {
  ReplySource source;
  msghdr& header = const_cast<msghdr&>(received);  // CMSG_NXTHDR takes a non-const pointer
  for (cmsghdr* in = CMSG_FIRSTHDR(&header); in != nullptr; in = CMSG_NXTHDR(&header, in)) {
    if (in->cmsg_level == IPPROTO_IP && in->cmsg_type == IP_PKTINFO) {
      in_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(in), sizeof(info));
      source.family = AF_INET;
      source.v4 = info.ipi_addr;
      return source;
    }
    if (in->cmsg_level == IPPROTO_IPV6 && in->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(in), sizeof(info));
      source.family = AF_INET6;
      source.v6 = info.ipi6_addr;
      return source;
    }
  }
  return source;
}

void send_reply(const ReplyRoute& route, std::span<const uint8_t> reply) {
  if (route.transport == Transport::Tcp) {
    if (route.tcp != nullptr) {
      route.tcp->post(route.connection, reply);
    }
    return;
  }
  if (reply.empty() || route.udp_fd < 0) {
    return;
  }
  alignas(cmsghdr) unsigned char control[kReplySourceControlSize];
  iovec iov{const_cast<uint8_t*>(reply.data()), reply.size()};
  msghdr header{};
  header.msg_name = const_cast<sockaddr_storage*>(&route.peer);
  header.msg_namelen = route.peer_length;
  header.msg_iov = &iov;
  header.msg_iovlen = 1;
  size_t control_length = write_reply_source(route.source, control);
  header.msg_control = control_length > 0 ? control : nullptr;
  header.msg_controllen = control_length;
  ssize_t sent;
  do {
    sent = sendmsg(route.udp_fd, &header, MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0 && spdlog::should_log(spdlog::level::debug)) {
    int error_number = errno;
    ListenAddress peer;
    peer.storage = route.peer;
    peer.length = route.peer_length;
    spdlog::debug("udp: deferred reply to {}: {}", peer.to_string(), errno_text(error_number));
  }
}

}  // namespace vmdns::net
