#pragma once
// --rrl: UDP response rate limiting around the handler that answers (server/response_rate_
// limiter.h). A reply to a client network over the rate is dropped, or every --rrl-slip-th one
// sent truncated (query/truncated_reply.h), so a spoofed source address cannot turn vmdns into
// a flood aimed at its owner. TCP is never limited: its source address cannot be spoofed.
//
//   auto limiter = std::make_shared<server::ResponseRateLimiter>(
//       server::RateLimit{.responses_per_second = 100, .slip = 2});
//   auto handler = std::make_unique<RateLimitedQueryHandler>(std::move(inner), limiter);
//
// A reply is counted once the inner handler has written it, so queries that get no reply
// (responses, runts) cost their claimed sender nothing. A forwarded query (kDeferred) is
// counted when it is sent upstream and its reply is never held back: only --allow-forward
// clients are forwarded to. Reads the coarse monotonic clock once per reply; no lock, no
// allocation.

#include <time.h>

#include <memory>

#include "query/truncated_reply.h"
#include "server/query_handler.h"
#include "server/reply_route.h"
#include "server/response_rate_limiter.h"

namespace vmdns::cli {

class RateLimitedQueryHandler : public server::QueryHandler {
 public:
  RateLimitedQueryHandler(std::unique_ptr<server::QueryHandler> inner,
                          std::shared_ptr<server::ResponseRateLimiter> limiter)
      : inner_(std::move(inner)), limiter_(std::move(limiter)) {}

  size_t handle(std::span<const uint8_t> query, std::span<uint8_t> out,
                server::Transport transport) override {
    return inner_->handle(query, out, transport);
  }

  void prefetch(std::span<const uint8_t> query) override { inner_->prefetch(query); }

  size_t handle_deferrable(std::span<const uint8_t> query, std::span<uint8_t> out,
                           const server::ReplyRoute& route) override {
    size_t length = inner_->handle_deferrable(query, out, route);
    if (route.transport != server::Transport::Udp || length == 0) {
      return length;
    }
    switch (limiter_->check(route.peer, now_seconds())) {
      case server::RateVerdict::Send:
        return length;
      case server::RateVerdict::Slip:
        return length == kDeferred ? length : query::truncated_reply(query, out);
      case server::RateVerdict::Drop:
        break;
    }
    return length == kDeferred ? length : 0;
  }

 private:
  static uint64_t now_seconds() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return static_cast<uint64_t>(now.tv_sec);
  }

  std::unique_ptr<server::QueryHandler> inner_;
  std::shared_ptr<server::ResponseRateLimiter> limiter_;
};

}  // namespace vmdns::cli
