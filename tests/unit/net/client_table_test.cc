// ClientKey, ClientTable and ConnectionAdmission: who a connection belongs to, how many each
// client holds, and which connection a full listener closes for a newcomer. No sockets.
//
// Behaviour checked:
//   - client_key: IPv4 is the whole address; an IPv4-mapped IPv6 address is its IPv4 address;
//     IPv6 is cut to the prefix (128, 64, 56, an odd 61), with to_string showing the prefix;
//     a non-IP peer is one key.
//   - ClientTable counts per client, forgets a client with its last connection, and removes
//     from the head, middle and tail of a client's list.
//   - victim_for: only the heaviest clients' connections, the smallest rank first, skipping
//     those ranked nullopt; none when the newcomer holds as many as the heaviest, or when the
//     heaviest have nothing to give up.
//   - ConnectionAdmission: the per-client limit refuses at once, a full table evicts for a
//     lighter client and refuses a client as heavy as the heaviest, and the counters and
//     gauges follow.

#include "net/client_table.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/client_key.h"
#include "net/connection_admission.h"
#include "socket_address.h"

namespace vmdns::net {
namespace {

TEST(ClientKey, Table) {
  struct Case {
    const char* peer;
    unsigned ipv6_prefix;
    const char* key;
  };
  const Case cases[] = {
      {"10.0.0.7", 64, "10.0.0.7"},
      {"::ffff:10.0.0.7", 64, "10.0.0.7"},
      {"2001:db8:1:2:3:4:5:6", 128, "2001:db8:1:2:3:4:5:6"},
      {"2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::/64"},
      {"2001:db8:1:2ff:3:4:5:6", 56, "2001:db8:1:200::/56"},
      {"2001:db8:1:ff:3:4:5:6", 61, "2001:db8:1:f8::/61"},
      {"::1", 128, "::1"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(client_key(socket_address(c.peer), c.ipv6_prefix).to_string(), c.key) << c.peer;
  }
  EXPECT_EQ(client_key(socket_address("::ffff:10.0.0.7"), 64),
            client_key(socket_address("10.0.0.7"), 128));
  EXPECT_EQ(client_key(socket_address("2001:db8::1"), 64),
            client_key(socket_address("2001:db8::2"), 64));
  EXPECT_NE(client_key(socket_address("2001:db8::1"), 128),
            client_key(socket_address("2001:db8::2"), 128));
  sockaddr_storage unix_peer{};
  unix_peer.ss_family = AF_UNIX;
  EXPECT_EQ(client_key(unix_peer, 64), client_key(unix_peer, 128));
  ClientKeyHash hash = ClientKeyHash::seeded();
  EXPECT_EQ(hash(client_key(socket_address("10.0.0.7"), 64)),
            hash(client_key(socket_address("::ffff:10.0.0.7"), 64)));
}

struct Item {
  int id = 0;
  std::optional<int> rank;  // nullopt: never to be closed for another
  ClientTable<Item>::Link client;
};

ClientKey key(const char* address) {
  return client_key(socket_address(address), 128);
}

TEST(ClientTable, CountsAndForgets) {
  ClientTable<Item> table(&Item::client);
  Item a{1, 0, {}}, b{2, 0, {}}, c{3, 0, {}}, d{4, 0, {}};
  table.add(&a, key("10.0.0.1"));
  table.add(&b, key("10.0.0.1"));
  table.add(&c, key("10.0.0.1"));
  table.add(&d, key("10.0.0.2"));
  EXPECT_EQ(table.count(key("10.0.0.1")), 3u);
  EXPECT_EQ(table.count(key("10.0.0.2")), 1u);
  EXPECT_EQ(table.count(key("10.0.0.3")), 0u);
  EXPECT_EQ(table.clients(), 2u);
  table.remove(&b);  // the middle of the list
  table.remove(&c);  // the head
  EXPECT_EQ(table.count(key("10.0.0.1")), 1u);
  EXPECT_EQ(table.client_of(&a)->count, 1u);
  EXPECT_EQ(table.client_of(&b), nullptr);
  table.remove(&b);  // again: nothing happens
  table.remove(&a);  // the tail, and the last
  EXPECT_EQ(table.count(key("10.0.0.1")), 0u);
  EXPECT_EQ(table.clients(), 1u);
  table.remove(&d);
  EXPECT_EQ(table.clients(), 0u);
}

TEST(ClientTable, VictimFor) {
  struct Holding {
    const char* client;
    int id;
    std::optional<int> rank;
  };
  struct Case {
    const char* what;
    std::vector<Holding> held;
    const char* newcomer;
    int victim;  // 0: none
  };
  const std::vector<Case> cases = {
      {"the heaviest client's lowest rank",
       {{"10.0.0.1", 1, 5}, {"10.0.0.1", 2, 3}, {"10.0.0.1", 3, 4}, {"10.0.0.2", 4, 1}},
       "10.0.0.3",
       2},
      {"a lighter client's connection is never taken, whatever its rank",
       {{"10.0.0.1", 1, 8}, {"10.0.0.1", 2, 9}, {"10.0.0.2", 3, 0}},
       "10.0.0.3",
       1},
      {"connections ranked nullopt are skipped",
       {{"10.0.0.1", 1, std::nullopt}, {"10.0.0.1", 2, 7}, {"10.0.0.2", 3, 1}},
       "10.0.0.3",
       2},
      {"the heaviest has nothing to give up",
       {{"10.0.0.1", 1, std::nullopt}, {"10.0.0.1", 2, std::nullopt}, {"10.0.0.2", 3, 1}},
       "10.0.0.3",
       0},
      {"a newcomer as heavy as the heaviest is refused",
       {{"10.0.0.1", 1, 1}, {"10.0.0.1", 2, 1}, {"10.0.0.2", 3, 1}, {"10.0.0.2", 4, 1}},
       "10.0.0.2",
       0},
      {"the heaviest client itself is refused",
       {{"10.0.0.1", 1, 1}, {"10.0.0.1", 2, 1}},
       "10.0.0.1",
       0},
      {"a newcomer holding one less than the heaviest gets in",
       {{"10.0.0.1", 1, 1}, {"10.0.0.1", 2, 2}, {"10.0.0.2", 3, 0}},
       "10.0.0.2",
       1},
      {"among tied heaviest clients, the lowest rank of all",
       {{"10.0.0.1", 1, 4}, {"10.0.0.1", 2, 3}, {"10.0.0.2", 3, 2}, {"10.0.0.2", 4, 6}},
       "10.0.0.3",
       3},
      {"an empty table", {}, "10.0.0.3", 0},
  };
  for (const Case& c : cases) {
    ClientTable<Item> table(&Item::client);
    std::vector<std::unique_ptr<Item>> items;
    for (const Holding& h : c.held) {
      items.push_back(std::make_unique<Item>(Item{h.id, h.rank, {}}));
      table.add(items.back().get(), key(h.client));
    }
    Item* victim = table.victim_for(key(c.newcomer), [](const Item& item) { return item.rank; });
    EXPECT_EQ(victim == nullptr ? 0 : victim->id, c.victim) << c.what;
  }
}

TEST(ConnectionAdmission, LimitsEvictionAndCounters) {
  using Clock = std::chrono::steady_clock;
  ConnectionCounters counters;
  ConnectionAdmission<Item> admission(
      "test", {.max_connections = 4, .max_per_client = 3, .client_ipv6_prefix = 64}, &Item::client,
      &counters);
  auto rank = [](const Item& item) { return item.rank; };
  Clock::time_point now = Clock::now();
  std::vector<std::unique_ptr<Item>> items;
  // Admits a connection from `peer` the way a loop does; returns the id of the victim closed
  // (0: none), or -1 when the newcomer is refused.
  auto connect = [&](const char* peer, std::optional<int> item_rank) {
    Item* victim = nullptr;
    auto client = admission.admit(socket_address(peer), now, rank, &victim);
    if (!client) {
      return -1;
    }
    int closed = 0;
    if (victim != nullptr) {
      closed = victim->id;
      admission.remove(victim);
    }
    items.push_back(
        std::make_unique<Item>(Item{static_cast<int>(items.size()) + 1, item_rank, {}}));
    admission.add(items.back().get(), *client);
    return closed;
  };
  EXPECT_EQ(connect("2001:db8::1", 1), 0);  // 1
  EXPECT_EQ(connect("2001:db8::2", 2), 0);  // 2: the same /64
  EXPECT_EQ(connect("2001:db8::3", 3), 0);  // 3
  EXPECT_EQ(connect("2001:db8::4", 4), -1) << "its /64 holds 3, the limit";
  EXPECT_EQ(connect("10.0.0.1", std::nullopt), 0);  // 4: full now
  EXPECT_EQ(admission.open(), 4u);
  EXPECT_EQ(connect("10.0.0.2", 1), 1) << "the /64's lowest rank makes room";
  EXPECT_EQ(connect("10.0.0.1", 1), 2) << "10.0.0.1 holds 1, the /64 2";
  EXPECT_EQ(connect("10.0.0.1", 1), -1) << "10.0.0.1 holds 2, as many as anyone";
  EXPECT_EQ(counters.open.load(), 4u);
  EXPECT_EQ(counters.clients.load(), 3u);
  EXPECT_EQ(counters.accepted.load(), 6u);
  EXPECT_EQ(counters.refused_client_limit.load(), 1u);
  EXPECT_EQ(counters.refused_full.load(), 1u);
  EXPECT_EQ(counters.evicted.load(), 2u);
  admission.clear();
  EXPECT_EQ(counters.open.load(), 0u);
  EXPECT_EQ(counters.clients.load(), 0u);
}

TEST(LogThrottle, OneLineAnIntervalWithTheCountHeldBack) {
  using namespace std::chrono_literals;
  LogThrottle throttle(10s);
  auto start = LogThrottle::Clock::time_point{} + 100s;
  EXPECT_EQ(throttle.count(start), 1u);
  EXPECT_EQ(throttle.count(start + 1s), 0u);
  EXPECT_EQ(throttle.count(start + 9s), 0u);
  EXPECT_EQ(throttle.count(start + 10s), 3u);
  EXPECT_EQ(throttle.count(start + 25s), 1u);
}

}  // namespace
}  // namespace vmdns::net
