#include "hosts/hosts_table.h"

#include <algorithm>

namespace vmdns::hosts {

dns::Name reverse_name(const HostsEntry& entry) {
  std::string text;
  if (!entry.ipv6) {
    for (int i = 3; i >= 0; --i) {
      text += std::to_string(entry.address[i]) + ".";
    }
    text += "in-addr.arpa.";
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
      text += kHex[entry.address[i] & 0xf];
      text += '.';
      text += kHex[entry.address[i] >> 4];
      text += '.';
    }
    text += "ip6.arpa.";
  }
  return *dns::Name::from_text(text);  // always a valid name
}

HostsTable::Owner& HostsTable::owner(const dns::Name& name) {
  return owners_[std::string(name.lowercased().wire_view())];
}

std::shared_ptr<const HostsTable> HostsTable::build(const std::vector<HostsEntry>& entries,
                                                    uint32_t ttl) {
  auto table = std::make_shared<HostsTable>();
  table->ttl_ = ttl;
  for (const HostsEntry& entry : entries) {
    dns::Name reverse = reverse_name(entry);
    for (const dns::Name& name : entry.names) {
      Owner& named = table->owner(name);
      if (!named.has_addresses()) {
        ++table->names_;
      }
      if (entry.ipv6) {
        if (std::find(named.aaaa.begin(), named.aaaa.end(), entry.address) == named.aaaa.end()) {
          named.aaaa.push_back(entry.address);
        }
      } else {
        std::array<uint8_t, 4> v4{entry.address[0], entry.address[1], entry.address[2],
                                  entry.address[3]};
        if (std::find(named.a.begin(), named.a.end(), v4) == named.a.end()) {
          named.a.push_back(v4);
        }
      }
      Owner& address = table->owner(reverse);
      if (address.ptr.empty()) {
        ++table->addresses_;
      }
      if (std::find(address.ptr.begin(), address.ptr.end(), name) == address.ptr.end()) {
        address.ptr.push_back(name);
      }
    }
  }
  return table;
}

const HostsTable::Owner* HostsTable::find(const dns::Name& name) const {
  if (owners_.empty()) {
    return nullptr;
  }
  dns::Name lower = name.lowercased();
  auto it = owners_.find(lower.wire_view());
  return it == owners_.end() ? nullptr : &it->second;
}

}  // namespace vmdns::hosts
