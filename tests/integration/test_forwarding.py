"""Names outside our zones are forwarded to upstream resolvers.

Knot DNS on a loopback port serves example.test (A, AAAA, a 100-address A set that does not fit
in 1232 octets, names with short TTLs) and 2.0.192.in-addr.arpa; vmdns forwards to it with
`--upstream 127.0.0.1:PORT`. Every packet stays on loopback. Checked:

- an A and an AAAA outside our zones are forwarded, over UDP and TCP, with dig and kdig; the
  client's ID and its spelling of the name come back; a client without EDNS gets no OPT;
- NXDOMAIN is forwarded with the upstream's SOA in the authority section;
- a reverse name that no cluster address has is forwarded too (it falls through our default
  in-addr.arpa; test_fallthrough.py has the rest);
- a UDP reply too large for the client is cut with TC; the upstream truncates over UDP, so vmdns
  asks it again over TCP and a TCP client gets the whole set;
- an upstream port with nothing listening and an upstream that never answers are passed over
  for the next, which answers; with every upstream dead the client gets SERVFAIL within a few
  seconds (--forward-deadline); the only upstream losing the first datagram of every question
  is asked again, and the client gets its answer, as with CoreDNS's forward;
- `--no-upstream` (what the harness passes by default) answers REFUSED, as before forwarding;
- the cache: after Knot stops, an answer seen before is still given, with the TTL counting down,
  until its TTL expires (a 3-second one does, while a 300-second one is still given);
- vmdns as its own upstream: SERVFAIL, once, without a storm of forwarded queries;
- cluster names are still answered authoritatively (AA) while forwarding is on;
- an A or AAAA query for an ExternalName whose target is outside our zones gets our CNAME (AA)
  followed by the upstream's answer for the target, its rcode (NXDOMAIN with the target zone's
  SOA) and TC when it does not fit; a chain of two CNAMEs keeps both; other types, and
  `--no-upstream`, get the CNAME alone;
- a bad `--upstream` stops `serve` before it starts, with exit code 2.
"""

import os
import socket
import struct
import unittest

from dns_wire import Message, encode_name, udp_exchange
from knot_peer import KnotPeer
from udp_peer import UdpPeer
from vmdns_harness import (peer_port, EXAMPLES, FIXTURES, VmdnsServer, require_tools, run_vmdns,
                           wait_for)

EXTERNAL_NAMES = os.path.join(FIXTURES, "externalname.yaml")

EXAMPLE_ZONE = """$ORIGIN example.test.
$TTL 300
@ SOA ns.example.test. hostmaster.example.test. 1 7200 1800 86400 60
@ NS ns
ns A 127.0.0.1
www A 192.0.2.10
www AAAA 2001:db8::10
brief 3 A 192.0.2.30
""" + "".join("big A 198.51.100.%d\n" % i for i in range(1, 101))

REVERSE_ZONE = """$ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
@ SOA ns.example.test. hostmaster.example.test. 1 7200 1800 86400 60
@ NS ns.example.test.
10 PTR www.example.test.
"""


class Knot(KnotPeer):
    """knotd on a loopback port serving `zones` ({name: zone text}; by default example.test and
    a reverse zone)."""

    def __init__(self, zones=None):
        super().__init__(zones or {"example.test": EXAMPLE_ZONE,
                                   "2.0.192.in-addr.arpa": REVERSE_ZONE})


def raw_query(port, name, qtype, qid=0x1234, edns=True, timeout=2.0):
    """One UDP query to 127.0.0.1:port, the name spelled as given; the response bytes, or None
    on timeout."""
    message = Message(qid=qid).question(name, qtype)
    if edns:
        message.opt(1232)
    return udp_exchange(port, message.wire(), timeout=timeout)


class ForwardingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("dig", "kdig", "knotd")
        cls.knot = Knot()
        # Knot always answers: the timeout (10 s, not the default 1.5) only bounds a hang, so
        # that a machine too loaded for Knot to answer in 1.5 s fails no test here.
        cls.vmdns = VmdnsServer([EXAMPLES, EXTERNAL_NAMES],
                                ["--upstream", "127.0.0.1:%d" % cls.knot.port,
                                 "--upstream-timeout", "10000"])

    @classmethod
    def tearDownClass(cls):
        cls.vmdns.stop()
        cls.knot.cleanup()

    def test_externalname_outside_our_zones_is_followed_upstream(self):
        for tool in ("dig", "kdig"):
            for tcp in (False, True):
                for edns in (False, True):
                    with self.subTest(tool=tool, tcp=tcp, edns=edns):
                        reply = self.vmdns.dig("ext.default.svc.cluster.local", "A", tcp=tcp,
                                               edns=edns, tool=tool)
                        self.assertEqual(reply.status, "NOERROR", reply.raw)
                        self.assertIn("aa", reply.flags)  # our CNAME is authoritative
                        self.assertEqual([(r[0], r[3], r[4]) for r in reply.answer], [
                            ("ext.default.svc.cluster.local.", "CNAME", "www.example.test."),
                            ("www.example.test.", "A", "192.0.2.10")], reply.raw)
        reply = self.vmdns.dig("ext.default.svc.cluster.local", "AAAA")
        self.assertEqual(reply.rdatas("AAAA"), ["2001:db8::10"], reply.raw)
        self.assertEqual(reply.rdatas("CNAME"), ["www.example.test."], reply.raw)
        # Only addresses are followed: other types get the CNAME, which the client follows.
        reply = self.vmdns.dig("ext.default.svc.cluster.local", "TXT")
        self.assertEqual([r[3] for r in reply.answer], ["CNAME"], reply.raw)

    def test_externalname_chain_and_case(self):
        response = raw_query(self.vmdns.port, "EXT-chain.default.svc.cluster.local", 1, qid=0x4242)
        self.assertEqual(struct.unpack(">H", response[:2])[0], 0x4242)
        name = encode_name("EXT-chain.default.svc.cluster.local")
        self.assertEqual(response[12:12 + len(name)], name)
        reply = self.vmdns.dig("ext-chain.default.svc.cluster.local", "A")
        self.assertEqual([(r[0], r[3], r[4]) for r in reply.answer], [
            ("ext-chain.default.svc.cluster.local.", "CNAME", "ext.default.svc.cluster.local."),
            ("ext.default.svc.cluster.local.", "CNAME", "www.example.test."),
            ("www.example.test.", "A", "192.0.2.10")], reply.raw)

    def test_externalname_to_a_missing_name(self):
        # RFC 6604 section 2.1: after a CNAME the rcode is the target's.
        reply = self.vmdns.dig("ext-missing.default.svc.cluster.local", "A")
        self.assertEqual(reply.status, "NXDOMAIN", reply.raw)
        self.assertEqual(reply.rdatas("CNAME"), ["nosuch.example.test."], reply.raw)
        self.assertEqual([(r[0], r[3]) for r in reply.authority], [("example.test.", "SOA")])

    def test_externalname_to_a_large_set(self):
        udp = self.vmdns.dig("ext-big.default.svc.cluster.local", "A", edns=False,
                             extra=["+ignore"])
        self.assertIn("tc", udp.flags, udp.raw)
        self.assertEqual(udp.answer[0][3], "CNAME", udp.raw)
        tcp = self.vmdns.dig("ext-big.default.svc.cluster.local", "A", tcp=True)
        self.assertNotIn("tc", tcp.flags, tcp.raw)
        self.assertEqual(len(tcp.rdatas("A")), 100, tcp.raw)

    def test_forwards_over_udp_and_tcp_with_dig_and_kdig(self):
        for tool in ("dig", "kdig"):
            for tcp in (False, True):
                with self.subTest(tool=tool, tcp=tcp):
                    reply = self.vmdns.dig("www.example.test", "A", tcp=tcp, tool=tool)
                    self.assertEqual(reply.status, "NOERROR", reply.raw)
                    self.assertEqual(reply.rdatas("A"), ["192.0.2.10"], reply.raw)
                    self.assertIn("aa", reply.flags)  # Knot's answer, passed on as it is
                    reply = self.vmdns.dig("www.example.test", "AAAA", tcp=tcp, tool=tool)
                    self.assertEqual(reply.rdatas("AAAA"), ["2001:db8::10"], reply.raw)

    def test_id_and_case_are_the_clients(self):
        for qid in (0x0001, 0xBEEF):
            response = raw_query(self.vmdns.port, "WwW.ExAmPlE.tEsT", 1, qid=qid)
            self.assertIsNotNone(response)
            self.assertEqual(struct.unpack(">H", response[:2])[0], qid)
            name = encode_name("WwW.ExAmPlE.tEsT")
            self.assertEqual(response[12:12 + len(name)], name)
            self.assertEqual(response[3] & 0xF, 0)  # NOERROR

    def test_client_without_edns_gets_no_opt(self):
        reply = self.vmdns.dig("www.example.test", "A", edns=False)
        self.assertEqual(reply.rdatas("A"), ["192.0.2.10"], reply.raw)
        self.assertNotIn("OPT PSEUDOSECTION", reply.raw)
        reply = self.vmdns.dig("www.example.test", "A", edns=True)
        self.assertIn("OPT PSEUDOSECTION", reply.raw)

    def test_nxdomain_is_forwarded_with_soa(self):
        for tcp in (False, True):
            reply = self.vmdns.dig("nosuch.example.test", "A", tcp=tcp)
            self.assertEqual(reply.status, "NXDOMAIN", reply.raw)
            self.assertEqual([r[3] for r in reply.authority], ["SOA"], reply.raw)
            self.assertEqual(reply.authority[0][0], "example.test.")

    def test_reverse_name_outside_our_zones_is_forwarded(self):
        reply = self.vmdns.dig("10.2.0.192.in-addr.arpa", "PTR")
        self.assertEqual(reply.status, "NOERROR", reply.raw)
        self.assertEqual(reply.rdatas("PTR"), ["www.example.test."], reply.raw)

    def test_large_answer_truncated_over_udp_complete_over_tcp(self):
        udp = self.vmdns.dig("big.example.test", "A", extra=["+ignore", "+bufsize=1232"])
        self.assertEqual(udp.status, "NOERROR", udp.raw)
        self.assertIn("tc", udp.flags, udp.raw)
        self.assertLess(len(udp.answer), 100)
        plain = self.vmdns.dig("big.example.test", "A", edns=False, extra=["+ignore"])
        self.assertIn("tc", plain.flags, plain.raw)
        self.assertLess(len(plain.answer), len(udp.answer))
        # Knot truncates at 1232 octets over UDP; all 100 addresses can only have come from
        # vmdns asking it again over TCP.
        for tool in ("dig", "kdig"):
            tcp = self.vmdns.dig("big.example.test", "A", tcp=True, tool=tool)
            self.assertNotIn("tc", tcp.flags, tcp.raw)
            self.assertEqual(len(tcp.rdatas("A")), 100, tcp.raw)

    def test_cluster_names_stay_authoritative(self):
        reply = self.vmdns.dig("myvmi.mysubdomain.default.svc.cluster.local", "A")
        self.assertEqual(reply.rdatas("A"), ["10.244.0.57"], reply.raw)
        self.assertIn("aa", reply.flags)
        reply = self.vmdns.dig("nosuch.cluster.local", "A")
        self.assertEqual(reply.status, "NXDOMAIN", reply.raw)
        self.assertEqual(reply.authority[0][0], "cluster.local.", reply.raw)


