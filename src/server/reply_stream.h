#pragma once
// A reply of many messages to one query over TCP (a zone transfer, RFC 5936 section 2.2): the
// handler returns QueryHandler::kStream and hands one of these over (take_stream()); the TCP
// loop then lends the connection to its StreamPump thread, which writes the messages as fast
// as the client reads them and gives the connection back when the stream ends. The messages
// are made on the pump's thread, so a large zone never holds up the loop's other clients.
//
//   class ZoneStream : public ReplyStream {
//     size_t next(std::span<uint8_t> out) override { ...one message into out...; return n; }
//     void finished(bool complete) override { log(...); }
//   };

#include <cstddef>
#include <cstdint>
#include <span>

namespace vmdns::server {

class ReplyStream {
 public:
  virtual ~ReplyStream() = default;
  // Writes the next message into `out` (65535 octets) and returns its length; 0 once every
  // message was given. Runs on the pump's thread; may allocate and take its time.
  virtual size_t next(std::span<uint8_t> out) = 0;
  // Called once when the stream ends: `complete` when every message was handed to the socket,
  // false when the client went away, stalled, or the server stopped.
  virtual void finished(bool complete) = 0;
};

}  // namespace vmdns::server
