"""Not an open resolver (`--allow-forward`).

Knot DNS on a loopback port serves example.test; vmdns forwards to it. Test clients are on
127.0.0.1, which the default allow list contains, so the refused client is made by giving an
allow list without loopback. Checked, over UDP and TCP:
- by default (private and loopback ranges), 127.0.0.1 gets example.test forwarded;
- with `--allow-forward 10.0.0.0/8 --allow-forward fc00::/7`, 127.0.0.1 gets REFUSED for
  www.example.test, with no answer and no AA; our zones still answer it (AA); an ExternalName
  to www.example.test gets our CNAME alone;
- `--allow-forward 127.0.0.0/8` forwards again; a bad CIDR stops `serve` with exit code 2 and
  an error naming the flag and the value.
"""

import unittest

from dns_wire import A, NOERROR, REFUSED, Message, parse, tcp_exchange, udp_exchange
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


if __name__ == "__main__":
    unittest.main()
