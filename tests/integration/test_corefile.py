"""vmdns serve --corefile FILE: a CoreDNS Corefile read as serve's settings.

Knot DNS on a loopback port is the upstream of every test; the objects come from `-f` manifests
(the source given on the command line replaces the Corefile's kubernetes API), and the listen
address is given on the command line, which wins over the Corefile's `.:53`. Checked with dig:
- a Corefile with kubernetes (zones, pods, ttl), forward (to the test's upstream, named through
  an environment variable), log, errors, loop and an import of a glob with one file that adds a
  plugin: the KubeVirt page's name answers with the Corefile's TTL and AA, a name outside the
  cluster is forwarded, each query is logged;
- a stub domain's server block, imported from custom/*.server as k3s's Corefile imports them,
  sends its names to its own upstream (a second Knot), the rest to the default one; `cache 30`
  caps both answers' TTLs;
- hosts with a file and an inline entry answers both names with its TTL, and falls through to
  the cluster and the upstream;
- a plugin or an option vmdns does not have stops serve at start, exit 2, with the file, line
  and plugin; --corefile with --config is refused;
- with the reload plugin, an edit of the Corefile applies without a signal; an edit that vmdns
  refuses keeps the settings in force and names file and line; without it, SIGHUP reloads;
- transfer { to 127.0.0.1:PORT }: kdig's AXFR from 127.0.0.1 gets the zone, from 127.0.0.2
  REFUSED, and a NOTIFY for each zone reaches PORT.

The Corefiles that distributions ship (fixtures/corefile/, each naming its source), served as
they are, answer as CoreDNS does with them (DistributionCorefileTest):
- the KubeVirt page's name, with the Corefile's TTL and AA;
- a ClusterIP Service's A and SRV (its port), a headless Service's SRV with the EndpointSlice's
  port (the targetPort);
- `dig -x` of a Service address, of a VMI address (ours, AA) and of an address outside the
  cluster (forwarded: `fallthrough in-addr.arpa ip6.arpa`);
- `<dashed-ip>.<ns>.pod.<zone>` for any address (`pods insecure`);
- a name outside the cluster, forwarded, its TTL capped by `cache 30`;
- k3s's NodeHosts entries (its hosts plugin; the file's path given on the command line);
- a stub domain's names go to its own upstream, the rest to the default one; hosts entries.
"""

import os
import shutil
import signal
import tempfile
import unittest

from knot_peer import KnotPeer
from test_forwarding import Knot
from test_notify import IgnoresFirstNotify
from test_transfer import kdig
from vmdns_harness import (EXAMPLES, FIXTURES, VmdnsServer, require_tools, run_vmdns,
                           wait_for)

COREFILES = os.path.join(FIXTURES, "corefile")
CLUSTER = os.path.join(COREFILES, "cluster.yaml")

MYVMI = "myvmi.mysubdomain.default.svc.cluster.local"

CONSUL_ZONE = """$ORIGIN consul.local.
$TTL 60
@ SOA ns.consul.local. hostmaster.consul.local. 1 7200 1800 86400 60
@ NS ns
ns A 127.0.0.1
web.service A 192.0.2.80
"""


def consul_server():
    """knotd serving consul.local on a loopback port: a stub domain's own upstream."""
    return KnotPeer({"consul.local": CONSUL_ZONE})

# A VMI the examples' headless Service (mysubdomain, expose: me) selects.
LATER = "later.mysubdomain.default.svc.cluster.local"
LATER_VMI = """apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: later, namespace: default, labels: {expose: me}}
spec: {hostname: later, subdomain: mysubdomain}
status:
  phase: Running
  interfaces:
  - {name: default, ipAddress: 10.244.0.90}
"""

HANDWRITTEN = """# A Corefile of plugins vmdns maps one to one.
.:53 {
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        ttl %(ttl)d
    }
    forward . {$TEST_UPSTREAM}
    loop
    %(reload)s
    import custom/*.override
}
import custom/*.server
"""


class CorefileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("dig", "knotd")
        cls.knot = Knot()
        cls.consul = consul_server()

    @classmethod
    def tearDownClass(cls):
        cls.knot.cleanup()
        cls.consul.cleanup()

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="vmdns-corefile-")
        self.path = os.path.join(self.dir, "Corefile")
        os.mkdir(os.path.join(self.dir, "custom"))
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, text, name="Corefile"):
        tmp = os.path.join(self.dir, name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, os.path.join(self.dir, name))

    def serve(self, *extra, paths=(EXAMPLES,)):
        server = VmdnsServer(list(paths), ["--corefile", self.path, *extra],
                             env={"TEST_UPSTREAM": "127.0.0.1:%d" % self.knot.port,
                                  "CONSUL_UPSTREAM": "127.0.0.1:%d" % self.consul.port},
                             upstream_from_corefile=True)
        self.servers.append(server)
        return server

    def ttl(self, server):
        reply = server.dig(MYVMI)
        return reply.answer[0][1] if reply.status == "NOERROR" and reply.answer else None

    def wait_log(self, server, text, timeout=5.0):
        self.assertTrue(wait_for(lambda: text in server.log(), timeout),
                        "%r not in the log:\n%s" % (text, server.log()))

    def test_plugins_map_to_flags(self):
        self.write(HANDWRITTEN % {"ttl": 30, "reload": ""})
        self.write("log\n", "custom/queries.override")
        server = self.serve()
        reply = server.dig(MYVMI)
        self.assertEqual(reply.status, "NOERROR", reply.raw)
        self.assertIn("aa", reply.flags)
        self.assertEqual(reply.answer, [(MYVMI + ".", 30, "IN", "A", "10.244.0.57")])
        forwarded = server.dig("www.example.test")
        self.assertEqual(forwarded.rdatas("A"), ["192.0.2.10"], forwarded.raw)
        self.wait_log(server, '"A IN www.example.test. udp')

    def test_stub_domain_block_and_cache(self):
        self.write(HANDWRITTEN.replace("    loop\n", "    loop\n    cache 30\n")
                   % {"ttl": 30, "reload": ""})
        self.write("consul.local:53 {\n    errors\n    cache 30\n"
                   "    forward . {$CONSUL_UPSTREAM}\n}\n", "custom/consul.server")
        server = self.serve()
        stub = server.dig("web.service.consul.local")
        self.assertEqual(stub.rdatas("A"), ["192.0.2.80"], stub.raw)
        self.assertEqual(stub.answer[0][1], 30, stub.raw)  # cache 30 caps the zone's 60
        forwarded = server.dig("www.example.test")
        self.assertEqual(forwarded.rdatas("A"), ["192.0.2.10"], forwarded.raw)
        self.assertEqual(forwarded.answer[0][1], 30, forwarded.raw)  # and Knot's 300
        self.assertEqual(server.dig("www.example.test.consul.local").status, "NXDOMAIN")

    def test_hosts_entries(self):
        hosts = os.path.join(self.dir, "NodeHosts")
        with open(hosts, "w") as f:
            f.write("198.18.40.11 server-0\n")
        self.write(HANDWRITTEN.replace("    loop\n", "    loop\n    hosts %s {\n"
                                       "        198.18.40.20 registry.corp.internal\n"
                                       "        ttl 60\n        fallthrough\n    }\n" % hosts)
                   % {"ttl": 30, "reload": ""})
        server = self.serve()
        for name, address in (("server-0", "198.18.40.11"),
                              ("registry.corp.internal", "198.18.40.20")):
            reply = server.dig(name)
            self.assertEqual(reply.answer, [(name + ".", 60, "IN", "A", address)], reply.raw)
        self.assertEqual(server.dig("www.example.test").rdatas("A"), ["192.0.2.10"])
        self.assertEqual(server.dig(MYVMI).rdatas("A"), ["10.244.0.57"])

    def test_unsupported_plugin_or_option_stops_serve(self):
        cases = [
            (HANDWRITTEN % {"ttl": 30, "reload": "rewrite name a b"},
             ':10: plugin "rewrite" is not supported by vmdns'),
            (HANDWRITTEN.replace("pods insecure", "noendpoints") % {"ttl": 30, "reload": ""},
             ':5: kubernetes: "noendpoints" is not supported by vmdns'),
            (HANDWRITTEN % {"ttl": 5000, "reload": ""}, ":6: kubernetes ttl: --ttl: "),
            (".:53 {\n    kubernetes cluster.local\n", ":1: the block of .:53 is not closed"),
        ]
        for text, error in cases:
            self.write(text)
            result = run_vmdns("serve", "--corefile", self.path, "-f", EXAMPLES, "--listen",
                               "127.0.0.1:0", "--no-upstream")
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertIn("vmdns serve: --corefile: " + self.path + error, result.stderr)
        config = os.path.join(self.dir, "vmdns.yaml")
        with open(config, "w") as f:
            f.write("ttl: 30\n")
        result = run_vmdns("serve", "--corefile", self.path, "--config", config, "-f", EXAMPLES)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--corefile and --config cannot be used together", result.stderr)

    def test_reload_plugin_follows_edits_and_keeps_settings_on_errors(self):
        self.write(HANDWRITTEN % {"ttl": 30, "reload": "reload"})
        server = self.serve()
        self.assertEqual(self.ttl(server), 30)
        self.write(HANDWRITTEN % {"ttl": 40, "reload": "reload"})
        self.assertTrue(wait_for(lambda: self.ttl(server) == 40), server.log())
        self.write(HANDWRITTEN % {"ttl": 50, "reload": "reload\n    rewrite name a b"})
        self.wait_log(server, '%s:11: plugin "rewrite" is not supported by vmdns; the settings '
                              'in force are kept' % self.path)
        self.assertEqual(self.ttl(server), 40)
        self.write(HANDWRITTEN % {"ttl": 50, "reload": "reload"})
        self.assertTrue(wait_for(lambda: self.ttl(server) == 50), server.log())

    def test_sighup_reloads_without_the_reload_plugin(self):
        self.write(HANDWRITTEN % {"ttl": 30, "reload": ""})
        manifests = os.path.join(self.dir, "manifests")
        os.mkdir(manifests)
        server = self.serve(paths=(EXAMPLES, manifests))
        self.assertEqual(self.ttl(server), 30)
        self.write(HANDWRITTEN % {"ttl": 31, "reload": ""})
        # Not watched: nothing changes until the signal. A later change that is watched (a VMI
        # added), once served, shows the server has gone past the edit without taking it.
        self.write(LATER_VMI, "manifests/later.yaml")
        self.assertTrue(wait_for(lambda: server.dig(LATER).status == "NOERROR"), server.log())
        self.assertEqual(self.ttl(server), 30)
        server.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: self.ttl(server) == 31), server.log())

    def test_transfer_plugin_allows_and_notifies(self):
        require_tools("kdig")
        listener = IgnoresFirstNotify()
        self.addCleanup(listener.close)
        self.write(HANDWRITTEN.replace("    loop\n", "    loop\n    transfer {\n"
                                       "        to 127.0.0.1:%d\n    }\n" % listener.port)
                   % {"ttl": 30, "reload": ""})
        server = self.serve()
        axfr = kdig(server.port, "cluster.local.", "AXFR")
        self.assertIn(MYVMI + ".", axfr)
        refused = kdig(server.port, "cluster.local.", "AXFR", source="127.0.0.2")
        self.assertIn("REFUSED", refused)
        for zone in ("cluster.local.", "in-addr.arpa.", "ip6.arpa."):
            self.assertTrue(wait_for(lambda: listener.tries(zone), timeout=10), server.log())


