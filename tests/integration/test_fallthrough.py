"""--fallthrough: reverse names the cluster does not own go upstream, as kubeadm's Corefile has it.

kubeadm's `kubernetes cluster.local in-addr.arpa ip6.arpa { fallthrough in-addr.arpa ip6.arpa }`
is vmdns's default. Knot DNS on a loopback port is the upstream: it serves PTRs for
192.0.2.10 and 2001:db8::10 (addresses outside the cluster), a 96.10.in-addr.arpa zone with a
PTR for 10.96.0.99 (in a cluster range, but no Service of ours has it) and a wrong one for
10.96.0.20 (a Service's cluster IP, which must stay ours), and a cluster.local zone with
old.cluster.local. Checked, with dig over UDP and TCP:

- without any --reverse-zone, `dig -x` a cluster IP, an endpoint or a VMI address gets our PTR
  (AA); an address we do not have gets the upstream's PTR, or its NXDOMAIN with its own SOA;
  the empty non-terminal above our PTRs (244.10.in-addr.arpa) is ours (NODATA with our SOA);
- forwarded names count as plugin="forward" and are cached like any forwarded name;
- `--fallthrough none`, `--no-upstream`, a client outside `--allow-forward` and a name under
  `--forward-except` get our authoritative NXDOMAIN (in-addr.arpa's SOA);
- `--fallthrough cluster.local`: a cluster name we do not have goes upstream too, ours stay ours;
- `--reverse-zone none`: no reverse zone, every reverse name is forwarded (out of our zones);
- `--config`: the setting is reloaded without a restart;
- `--help` shows both defaults and `none`; a bad value stops serve with exit 2.
"""

import ipaddress
import os
import shutil
import tempfile
import unittest

from test_forwarding import EXAMPLE_ZONE, REVERSE_ZONE, Knot
from test_ops import OpsServer, parse_metrics, value
from vmdns_harness import EXAMPLES, FIXTURES, VmdnsServer, require_tools, run_vmdns, wait_for

SERVICES = os.path.join(FIXTURES, "services.yaml")

V6_REVERSE_ZONE = """$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.
$TTL 300
@ SOA ns.example.test. hostmaster.example.test. 1 7200 1800 86400 60
@ NS ns.example.test.
0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 PTR www.example.test.
"""

CLUSTER_RANGE_ZONE = """$ORIGIN 96.10.in-addr.arpa.
$TTL 300
@ SOA ns.example.test. hostmaster.example.test. 1 7200 1800 86400 60
@ NS ns.example.test.
99.0 PTR legacy.example.test.
20.0 PTR wrong.example.test.
"""

CLUSTER_ZONE = """$ORIGIN cluster.local.
$TTL 300
@ SOA ns.example.test. hostmaster.example.test. 1 7200 1800 86400 60
@ NS ns.example.test.
old A 192.0.2.77
myvmi.mysubdomain.default.svc A 192.0.2.99
"""

OUR_SOA = ("in-addr.arpa.", "SOA")


def reverse(address):
    return ipaddress.ip_address(address).reverse_pointer + "."


class FallthroughTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("dig", "knotd")
        cls.knot = Knot({"example.test": EXAMPLE_ZONE, "2.0.192.in-addr.arpa": REVERSE_ZONE,
                         "8.b.d.0.1.0.0.2.ip6.arpa": V6_REVERSE_ZONE,
                         "96.10.in-addr.arpa": CLUSTER_RANGE_ZONE, "cluster.local": CLUSTER_ZONE})
        cls.upstream = ["--upstream", "127.0.0.1:%d" % cls.knot.port]

    @classmethod
    def tearDownClass(cls):
        cls.knot.cleanup()

    def serve(self, *extra, upstream=True, ops=False):
        args = (self.upstream if upstream else []) + list(extra)
        paths = [EXAMPLES, SERVICES]
        server = OpsServer(paths, args) if ops else VmdnsServer(paths, args)
        self.addCleanup(server.stop)
        return server

    def ptr(self, server, address, tcp):
        return server.dig(reverse(address), "PTR", tcp=tcp)

    def assert_ours(self, reply, target):
        self.assertEqual(reply.status, "NOERROR", reply.raw)
        self.assertIn("aa", reply.flags, reply.raw)
        self.assertEqual(reply.rdatas("PTR"), [target], reply.raw)

    def assert_our_nxdomain(self, reply):
        self.assertEqual(reply.status, "NXDOMAIN", reply.raw)
        self.assertIn("aa", reply.flags, reply.raw)
        self.assertEqual([(r[0], r[3]) for r in reply.authority], [OUR_SOA], reply.raw)

    def test_default_reverse_zones_fall_through(self):
        server = self.serve(ops=True)
        for tcp in (False, True):
            with self.subTest(tcp=tcp):
                # Ours: a cluster IP (IPv4 and IPv6), an endpoint, the page's VMI.
                self.assert_ours(self.ptr(server, "10.96.0.20", tcp), "web.shop.svc.cluster.local.")
                self.assert_ours(self.ptr(server, "fd00::20", tcp), "web.shop.svc.cluster.local.")
                self.assert_ours(self.ptr(server, "10.244.3.1", tcp),
                                 "db-0.db.shop.svc.cluster.local.")
                self.assert_ours(self.ptr(server, "10.244.0.57", tcp),
                                 "myvmi.mysubdomain.default.svc.cluster.local.")
                # The upstream's: outside the cluster, IPv4 and IPv6, and an address in a
                # cluster range that no Service of ours has.
                for address, target in (("192.0.2.10", "www.example.test."),
                                        ("2001:db8::10", "www.example.test."),
                                        ("10.96.0.99", "legacy.example.test.")):
                    reply = self.ptr(server, address, tcp)
                    self.assertEqual(reply.status, "NOERROR", reply.raw)
                    self.assertEqual(reply.rdatas("PTR"), [target], reply.raw)
                reply = self.ptr(server, "192.0.2.99", tcp)
                self.assertEqual(reply.status, "NXDOMAIN", reply.raw)
                self.assertEqual([(r[0], r[3]) for r in reply.authority],
                                 [("2.0.192.in-addr.arpa.", "SOA")], reply.raw)
                # A name that exists in our zone (above our PTRs) is ours: NODATA.
                reply = server.dig("244.10.in-addr.arpa", "PTR", tcp=tcp)
                self.assertEqual(reply.status, "NOERROR", reply.raw)
                self.assertIn("aa", reply.flags, reply.raw)
                self.assertEqual(reply.answer, [], reply.raw)
                self.assertEqual([(r[0], r[3]) for r in reply.authority], [OUR_SOA], reply.raw)
        samples = parse_metrics(server.metrics())
        responses = "coredns_dns_responses_total"
        # 4 of ours a transport, 4 from the upstream the first time; the second asks hit the
        # forwarder's cache (or the upstream again, for TCP's own cache shard).
        self.assertEqual(value(samples, responses, plugin="kubernetes"), 10)
        self.assertEqual(value(samples, responses, plugin="forward") +
                         value(samples, responses, plugin="cache"), 8)
        self.assertGreaterEqual(value(samples, responses, plugin="forward"), 4)

    def test_our_nxdomain_without_fallthrough_or_upstream(self):
        servers = {
            "--fallthrough none": self.serve("--fallthrough", "none"),
            "--no-upstream": self.serve(upstream=False),
            "a client outside --allow-forward": self.serve("--allow-forward", "10.0.0.0/8"),
            "--forward-except in-addr.arpa": self.serve("--forward-except", "in-addr.arpa"),
        }
        for label, server in servers.items():
            for tcp in (False, True):
                with self.subTest(label, tcp=tcp):
                    self.assert_our_nxdomain(self.ptr(server, "192.0.2.10", tcp))
                    self.assert_our_nxdomain(self.ptr(server, "10.96.0.99", tcp))
                    self.assert_ours(self.ptr(server, "10.96.0.20", tcp),
                                     "web.shop.svc.cluster.local.")

    def test_fallthrough_cluster_zone(self):
        server = self.serve("--fallthrough", "cluster.local", "--fallthrough", "in-addr.arpa")
        for tcp in (False, True):
            with self.subTest(tcp=tcp):
                reply = server.dig("old.cluster.local", "A", tcp=tcp)
                self.assertEqual(reply.rdatas("A"), ["192.0.2.77"], reply.raw)
                reply = server.dig("myvmi.mysubdomain.default.svc.cluster.local", "A", tcp=tcp)
                self.assertIn("aa", reply.flags, reply.raw)
                self.assertEqual(reply.rdatas("A"), ["10.244.0.57"], reply.raw)
                self.assertEqual(self.ptr(server, "192.0.2.10", tcp).rdatas("PTR"),
                                 ["www.example.test."])
                # ip6.arpa is no longer listed: its NXDOMAIN is ours.
                reply = self.ptr(server, "2001:db8::10", tcp)
                self.assertEqual(reply.status, "NXDOMAIN", reply.raw)
                self.assertEqual([(r[0], r[3]) for r in reply.authority], [("ip6.arpa.", "SOA")])

    def test_no_reverse_zone(self):
        server = self.serve("--reverse-zone", "none")
        for tcp in (False, True):
            with self.subTest(tcp=tcp):
                # Not our zone any more: even a cluster IP's name is the upstream's.
                reply = self.ptr(server, "10.96.0.20", tcp)
                self.assertEqual(reply.rdatas("PTR"), ["wrong.example.test."], reply.raw)
                self.assertEqual(self.ptr(server, "192.0.2.10", tcp).rdatas("PTR"),
                                 ["www.example.test."])

    def test_reloaded_from_config(self):
        workdir = tempfile.mkdtemp(prefix="vmdns-fallthrough-")
        self.addCleanup(shutil.rmtree, workdir, ignore_errors=True)
        path = os.path.join(workdir, "vmdns.yaml")
        with open(path, "w") as f:
            f.write("fallthrough: [none]\n")
        server = self.serve("--config", path)
        self.assert_our_nxdomain(self.ptr(server, "192.0.2.10", False))
        with open(path, "w") as f:
            f.write("fallthrough: [2.0.192.in-addr.arpa]\n")
        self.assertTrue(wait_for(lambda: self.ptr(server, "192.0.2.10", False).rdatas("PTR") ==
                                 ["www.example.test."]), server.log())
        self.assertIn("applied fallthrough", server.log())
        self.assert_our_nxdomain(self.ptr(server, "10.96.0.99", False))

    def test_help_and_bad_values(self):
        out = run_vmdns("serve", "--help")
        self.assertEqual(out.returncode, 0, out.stderr)
        text = " ".join(out.stdout.split())
        for flag in ("--reverse-zone", "--fallthrough"):
            self.assertIn(flag, text)
        self.assertIn("[in-addr.arpa,ip6.arpa]", text)
        self.assertIn("none:", text)
        for args, error in (
                (["--fallthrough", "none", "--fallthrough", "in-addr.arpa"],
                 "--fallthrough none cannot be given with other values"),
                (["--fallthrough", "10.0.0.0/99"], "--fallthrough"),
                (["--reverse-zone", "none", "--reverse-zone", "10.in-addr.arpa"],
                 "--reverse-zone none cannot be given with other values")):
            with self.subTest(args=args):
                out = run_vmdns("serve", "-f", EXAMPLES, "--listen", "127.0.0.1:0",
                                "--no-upstream", *args)
                self.assertEqual(out.returncode, 2, out.stderr)
                self.assertIn(error, out.stderr)
                self.assertNotIn("listening on", out.stdout)


if __name__ == "__main__":
    unittest.main()
