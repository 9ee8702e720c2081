"""Stub domains and zones not forwarded: --stub-domain ZONE=ADDR,... and --forward-except ZONE.

Two Knot DNS servers on loopback, each its own upstream: the default one (--upstream) and the
stub domains' one. Both serve corp.test, with different addresses, so every answer tells which
server it came from. Checked, with dig and kdig over UDP and TCP:

- a name at or under a stub zone is answered by the stub domain's upstream, any other name by the
  default upstream;
- the most specific zone wins: deep.corp.test goes to the default server again although
  corp.test is a stub domain of the other;
- a stub domain's first upstream that does not answer is passed over for its next one;
- a reverse zone as a stub domain (kube-dns's stubDomains for a LAN's PTRs);
- a name under a --forward-except zone gets REFUSED (the default upstream, which has it, is never
  asked), unless a stub domain inside that zone takes it;
- coredns_forward_requests_total counts each upstream under its own `to` label;
- --no-upstream with a stub domain: the stub domain's names are still forwarded, others REFUSED;
- a client outside --allow-forward gets REFUSED for a stub domain's names too;
- the settings from a --config file; changing a stub domain there needs a restart (logged);
- bad --stub-domain and --forward-except values stop `serve` with exit code 2 and say why.
"""

import os
import tempfile
import unittest
import urllib.request

from test_forwarding import EXAMPLE_ZONE, Knot
from vmdns_harness import EXAMPLES, VmdnsServer, peer_port, require_tools, run_vmdns, wait_for

SOA = "@ SOA ns.{z}. hostmaster.{z}. 1 7200 1800 86400 60\n@ NS ns.{z}.\n"


def zone(name, body):
    return "$ORIGIN %s.\n$TTL 300\n" % name + SOA.format(z=name) + body


DEFAULT_ZONES = {
    "example.test": EXAMPLE_ZONE,
    "corp.test": zone("corp.test", "www A 192.0.2.20\n"),
    "deep.corp.test": zone("deep.corp.test", "www A 192.0.2.21\n"),
    "private.test": zone("private.test", "db A 192.0.2.22\n"),
}
STUB_ZONES = {
    "corp.test": zone("corp.test", "www A 203.0.113.20\nwww AAAA 2001:db8::20\n"),
    "lab.private.test": zone("lab.private.test", "host A 203.0.113.23\n"),
    "113.0.203.in-addr.arpa": zone("113.0.203.in-addr.arpa", "20 PTR www.corp.test.\n"),
}


