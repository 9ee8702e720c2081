"""Hosts entries: --host "IP NAME...", --hosts-file PATH, --hosts-ttl, --hosts-reload (CoreDNS's
hosts plugin, with fallthrough).

Knot DNS on loopback is the upstream and also has node-a.example.test, with another address, so
an answer shows whether the hosts entry or the upstream gave it. Checked, with dig and kdig over
UDP and TCP:

- A and AAAA of a hosts name (any case) come from the hosts entries, AA, TTL --hosts-ttl, before
  the upstream is asked; the other family and other types of a hosts name are NODATA (AA, no
  SOA); PTR of a hosts address gives its names;
- a name not in the hosts entries still goes to our zones (cluster names answer as before) and to
  the upstream;
- the file and the --host entries both count;
- a bad line is logged with the file and line and skipped, the others count;
- the file is read again when it changes (written in place or replaced by a rename), and a file
  missing at start is picked up when it appears; with --hosts-reload 0 only SIGHUP reads it;
- a bad --host stops `serve` with exit code 2.
"""

import os
import signal
import tempfile
import unittest

from test_forwarding import Knot
from vmdns_harness import EXAMPLES, VmdnsServer, require_tools, run_vmdns, wait_for

SOA = "@ SOA ns.{z}. hostmaster.{z}. 1 7200 1800 86400 60\n@ NS ns.{z}.\n"
UPSTREAM_ZONES = {
    "example.test": "$ORIGIN example.test.\n$TTL 300\n" + SOA.format(z="example.test") +
                    "node-a A 192.0.2.99\nwww A 192.0.2.10\n",
}
HOSTS = """# a node's hosts file
10.0.0.5   node-a.example.test node-a
fd00::5    node-a.example.test
10.0.0.300 broken
10.0.0.6   node-b    # the second node
"""


class HostsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("dig", "kdig", "knotd")
        cls.knot = Knot(UPSTREAM_ZONES)
        cls.dir = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.dir.name, "NodeHosts")
        with open(cls.path, "w") as f:
            f.write(HOSTS)
        cls.vmdns = VmdnsServer([EXAMPLES], [
            "--upstream", "127.0.0.1:%d" % cls.knot.port, "--hosts-file", cls.path,
            "--host", "192.0.2.77 inline.test", "--hosts-ttl", "60"])

    @classmethod
    def tearDownClass(cls):
        cls.vmdns.stop()
        cls.knot.cleanup()
        cls.dir.cleanup()

    def check(self, name, rtype, rdatas):
        for tool in ("dig", "kdig"):
            for tcp in (False, True):
                with self.subTest(name=name, rtype=rtype, tool=tool, tcp=tcp):
                    reply = self.vmdns.dig(name, rtype, tcp=tcp, tool=tool)
                    self.assertEqual(reply.status, "NOERROR", reply.raw + self.vmdns.log())
                    self.assertEqual(reply.rdatas(rtype), rdatas, reply.raw)
                    self.assertIn("aa", reply.flags, reply.raw)
                    self.assertEqual(reply.authority, [], reply.raw)  # no SOA, as CoreDNS
                    self.assertTrue(all(r[1] == 60 for r in reply.answer), reply.raw)

    def test_names_answer_before_the_upstream(self):
        self.check("node-a.example.test", "A", ["10.0.0.5"])
        self.check("NODE-A.Example.Test", "AAAA", ["fd00::5"])
        self.check("node-a", "A", ["10.0.0.5"])
        self.check("node-b", "A", ["10.0.0.6"])
        self.check("inline.test", "A", ["192.0.2.77"])

    def test_other_types_are_nodata(self):
        self.check("node-a", "AAAA", [])
        self.check("node-b", "MX", [])

    def test_ptr_of_a_hosts_address(self):
        self.check("5.0.0.10.in-addr.arpa", "PTR", ["node-a.", "node-a.example.test."])
        self.check("5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa",
                   "PTR", ["node-a.example.test."])

    def test_other_names_fall_through(self):
        reply = self.vmdns.dig("www.example.test", "A")
        self.assertEqual(reply.rdatas("A"), ["192.0.2.10"], reply.raw)
        self.assertEqual(reply.answer[0][1], 300, reply.raw)  # Knot's, not --hosts-ttl
        reply = self.vmdns.dig("myvmi.mysubdomain.default.svc.cluster.local", "A")
        self.assertEqual(reply.rdatas("A"), ["10.244.0.57"], reply.raw)

    def test_bad_line_is_logged_with_file_and_line(self):
        self.assertIn('%s:4: "10.0.0.300" is not an IPv4 or IPv6 address' % self.path,
                      self.vmdns.log())
        self.assertEqual(self.vmdns.dig("broken", "A").status, "REFUSED")


class HostsReloadTest(unittest.TestCase):
    def setUp(self):
        require_tools("dig")
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.path = os.path.join(self.dir.name, "hosts")

    def write(self, text, rename=False):
        target = self.path + ".tmp" if rename else self.path
        with open(target, "w") as f:
            f.write(text)
        if rename:
            os.replace(target, self.path)

    def address(self, server, name):
        return server.dig(name, "A").rdatas("A")

    def test_changes_apply_and_a_missing_file_is_picked_up(self):
        server = VmdnsServer([EXAMPLES], ["--hosts-file", self.path])
        self.addCleanup(server.stop)
        self.assertIn("cannot read it", server.log())
        self.assertEqual(server.dig("node-a", "A").status, "REFUSED")
        self.write("10.0.0.5 node-a\n")
        self.assertTrue(wait_for(lambda: self.address(server, "node-a") == ["10.0.0.5"]),
                        server.log())
        self.write("10.0.0.7 node-a\n")  # in place
        self.assertTrue(wait_for(lambda: self.address(server, "node-a") == ["10.0.0.7"]),
                        server.log())
        self.write("10.0.0.8 node-a\n", rename=True)  # as editors and ConfigMaps replace it
        self.assertTrue(wait_for(lambda: self.address(server, "node-a") == ["10.0.0.8"]),
                        server.log())

    def test_reload_off_reads_on_sighup_only(self):
        self.write("10.0.0.5 node-a\n")
        server = VmdnsServer([EXAMPLES], ["--hosts-file", self.path, "--hosts-reload", "0"])
        self.addCleanup(server.stop)
        self.assertEqual(self.address(server, "node-a"), ["10.0.0.5"])
        self.write("10.0.0.9 node-a\n", rename=True)
        self.assertEqual(self.address(server, "node-a"), ["10.0.0.5"])
        server.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: self.address(server, "node-a") == ["10.0.0.9"]),
                        server.log())

    def test_bad_host_flag_is_a_usage_error(self):
        for value, message in (("10.0.0.5", "no name after the address"),
                               ("bogus node", '"bogus" is not an IPv4 or IPv6 address'),
                               ("10.0.0.5 a..b", '"a..b" is not a host name')):
            with self.subTest(value=value):
                out = run_vmdns("serve", "-f", EXAMPLES, "--listen", "127.0.0.1:0",
                                "--no-upstream", "--host", value)
                self.assertEqual(out.returncode, 2, out.stderr)
                self.assertIn("--host \"%s\": %s" % (value, message), out.stderr)
        out = run_vmdns("serve", "-f", EXAMPLES, "--listen", "127.0.0.1:0", "--no-upstream",
                        "--hosts-reload", "soon")
        self.assertNotEqual(out.returncode, 0, out.stderr)
        self.assertIn("--hosts-reload", out.stderr)


if __name__ == "__main__":
    unittest.main()
