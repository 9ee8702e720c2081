#pragma once
// Splits the body of a watch request into its events as the bytes arrive, and decodes each.
//
//   WatchStreamDecoder decoder;
//   bool ok = decoder.feed(chunk, [](WatchEvent event) { ... });   // per received chunk
//   if (!ok) log(decoder.error());  // the stream is unusable: drop the connection and re-watch
//
// The API server writes one JSON object per event, {"type": "ADDED", "object": {...}}, each
// followed by a newline (k8s.io/apimachinery's JSON serializer); the decoder does not rely on
// the newlines but finds where each top-level object ends, tracking strings and nesting, so
// that a chunk boundary can fall anywhere. Only the bytes of the event being received are
// held. Input is untrusted: an event larger than `max_event_bytes`, nesting deeper than
// kMaxDepth (which also bounds the JSON parser's recursion), bytes between events that are not
// whitespace, or an event that is not valid JSON of the right shape all end the stream with an
// error that says what and where (the event's number).

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "sources/json_value.h"

namespace vmdns::kube {

struct WatchEvent {
  enum class Type { Added, Modified, Deleted, Bookmark, Error };
  Type type = Type::Added;
  // The object; for Error, a Status ({"code": 410, "reason": ...}). A view into the decoder's
  // document: valid during the on_event call that hands the event over.
  sources::JsonValue object;
};

class WatchStreamDecoder {
 public:
  static constexpr size_t kMaxDepth = 64;
  // Objects in etcd are at most 1.5 MiB by default; a watch event carries one.
  static constexpr size_t kDefaultMaxEventBytes = 16 << 20;

  explicit WatchStreamDecoder(size_t max_event_bytes = kDefaultMaxEventBytes)
      : max_event_bytes_(max_event_bytes) {}

  // Decodes every event that `bytes` completes; false once the stream is broken (then
  // error() says why, and later calls do nothing).
  bool feed(std::string_view bytes, const std::function<void(WatchEvent&&)>& on_event);

  const std::string& error() const { return error_; }
  size_t events() const { return events_; }
  // True when the bytes fed so far end between two events (a clean end of the stream).
  bool at_boundary() const { return depth_ == 0 && pending_.empty(); }

 private:
  bool fail(std::string message);
  bool emit(const std::function<void(WatchEvent&&)>& on_event);

  size_t max_event_bytes_;
  sources::JsonDocument document_;  // the event being handed over; its buffers are reused
  std::string pending_;  // the bytes of the event being received
  size_t depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
  size_t events_ = 0;
  std::string error_;
};

// "ADDED" -> Added, ...; false for anything else.
bool parse_event_type(std::string_view text, WatchEvent::Type* type);

}  // namespace vmdns::kube