def metric(port, name, labels):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + "{") and all('%s="%s"' % kv in line for kv in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return None


class StubDomainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("dig", "kdig", "knotd")
        cls.default = Knot(DEFAULT_ZONES)
        cls.stub = Knot(STUB_ZONES)
        # Nothing listens on the dead port: the kernel answers ICMP port unreachable.
        cls.dead_port = peer_port()
        cls.metrics_port = peer_port()
        stub = "127.0.0.1:%d" % cls.stub.port
        cls.vmdns = VmdnsServer([EXAMPLES], [
            "--upstream", "127.0.0.1:%d" % cls.default.port,
            "--stub-domain", "corp.test=127.0.0.1:%d,%s" % (cls.dead_port, stub),
            "--stub-domain", "deep.corp.test=127.0.0.1:%d" % cls.default.port,
            "--stub-domain", "113.0.203.in-addr.arpa=" + stub,
            "--forward-except", "private.test",
            "--stub-domain", "lab.private.test=" + stub,
            "--metrics-listen", "127.0.0.1:%d" % cls.metrics_port])

    @classmethod
    def tearDownClass(cls):
        cls.vmdns.stop()
        cls.default.cleanup()
        cls.stub.cleanup()

    def check(self, name, rtype, status, rdatas):
        for tool in ("dig", "kdig"):
            for tcp in (False, True):
                with self.subTest(name=name, tool=tool, tcp=tcp):
                    reply = self.vmdns.dig(name, rtype, tcp=tcp, tool=tool)
                    self.assertEqual(reply.status, status, reply.raw + self.vmdns.log())
                    self.assertEqual(reply.rdatas(rtype), rdatas, reply.raw)

    def test_stub_domain_names_go_to_its_upstream(self):
        self.check("www.corp.test", "A", "NOERROR", ["203.0.113.20"])
        self.check("WWW.Corp.TEST", "AAAA", "NOERROR", ["2001:db8::20"])
        self.check("corp.test", "SOA", "NOERROR",
                   ["ns.corp.test. hostmaster.corp.test. 1 7200 1800 86400 60"])
        self.check("nosuch.corp.test", "A", "NXDOMAIN", [])

    def test_other_names_go_to_the_default_upstream(self):
        self.check("www.example.test", "A", "NOERROR", ["192.0.2.10"])

    def test_most_specific_zone_wins(self):
        self.check("www.deep.corp.test", "A", "NOERROR", ["192.0.2.21"])

    def test_reverse_zone_as_a_stub_domain(self):
        self.check("20.113.0.203.in-addr.arpa", "PTR", "NOERROR", ["www.corp.test."])

    def test_except_zone_is_refused_and_its_stub_domain_forwarded(self):
        self.check("db.private.test", "A", "REFUSED", [])
        self.check("private.test", "SOA", "REFUSED", [])
        self.check("host.lab.private.test", "A", "NOERROR", ["203.0.113.23"])

    def test_cluster_names_stay_ours(self):
        reply = self.vmdns.dig("myvmi.mysubdomain.default.svc.cluster.local", "A")
        self.assertEqual(reply.rdatas("A"), ["10.244.0.57"], reply.raw)
        self.assertIn("aa", reply.flags)

    def test_counters_per_upstream(self):
        self.vmdns.dig("counted.corp.test", "A")
        self.vmdns.dig("counted.example.test", "A")
        for port in (self.default.port, self.stub.port, self.dead_port):
            labels = {"to": "127.0.0.1:%d" % port}
            self.assertTrue(wait_for(lambda: (metric(self.metrics_port,
                                                     "coredns_forward_requests_total",
                                                     labels) or 0) > 0), labels)
        # The dead upstream never answered; the two Knots did.
        self.assertIsNone(metric(self.metrics_port, "coredns_forward_responses_total",
                                 {"to": "127.0.0.1:%d" % self.dead_port}))
        for port in (self.default.port, self.stub.port):
            self.assertGreater(metric(self.metrics_port, "coredns_forward_responses_total",
                                      {"to": "127.0.0.1:%d" % port, "rcode": "NXDOMAIN"}) or 0, 0)
        # db.private.test was never asked of the default Knot: REFUSED is ours.
        self.assertNotIn("db.private.test", self.vmdns.log())


class StubDomainWithoutDefaultTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("dig", "knotd")
        cls.stub = Knot(STUB_ZONES)

    @classmethod
    def tearDownClass(cls):
        cls.stub.cleanup()

    def test_no_upstream_keeps_stub_domains(self):
        server = VmdnsServer([EXAMPLES], ["--no-upstream", "--stub-domain",
                                          "corp.test=127.0.0.1:%d" % self.stub.port])
        self.addCleanup(server.stop)
        for tcp in (False, True):
            reply = server.dig("www.corp.test", "A", tcp=tcp)
            self.assertEqual(reply.rdatas("A"), ["203.0.113.20"], reply.raw + server.log())
            self.assertEqual(server.dig("www.example.test", "A", tcp=tcp).status, "REFUSED")

    def test_client_outside_allow_forward_is_refused(self):
        server = VmdnsServer([EXAMPLES], ["--no-upstream", "--allow-forward", "192.0.2.0/24",
                                          "--stub-domain",
                                          "corp.test=127.0.0.1:%d" % self.stub.port])
        self.addCleanup(server.stop)
        reply = server.dig("www.corp.test", "A")
        self.assertEqual(reply.status, "REFUSED", reply.raw)


class ConfigFileTest(unittest.TestCase):
    def test_stub_domains_from_the_file_and_a_change_needs_a_restart(self):
        require_tools("dig", "knotd")
        stub = Knot(STUB_ZONES)
        self.addCleanup(stub.cleanup)
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        path = os.path.join(directory.name, "vmdns.yaml")
        with open(path, "w") as f:
            f.write("stub-domain: [corp.test=127.0.0.1:%d]\nforward-except: [private.test]\n"
                    "cache-max-ttl: 7\n" % stub.port)
        server = VmdnsServer([EXAMPLES], ["--config", path])
        self.addCleanup(server.stop)
        reply = server.dig("www.corp.test", "A")
        self.assertEqual(reply.rdatas("A"), ["203.0.113.20"], reply.raw + server.log())
        self.assertEqual([r[1] for r in reply.answer], [7])
        with open(path, "w") as f:
            f.write("stub-domain: [corp.test=127.0.0.2:%d]\n" % stub.port)
        self.assertTrue(wait_for(lambda: "changed: needs a restart" in server.log()),
                        server.log())
        self.assertIn("stub-domain", server.log())
        self.assertEqual(server.dig("www.corp.test", "A").rdatas("A"), ["203.0.113.20"])


class BadFlagsTest(unittest.TestCase):
    def test_bad_values_are_usage_errors(self):
        cases = [
            (["--stub-domain", "corp.test"], '"corp.test" is not ZONE=ADDR'),
            (["--stub-domain", "corp.test=bogus"], '"bogus" is not ADDR[:PORT]'),
            (["--stub-domain", ".=127.0.0.1"], "--upstream"),
            (["--stub-domain", "a.test=127.0.0.1", "--stub-domain", "A.test.=127.0.0.2"],
             "a.test. is given twice"),
            (["--forward-except", "bad..zone"], '--forward-except: "bad..zone"'),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                out = run_vmdns("serve", "-f", EXAMPLES, "--listen", "127.0.0.1:0",
                                "--no-upstream", *args)
                self.assertEqual(out.returncode, 2, out.stderr)
                self.assertIn(message, out.stderr)
                self.assertNotIn("listening on", out.stdout)


if __name__ == "__main__":
    unittest.main()
