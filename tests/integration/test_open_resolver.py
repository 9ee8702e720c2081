"""Not an open resolver (`--allow-forward`), and UDP response rate limiting (`--rrl`).

Knot DNS on a loopback port serves example.test; vmdns forwards to it. Test clients are on
127.0.0.1, which the default allow list contains, so the refused client is made by giving an
allow list without loopback. Checked, over UDP and TCP:
- by default (private and loopback ranges), 127.0.0.1 gets example.test forwarded;
- with `--allow-forward 10.0.0.0/8 --allow-forward fc00::/7`, 127.0.0.1 gets REFUSED for
  www.example.test, with no answer and no AA; our zones still answer it (AA); an ExternalName
  to www.example.test gets our CNAME alone;
- `--allow-forward 127.0.0.0/8` forwards again; a bad CIDR stops `serve` with exit code 2 and
  an error naming the flag and the value;
- `--rrl 5`: of 60 UDP queries sent at once from one address, 5 or more get their answer and
  the rest alternately nothing and an empty TC reply (`--rrl-slip 2`), the ones the server
  counts in coredns_rrl_responses_exceeded_total; over TCP all 60 are answered; without --rrl,
  all 60 UDP queries are answered; `--rrl-slip 0` sends no TC reply at all. The end of a burst
  is the server's count of the queries it decided, not a silence; which second each reply
  counts in is the dispatcher's unit test's.
"""

import math
import re
import socket
import struct
import unittest
import urllib.request

from dns_wire import A, NOERROR, REFUSED, Message, parse, tcp_exchange, tcp_read_message, \
    udp_exchange
from test_forwarding import EXTERNAL_NAMES, Knot
from vmdns_harness import EXAMPLES, VmdnsServer, peer_port, require_tools, run_vmdns, \
    wait_for

FQDN = "myvmi.mysubdomain.default.svc.cluster.local."
WWW = "www.example.test."


def ask(port, name, transport):
    packet = Message().question(name, A).opt(1232).wire()
    data = udp_exchange(port, packet, timeout=2.0) if transport == "udp" else tcp_exchange(
        port, packet)
    return parse(data)


class AllowForwardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("knotd")
        cls.knot = Knot()

    @classmethod
    def tearDownClass(cls):
        cls.knot.cleanup()

    def serve(self, *allow):
        args = ["--upstream", "127.0.0.1:%d" % self.knot.port]
        for cidr in allow:
            args += ["--allow-forward", cidr]
        return VmdnsServer([EXAMPLES, EXTERNAL_NAMES], args)

    def test_loopback_is_allowed_by_default(self):
        server = self.serve()
        try:
            for transport in ("udp", "tcp"):
                reply = ask(server.port, WWW, transport)
                self.assertEqual(reply.rcode, NOERROR, transport)
                self.assertEqual([r[4] for r in reply.answer], ["c000020a"])  # 192.0.2.10
        finally:
            server.stop()

    def test_a_client_outside_the_list_is_refused(self):
        server = self.serve("10.0.0.0/8", "fc00::/7")
        try:
            for transport in ("udp", "tcp"):
                with self.subTest(transport=transport):
                    reply = ask(server.port, WWW, transport)
                    self.assertEqual(reply.rcode, REFUSED)
                    self.assertEqual(reply.answer, [])
                    self.assertNotIn("aa", reply.flags)
                    # Our own zones answer everyone.
                    reply = ask(server.port, FQDN, transport)
                    self.assertEqual(reply.rcode, NOERROR)
                    self.assertIn("aa", reply.flags)
                    self.assertEqual(len(reply.answer), 1)
                    # An ExternalName leading out: the CNAME alone, for the client to follow.
                    reply = ask(server.port, "ext.default.svc.cluster.local.", transport)
                    self.assertEqual(reply.rcode, NOERROR)
                    self.assertEqual([r[1] for r in reply.answer], [5])
            self.assertIn("for clients in 10.0.0.0/8, fc00::/7", server.log())
        finally:
            server.stop()

    def test_an_explicit_list_with_loopback_forwards(self):
        server = self.serve("127.0.0.0/8")
        try:
            self.assertEqual(ask(server.port, WWW, "udp").rcode, NOERROR)
        finally:
            server.stop()

    def test_a_bad_cidr_stops_serve(self):
        out = run_vmdns("serve", "-f", EXAMPLES, "--upstream", "127.0.0.1:%d" % self.knot.port,
                        "--allow-forward", "10.1.2.3/8", "--listen", "127.0.0.1:%d" % peer_port())
        self.assertEqual(out.returncode, 2)
        self.assertIn('--allow-forward: "10.1.2.3/8" has bits set past its prefix length',
                      out.stderr)


