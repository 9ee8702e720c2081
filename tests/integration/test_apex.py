"""The apex NS, end to end, over UDP and TCP, with and without EDNS.

- vmdns behind the kube-dns Service (its pod address advertised, as deploy/ does): the apex NS
  names kube-dns.kube-system.svc.cluster.local with the Service's cluster IP as additional data,
  and ns.dns.cluster.local answers that cluster IP (CoreDNS's kubernetes plugin, nsAddrs);
- vmdns on its own (the advertised address is nobody's endpoint): NS ns.dns.cluster.local with
  the advertised address.
"""

import os
import unittest

from vmdns_harness import EXAMPLES, FIXTURES, VmdnsServer, require_tools

KUBE_DNS = os.path.join(FIXTURES, "kube-dns.yaml")


class ApexNameserverTest(unittest.TestCase):
    def check_ns(self, server, target, address):
        for tcp in (False, True):
            for edns in (False, True):
                with self.subTest(tcp=tcp, edns=edns):
                    reply = server.dig("cluster.local", "NS", tcp=tcp, edns=edns)
                    self.assertEqual(reply.status, "NOERROR", reply.raw)
                    self.assertIn("aa", reply.flags, reply.raw)
                    self.assertEqual(reply.rdatas("NS"), [target], reply.raw)
                    self.assertEqual([(r[0], r[3], r[4]) for r in reply.additional],
                                     [(target, "A", address)], reply.raw)
                    glue = server.dig("ns.dns.cluster.local", "A", tcp=tcp, edns=edns)
                    self.assertEqual(glue.rdatas("A"), [address], glue.raw)

    def test_behind_kube_dns(self):
        require_tools("dig")
        server = VmdnsServer([EXAMPLES, KUBE_DNS], ["--advertise-address", "10.244.1.7"])
        try:
            self.check_ns(server, "kube-dns.kube-system.svc.cluster.local.", "10.96.0.10")
        finally:
            server.stop()

    def test_on_its_own(self):
        require_tools("dig")
        server = VmdnsServer([EXAMPLES, KUBE_DNS], ["--advertise-address", "198.18.0.53"])
        try:
            self.check_ns(server, "ns.dns.cluster.local.", "198.18.0.53")
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()
