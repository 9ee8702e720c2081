#include "settings/serve_options.h"

namespace vmdns::settings {

void add_serve_options(CLI::App& command, ServeOptions& options) {
  add_source_options(command, options.sources, /*required=*/false);
  add_zone_options(command, options.zones);
  auto* kubeconfig = command.add_option(
      "--kubeconfig", options.kubeconfig,
      "Watch the Kubernetes API of this kubeconfig's context (with or without -f)");
  command
      .add_option("--context", options.context,
                  "The kubeconfig context to use (default: its current-context)")
      ->needs(kubeconfig);
  command
      .add_flag("--in-cluster", options.in_cluster,
                "Watch the Kubernetes API with the pod's service account")
      ->excludes(kubeconfig);
  // Hidden: where --in-cluster reads the service account (tests point it at their own).
  command.add_option("--service-account-dir", options.service_account_dir)->group("");
  command.add_option("--labels", options.labels,
                     "Label selector for Services, EndpointSlices, Pods and VMIs, pushed down "
                     "to the API (CoreDNS: labels)");
  add_option_in_range(command, "--resync-period", options.resync_seconds,
                      "Seconds between full lists of every watched kind, which repair any "
                      "missed event",
                      1u, 86400u);
  add_option_in_range(command, "--api-page-size", options.api_page_size,
                      "Objects per page of the API's lists (`limit`; client-go's and kubectl's "
                      "500): smaller pages hold less JSON at once, larger ones make fewer "
                      "requests",
                      1u, 100000u);
  command.add_option("--state-dir", options.state_dir,
                     "Keep the last synced API objects here and serve them at once on the "
                     "next start, until the API server answers; and the last SOA serial, so "
                     "that serials only grow across restarts");
  add_option_with_default(command, "--address-hold", options.address_hold,
                          "How long a running VMI's names keep an address its status no longer "
                          "lists (the guest agent restarting or reporting late): a duration "
                          "(30s, 500ms) or 0 for not at all. A new address, the VMI stopping, "
                          "migrating or deleted end the hold at once")
      ->check([](const std::string& text) {
        return parse_duration(text) ? std::string() : "not a duration such as 30s: " + text;
      });
  add_option_with_default(command, "--listen", options.listen,
                          "ADDR:PORT for UDP and TCP; IPv6 in brackets, port 0 picks a free port");
  command.add_option("--threads", options.threads,
                     "UDP worker threads (default: the number of cores)");
  add_option_in_range(command, "--max-tcp-connections", options.max_tcp_connections,
                      "TCP connections open at once; when full, the oldest idle connection of "
                      "the client holding the most makes room for a client holding fewer, and "
                      "otherwise a new connection is closed at once",
                      1u, 1000000u);
  add_option_in_range(command, "--max-tcp-connections-per-client",
                      options.max_tcp_connections_per_client,
                      "TCP connections one client (an IPv4 address, an IPv6 address or "
                      "--client-ipv6-prefix) may hold; one more is closed at once (RFC 7766)",
                      1u, 1000000u);
  add_option_in_range(command, "--client-ipv6-prefix", options.client_ipv6_prefix,
                      "The leading bits of an IPv6 address that name one client for the "
                      "per-client connection limits of TCP and HTTP (128: each address; 64: "
                      "each /64)",
                      1u, 128u);
  add_option_in_range(command, "--tcp-idle-timeout", options.tcp_idle_timeout_ms,
                      "Milliseconds a TCP connection may stay open with no complete query and "
                      "no reply sent (RFC 7766)",
                      1u, 3600000u);
  add_option_in_range(command, "--tcp-query-timeout", options.tcp_query_timeout_ms,
                      "Milliseconds a TCP client has to send the rest of a message once its "
                      "first octet has arrived; slower clients are cut off",
                      1u, 3600000u);
  auto* upstream = command.add_option(
      "--upstream", options.upstreams,
      "ADDR[:PORT] to forward names outside our zones to, tried in order (repeatable; default: "
      "the nameservers of /etc/resolv.conf other than this server)");
  command
      .add_flag("--no-upstream", options.no_upstream,
                "No default upstream: names outside our zones are REFUSED (a --stub-domain's "
                "names are still forwarded to its upstreams)")
      ->excludes(upstream);
  command.add_option("--stub-domain", options.stub_domains,
                     "ZONE=ADDR[:PORT][,ADDR[:PORT]...]: names at or under ZONE go to these "
                     "upstreams, tried in order, instead of the default ones; the most specific "
                     "zone wins; IPv6 as [fd00::1]:5353 (repeatable; CoreDNS: a server block "
                     "\"ZONE { forward . ADDR }\", kube-dns: stubDomains)");
  command.add_option("--forward-except", options.forward_except,
                     "ZONE whose names (at or under it) the default upstreams are not asked "
                     "for: they get REFUSED, unless a --stub-domain takes them (repeatable; "
                     "CoreDNS: forward's except)");
  command.add_option("--allow-forward", options.allow_forward,
                     "CIDR of clients whose names outside our zones are forwarded; others get "
                     "REFUSED (repeatable; default: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, "
                     "100.64.0.0/10, 127.0.0.0/8, fc00::/7, fe80::/10, ::1)");
  command.add_option("--allow-transfer", options.allow_transfer,
                     "CIDR of clients allowed zone transfers (AXFR, IXFR) of every zone we "
                     "serve; others get REFUSED (repeatable; default: none, every transfer "
                     "refused; CoreDNS: transfer's to)");
  command.add_option("--notify", options.notify,
                     "ADDR:PORT[,key=NAME] of a secondary sent a NOTIFY (RFC 1996) for each new "
                     "serial of each zone, retried until it answers, signed with the --tsig-key "
                     "(the one NAME names when there are several) (repeatable; CoreDNS: "
                     "transfer's to)");
  add_option_with_default(command, "--rrl", options.rrl,
                          "UDP responses a second to each client /24 (IPv4) or /56 (IPv6); past "
                          "it replies are dropped or slipped (0: no limit)");
  add_option_in_range(command, "--rrl-slip", options.rrl_slip,
                      "Every Nth reply over the --rrl rate is sent truncated (TC) instead of "
                      "dropped, so real clients retry over TCP (0: drop all, 1: truncate all)",
                      0u, 100u);
  add_option_in_range(command, "--upstream-timeout", options.upstream_timeout_ms,
                      "Milliseconds to wait for one upstream before trying the next", 1u, 60000u);
  add_option_in_range(command, "--forward-deadline", options.forward_deadline_ms,
                      "Milliseconds a forwarded query is tried at most: after a round of the "
                      "upstreams with a timeout in it, they are asked again in order while an "
                      "attempt can end in time (CoreDNS: forward's fixed 5 s)",
                      1u, 60000u);
  add_option_in_range(command, "--max-forwards", options.max_forwards,
                      "Forwarded queries in flight at once; beyond it, SERVFAIL", size_t{1},
                      size_t{65536});
  add_option_with_default(command, "--cache-size", options.cache_size,
                          "Upstream answers kept in each worker thread's cache (0: no cache)");
  add_option_in_range(command, "--cache-max-ttl", options.cache_max_ttl,
                      "Seconds an answer is cached at most, and the highest TTL it is served with "
                      "(CoreDNS: cache TTL, success CAPACITY TTL)",
                      1u, 2147483647u);
  add_option_in_range(command, "--cache-min-ttl", options.cache_min_ttl,
                      "Seconds an answer is cached at least, even with a lower TTL, which it is "
                      "served with (CoreDNS: success CAPACITY TTL MINTTL)",
                      0u, 2147483647u);
  add_option_in_range(command, "--cache-denial-max-ttl", options.cache_denial_max_ttl,
                      "Seconds an NXDOMAIN or NODATA is cached at most (CoreDNS: cache TTL, "
                      "denial CAPACITY TTL)",
                      1u, 2147483647u);
  add_option_in_range(command, "--cache-denial-min-ttl", options.cache_denial_min_ttl,
                      "Seconds an NXDOMAIN or NODATA is cached at least (CoreDNS: denial "
                      "CAPACITY TTL MINTTL)",
                      0u, 2147483647u);
  command.add_option("--host", options.hosts,
                     "\"IP NAME [NAME...]\": answer A or AAAA for these names with IP, and PTR "
                     "for IP with them, before forwarding (repeatable; CoreDNS: hosts's inline "
                     "entries)");
  command.add_option("--hosts-file", options.hosts_file,
                     "A hosts file (/etc/hosts format) whose entries answer as --host's do; "
                     "read again when it changes (CoreDNS: hosts FILE)");
  add_option_in_range(command, "--hosts-ttl", options.hosts_ttl,
                      "TTL of the answers from --host and --hosts-file", 0u, 2147483647u);
  add_option_with_default(command, "--hosts-reload", options.hosts_reload,
                          "Whether --hosts-file is read again when it changes: a duration "
                          "(CoreDNS: reload; any but 0 watches the file with inotify, and a "
                          "change applies at once) or 0 for never")
      ->check([](const std::string& text) {
        return parse_duration(text) ? std::string() : "not a duration such as 5s: " + text;
      });
  command.add_option("--tsig-key", options.tsig_keys,
                     "NAME:ALGORITHM:BASE64: a TSIG key (RFC 8945; hmac-sha256 or hmac-sha512) "
                     "that zone transfers must be signed with and NOTIFY is signed with "
                     "(repeatable; as tsig-keygen's secret)");
  command.add_option("--tsig-key-file", options.tsig_key_files,
                     "A file of TSIG keys in BIND's syntax, key \"NAME\" { algorithm ALG; "
                     "secret \"BASE64\"; }; as tsig-keygen writes it (repeatable)");
  command.add_flag("--loadbalance", options.loadbalance,
                   "Rotate the A, AAAA and MX records of our answers: each reply starts one "
                   "record further on, so clients that take the first spread over all of them "
                   "(CoreDNS: loadbalance)");
  command.add_flag("--autopath", options.autopath,
                   "Server-side search: a known VMI's (with --pods verified, a Pod's) query for "
                   "<x>.<its first search entry> that does not exist is answered for the next "
                   "name its search list would try, with a CNAME (CoreDNS: autopath)");
  command.add_flag("--expand-short-names", options.expand_short_names,
                   "A known VMI's or Pod's query for a name of 2+ labels outside our zones that "
                   "the upstream does not have is answered as <name>.<ns>.svc.<zone>, with a "
                   "CNAME, when that exists");
  add_ops_options(command, options.ops);
  command.add_option("--config", options.config_file,
                     "A YAML file of these settings, named as the flags without their dashes "
                     "(flags given here win); read again on SIGHUP and when it changes");
  command.add_option("--corefile", options.corefile,
                     "A CoreDNS Corefile (the coredns ConfigMap's) read as these settings; an "
                     "unsupported plugin is an error; flags given here win; not with --config; "
                     "read again on SIGHUP, and when it changes if it has the reload plugin");
}

}  // namespace vmdns::settings
