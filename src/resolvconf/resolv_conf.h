#pragma once
// The resolver configuration a workload reads: resolv.conf(5) as text, and the parts of it
// glibc's stub resolver uses.
//
//   ResolvConf conf = parse_resolv_conf("search default.svc.cluster.local\n"
//                                       "nameserver 10.96.0.10\noptions ndots:5\n");
//   conf.ndots();       // 5
//   conf.to_text();     // the same three lines, in kubelet's order
//
// Not on the hot path: used by the resolv-conf and lookup commands.

#include <string>
#include <string_view>
#include <vector>

namespace vmdns::resolvconf {

// glibc's defaults and limits (resolv/res_init.c, resolv.h).
inline constexpr int kDefaultNdots = 1;
inline constexpr int kMaxNdots = 15;          // RES_MAXNDOTS: larger values are capped
inline constexpr size_t kMaxNameservers = 3;  // MAXNS: later nameserver lines are ignored

struct ResolvConf {
  std::vector<std::string> nameservers;  // addresses as written, the first kMaxNameservers
  std::vector<std::string> search;       // the search list, in order
  std::vector<std::string> options;      // "ndots:5", "edns0", ... as written
  // The nameserver lines past kMaxNameservers, as written: glibc ignores them, but a forwarder
  // reading the file as CoreDNS's forward plugin does uses every one.
  std::vector<std::string> more_nameservers;

  // The last "ndots:n" option, capped at 15; 1 when there is none.
  int ndots() const;
  // "nameserver" lines, then "search", then "options", as kubelet writes a pod's file; lines
  // with nothing to say are left out.
  std::string to_text() const;
};

// Reads resolv.conf the way glibc's res_init does: "nameserver" (the first 3 kept, the rest in
// `more_nameservers`), "search" and "domain" (the last of them wins; "domain x" is the search
// list "x"), "options"; '#' and ';' start comments; unknown keywords are ignored. `warnings`,
// when given, receives one line per nameserver glibc ignores.
ResolvConf parse_resolv_conf(std::string_view text, std::vector<std::string>* warnings = nullptr);

}  // namespace vmdns::resolvconf
