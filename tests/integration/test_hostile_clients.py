"""Fair under abuse: no single client address starves the probes or DNS over TCP.

An attacker process holds, against each of the three HTTP ports (/metrics, /health, /ready)
and the DNS TCP port, 1,000 connections that trickle (an HTTP request line, then one octet of a
header a second; a DNS length, then one octet a second) and 1,000 that connect and say nothing,
reconnecting each as soon as the server cuts it: 8,000 connections in play at once.

Behaviour checked, with the attacker on 127.0.0.2 and the prober on 127.0.0.1:
- every probe of /health and /ready, every 200 ms as kubelet sends them (a new connection,
  `Connection: close`, a 1 s timeout: kubelet's default), answers 200 within its timeout;
- every DNS query over TCP (a new connection each, every 100 ms) is answered within 2 s, and
  every UDP query (every 100 ms) within 1 s, one retry allowed;
- the attacker is refused at once past its share (the refusals counted in /metrics), and never
  holds more than --max-tcp-connections-per-client (64) DNS connections or
  --http-max-connections-per-client (8) on any HTTP port;
- the server's thread count does not move, and its resident memory stays within 64 MiB of
  what it was before the attack.

With the attacker on the prober's own address (127.0.0.1), the documented guarantee: the
attacker and every other client of that address share its per-client limits, so the probes
from it may be refused; every other address (a witness on 127.0.0.3) is still answered every
time, UDP throughout, memory and threads stay bounded, and once the attacker's connections are
gone the prober's address is answered at once. The share of the prober's probes answered during
that attack is printed, not asserted.

The attacker's connections are counted from events (each connect, each cut), never from time;
the only time bounds are the probes' own timeouts. The attacker runs at a lower CPU priority
(nice 10), as an attacker elsewhere on the network spends its own CPU, not the server's.
"""

import multiprocessing
import os
import re
import resource
import selectors
import socket
import struct
import threading
import time
import unittest

from dns_wire import A, Message, parse, tcp_read_message, udp_exchange
from vmdns_harness import EXAMPLES, VmdnsServer, peer_port, unavailable, wait_for

FQDN = "myvmi.mysubdomain.default.svc.cluster.local."
ATTACKER = "127.0.0.2"
PROBER = "127.0.0.1"
WITNESS = "127.0.0.3"
PER_PORT = 1000          # trickling connections per port, and as many silent ones
PROBES = 50              # of each HTTP endpoint, every 200 ms: 10 s
QUERIES = 100            # TCP and UDP DNS queries, every 100 ms: 10 s
PROBE_TIMEOUT = 1.0      # kubelet's default timeoutSeconds
TCP_QUERY_TIMEOUT = 2.0
MEMORY_HEADROOM = 64 << 20
IP_BIND_ADDRESS_NO_PORT = 24  # pick the source port at connect, per destination
FAILURES = []  # the failed probes of the current attack, for its report


