#pragma once
// One UDP worker: its own SO_REUSEPORT socket, its own handler, its own buffers. Receives a
// batch of queries with recvmmsg, answers each through the handler and sends the replies with
// one sendmmsg; a query whose handler defers it is answered later through its ReplyRoute (the
// worker's socket and the client's address), so it never holds up the batch. Nothing is shared with other workers, so the query path takes no lock and, once
// constructed, allocates nothing.

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "net/reply_route.h"
#include "net/socket_util.h"
#include "server/query_handler.h"

namespace vmdns::server {

class UdpWorker {
 public:
  // Messages per recvmmsg / sendmmsg: enough to amortise the system calls under load.
  static constexpr size_t kBatch = 32;
  // Receive slot per query. The largest sensible query is one question (at most 255 + 4 octets)
  // plus an OPT record with a cookie or padding: far below 4096. A datagram that does not fit is
  // seen as MSG_TRUNC and dropped, since a truncated query cannot be answered correctly.
  static constexpr size_t kQuerySlot = 4096;
  // Reply slot: one page. The handler limits a UDP reply to the client's EDNS(0) payload size
  // (RFC 6891 section 6.2.5), which we cap at dns::kEdnsPayload (1232), or to 512 without EDNS
  // (RFC 1035 section 4.2.1); the largest other UDP reply (an IXFR's SOA or a refusal, with a
  // TSIG) stays below 2 KiB. A 64 KiB slot made each worker's replies 2 MiB, untouched but for
  // the first page of each slot.
  static constexpr size_t kReplySlot = 4096;
  // A worker with no query for this long tells its handler it is idle (QueryHandler::idle).
  static constexpr std::chrono::milliseconds kIdleRelease{1000};

  using Clock = std::chrono::steady_clock;

  // `stop_fd` becomes readable when the server stops; `stopping` is set just before. `clock`
  // (ServerOptions::clock) times each batch, which the rate limiter counts by; empty: the
  // steady clock.
  UdpWorker(net::UniqueFd socket, std::unique_ptr<QueryHandler> handler, bool use_pktinfo,
            int stop_fd, const std::atomic<bool>* stopping,
            std::function<Clock::time_point()> clock = nullptr);
  UdpWorker(const UdpWorker&) = delete;
  UdpWorker& operator=(const UdpWorker&) = delete;

  // The thread body: returns once the server stops.
  void run();

 private:
  // Room for one IP_PKTINFO or IPV6_PKTINFO control message, aligned for cmsghdr.
  struct alignas(cmsghdr) ControlSlot {
    unsigned char bytes[net::kReplySourceControlSize];
  };

  void prepare_receive();
  bool wait_readable();
  size_t answer_batch(size_t received);
  void send_replies(size_t count);
  void set_source(size_t out);
  Clock::time_point now() const { return clock_ ? clock_() : Clock::now(); }

  net::UniqueFd socket_;
  std::unique_ptr<QueryHandler> handler_;
  bool use_pktinfo_;
  int stop_fd_;
  const std::atomic<bool>* stopping_;
  std::function<Clock::time_point()> clock_;

  // Allocated once, default-initialised: a slot's page becomes resident when a datagram or a
  // reply first lands in it.
  std::unique_ptr<uint8_t[]> queries_;
  std::unique_ptr<uint8_t[]> replies_;
  std::array<mmsghdr, kBatch> in_{};
  std::array<iovec, kBatch> in_iov_{};
  std::array<sockaddr_storage, kBatch> peers_{};
  std::array<ControlSlot, kBatch> in_control_{};
  std::array<mmsghdr, kBatch> out_{};
  std::array<iovec, kBatch> out_iov_{};
  std::array<ControlSlot, kBatch> out_control_{};
  // Filled per query for a handler that defers its reply (copied only if it does).
  net::ReplyRoute route_;
};

}  // namespace vmdns::server
