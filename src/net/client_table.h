#pragma once
// The connections each client holds, for per-client limits and for choosing which connection
// to close when a table of connections is full (RFC 7766 section 6.2.2: a server should limit
// the connections of each client, and may close idle ones to make room). Clients are
// ClientKeys (an IPv4 address, an IPv6 address or prefix). The items carry their own links
// (intrusive, like DeadlineQueue), so adding and removing allocate only a client's first entry.
//
//   struct Conn { ClientTable<Conn>::Link client; bool busy; Clock::time_point since; };
//   ClientTable<Conn> table(&Conn::client);
//   if (table.count(key) >= per_client_limit) refuse();
//   if (open == limit) {
//     Conn* victim = table.victim_for(key, [](const Conn& c) {
//       return c.busy ? std::nullopt : std::optional(c.since);   // the oldest idle one
//     });
//     victim ? close(victim) : refuse();   // close() calls table.remove(victim)
//   }
//   table.add(&conn, key);
//
// Not thread-safe: one event loop owns a table.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <unordered_map>
#include <utility>

#include "net/client_key.h"

namespace vmdns::net {

template <typename T>
class ClientTable {
 public:
  struct Client {
    ClientKey key;
    size_t count = 0;
    T* first = nullptr;  // its connections, the most recently added first
  };
  struct Link {
    Client* client = nullptr;
    T* previous = nullptr;
    T* next = nullptr;
  };

  explicit ClientTable(Link T::*link) : link_(link), clients_(16, ClientKeyHash::seeded()) {}
  ClientTable(const ClientTable&) = delete;
  ClientTable& operator=(const ClientTable&) = delete;

  // How many connections `key` holds.
  size_t count(const ClientKey& key) const {
    auto it = clients_.find(key);
    return it == clients_.end() ? 0 : it->second.count;
  }
  // Clients that hold at least one connection.
  size_t clients() const { return clients_.size(); }

  void add(T* item, const ClientKey& key) {
    remove(item);
    Client& client = clients_.try_emplace(key, Client{key}).first->second;
    Link& link = item->*link_;
    link.client = &client;  // a node's address is stable while it is in the map
    link.previous = nullptr;
    link.next = client.first;
    if (client.first != nullptr) {
      (client.first->*link_).previous = item;
    }
    client.first = item;
    ++client.count;
  }

  // Takes `item` out of its client's list; the client goes when it holds nothing more.
  void remove(T* item) {
    Link& link = item->*link_;
    if (link.client == nullptr) {
      return;
    }
    Client& client = *link.client;
    if (link.previous != nullptr) {
      (link.previous->*link_).next = link.next;
    } else {
      client.first = link.next;
    }
    if (link.next != nullptr) {
      (link.next->*link_).previous = link.previous;
    }
    link = Link{};
    if (--client.count == 0) {
      clients_.erase(client.key);
    }
  }

  // The client `item` belongs to (null when it was never added).
  const Client* client_of(const T* item) const { return (item->*link_).client; }

  // The connection to close so that a new one from `newcomer` fits in a full table: among the
  // connections of the heaviest clients (those holding the most), the one `rank` puts first
  // (the smallest value), skipping those it ranks nullopt (never to be closed, e.g. a query in
  // progress). Null when no client holds more than the newcomer, which is then refused: a
  // client never loses a connection to one that holds as many.
  template <typename Rank>
  T* victim_for(const ClientKey& newcomer, Rank rank) const {
    size_t most = 0;
    for (const auto& [key, client] : clients_) {
      most = std::max(most, client.count);
    }
    if (most <= count(newcomer)) {
      return nullptr;
    }
    T* victim = nullptr;
    decltype(rank(std::declval<const T&>())) best;
    for (const auto& [key, client] : clients_) {
      if (client.count != most) {
        continue;
      }
      for (T* item = client.first; item != nullptr; item = (item->*link_).next) {
        auto value = rank(static_cast<const T&>(*item));
        if (value && (!best || *value < *best)) {
          best = value;
          victim = item;
        }
      }
    }
    return victim;
  }

  // Forgets every client without touching the items (they are being destroyed together).
  void clear() { clients_.clear(); }

 private:
  Link T::*link_;
  std::unordered_map<ClientKey, Client, ClientKeyHash> clients_;
};

}  // namespace vmdns::net