def scrape(port):
    """The /metrics page's samples as {(name, labels text): value}."""
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=20) as page:
        text = page.read().decode()
    samples = {}
    for line in text.splitlines():
        m = re.match(r"([a-z_]+)(\{[^}]*\})? (\S+)$", line)
        if m:
            samples[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return samples


def fates(port):
    """What the server did with the UDP queries it was sent so far: (replies written, replies
    over the --rrl rate dropped, ... sent truncated). Both are counted before the batch's replies
    are sent."""
    samples = scrape(port)
    total = lambda name, labels="": sum(v for (n, l), v in samples.items()
                                        if n == name and labels in l)
    return (int(total("coredns_dns_responses_total")),
            int(total("coredns_rrl_responses_exceeded_total", 'action="drop"')),
            int(total("coredns_rrl_responses_exceeded_total", 'action="slip"')))


class Burst:
    """`count` queries sent at once from one socket, and their replies: the server's metrics say
    when it has decided every one (written, or dropped over the rate), and how many replies it
    wrote, which are then read: no reply is waited for that will not come, and no silence is
    taken for the end. The receive bound only ends a hang."""

    def __init__(self, server, count):
        before = fates(server.metrics_port)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(20)
            for qid in range(count):
                s.sendto(Message(qid=qid).question(FQDN).wire(), ("127.0.0.1", server.port))
            now = before
            def decided():
                nonlocal now
                now = fates(server.metrics_port)
                return (now[0] - before[0]) + (now[1] - before[1]) >= count
            if not wait_for(decided, timeout=20):
                raise AssertionError("the server decided %d of %d queries" % (
                    (now[0] - before[0]) + (now[1] - before[1]), count))
            self.written = now[0] - before[0]
            self.limited_drop = now[1] - before[1]
            self.limited_slip = now[2] - before[2]
            self.answered, self.truncated = set(), set()
            for _ in range(self.written):
                reply = parse(s.recv(65535))
                if "tc" in reply.flags:
                    self.truncated.add(reply.qid)
                    if reply.answer:
                        raise AssertionError("a truncated reply with records")
                else:
                    self.answered.add(reply.qid)
        self.dropped = count - len(self.answered) - len(self.truncated)


def serve_limited(*args):
    metrics_port = peer_port()
    server = VmdnsServer([EXAMPLES], list(args) + ["--metrics-listen",
                                                   "127.0.0.1:%d" % metrics_port])
    server.metrics_port = metrics_port
    return server


class RrlTest(unittest.TestCase):
    def test_udp_replies_over_the_rate_are_dropped_or_slipped(self):
        server = serve_limited("--rrl", "5")
        try:
            burst = Burst(server, 60)
            answered, truncated = len(burst.answered), len(burst.truncated)
            print("\n--rrl 5: 60 queries: %d answered, %d truncated, %d dropped" % (
                answered, truncated, burst.dropped))
            # Which second each reply counts in is tests/unit/dispatch/rate_limit_test.cc's: a
            # client cannot know the server's seconds. Here: the replies the server wrote and
            # counted are the ones the client got, each query answered, slipped or dropped once.
            self.assertEqual(len(burst.answered | burst.truncated), answered + truncated)
            self.assertEqual(answered + truncated, burst.written)
            self.assertEqual(truncated, burst.limited_slip)
            self.assertEqual(burst.dropped, burst.limited_drop)
            self.assertGreaterEqual(answered, 5)
            self.assertGreaterEqual(truncated, 1)
            # Past the rate, one dropped then one slipped, again in each second that went past
            # it, and every such second answered its 5 first.
            self.assertGreaterEqual(burst.dropped, truncated)
            self.assertLessEqual(burst.dropped - truncated, math.ceil(answered / 5))
            # TCP is never limited.
            with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
                s.sendall(b"".join(struct.pack("!H", len(q)) + q for q in (
                    Message(qid=i).question(FQDN).wire() for i in range(60))))
                replies = [parse(tcp_read_message(s)) for _ in range(60)]
            self.assertEqual([len(r.answer) for r in replies], [1] * 60)
        finally:
            server.stop()

    def test_slip_zero_drops_every_reply_over_the_rate(self):
        server = serve_limited("--rrl", "5", "--rrl-slip", "0")
        try:
            burst = Burst(server, 40)
            self.assertEqual((len(burst.truncated), burst.limited_slip), (0, 0))
            self.assertEqual(len(burst.answered), burst.written)
            self.assertEqual(burst.dropped, burst.limited_drop)
            self.assertGreaterEqual(len(burst.answered), 5)
            self.assertGreaterEqual(burst.dropped, 1)
        finally:
            server.stop()

    def test_no_limit_by_default(self):
        server = serve_limited()
        try:
            burst = Burst(server, 60)
            self.assertEqual((len(burst.answered), len(burst.truncated), burst.dropped),
                             (60, 0, 0))
            self.assertEqual((burst.limited_drop, burst.limited_slip), (0, 0))
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()
