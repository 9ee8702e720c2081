// The floor: a UDP responder that does what vmdns's UDP workers do around the answer and
// nothing else, so that its CPU per query is the kernel's share (and the batching's) that no
// socket server avoids. bench/run measures it beside vmdns, Knot DNS and NSD; every server's
// figure then reads as floor + its own work.
//
//   build/bench/floor/vmdns_floor --listen 127.0.0.1:5300 --threads 1
//   dig @127.0.0.1 -p 5300 anything.example A    # -> anything.example. 30 IN A 192.0.2.1
//
// Kept the same as src/server/udp_worker.cc and the UDP socket of src/net/socket_util.cc
// (compare them when either changes):
//   - one thread per --threads, each with its own SO_REUSEPORT socket (1 MiB SO_RCVBUF and
//     SO_SNDBUF), bound to the same address;
//   - per batch: recvmmsg of up to 32 datagrams with MSG_DONTWAIT into 4096-octet slots, poll on
//     the socket and a stop eventfd only when nothing is queued, the replies written into
//     65535-octet slots and sent with sendmmsg (skipping a message it cannot send);
//   - a query that did not fit its slot (MSG_TRUNC) is dropped.
// Every query is answered with a fixed reply: the header with QR and AA set (ID, opcode and RD
// kept), the question echoed, and one A record 192.0.2.1, TTL 30, whose owner points at the
// question; no lookup, no EDNS. A datagram without a whole question gets no reply. Reply source
// addresses (IP_PKTINFO) are not handled, so listen on a specific address, not a wildcard.
// Standalone on purpose: it measures the socket path, not the code under test.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr size_t kBatch = 32;
constexpr size_t kQuerySlot = 4096;
constexpr size_t kReplySlot = 65535;
constexpr int kSocketBufferBytes = 1 << 20;
constexpr size_t kHeaderSize = 12;
// The answer: a pointer to the question's name (offset 12), type A, class IN, TTL 30, 4 octets
// of rdata, 192.0.2.1 (TEST-NET-1).
constexpr uint8_t kAnswer[] = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 192, 0, 2, 1};

std::atomic<bool> stopping{false};

// The reply to `query` in `reply`, or 0 when the query has no whole question.
size_t fixed_reply(const uint8_t* query, size_t length, uint8_t* reply) {
  if (length < kHeaderSize || query[4] != 0 || query[5] == 0) {
    return 0;
  }
  size_t at = kHeaderSize;
  while (at < length && query[at] != 0) {
    if ((query[at] & 0xC0) != 0) {
      return 0;  // a question name is never compressed
    }
    at += 1 + query[at];
  }
  size_t question_end = at + 1 + 4;
  if (question_end > length) {
    return 0;
  }
  std::memcpy(reply, query, question_end);
  reply[2] = static_cast<uint8_t>(0x80 | (query[2] & 0x79) | 0x04);  // QR, opcode, AA, RD
  reply[3] = 0;                                                        // RA, Z, rcode
  reply[4] = 0;
  reply[5] = 1;
  reply[6] = 0;
  reply[7] = 1;
  std::memset(reply + 8, 0, 4);
  std::memcpy(reply + question_end, kAnswer, sizeof(kAnswer));
  return question_end + sizeof(kAnswer);
}

class Worker {
 public:
  Worker(int fd, int stop_fd)
      : fd_(fd),
        stop_fd_(stop_fd),
        queries_(std::make_unique_for_overwrite<uint8_t[]>(kBatch * kQuerySlot)),
        replies_(std::make_unique_for_overwrite<uint8_t[]>(kBatch * kReplySlot)) {}

  void run() {
    while (!stopping.load(std::memory_order_acquire)) {
      prepare_receive();
      int received = recvmmsg(fd_, in_.data(), kBatch, MSG_DONTWAIT, nullptr);
      if (received < 0) {
        if ((errno == EAGAIN || errno == EWOULDBLOCK) && !wait_readable()) {
          return;
        }
        continue;
      }
      send_replies(answer_batch(static_cast<size_t>(received)));
    }
  }

 private:
  void prepare_receive() {
    for (size_t i = 0; i < kBatch; ++i) {
      in_iov_[i] = {queries_.get() + i * kQuerySlot, kQuerySlot};
      msghdr& header = in_[i].msg_hdr;
      header.msg_name = &peers_[i];
      header.msg_namelen = sizeof(peers_[i]);
      header.msg_iov = &in_iov_[i];
      header.msg_iovlen = 1;
      header.msg_control = nullptr;
      header.msg_controllen = 0;
      header.msg_flags = 0;
      in_[i].msg_len = 0;
    }
  }