def attack(source, targets, stop, connects, cuts, ready):
    """Runs in its own process until `stop` is set. `targets` is [(port, kind, path)], kind
    "http" or "dns". `connects` and `cuts` count the connections made and cut; `ready` is set
    once every one of the 2 * PER_PORT connections per target has been made at least once."""
    # A real attacker spends its own CPU, not the server's: on a machine of two cores shared
    # with the server, the attack yields the processor to the server and the probers first.
    os.nice(10)
    sel = selectors.EpollSelector()
    slots = []          # [target, trickle, socket, connected, ever_connected, next_octet]
    waiting = []        # slots to (re)connect
    for port, kind, path in targets:
        for trickle in (True, False):
            for _ in range(PER_PORT):
                slot = [(port, kind, path), trickle, None, False, False, 0.0]
                slots.append(slot)
                waiting.append(slot)
    never_connected = len(slots)
    made = 0
    lost = 0

    def cut(slot):
        nonlocal lost
        sock = slot[2]
        if sock is not None:
            try:
                sel.unregister(sock)
            except (KeyError, ValueError):
                pass
            sock.close()
        slot[2] = None
        slot[3] = False
        lost += 1
        waiting.append(slot)

    def connect(slot):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
        sock.bind((source, 0))
        slot[2] = sock
        error = sock.connect_ex(("127.0.0.1", slot[0][0]))
        if error not in (0, 115):  # EINPROGRESS
            sock.close()
            slot[2] = None
            waiting.append(slot)
            return
        sel.register(sock, selectors.EVENT_WRITE, slot)

    def opening(slot):
        _, kind, path = slot[0]
        if kind == "http":
            return ("GET %s HTTP/1.1\r\nHost: x\r\nX-Slow: " % path).encode()
        return struct.pack("!H", 64)  # a 64-octet query is announced; it never comes

    last_report = 0.0
    next_trickle = 0.0
    while not stop.is_set():
        for _ in range(min(len(waiting), 256)):
            connect(waiting.pop(0))
        for key, _ in sel.select(timeout=0.02):
            slot = key.data
            sock = slot[2]
            if sock is None:
                continue
            if not slot[3]:
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                    cut(slot)
                    continue
                slot[3] = True
                made += 1
                if not slot[4]:
                    slot[4] = True
                    never_connected -= 1
                sel.modify(sock, selectors.EVENT_READ, slot)
                if slot[1]:
                    try:
                        sock.send(opening(slot))
                    except OSError:
                        cut(slot)
                        continue
                    slot[5] = time.monotonic() + 1.0
                continue
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if not data:
                cut(slot)
        now = time.monotonic()
        if now >= next_trickle:
            next_trickle = now + 0.1
            for slot in slots:
                if slot[1] and slot[3] and slot[5] <= now:
                    slot[5] = now + 1.0
                    try:
                        slot[2].send(b"a")
                    except OSError:
                        cut(slot)
        if now - last_report >= 0.2:
            last_report = now
            connects.value = made
            cuts.value = lost
            if never_connected == 0:
                ready.set()
    for slot in slots:
        if slot[2] is not None:
            slot[2].close()
    connects.value = made
    cuts.value = lost


class Attacker:
    """The attack in a process of its own, so that it never holds the probers' interpreter."""

    def __init__(self, source, targets):
        context = multiprocessing.get_context("spawn")
        self.stop_event = context.Event()
        self.ready = context.Event()
        self.connects = context.Value("q", 0)
        self.cuts = context.Value("q", 0)
        self.process = context.Process(
            target=attack,
            args=(source, targets, self.stop_event, self.connects, self.cuts, self.ready),
            daemon=True)
        self.process.start()

    def stop(self):
        self.stop_event.set()
        self.process.join(30)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def http_probe(port, path, source):
    """True when GET `path` answers 200 within PROBE_TIMEOUT, as kubelet's HTTP probe does. A
    failure is noted in FAILURES with how far it got and when, for the test's report."""
    began = time.monotonic()
    deadline = began + PROBE_TIMEOUT
    stage = "connect"
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((source, 0))
            s.settimeout(PROBE_TIMEOUT)
            s.connect(("127.0.0.1", port))
            stage = "request"
            s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: kube-probe/1.30\r\n"
                       "Accept: */*\r\nConnection: close\r\n\r\n" % (path, port)).encode())
            stage = "response"
            response = b""
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise socket.timeout("timed out")
                s.settimeout(left)
                chunk = s.recv(4096)
                if not chunk:
                    break
                response += chunk
            if response.startswith(b"HTTP/1.1 200 "):
                return True
            error = response[:40]
    except OSError as e:
        error = e
    FAILURES.append("%s %s: %s after %.3f s: %s" % (source, path, stage,
                                                    time.monotonic() - began, error))
    return False


def tcp_query(port, qid, source):
    """True when a query over a new TCP connection is answered within TCP_QUERY_TIMEOUT."""
    wire = Message(qid=qid).question(FQDN, A).wire()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((source, 0))
            s.settimeout(TCP_QUERY_TIMEOUT)
            s.connect(("127.0.0.1", port))
            s.sendall(struct.pack("!H", len(wire)) + wire)
            reply = parse(tcp_read_message(s))
            return reply is not None and reply.qid == qid and len(reply.answer) == 1
    except OSError:
        return False


