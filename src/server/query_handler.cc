#include "server/query_handler.h"

#include "net/reply_route.h"

namespace vmdns::server {

size_t QueryHandler::handle_deferrable(std::span<const uint8_t> query, std::span<uint8_t> out,
                                       const net::ReplyRoute& route) {
  return handle(query, out, route.transport);
}

}  // namespace vmdns::server