class ExternalNameWithoutUpstreamTest(unittest.TestCase):
    def test_cname_alone(self):
        require_tools("dig")
        vmdns = VmdnsServer([EXTERNAL_NAMES], ["--no-upstream"])
        try:
            reply = vmdns.dig("ext.default.svc.cluster.local", "A")
            self.assertEqual(reply.status, "NOERROR", reply.raw)
            self.assertEqual([(r[3], r[4]) for r in reply.answer],
                             [("CNAME", "www.example.test.")], reply.raw)
        finally:
            vmdns.stop()


class LossyRelay(UdpPeer):
    """A UDP relay to an upstream that drops the first datagram of each question and passes the
    rest through: a lossy path to a single upstream."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.seen = set()
        self.dropped = 0
        super().__init__()

    def reply(self, packet, peer):
        question = packet[12:].lower()
        if question not in self.seen:
            self.seen.add(question)
            self.dropped += 1
            return None
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as upstream:
            upstream.settimeout(5)
            upstream.sendto(packet, ("127.0.0.1", self.upstream_port))
            try:
                return upstream.recv(65535)
            except OSError:
                return None


class UpstreamFailureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("dig", "knotd")
        cls.knot = Knot()

    @classmethod
    def tearDownClass(cls):
        cls.knot.cleanup()

    def setUp(self):
        # A port with nothing on it (the kernel answers ICMP port unreachable) and a socket
        # that takes queries and never answers.
        self.closed_port = peer_port()
        self.silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.silent.bind(("127.0.0.1", 0))
        self.silent_port = self.silent.getsockname()[1]

    def tearDown(self):
        self.silent.close()

    def serve(self, *upstream_ports, timeout_ms=10000, extra=(), log_level=None):
        """vmdns forwarding to `upstream_ports` in turn. Knot answers well within the default
        timeout however loaded the machine is; a test whose upstreams never answer waits the
        timeout for each, and may make it short."""
        args = ["--upstream-timeout", str(timeout_ms)]
        for port in upstream_ports:
            args += ["--upstream", "127.0.0.1:%d" % port]
        server = VmdnsServer([EXAMPLES], args + list(extra), log_level=log_level)
        self.addCleanup(server.stop)
        return server

    def test_dead_upstreams_are_passed_over(self):
        # 1 s: the silent one costs that much, and Knot, asked after it, must answer within it.
        server = self.serve(self.closed_port, self.silent_port, self.knot.port, timeout_ms=1000,
                            log_level="debug")
        knot_late = "forward: 127.0.0.1:%d timed out" % self.knot.port
        for _ in range(3):
            reply = server.dig("www.example.test", "A", extra=["+time=8"])
            # Asked again, as a resolver asks again after SERVFAIL, only when Knot itself was
            # too slow for the timeout (a loaded machine), which the log shows.
            if reply.status != "SERVFAIL" or knot_late not in server.log():
                break
        self.assertEqual(reply.rdatas("A"), ["192.0.2.10"], reply.raw + server.log())
        self.silent.settimeout(0)
        self.assertTrue(self.silent.recv(512))  # the silent one was asked,
        # and passed over for Knot when its timeout ran out: the event, not an elapsed time.
        timed_out = "forward: 127.0.0.1:%d timed out after 1000 ms" % self.silent_port
        self.assertTrue(wait_for(lambda: timed_out in server.log()), server.log())

    def test_lost_datagram_is_asked_again(self):
        relay = LossyRelay(self.knot.port)
        self.addCleanup(relay.close)
        # The lost datagram's attempt ends after 500 ms; the next round has 4.5 s more.
        server = self.serve(relay.port, timeout_ms=500)
        for name in ("www.example.test", "brief.example.test"):
            reply = server.dig(name, "A", extra=["+time=5", "+tries=1"])
            self.assertEqual(reply.status, "NOERROR", reply.raw + server.log())
        self.assertEqual(relay.dropped, 2)

    def test_all_upstreams_dead_is_servfail(self):
        # Rounds of 500 ms for 1.5 s at most, well inside dig's +time=5.
        server = self.serve(self.closed_port, self.silent_port, timeout_ms=500,
                            extra=["--forward-deadline", "1500"])
        for tcp in (False, True):
            # The SERVFAIL itself is the proof that the client was not left waiting; dig's
            # +time=5 only bounds a hang.
            reply = server.dig("www.example.test", "A", tcp=tcp, extra=["+time=5"])
            self.assertEqual(reply.status, "SERVFAIL", reply.raw)

    def test_bad_upstream_is_a_usage_error(self):
        out = run_vmdns("serve", "-f", EXAMPLES, "--listen", "127.0.0.1:0", "--upstream", "bogus")
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertIn('"bogus" is not ADDR[:PORT]', out.stderr)
        self.assertNotIn("listening on", out.stdout)

    def test_no_upstream_is_refused(self):
        server = VmdnsServer([EXAMPLES])  # the harness adds --no-upstream
        self.addCleanup(server.stop)
        self.assertEqual(server.dig("www.example.test", "A").status, "REFUSED")
        self.assertEqual(server.dig("www.example.test", "A", tcp=True).status, "REFUSED")

    def test_cache_answers_after_upstream_stops_until_ttl_expires(self):
        knot = Knot()
        self.addCleanup(knot.cleanup)
        # Without CoreDNS's 5-second floor, brief's 3-second TTL is what the cache keeps.
        server = self.serve(knot.port, extra=["--cache-min-ttl", "0"])
        first = server.dig("www.example.test", "A")
        self.assertEqual(first.rdatas("A"), ["192.0.2.10"], first.raw)
        self.assertEqual(server.dig("brief.example.test", "A").rdatas("A"), ["192.0.2.30"])
        self.assertEqual(server.dig("nosuch.example.test", "A").status, "NXDOMAIN")
        knot.stop()
        # Served from the cache with the TTL counting down: wait for the first answer whose
        # TTL is lower, rather than for a fixed time. www's 300 seconds leave room for a slow
        # machine; brief's 3 may have run out already.
        seen = []

        def counted_down():
            seen[:] = [server.dig("www.example.test", "A")]
            return bool(seen[0].answer) and seen[0].answer[0][1] < first.answer[0][1]
        self.assertTrue(wait_for(counted_down, 10), seen[0].raw if seen else "")
        self.assertEqual(seen[0].rdatas("A"), ["192.0.2.10"], seen[0].raw)
        self.assertEqual(server.dig("nosuch.example.test", "A").status, "NXDOMAIN")
        # brief's 3-second TTL runs out and Knot is gone: SERVFAIL; www's 300 seconds do not.
        self.assertTrue(wait_for(
            lambda: server.dig("brief.example.test", "A").status == "SERVFAIL", 10))
        self.assertEqual(server.dig("www.example.test", "A").rdatas("A"), ["192.0.2.10"])

    def test_itself_as_upstream_is_a_loop_answered_servfail(self):
        port = peer_port()
        server = VmdnsServer([EXAMPLES], ["--upstream", "127.0.0.1:%d" % port],
                             listen="127.0.0.1:%d" % port)
        self.addCleanup(server.stop)
        # +time=10: dig does not ask again (which would be a second loop) on a slow machine.
        reply = server.dig("loop.example.test", "A", extra=["+time=10"])
        self.assertEqual(reply.status, "SERVFAIL", reply.raw)
        self.assertTrue(wait_for(lambda: "forwarding loop" in server.log(), 10), server.log())
        # A second looping query, answered and logged after the first: had the first one
        # stormed, its lines would be there by now. One line each: no storm.
        reply = server.dig("loop-2.example.test", "A", extra=["+time=10"])
        self.assertEqual(reply.status, "SERVFAIL", reply.raw)
        self.assertTrue(wait_for(lambda: "loop-2.example.test" in server.log(), 10), server.log())
        self.assertEqual(server.log().count("forwarding loop"), 2, server.log())
        reply = server.dig("myvmi.mysubdomain.default.svc.cluster.local", "A")
        self.assertEqual(reply.rdatas("A"), ["10.244.0.57"])


if __name__ == "__main__":
    unittest.main()