def udp_query(port, qid):
    for _ in range(2):
        reply = parse(udp_exchange(port, Message(qid=qid).question(FQDN, A).wire(), timeout=1.0))
        if reply is not None and reply.qid == qid:
            return True
    return False


def proc_status(pid):
    """(resident octets, threads) of process `pid`, from /proc."""
    with open("/proc/%d/status" % pid) as f:
        text = f.read()
    rss = int(re.search(r"^VmRSS:\s+(\d+) kB", text, re.M).group(1)) * 1024
    threads = int(re.search(r"^Threads:\s+(\d+)", text, re.M).group(1))
    return rss, threads


def raise_fd_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return
    if hard != resource.RLIM_INFINITY and hard < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))  # root may raise it
            return
        except (ValueError, OSError):
            unavailable("needs %d descriptors, the hard limit is %d" % (wanted, hard))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def metric(text, name, **labels):
    """The sum of the samples of `name` whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        m = re.match(r"^%s(\{(.*)\})? (\S+)$" % re.escape(name), line)
        if m and all('%s="%s"' % kv in (m.group(2) or "") for kv in labels.items()):
            total += float(m.group(3))
    return total


class HostileClientsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        try:
            socket.create_connection(("127.0.0.1", 9), source_address=(ATTACKER, 0),
                                     timeout=1).close()
        except ConnectionRefusedError:
            pass
        except OSError as e:
            unavailable("no second loopback address: %s" % e)
        raise_fd_limit(4 * 2 * PER_PORT + 4096)
        cls.metrics_port = peer_port()
        cls.health_port = peer_port()
        cls.ready_port = peer_port()
        cls.server = VmdnsServer([EXAMPLES], [
            "--metrics-listen", "127.0.0.1:%d" % cls.metrics_port,
            "--health-listen", "127.0.0.1:%d" % cls.health_port,
            "--ready-listen", "127.0.0.1:%d" % cls.ready_port])
        assert wait_for(lambda: http_probe(cls.ready_port, "/ready", PROBER), timeout=30)
        cls.targets = [(cls.metrics_port, "http", "/metrics"), (cls.health_port, "http", "/health"),
                       (cls.ready_port, "http", "/ready"), (cls.server.port, "dns", "")]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def scrape(self, source):
        """The /metrics page, fetched from `source`; empty when refused."""
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.bind((source, 0))
                s.settimeout(5)
                s.connect(("127.0.0.1", self.metrics_port))
                s.sendall(b"GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n")
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            return data.decode(errors="replace").partition("\r\n\r\n")[2]
        except OSError:
            return ""

    def refusals(self, source):
        text = self.scrape(source)
        return text, [metric(text, "vmdns_tcp_connections_refused_total")] + [
            metric(text, "vmdns_http_connections_refused_total", endpoints=path)
            for path in ("/metrics", "/health", "/ready")]

    def run_probers(self, sources):
        """Probes from each of `sources` at once (HTTP every 200 ms, TCP and UDP DNS every 100
        ms), while sampling the server's memory and threads; returns {source: {kind: [ok]}} and
        the samples."""
        results = {source: {"health": [], "ready": [], "tcp": [], "udp": []}
                   for source in sources}
        samples = []
        done = threading.Event()

        def paced(count, period, step):
            began = time.monotonic()
            for i in range(count):
                step(i)
                pause = began + (i + 1) * period - time.monotonic()
                if pause > 0:
                    time.sleep(pause)

        def sample():
            while not done.wait(0.25):
                samples.append(proc_status(self.server.proc.pid))

        threads = [threading.Thread(target=sample)]
        for source in sources:
            out = results[source]
            threads += [
                threading.Thread(target=paced, args=(PROBES, 0.2, lambda i, o=out, s=source: o[
                    "health"].append(http_probe(self.health_port, "/health", s)))),
                threading.Thread(target=paced, args=(PROBES, 0.2, lambda i, o=out, s=source: o[
                    "ready"].append(http_probe(self.ready_port, "/ready", s)))),
                threading.Thread(target=paced, args=(QUERIES, 0.1, lambda i, o=out, s=source: o[
                    "tcp"].append(tcp_query(self.server.port, i + 1, s)))),
            ]
        threads.append(threading.Thread(target=paced, args=(QUERIES, 0.1, lambda i: [
            results[source]["udp"].append(udp_query(self.server.port, 5000 + i))
            for source in sources[:1]])))
        for t in threads:
            t.start()
        for t in threads[1:]:
            t.join()
        done.set()
        threads[0].join()
        return results, samples

    def attack_and_probe(self, attacker_source, sources):
        FAILURES.clear()
        baseline_rss, baseline_threads = proc_status(self.server.proc.pid)
        _, before = self.refusals(sources[-1])
        attacker = Attacker(attacker_source, self.targets)
        try:
            # The attack is on: every connection made once, and each port has refused some.
            self.assertTrue(attacker.ready.wait(120), "the attacker never made all its connections")
            self.assertTrue(wait_for(lambda: all(
                a > b for a, b in zip(self.refusals(sources[-1])[1], before)), timeout=60),
                "the server never refused the attacker on every port")
            cuts_before = attacker.cuts.value
            results, samples = self.run_probers(sources)
            text, _ = self.refusals(sources[-1])
            cuts = attacker.cuts.value - cuts_before
        finally:
            attacker.stop()
        print("\n%s attacking, %s probing: %d of the attacker's connections cut while probing; "
              "server RSS %.1f -> %.1f MiB (peak), threads %d -> %s" % (
                  attacker_source, ", ".join(sources), cuts, baseline_rss / 2**20,
                  max(r for r, _ in samples) / 2**20, baseline_threads,
                  sorted({t for _, t in samples})))
        for source, kinds in results.items():
            print("  from %s: %s" % (source, ", ".join(
                "%s %d/%d" % (kind, sum(oks), len(oks)) for kind, oks in kinds.items() if oks)))
        for failure in FAILURES:
            if not failure.startswith(attacker_source + " "):
                print("  failed: " + failure)
        self.assertGreater(cuts, 0, "the attack was not going on while the probes ran")
        self.assertTrue(samples)
        for rss, threads in samples:
            self.assertEqual(threads, baseline_threads)
            self.assertLess(rss, baseline_rss + MEMORY_HEADROOM)
        return results, text

    def test_1_an_attacker_on_another_address_starves_no_probe_or_query(self):
        results, text = self.attack_and_probe(ATTACKER, [PROBER])
        for kind, oks in results[PROBER].items():
            self.assertTrue(oks)
            self.assertTrue(all(oks), "%s: %d of %d failed" % (kind, oks.count(False), len(oks)))
        # The prober holds at most one connection per port, the attacker its share.
        self.assertLessEqual(metric(text, "vmdns_tcp_connections"), 64 + 1)
        for path in ("/metrics", "/health", "/ready"):
            self.assertLessEqual(metric(text, "vmdns_http_connections", endpoints=path), 8 + 1)

    def test_2_an_attacker_on_the_probers_address_harms_no_other(self):
        results, _ = self.attack_and_probe(PROBER, [PROBER, WITNESS])
        for kind, oks in results[WITNESS].items():
            if kind == "udp":
                continue
            self.assertTrue(oks)
            self.assertTrue(all(oks), "witness %s: %d of %d failed" % (
                kind, oks.count(False), len(oks)))
        self.assertTrue(all(results[PROBER]["udp"]))
        # Once the attacker's connections are gone, its address is served at once.
        def attacker_gone():
            text = self.scrape(WITNESS)
            return (text and metric(text, "vmdns_tcp_connections") == 0
                    and metric(text, "vmdns_http_connections", endpoints="/health") == 0
                    and metric(text, "vmdns_http_connections", endpoints="/ready") == 0)
        self.assertTrue(wait_for(attacker_gone, timeout=30))
        self.assertTrue(http_probe(self.health_port, "/health", PROBER))
        self.assertTrue(http_probe(self.ready_port, "/ready", PROBER))
        self.assertTrue(tcp_query(self.server.port, 9999, PROBER))


if __name__ == "__main__":
    unittest.main()
