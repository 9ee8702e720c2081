#include "kube/watch_stream.h"


namespace vmdns::kube {
namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

std::string printable(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) {
    return std::string("'") + c + "'";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("0x") + kHex[byte >> 4] + kHex[byte & 0x0f];
}

}  // namespace

bool parse_event_type(std::string_view text, WatchEvent::Type* type) {
  static constexpr std::pair<std::string_view, WatchEvent::Type> kTypes[] = {
      {"ADDED", WatchEvent::Type::Added},       {"MODIFIED", WatchEvent::Type::Modified},
      {"DELETED", WatchEvent::Type::Deleted},   {"BOOKMARK", WatchEvent::Type::Bookmark},
      {"ERROR", WatchEvent::Type::Error},
  };
  for (const auto& [name, value] : kTypes) {
    if (text == name) {
      *type = value;
      return true;
    }
  }
  return false;
}

bool WatchStreamDecoder::fail(std::string message) {
  error_ = "watch event " + std::to_string(events_ + 1) + ": " + std::move(message);
  pending_.clear();
  pending_.shrink_to_fit();
  return false;
}

bool WatchStreamDecoder::feed(std::string_view bytes,
                              const std::function<void(WatchEvent&&)>& on_event) {
  if (!error_.empty()) {
    return false;
  }
  size_t start = 0;  // the first byte of `bytes` not yet copied into pending_
  for (size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (depth_ == 0) {
      if (is_space(c)) {
        start = i + 1;
        continue;
      }
      if (c != '{') {
        return fail("expected '{' to start an event, found " + printable(c));
      }
      depth_ = 1;
      start = i;
      continue;
    }
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      continue;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      if (++depth_ > kMaxDepth) {
        return fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
      }
    } else if (c == '}' || c == ']') {
      if (--depth_ == 0) {
        if (pending_.size() + (i + 1 - start) > max_event_bytes_) {
          return fail("larger than " + std::to_string(max_event_bytes_) + " bytes");
        }
        pending_.append(bytes.substr(start, i + 1 - start));
        start = i + 1;
        if (!emit(on_event)) {
          return false;
        }
      }
    }
  }
  if (depth_ > 0 && start < bytes.size()) {
    if (pending_.size() + (bytes.size() - start) > max_event_bytes_) {
      return fail("larger than " + std::to_string(max_event_bytes_) + " bytes");
    }
    pending_.append(bytes.substr(start));
  }
  return true;
}

bool WatchStreamDecoder::emit(const std::function<void(WatchEvent&&)>& on_event) {
  // The scan above only balanced brackets; the parser checks everything else (and walks
  // nesting without recursion).
  bool valid = document_.parse(pending_);
  // Do not keep a big event's buffers (ours, and the parser's sized to it) for the small ones
  // after it: they are dropped once the event has been handed over.
  bool big = pending_.size() > (1 << 20);
  pending_.clear();
  if (big) {
    pending_.shrink_to_fit();
  }
  if (!valid) {
    return fail("not valid JSON (" + document_.error() + ")");
  }
  sources::JsonValue parsed = document_.root();
  if (!parsed.is_object()) {
    return fail("not an object");
  }
  sources::JsonValue type = parsed.member("type");
  WatchEvent event;
  if (!type.is_string()) {
    return fail("\"type\" is missing or not a string");
  }
  if (!parse_event_type(type.string(), &event.type)) {
    return fail("unknown type \"" + std::string(type.string().substr(0, 32)) + "\"");
  }
  event.object = parsed.member("object");
  if (!event.object.is_object()) {
    return fail("\"object\" is missing or not an object");
  }
  ++events_;
  on_event(std::move(event));
  if (big) {
    document_ = sources::JsonDocument();
  }
  return true;
}

}  // namespace vmdns::kube
