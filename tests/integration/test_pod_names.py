"""pod.<zone> in every --pods mode, and --pods insecure as CoreDNS answers it, end to end with dig
and kdig over UDP and TCP.

- pod.cluster.local exists (NOERROR, no answer, the zone's SOA, aa) with --pods disabled, insecure
  and verified, as CoreDNS answers it; with disabled, <ns>.pod.cluster.local and the names
  below it are NXDOMAIN;
- --pods insecure: any well-formed <dashed-ip>.<ns>.pod.cluster.local answers the address written
  in it, A for IPv4 and AAAA for IPv6, with the --ttl TTL and the question's case, under a
  namespace that exists, whether or not any workload has the address; NODATA (with the SOA) for
  the other address type and other types; NXDOMAIN for a malformed label, a namespace that does
  not exist or --namespaces leaves out, and a name below the dashed label;
- `vmdns records --pods insecure` lists no pod names: a comment line per namespace says they are
  made from the name.
"""

import unittest

from vmdns_harness import VmdnsServer, require_tools, run_vmdns

MANIFESTS = """\
apiVersion: v1
kind: Namespace
metadata: {name: podns}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: podns}
spec: {}
status: {phase: Running, podIPs: [{ip: 10.244.1.7}]}
"""

SOA = "ns.dns.cluster.local. hostmaster.cluster.local."


class PodNamesTest(unittest.TestCase):
    def serve(self, *args):
        server = VmdnsServer(["-"], list(args), stdin_text=MANIFESTS)
        self.addCleanup(server.stop)
        return server

    def each_reply(self, server, name, rtype, check):
        """`check(reply, tool)` on the same question asked with dig and kdig, over UDP and TCP."""
        for tool in ("dig", "kdig"):
            for tcp in (False, True):
                with self.subTest(name=name, rtype=rtype, tool=tool, tcp=tcp):
                    check(server.dig(name, rtype, tcp=tcp, tool=tool), tool)

    def check_nodata(self, server, name, rtype="A"):
        def check(reply, tool):
            self.assertEqual(reply.status, "NOERROR", reply.raw)
            self.assertIn("aa", reply.flags, reply.raw)
            self.assertEqual(reply.answer, [], reply.raw)
            self.assertEqual([(r[0], r[3]) for r in reply.authority],
                             [("cluster.local.", "SOA")], reply.raw)
            self.assertTrue(reply.authority[0][4].startswith(SOA), reply.raw)
        self.each_reply(server, name, rtype, check)

    def check_nxdomain(self, server, name, rtype="A"):
        def check(reply, tool):
            self.assertEqual(reply.status, "NXDOMAIN", reply.raw)
            self.assertIn("aa", reply.flags, reply.raw)
            self.assertEqual([(r[0], r[3]) for r in reply.authority],
                             [("cluster.local.", "SOA")], reply.raw)
        self.each_reply(server, name, rtype, check)

    def check_address(self, server, name, rtype, address, ttl):
        def check(reply, tool):
            self.assertEqual(reply.status, "NOERROR", reply.raw)
            self.assertIn("aa", reply.flags, reply.raw)
            self.assertEqual([(r[0], r[1], r[3], r[4]) for r in reply.answer],
                             [(name.lower(), ttl, rtype, address)], reply.raw)
            if tool == "dig":  # kdig prints names lower case
                self.assertIn(name, reply.raw)  # the question's case, as written
        self.each_reply(server, name, rtype, check)

    def test_pod_zone_exists_in_every_mode(self):
        require_tools("dig", "kdig")
        for mode in ("disabled", "insecure", "verified"):
            with self.subTest(mode=mode):
                server = self.serve("--pods", mode)
                self.check_nodata(server, "pod.cluster.local.")
                self.check_nodata(server, "pod.cluster.local.", "AAAA")
                if mode == "disabled":
                    self.check_nxdomain(server, "podns.pod.cluster.local.")
                    self.check_nxdomain(server, "10-244-1-7.podns.pod.cluster.local.")
                else:
                    self.check_nodata(server, "podns.pod.cluster.local.")
                    self.check_address(server, "10-244-1-7.podns.pod.cluster.local.", "A",
                                       "10.244.1.7", 5)

    def test_insecure_answers_the_address_in_the_name(self):
        require_tools("dig", "kdig")
        server = self.serve("--pods", "insecure", "--ttl", "17")
        # Addresses no workload has, in a namespace with workloads and in one without.
        self.check_address(server, "10-240-0-1.podns.pod.cluster.local.", "A", "10.240.0.1", 17)
        self.check_address(server, "172-0-0-2.other.pod.cluster.local.", "A", "172.0.0.2", 17)
        self.check_address(server, "Fd00--5.PodNS.pod.cluster.local.", "AAAA", "fd00::5", 17)
        self.check_address(server, "fd00--0.podns.pod.cluster.local.", "AAAA", "fd00::", 17)
        self.check_address(server, "0--1.podns.pod.cluster.local.", "AAAA", "::1", 17)
        self.check_nodata(server, "10-240-0-1.podns.pod.cluster.local.", "AAAA")
        self.check_nodata(server, "fd00--5.podns.pod.cluster.local.", "A")
        self.check_nodata(server, "10-240-0-1.podns.pod.cluster.local.", "TXT")
        self.check_nodata(server, "other.pod.cluster.local.")
        for name in ("blah.podns.pod.cluster.local.", "010-1-2-3.podns.pod.cluster.local.",
                     "256-1-2-3.podns.pod.cluster.local.", "fd00---5.podns.pod.cluster.local.",
                     "10-1-2-3.nons.pod.cluster.local.", "x.10-1-2-3.podns.pod.cluster.local.",
                     "nons.pod.cluster.local."):
            self.check_nxdomain(server, name)

    def test_insecure_only_under_allowed_namespaces(self):
        require_tools("dig", "kdig")
        server = self.serve("--pods", "insecure", "--namespaces", "podns")
        self.check_address(server, "10-1-2-3.podns.pod.cluster.local.", "A", "10.1.2.3", 5)
        self.check_nxdomain(server, "10-1-2-3.other.pod.cluster.local.")

    def test_records_says_what_insecure_makes(self):
        result = run_vmdns("records", "-f", "-", "--pods", "insecure", input_text=MANIFESTS)
        self.assertEqual(result.returncode, 0, result.stderr)
        comments = [line for line in result.stdout.splitlines() if "<dashed-ip>" in line]
        self.assertEqual(comments, [
            "; <dashed-ip>.other.pod.cluster.local.\t5\tIN\tA/AAAA\tthe address written in the "
            "name (--pods insecure, made at query time)",
            "; <dashed-ip>.podns.pod.cluster.local.\t5\tIN\tA/AAAA\tthe address written in the "
            "name (--pods insecure, made at query time)"], result.stdout)
        self.assertNotIn("10-244-1-7", result.stdout)


if __name__ == "__main__":
    unittest.main()
