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
- `--rrl 5`: of 60 UDP queries sent at once from one address, at most 5 a second get their
  answer, about every second one of the rest (`--rrl-slip 2`) gets an empty TC reply and the
  others nothing; over TCP all 60 are answered; without --rrl, all 60 UDP queries are answered;
  `--rrl-slip 0` sends no TC reply at all.
"""

import math
import os
import socket
import struct
import time
import unittest

from dns_wire import A, NOERROR, REFUSED, Message, parse, tcp_exchange, tcp_read_message, \
    udp_exchange
from test_forwarding import EXTERNAL_NAMES, Knot
from vmdns_harness import EXAMPLES, VmdnsServer, peer_port, require_tools, run_vmdns

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


def burst(port, count, quiet=1.0):
    """Sends `count` queries from one socket at once; (answered, truncated, unanswered, span):
    `span` runs from the first query sent to the last reply read, so that it covers every
    moment at which the server's limiter saw one of them, however slow the machine. The replies
    are read until every query has one or none came for `quiet` seconds: a check that expects
    every reply passes a long one, which costs nothing when they all come."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(quiet)
        began = time.monotonic()
        for qid in range(count):
            s.sendto(Message(qid=qid).question(FQDN).wire(), ("127.0.0.1", port))
        last = time.monotonic()
        answered, truncated = set(), set()
        try:
            while len(answered) + len(truncated) < count:
                reply = parse(s.recv(65535))
                last = time.monotonic()
                if "tc" in reply.flags:
                    truncated.add(reply.qid)
                    if reply.answer:
                        raise AssertionError("a truncated reply with records")
                else:
                    answered.add(reply.qid)
        except socket.timeout:
            pass
    return len(answered), len(truncated), count - len(answered) - len(truncated), last - began


def allowed(rate, span):
    """The most replies a limiter of `rate` a second lets through over `span` seconds: one
    second's worth for each second of its clock the span touches."""
    return rate * (math.ceil(span) + 1)


class RrlTest(unittest.TestCase):
    def test_udp_replies_over_the_rate_are_dropped_or_slipped(self):
        server = VmdnsServer([EXAMPLES], ["--rrl", "5"])
        try:
            answered, truncated, dropped, took = burst(server.port, 60)
            print("\n--rrl 5: 60 queries, replies over %.3f s: %d answered, %d truncated, "
                  "%d dropped" % (took, answered, truncated, dropped))
            # The burst spans two seconds of the limiter's clock on an idle machine, more on a
            # loaded one: the bound follows the span measured, not an assumed speed.
            most = allowed(5, took)
            self.assertGreaterEqual(answered, 5)
            self.assertLessEqual(answered, most)
            self.assertGreaterEqual(truncated, (60 - most) // 2 - 1)
            self.assertGreaterEqual(dropped, (60 - most) // 2 - 1)
            # TCP is never limited.
            with socket.create_connection(("127.0.0.1", server.port), timeout=3) as s:
                s.sendall(b"".join(struct.pack("!H", len(q)) + q for q in (
                    Message(qid=i).question(FQDN).wire() for i in range(60))))
                replies = [parse(tcp_read_message(s)) for _ in range(60)]
            self.assertEqual([len(r.answer) for r in replies], [1] * 60)
        finally:
            server.stop()

    def test_slip_zero_drops_every_reply_over_the_rate(self):
        server = VmdnsServer([EXAMPLES], ["--rrl", "5", "--rrl-slip", "0"])
        try:
            answered, truncated, dropped, took = burst(server.port, 40)
            self.assertLessEqual(answered, allowed(5, took))
            self.assertEqual(truncated, 0)
            self.assertGreaterEqual(dropped, 40 - allowed(5, took))
        finally:
            server.stop()

    def test_no_limit_by_default(self):
        server = VmdnsServer([EXAMPLES])
        try:
            answered, truncated, dropped, _ = burst(server.port, 60, quiet=10.0)
            self.assertEqual((answered, truncated, dropped), (60, 0, 0))
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()
