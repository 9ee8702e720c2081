#pragma once
// `vmdns serve`'s settings and the flags that set them. Kept apart from the command so that a
// --config file can be parsed into a second ServeOptions and compared with the running one.
//
//   ServeOptions options;
//   CLI::App command;
//   add_serve_options(command, options);
//   command.parse(arguments);   // options now holds the flags' values

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "settings/ops_options.h"
#include "settings/options.h"

namespace vmdns::settings {

struct ServeOptions {
  SourceOptions sources;
  ZoneOptions zones;
  std::string listen = "127.0.0.1:5353";
  unsigned threads = 0;
  unsigned max_tcp_connections = 1024;
  unsigned max_tcp_connections_per_client = 64;
  unsigned client_ipv6_prefix = 128;  // how much of an IPv6 address is one client, for the limits
  unsigned tcp_idle_timeout_ms = 10000;
  unsigned tcp_query_timeout_ms = 2000;
  std::vector<std::string> upstreams;  // empty: the nameservers of resolv_conf
  bool no_upstream = false;
  std::vector<std::string> stub_domains;    // ZONE=ADDR[:PORT][,ADDR[:PORT]...]
  std::vector<std::string> forward_except;  // zones the default upstreams do not get
  std::vector<std::string> allow_forward;   // empty: the private and loopback ranges
  std::vector<std::string> allow_transfer;  // CIDRs that may AXFR/IXFR; empty: none
  std::vector<std::string> notify;          // ADDR:PORT[,key=NAME]: secondaries to NOTIFY
  uint32_t rrl = 0;                         // UDP responses a second per client network; 0: off
  uint32_t rrl_slip = 2;
  unsigned upstream_timeout_ms = 1500;
  unsigned forward_deadline_ms = 5000;  // CoreDNS's forward: tries for 5 s
  size_t max_forwards = 1024;
  size_t cache_size = 10000;
  uint32_t cache_max_ttl = 3600;  // CoreDNS cache's defaults
  uint32_t cache_min_ttl = 5;
  uint32_t cache_denial_max_ttl = 1800;
  uint32_t cache_denial_min_ttl = 5;
  std::string resolv_conf = "/etc/resolv.conf";
  std::vector<std::string> hosts;  // --host "IP NAME [NAME...]"
  std::string hosts_file;
  uint32_t hosts_ttl = 3600;
  std::string hosts_reload = "5s";  // 0: the file is read at start (and on SIGHUP) only
  // TSIG keys (RFC 8945): NAME:ALGORITHM:BASE64, and files of BIND `key` statements.
  std::vector<std::string> tsig_keys;
  std::vector<std::string> tsig_key_files;
  bool loadbalance = false;
  bool autopath = false;
  bool expand_short_names = false;
  OpsOptions ops;
  // The Kubernetes API as a source (--kubeconfig or --in-cluster).
  std::string kubeconfig;
  std::string context;
  bool in_cluster = false;
  std::string service_account_dir;  // --in-cluster's token, ca.crt, namespace; empty: the pod's
  std::string labels;
  unsigned resync_seconds = 600;
  unsigned api_page_size = 500;
  std::string state_dir;
  // How long a running VMI's records keep an address its status stopped listing (the guest
  // agent restarting or late); "0": not at all.
  std::string address_hold = "30s";
  std::string config_file;  // --config: a YAML file of these settings; empty: none
  std::string corefile;     // --corefile: a CoreDNS Corefile read as these settings; empty: none
};

// Every flag of `vmdns serve`, bound to `options` (which must outlive `command`).
void add_serve_options(CLI::App& command, ServeOptions& options);

}  // namespace vmdns::settings