  bool wait_readable() {
    for (;;) {
      if (stopping.load(std::memory_order_acquire)) {
        return false;
      }
      pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) {
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

  size_t answer_batch(size_t received) {
    size_t out = 0;
    for (size_t i = 0; i < received; ++i) {
      const msghdr& header = in_[i].msg_hdr;
      if ((header.msg_flags & MSG_TRUNC) != 0) {
        continue;
      }
      uint8_t* reply = replies_.get() + i * kReplySlot;
      size_t length = fixed_reply(queries_.get() + i * kQuerySlot, in_[i].msg_len, reply);
      if (length == 0) {
        continue;
      }
      out_iov_[out] = {reply, length};
      msghdr& reply_header = out_[out].msg_hdr;
      reply_header.msg_name = &peers_[i];
      reply_header.msg_namelen = header.msg_namelen;
      reply_header.msg_iov = &out_iov_[out];
      reply_header.msg_iovlen = 1;
      reply_header.msg_control = nullptr;
      reply_header.msg_controllen = 0;
      reply_header.msg_flags = 0;
      out_[out].msg_len = 0;
      ++out;
    }
    return out;
  }

  void send_replies(size_t count) {
    size_t sent = 0;
    while (sent < count) {
      int result = sendmmsg(fd_, out_.data() + sent, count - sent, 0);
      if (result < 0) {
        if (errno != EINTR) {
          ++sent;  // an error is reported for the first message only: skip it
        }
        continue;
      }
      sent += static_cast<size_t>(result);
    }
  }

  int fd_;
  int stop_fd_;
  std::unique_ptr<uint8_t[]> queries_;
  std::unique_ptr<uint8_t[]> replies_;
  std::array<mmsghdr, kBatch> in_{};
  std::array<iovec, kBatch> in_iov_{};
  std::array<sockaddr_storage, kBatch> peers_{};
  std::array<mmsghdr, kBatch> out_{};
  std::array<iovec, kBatch> out_iov_{};
};

// "127.0.0.1:5300" or "[::1]:5300".
bool parse_listen(const std::string& text, sockaddr_storage* address, socklen_t* length) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    return false;
  }
  std::string host = text.substr(0, colon);
  char* end = nullptr;
  long port = std::strtol(text.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || port <= 0 || port > 65535) {
    return false;
  }
  std::memset(address, 0, sizeof(*address));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(address);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    *length = sizeof(*in6);
    return inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &in6->sin6_addr) == 1;
  }
  auto* in4 = reinterpret_cast<sockaddr_in*>(address);
  in4->sin_family = AF_INET;
  in4->sin_port = htons(static_cast<uint16_t>(port));
  *length = sizeof(*in4);
  return inet_pton(AF_INET, host.c_str(), &in4->sin_addr) == 1;
}

int open_socket(const sockaddr_storage& address, socklen_t length) {
  int fd = socket(address.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int one = 1;
  int buffer = kSocketBufferBytes;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    return -1;
  }
  if (address.ss_family == AF_INET6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  }
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof(buffer));
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    return -1;
  }
  return fd;
}

int usage() {
  std::fprintf(stderr, "usage: vmdns_floor --listen ADDRESS:PORT [--threads N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen;
  unsigned threads = std::thread::hardware_concurrency();
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--listen" && i + 1 < argc) {
      listen = argv[++i];
    } else if (flag == "--threads" && i + 1 < argc) {
      threads = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else {
      return usage();
    }
  }
  sockaddr_storage address;
  socklen_t length = 0;
  if (listen.empty() || threads == 0 || !parse_listen(listen, &address, &length)) {
    return usage();
  }

  // The workers inherit the blocked signals; the main thread takes them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  int stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < threads; ++i) {
    int fd = open_socket(address, length);
    if (fd < 0 || stop_fd < 0) {
      std::fprintf(stderr, "vmdns_floor: %s: %s\n", listen.c_str(), std::strerror(errno));
      return 1;
    }
    workers.push_back(std::make_unique<Worker>(fd, stop_fd));
  }
  std::vector<std::thread> running;
  for (auto& worker : workers) {
    running.emplace_back([&worker] { worker->run(); });
  }
  std::printf("listening on %s\n", listen.c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  stopping.store(true, std::memory_order_release);
  uint64_t one = 1;
  if (write(stop_fd, &one, sizeof(one)) < 0) {
    return 1;
  }
  for (std::thread& thread : running) {
    thread.join();
  }
  return 0;
}
