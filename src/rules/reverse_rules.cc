#include "rules/reverse_rules.h"

#include <algorithm>
#include <tuple>

namespace vmdns::rules {

std::optional<dns::Name> service_ptr_target(const cluster::Service& service,
                                            const dns::Name& zone) {
  auto svc = zone.prepend("svc");
  auto ns = svc ? svc->prepend(service.meta.namespace_name) : std::nullopt;
  return ns ? ns->prepend(service.meta.name) : std::nullopt;
}

void PtrTargets::add(const cluster::IpAddress& address, bool endpoint,
                     std::span<const uint8_t> target) {
  entries_.push_back({address, endpoint, static_cast<uint32_t>(entries_.size()),
                      static_cast<uint32_t>(names_.size()), static_cast<uint16_t>(target.size())});
  names_.insert(names_.end(), target.begin(), target.end());
}

void PtrTargets::sort() {
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.address, a.endpoint, a.order) < std::tie(b.address, b.endpoint, b.order);
  });
}

}  // namespace vmdns::rules
