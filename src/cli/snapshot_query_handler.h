#pragma once
// Connects a server worker to the published snapshots: each worker keeps its own snapshot
// pointer (zone::LocalSnapshot), so answering takes no lock.

#include "query/answer.h"
#include "server/query_handler.h"
#include "zone/snapshot_holder.h"

namespace vmdns::cli {

class SnapshotQueryHandler : public server::QueryHandler {
 public:
  explicit SnapshotQueryHandler(const zone::SnapshotHolder& holder) : local_(holder) {}

  size_t handle(std::span<const uint8_t> query, std::span<uint8_t> out,
                server::Transport transport) override {
    auto t = transport == server::Transport::Tcp ? query::Transport::Tcp : query::Transport::Udp;
    return query::answer(local_.get(), query, out, t).length;
  }

 private:
  zone::LocalSnapshot local_;
};

}  // namespace vmdns::cli
