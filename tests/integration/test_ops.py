"""Operations: /metrics, /health, /ready, the lame duck on SIGTERM, and logs.

Every listener gets a free loopback port from peer_port(), never the defaults (but one test that
looks at where the defaults go). Checked:

- after known dig traffic (UDP and TCP, NOERROR, NODATA, NXDOMAIN, REFUSED), /metrics holds
  exactly those counts under CoreDNS's names and labels (coredns_dns_requests_total,
  coredns_dns_responses_total, the duration and size histograms), and the vmdns_* figures of
  the snapshot (objects by kind, records by type, generation) and of the sources;
- a second vmdns as a loopback upstream: one forwarded query counts in
  coredns_forward_requests_total and plugin="forward", the same query again is a cache hit
  (coredns_cache_hits_total, plugin="cache");
- `promtool check metrics` accepts the output (skipped when promtool is not installed);
- /ready answers 503 with its reason while the manifests on standard input are still coming,
  then 200; /health is 200 from the start;
- SIGTERM with --lameduck: /health and /ready fail at once, queries are still answered during
  the period, and a second SIGTERM ends it early; alone, the process exits 0 once it is over;
- SIGHUP reloads: the generation moves on and vmdns_snapshot_builds_total counts it;
- --log-format json writes one JSON object per line; --log-queries logs each query the way
  CoreDNS's log plugin does;
- a default HTTP port that is busy is a warning, an explicit one that is busy stops serve;
- with DNS on loopback, the endpoints' defaults listen on 127.0.0.1 (elsewhere, on every
  address: test_deploy.py);
- bad HTTP requests get 400/404/405, and the server keeps serving.
"""

import json
import re
import signal
import socket
import subprocess
import unittest
import urllib.error
import urllib.request

from vmdns_harness import EXAMPLES, VMDNS, VmdnsServer, peer_port, require_tools, wait_for

SERVER_LABELS = 'zone=".",view=""'


def http_get(port, path, timeout=5):
    """(status, body) of GET http://127.0.0.1:port/path; (None, error) when nothing answers."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, ConnectionError, socket.timeout) as e:
        return None, str(e)


def parse_metrics(text):
    """{(name, frozenset of (label, value))): float} of an exposition."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line)
        assert m, "not a sample line: %r" % line
        labels = frozenset(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"',
                                      m.group(3) or ""))
        samples[(m.group(1), labels)] = float(m.group(4))
    return samples


