// The watch stream decoder: events split anywhere, and every kind of broken stream.

#include "kube/watch_stream.h"

#include <gtest/gtest.h>

namespace vmdns::kube {
namespace {

struct Fed {
  std::vector<std::string> events;  // "TYPE name"
  bool ok = true;
  std::string error;
};

std::string type_name(WatchEvent::Type type) {
  switch (type) {
    case WatchEvent::Type::Added: return "ADDED";
    case WatchEvent::Type::Modified: return "MODIFIED";
    case WatchEvent::Type::Deleted: return "DELETED";
    case WatchEvent::Type::Bookmark: return "BOOKMARK";
    case WatchEvent::Type::Error: return "ERROR";
  }
  return "?";
}

// Feeds `stream` in pieces of `piece` bytes.
Fed feed(const std::string& stream, size_t piece, size_t max_bytes = 1 << 20) {
  WatchStreamDecoder decoder(max_bytes);
  Fed fed;
  for (size_t at = 0; at < stream.size() && fed.ok; at += piece) {
    fed.ok = decoder.feed(std::string_view(stream).substr(at, piece), [&](WatchEvent&& e) {
      sources::JsonValue name = e.object.member("metadata").member("name");
      fed.events.push_back(type_name(e.type) + " " +
                           (name.is_string() ? std::string(name.string()) : std::string("-")));
    });
  }
  fed.error = decoder.error();
  return fed;
}

const std::string kTwoEvents =
    "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a}{\\\"\"}}}\n"
    "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"7\"}}}\n";

TEST(WatchStreamTest, EventsSplitAnywhere) {
  for (size_t piece : {size_t{1}, size_t{2}, size_t{7}, size_t{64}, kTwoEvents.size()}) {
    SCOPED_TRACE(piece);
    Fed fed = feed(kTwoEvents, piece);
    EXPECT_TRUE(fed.ok) << fed.error;
    EXPECT_EQ(fed.events, (std::vector<std::string>{"ADDED a}{\"", "BOOKMARK -"}));
  }
}

TEST(WatchStreamTest, NewlinesAreNotNeeded) {
  Fed fed = feed("{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"x\"}}}"
                 "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"y\"}}}",
                 5);
  EXPECT_EQ(fed.events, (std::vector<std::string>{"DELETED x", "MODIFIED y"}));
}

struct BrokenCase {
  const char* rule;
  std::string stream;
  std::string error;
  size_t events_before = 0;
};

TEST(WatchStreamTest, BrokenStreams) {
  const BrokenCase cases[] = {
      {"garbage between events", kTwoEvents + "garbage\n", "watch event 3: expected '{' to "
                                                          "start an event, found 'g'", 2},
      {"a closing bracket first", "]", "watch event 1: expected '{' to start an event, found ']'"},
      {"invalid JSON", "{\"type\":\"ADDED\" \"object\":{}}", "watch event 1: not valid JSON (The JSON document has an improper structure: "
       "missing or superfluous commas, braces, missing keys, etc.)"},
      {"unknown type", "{\"type\":\"SPLIT\",\"object\":{}}", "watch event 1: unknown type \"SPLIT\""},
      {"no type", "{\"object\":{}}", "watch event 1: \"type\" is missing or not a string"},
      {"object not an object", "{\"type\":\"ADDED\",\"object\":[]}",
       "watch event 1: \"object\" is missing or not an object"},
      {"too deep", std::string(100, '[') , "watch event 1: expected '{' to start an event, found '['"},
      {"too deep inside", "{" + std::string(100, '['),
       "watch event 1: nested deeper than 64 levels"},
      {"too large", "{\"type\":\"ADDED\",\"object\":{\"x\":\"" + std::string(2000, 'a') + "\"}}",
       "watch event 1: larger than 1024 bytes"},
  };
  for (const BrokenCase& c : cases) {
    SCOPED_TRACE(c.rule);
    for (size_t piece : {size_t{1}, size_t{3}, c.stream.size()}) {
      Fed fed = feed(c.stream, piece, c.rule == std::string("too large") ? 1024 : 1 << 20);
      EXPECT_FALSE(fed.ok);
      EXPECT_EQ(fed.error, c.error);
      EXPECT_EQ(fed.events.size(), c.events_before);
    }
  }
}

TEST(WatchStreamTest, BoundaryTellsACleanEndFromADroppedOne) {
  WatchStreamDecoder decoder;
  auto ignore = [](WatchEvent&&) {};
  EXPECT_TRUE(decoder.feed(kTwoEvents, ignore));
  EXPECT_TRUE(decoder.at_boundary());
  EXPECT_TRUE(decoder.feed("{\"type\":\"ADD", ignore));
  EXPECT_FALSE(decoder.at_boundary());
}

}  // namespace
}  // namespace vmdns::kube
