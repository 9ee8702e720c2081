#include "server/tcp_connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vmdns::server {
namespace {

// A new connection starts with room for a few ordinary queries; the buffer grows to kMaxInput
// only when a longer message announces itself.
constexpr size_t kInitialInput = 4096;
// An output buffer larger than this is released once drained, so an idle connection that once
// had a backlog does not keep it.
constexpr size_t kKeptOutputCapacity = size_t{64} * 1024;

}  // namespace

TcpConnection::TcpConnection(net::UniqueFd socket, uint64_t connection_id,
                             const sockaddr_storage& address, socklen_t address_length)
    : fd(std::move(socket)),
      id(connection_id),
      peer(address),
      peer_length(std::min<socklen_t>(address_length, sizeof(address))),
      input(std::make_unique_for_overwrite<uint8_t[]>(kInitialInput)),
      input_capacity(kInitialInput) {}

TcpConnection::Received TcpConnection::receive() {
  if (input_length >= input_capacity) {
    return Received::Nothing;
  }
  ssize_t received;
  do {
    received = recv(fd.get(), input.get() + input_length, input_capacity - input_length, 0);
  } while (received < 0 && errno == EINTR);
  if (received < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return Received::Nothing;
    }
    spdlog::debug("tcp: recv: {}", net::errno_text(errno));
    return Received::Error;
  }
  if (received == 0) {
    return Received::Eof;
  }
  input_length += static_cast<size_t>(received);
  return Received::Data;
}

TcpConnection::Sent TcpConnection::send_queued() {
  bool sent_some = false;
  while (output_sent < output.size()) {
    ssize_t sent =
        ::send(fd.get(), output.data() + output_sent, output.size() - output_sent, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        break;
      }
      spdlog::debug("tcp: send: {}", net::errno_text(errno));
      return Sent::Error;
    }
    output_sent += static_cast<size_t>(sent);
    sent_some = true;
  }
  if (output_sent == output.size()) {
    output.clear();
    output_sent = 0;
    if (output.capacity() > kKeptOutputCapacity) {
      std::vector<uint8_t>().swap(output);
    }
  } else if (output_sent > 0) {
    output.erase(output.begin(), output.begin() + static_cast<std::ptrdiff_t>(output_sent));
    output_sent = 0;
  }
  return sent_some ? Sent::Some : Sent::Nothing;
}

void TcpConnection::queue_reply(std::span<const uint8_t> reply) {
  output.push_back(static_cast<uint8_t>(reply.size() >> 8));
  output.push_back(static_cast<uint8_t>(reply.size() & 0xff));
  output.insert(output.end(), reply.begin(), reply.end());
}

void TcpConnection::consume(size_t octets) {
  octets = std::min(octets, input_length);
  std::memmove(input.get(), input.get() + octets, input_length - octets);
  input_length -= octets;
}

void TcpConnection::make_room_for_next_message() {
  if (input_length < 2 || 2 + next_length() <= input_capacity) {
    return;
  }
  auto bigger = std::make_unique_for_overwrite<uint8_t[]>(kMaxInput);
  std::memcpy(bigger.get(), input.get(), input_length);
  input = std::move(bigger);
  input_capacity = kMaxInput;
}

}  // namespace vmdns::server
