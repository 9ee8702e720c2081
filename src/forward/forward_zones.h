#pragma once
// Which upstreams a name outside our zones goes to: the default upstreams (--upstream, or
// resolv.conf's), the stub domains' (--stub-domain ZONE=ADDR,...), or none (--forward-except).
//
//   auto stub = parse_stub_domain("example.com=10.0.0.1,[fd00::1]:5353", &error);
//   ForwardZones zones(defaults, {*stub}, {*dns::Name::from_text("internal.corp")});
//   zones.route(*dns::Name::from_text("www.example.com"));   // {1, 2}: the stub's upstreams
//   zones.route(*dns::Name::from_text("a.internal.corp"));   // {}: not forwarded
//   zones.upstreams()[1].to_string();                         // "10.0.0.1:53"
//
// The most specific stub domain at or above the name wins; else a name at or under an except
// zone is not forwarded; else the default upstreams take it (none: not forwarded either). Except
// zones bind the default upstreams only, as CoreDNS's `except` binds the one forward plugin it
// belongs to: a stub domain inside an except zone is still forwarded to its own upstreams.
//
// Built once, immutable: route() reads it from any thread without a lock or an allocation.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.h"
#include "forward/upstream.h"

namespace vmdns::forward {

struct StubDomain {
  dns::Name zone;
  std::vector<Upstream> upstreams;  // tried in order
};

// "ZONE=ADDR[:PORT][,ADDR[:PORT]...]", each address as parse_upstream takes it
// ("[fd00::1]:5353" for IPv6 with a port). The root zone is refused: its upstreams are
// --upstream's. On failure returns nullopt and sets `error`.
std::optional<StubDomain> parse_stub_domain(std::string_view text, std::string* error);

class ForwardZones {
 public:
  ForwardZones() = default;
  // Fails (`error` set) when a zone is given twice as a stub domain.
  static std::optional<ForwardZones> make(const std::vector<Upstream>& defaults,
                                          const std::vector<StubDomain>& stubs,
                                          const std::vector<dns::Name>& except,
                                          std::string* error);

  // Indices into upstreams() of the upstreams for `name`, in the order to try them; empty when
  // the name is not forwarded.
  std::span<const uint16_t> route(const dns::Name& name) const;

  // Every upstream once (the same address in two lists is one upstream, with one set of
  // counters): the defaults first, in order, then each stub domain's new ones.
  const std::vector<Upstream>& upstreams() const { return upstreams_; }
  const std::vector<StubDomain>& stubs() const { return stubs_; }
  const std::vector<dns::Name>& except() const { return except_; }
  bool empty() const { return upstreams_.empty(); }
  // True when route() gives every name the same non-empty list: no stub domain, no except.
  bool routes_every_name() const { return defaults_only_ && !default_route_.empty(); }

 private:
  uint16_t index_of(const Upstream& upstream);

  std::vector<Upstream> upstreams_;
  std::vector<uint16_t> default_route_;
  std::vector<StubDomain> stubs_;
  std::vector<std::vector<uint16_t>> stub_routes_;  // parallel to stubs_
  std::vector<dns::Name> except_;
  // No stub domain and no except zone: every name takes the default route, unlooked-up.
  bool defaults_only_ = true;
};

}  // namespace vmdns::forward