def reverse_name(address):
    return ".".join(reversed(address.split("."))) + ".in-addr.arpa"


class DistributionCorefileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("dig", "knotd")
        cls.knot = Knot()
        cls.consul = consul_server()

    @classmethod
    def tearDownClass(cls):
        cls.knot.cleanup()
        cls.consul.cleanup()

    def setUp(self):
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.stop()

    def serve(self, fixture, *extra, env=None):
        args = ["--corefile", os.path.join(COREFILES, fixture), *extra]
        if env is None:
            args += ["--upstream", "127.0.0.1:%d" % self.knot.port]
        server = VmdnsServer([EXAMPLES, CLUSTER], args, env=env,
                             upstream_from_corefile=env is not None)
        self.servers.append(server)
        return server

    def assert_answer(self, server, name, rtype, rdatas, ttl=None, aa=True):
        reply = server.dig(name, rtype)
        self.assertEqual(reply.status, "NOERROR", reply.raw)
        self.assertEqual(reply.rdatas(rtype), sorted(rdatas), reply.raw)
        if aa:
            self.assertIn("aa", reply.flags, reply.raw)
        if ttl is not None:
            self.assertEqual({r[1] for r in reply.answer}, {ttl}, reply.raw)
        return reply

    def check_cluster(self, server, ttl):
        svc = "default.svc.cluster.local"
        self.assert_answer(server, MYVMI, "A", ["10.244.0.57"], ttl)
        self.assert_answer(server, "web." + svc, "A", ["10.96.0.20"], ttl)
        self.assert_answer(server, "_http._tcp.web." + svc, "SRV", ["0 100 80 web.%s." % svc])
        self.assert_answer(server, "_redis._tcp.db." + svc, "SRV",
                           ["0 100 6380 10-244-1-6.db.%s." % svc])
        self.assert_answer(server, reverse_name("10.96.0.20"), "PTR", ["web.%s." % svc])
        self.assert_answer(server, reverse_name("10.244.0.57"), "PTR", [MYVMI + "."])
        outside = self.assert_answer(server, reverse_name("192.0.2.10"), "PTR",
                                     ["www.example.test."], aa=False)
        self.assertLessEqual(outside.answer[0][1], 30)
        self.assert_answer(server, "10-244-0-57.default.pod.cluster.local", "A", ["10.244.0.57"])
        self.assert_answer(server, "10-1-2-3.default.pod.cluster.local", "A", ["10.1.2.3"])
        forwarded = self.assert_answer(server, "www.example.test", "A", ["192.0.2.10"], aa=False)
        self.assertLessEqual(forwarded.answer[0][1], 30)  # cache 30 caps Knot's 300

    def test_kubeadm(self):
        self.check_cluster(self.serve("kubeadm.Corefile"), ttl=30)

    def test_rke2(self):
        self.check_cluster(self.serve("rke2.Corefile"), ttl=30)

    def test_k3s(self):
        server = self.serve("k3s.Corefile", "--hosts-file",
                            os.path.join(COREFILES, "k3s-NodeHosts"))
        self.check_cluster(server, ttl=5)
        self.assert_answer(server, "server-0", "A", ["198.18.40.11"], ttl=60)

    def test_stub_domains_and_hosts(self):
        server = self.serve("stub-domains.Corefile", env={
            "UPSTREAM": "127.0.0.1:%d" % self.knot.port,
            "CONSUL_UPSTREAM": "127.0.0.1:%d" % self.consul.port})
        self.assert_answer(server, MYVMI, "A", ["10.244.0.57"], ttl=5)
        self.assert_answer(server, "web.service.consul.local", "A", ["192.0.2.80"], aa=False)
        self.assert_answer(server, "www.example.test", "A", ["192.0.2.10"], aa=False)
        self.assert_answer(server, "registry.corp.internal", "A", ["198.18.40.20"])
        self.assert_answer(server, "registry", "A", ["198.18.40.20"])
        self.assert_answer(server, reverse_name("198.18.40.21"), "PTR", ["git.corp.internal."])


if __name__ == "__main__":
    unittest.main()