def value(samples, name, **labels):
    """The sum of every series of `name` whose labels include `labels` (0 when none)."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= set(ls))


class OpsServer(VmdnsServer):
    """A VmdnsServer with its three HTTP endpoints on free ports."""

    def __init__(self, paths=(EXAMPLES,), extra_args=()):
        self.metrics_port = peer_port()
        self.health_port = peer_port()
        self.ready_port = peer_port()
        super().__init__(list(paths), [
            "--metrics-listen", "127.0.0.1:%d" % self.metrics_port,
            "--health-listen", "127.0.0.1:%d" % self.health_port,
            "--ready-listen", "127.0.0.1:%d" % self.ready_port, *extra_args])

    def metrics(self):
        status, body = http_get(self.metrics_port, "/metrics")
        assert status == 200, (status, body)
        return body


class MetricsTest(unittest.TestCase):
    def test_counts_known_traffic(self):
        server = OpsServer()
        try:
            name = "myvmi.mysubdomain.default.svc.cluster.local"
            for _ in range(3):
                self.assertEqual(server.dig(name, "A").status, "NOERROR")
            self.assertEqual(server.dig(name, "AAAA").status, "NOERROR")  # NODATA
            self.assertEqual(server.dig("nosuch.default.svc.cluster.local", "A", tcp=True).status,
                             "NXDOMAIN")
            self.assertEqual(server.dig("example.com", "MX").status, "REFUSED")
            samples = parse_metrics(server.metrics())
        finally:
            self.assertEqual(server.stop(), 0)

        srv = "dns://127.0.0.1:%d" % server.port
        requests = "coredns_dns_requests_total"
        self.assertEqual(value(samples, requests, server=srv, zone=".", view=""), 6)
        self.assertEqual(value(samples, requests, proto="udp", family="1", type="A"), 3)
        self.assertEqual(value(samples, requests, proto="udp", type="AAAA"), 1)
        self.assertEqual(value(samples, requests, proto="tcp", type="A"), 1)
        self.assertEqual(value(samples, requests, proto="udp", type="MX"), 1)
        responses = "coredns_dns_responses_total"
        self.assertEqual(value(samples, responses, rcode="NOERROR", plugin="kubernetes"), 4)
        self.assertEqual(value(samples, responses, rcode="NXDOMAIN", plugin="kubernetes"), 1)
        self.assertEqual(value(samples, responses, rcode="REFUSED", plugin=""), 1)
        self.assertEqual(value(samples, "coredns_dns_request_duration_seconds_count", type="A"), 4)
        self.assertEqual(
            value(samples, "coredns_dns_request_duration_seconds_bucket", type="A", le="+Inf"), 4)
        self.assertEqual(value(samples, "coredns_dns_request_size_bytes_count", proto="udp"), 5)
        self.assertEqual(value(samples, "coredns_dns_response_size_bytes_count", proto="tcp"), 1)
        self.assertGreater(value(samples, "coredns_dns_response_size_bytes_sum", proto="udp"), 0)
        # The snapshot of examples/: two VMIs, one Service; the SOA and NS of cluster.local and
        # of the default reverse zones (in-addr.arpa, ip6.arpa), the VMIs' A and PTR records.
        self.assertEqual(value(samples, "vmdns_objects", kind="VirtualMachineInstance"), 2)
        self.assertEqual(value(samples, "vmdns_objects", kind="Service"), 1)
        self.assertEqual(value(samples, "vmdns_records", type="SOA"), 3)
        self.assertEqual(value(samples, "vmdns_records", type="NS"), 3)
        self.assertGreaterEqual(value(samples, "vmdns_records", type="A"), 2)
        self.assertEqual(value(samples, "vmdns_records", type="PTR"), 2)
        self.assertEqual(value(samples, "vmdns_snapshot_generation"), 1)
        # Each manifest file is a source of its own, synced once read.
        sources = {dict(labels)["source"] for (name, labels) in samples
                   if name == "vmdns_source_sync_state"}
        self.assertTrue(sources and all(s.startswith(EXAMPLES) for s in sources), sources)
        self.assertEqual(value(samples, "vmdns_source_sync_state", state="synced"), len(sources))
        self.assertEqual(value(samples, "vmdns_source_sync_state", state="not_synced"), 0)
        self.assertEqual(value(samples, "vmdns_ready"), 1)
        self.assertEqual(value(samples, "vmdns_build_info"), 1)

    def test_forwarder_and_cache(self):
        upstream = VmdnsServer([EXAMPLES])
        # Serving another zone, this server forwards cluster.local names to the other one.
        server = OpsServer(extra_args=["--zone", "other.test",
                                       "--upstream", "127.0.0.1:%d" % upstream.port])
        try:
            name = "myvmi.mysubdomain.default.svc.cluster.local"
            first = server.dig(name, "A")
            second = server.dig(name, "A")
            self.assertEqual((first.status, second.status), ("NOERROR", "NOERROR"))
            self.assertEqual(second.rdatas("A"), ["10.244.0.57"])
            samples = parse_metrics(server.metrics())
        finally:
            server.stop()
            upstream.stop()
        to = "127.0.0.1:%d" % upstream.port
        self.assertEqual(value(samples, "coredns_forward_requests_total", to=to), 1)
        self.assertEqual(value(samples, "coredns_forward_responses_total", to=to, rcode="NOERROR"), 1)
        self.assertEqual(value(samples, "coredns_forward_request_duration_seconds_count", to=to), 1)
        self.assertEqual(value(samples, "coredns_cache_requests_total"), 2)
        self.assertEqual(value(samples, "coredns_cache_hits_total", type="success"), 1)
        self.assertEqual(value(samples, "coredns_cache_misses_total"), 1)
        self.assertEqual(value(samples, "coredns_cache_entries"), 1)
        self.assertEqual(value(samples, "coredns_dns_requests_total", type="A"), 2)
        self.assertEqual(value(samples, "coredns_dns_responses_total", plugin="forward",
                               rcode="NOERROR"), 1)
        self.assertEqual(value(samples, "coredns_dns_responses_total", plugin="cache",
                               rcode="NOERROR"), 1)
        self.assertEqual(value(samples, "coredns_dns_request_duration_seconds_count", type="A"), 2)

    def test_promtool_accepts_the_output(self):
        require_tools("promtool")  # Debian's package prometheus
        server = OpsServer()
        try:
            fresh = server.metrics()  # families with no series yet
            server.dig("myvmi.mysubdomain.default.svc.cluster.local", "A")
            server.dig("nosuch.default.svc.cluster.local", "SRV", tcp=True)
            busy = server.metrics()
        finally:
            server.stop()
        for text in (fresh, busy):
            out = subprocess.run(["promtool", "check", "metrics"], input=text, text=True,
                                 capture_output=True, timeout=30)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_sighup_publishes_a_new_generation(self):
        server = OpsServer()
        try:
            server.proc.send_signal(signal.SIGHUP)
            self.assertTrue(wait_for(lambda: value(parse_metrics(server.metrics()),
                                                   "vmdns_snapshot_generation") == 2))
            samples = parse_metrics(server.metrics())
            self.assertEqual(value(samples, "vmdns_snapshot_builds_total"), 2)
        finally:
            server.stop()


class HealthReadyTest(unittest.TestCase):
    def test_ready_waits_for_the_first_snapshot(self):
        # The manifests come on standard input (`-f -`), which stays open: no snapshot can be
        # built until the test closes it, however fast or slow the machine.
        health, ready = peer_port(), peer_port()
        proc = subprocess.Popen(
            [VMDNS, "serve", "-f", "-", "--listen", "127.0.0.1:%d" % peer_port(),
             "--no-upstream", "--metrics-listen", "none",
             "--health-listen", "127.0.0.1:%d" % health,
             "--ready-listen", "127.0.0.1:%d" % ready],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            text=True)
        try:
            self.assertTrue(wait_for(lambda: http_get(ready, "/ready", timeout=1)[0] is not None))
            status, body = http_get(ready, "/ready")
            self.assertEqual(status, 503, body)
            self.assertIn("first snapshot", body)
            self.assertEqual(http_get(health, "/health")[0], 200)
            proc.stdin.write("apiVersion: v1\nkind: Namespace\nmetadata: {name: ns-1}\n")
            proc.stdin.close()
            self.assertTrue(wait_for(lambda: http_get(ready, "/ready", timeout=1)[0] == 200))
            self.assertEqual(http_get(ready, "/ready"), (200, "OK"))
        finally:
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=10), 0)

    def test_lameduck_on_sigterm(self):
        # A minute: every check below falls inside it however loaded the machine is, and a
        # second SIGTERM, not the time, ends it.
        server = OpsServer(extra_args=["--lameduck", "60s"])
        self.addCleanup(server.stop)  # it exits by itself; this closes its pipe and log file
        name = "myvmi.mysubdomain.default.svc.cluster.local"
        self.assertEqual(http_get(server.health_port, "/health"), (200, "OK"))
        self.assertEqual(http_get(server.ready_port, "/ready"), (200, "OK"))
        server.proc.send_signal(signal.SIGTERM)
        self.assertTrue(wait_for(lambda: http_get(server.health_port, "/health")[0] == 503))
        status, body = http_get(server.ready_port, "/ready")
        self.assertEqual((status, body.strip()), (503, "shutting down"))
        # Still answering during the lame duck period.
        self.assertEqual(server.dig(name, "A").rdatas("A"), ["10.244.0.57"])
        self.assertIsNone(server.proc.poll())
        self.assertIn("lame duck: answering queries for 60000 ms more", server.log())
        server.proc.send_signal(signal.SIGTERM)
        self.assertEqual(server.proc.wait(timeout=10), 0)
        self.assertIn("signal 15: ending the lame duck period early", server.log())

    def test_lameduck_ends_by_itself(self):
        # How long it lasts is unit-tested on a clock the test moves (serve_ops_test.cc); here,
        # that the process exits by itself when it is over, with nothing but the one SIGTERM.
        server = OpsServer(extra_args=["--lameduck", "200ms"])
        self.addCleanup(server.stop)
        server.proc.send_signal(signal.SIGTERM)
        self.assertEqual(server.proc.wait(timeout=10), 0)
        self.assertIn("lame duck: answering queries for 200 ms more", server.log())
        self.assertNotIn("early", server.log())

    def test_bad_requests(self):
        server = OpsServer()
        try:
            for request, status in [(b"garbage\r\n\r\n", b"400"),
                                    (b"GET /nothing HTTP/1.1\r\n\r\n", b"404"),
                                    (b"DELETE /health HTTP/1.1\r\n\r\n", b"405"),
                                    (b"GET /health HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n",
                                     b"431")]:
                with socket.create_connection(("127.0.0.1", server.health_port), timeout=5) as s:
                    s.sendall(request)
                    reply = b""
                    while True:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        reply += chunk
                self.assertTrue(reply.startswith(b"HTTP/1.1 " + status), reply[:80])
            self.assertEqual(http_get(server.health_port, "/health"), (200, "OK"))
            self.assertEqual(server.dig("myvmi.mysubdomain.default.svc.cluster.local").status,
                             "NOERROR")
        finally:
            self.assertEqual(server.stop(), 0)


class LogsAndListenersTest(unittest.TestCase):
    def test_json_logs_and_query_log(self):
        port = peer_port()
        proc = subprocess.Popen(
            [VMDNS, "--log-format", "json", "serve", "-f", EXAMPLES, "--listen",
             "127.0.0.1:%d" % port, "--no-upstream", "--log-queries", "--metrics-listen", "none",
             "--health-listen", "none", "--ready-listen", "none"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertIn("listening on", proc.stdout.readline())
            subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+short", "+time=2", "+tries=3",
                            "myvmi.mysubdomain.default.svc.cluster.local", "A"],
                           capture_output=True, timeout=20)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=10)
        lines = [json.loads(line) for line in stderr.splitlines()]
        self.assertTrue(all({"time", "level", "msg"} <= set(entry) for entry in lines), lines)
        queries = [e["msg"] for e in lines if "myvmi.mysubdomain" in e["msg"]]
        self.assertEqual(len(queries), 1, lines)
        self.assertRegex(queries[0], r'^127\.0\.0\.1:\d+ - \d+ "A IN '
                                     r'myvmi\.mysubdomain\.default\.svc\.cluster\.local\. udp \d+ '
                                     r'(true|false) \d+" NOERROR qr,aa,rd \d+ [0-9.]+s$')

    def test_default_listeners_stay_on_loopback_with_dns(self):
        # DNS on loopback, as `make run` serves: the endpoints left at their defaults listen on
        # 127.0.0.1 too (or warn that the port is taken there), never on every address.
        proc = subprocess.Popen(
            [VMDNS, "serve", "-f", EXAMPLES, "--listen", "127.0.0.1:%d" % peer_port(),
             "--no-upstream"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # The endpoints are bound (or given up) before DNS listens.
            self.assertIn("listening on", proc.stdout.readline())
        finally:
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=10)
        for flag, path, port in (("--metrics-listen", "/metrics", 9153),
                                 ("--health-listen", "/health", 8080),
                                 ("--ready-listen", "/ready", 8181)):
            self.assertRegex(stderr, r"(serving [^\n]*%s[^\n]* on http://127\.0\.0\.1:%d\n|"
                                     r"%s 127\.0\.0\.1:%d: [^\n]*serving without it)"
                             % (path, port, flag, port))
        self.assertNotIn("[::]", stderr)

    def test_busy_listener(self):
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            taken = "127.0.0.1:%d" % busy.getsockname()[1]
            # Explicitly asked for: serve stops with a clear error.
            out = subprocess.run([VMDNS, "serve", "-f", EXAMPLES, "--listen",
                                  "127.0.0.1:%d" % peer_port(), "--no-upstream",
                                  "--metrics-listen", taken, "--health-listen", "none",
                                  "--ready-listen", "none"],
                                 capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 2, out.stderr)
            self.assertIn("--metrics-listen " + taken, out.stderr)


if __name__ == "__main__":
    unittest.main()
