"""The KubeVirt DNS page, end to end, against the real binary with dig and kdig.

Behaviour checked, over UDP and TCP, with and without EDNS:
- myvmi.mysubdomain.default.svc.cluster.local A -> 10.244.0.57, authoritative (the page);
- a VMI without spec.hostname is named after the VMI (vmi-no-hostname...);
- a dotted VMI name is cut at the first dot; a 70-character name is cut to 63 characters;
- a Service whose selector misses the VMI, a subdomain with no Service, a VMI in another
  namespace, a paused VMI and a VMI without an IP get no name: NXDOMAIN with the SOA;
- a malformed manifest next to a good one: the good objects are served, the bad one reported.
"""

import os
import unittest

from vmdns_harness import EXAMPLES, FIXTURES, VmdnsServer, require_tools

PAGE = "myvmi.mysubdomain.default.svc.cluster.local"
LONG = "vm-with-a-very-long-name-for-the-dns-tests-that-goes-past-63-chars-x-x"


class KubeVirtPageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("dig", "kdig")
        cls.server = VmdnsServer([EXAMPLES, os.path.join(FIXTURES, "scenarios.yaml"),
                                  os.path.join(FIXTURES, "bad")])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def assertAddress(self, name, address, rtype="A"):
        for tool in ("dig", "kdig"):
            for tcp in (False, True):
                for edns in (False, True):
                    with self.subTest(name=name, tool=tool, tcp=tcp, edns=edns):
                        reply = self.server.dig(name, rtype, tcp=tcp, edns=edns, tool=tool)
                        self.assertEqual(reply.status, "NOERROR", reply.raw)
                        self.assertIn("aa", reply.flags, reply.raw)
                        self.assertEqual(reply.rdatas(rtype), [address], reply.raw)
                        self.assertEqual(reply.answer[0][0], name.lower() + ".")

    def assertNxdomain(self, name):
        for tcp in (False, True):
            with self.subTest(name=name, tcp=tcp):
                reply = self.server.dig(name, "A", tcp=tcp)
                self.assertEqual(reply.status, "NXDOMAIN", reply.raw)
                self.assertIn("aa", reply.flags)
                self.assertEqual([r[3] for r in reply.authority], ["SOA"], reply.raw)

    def test_page_example(self):
        self.assertAddress(PAGE, "10.244.0.57")

    def test_headless_service_name_lists_every_ready_vmi(self):
        reply = self.server.dig("mysubdomain.default.svc.cluster.local")
        self.assertEqual(reply.rdatas("A"),
                         ["10.244.0.57", "10.244.0.58", "10.244.1.1", "10.244.1.2", "10.244.1.4",
                          "10.244.2.1"],
                         reply.raw)

    def test_name_fallback_without_hostname(self):
        self.assertAddress("vmi-no-hostname.mysubdomain.default.svc.cluster.local", "10.244.0.58")

    def test_dotted_vmi_name_is_cut_at_the_first_dot(self):
        self.assertAddress("web.mysubdomain.default.svc.cluster.local", "10.244.1.1")
        self.assertNxdomain("web.prod.mysubdomain.default.svc.cluster.local")

    def test_seventy_character_name_is_truncated_to_63(self):
        self.assertAddress(LONG[:63] + ".mysubdomain.default.svc.cluster.local", "10.244.1.2")

    def test_selector_that_does_not_match(self):
        self.assertNxdomain("nomatch.picky.default.svc.cluster.local")
        self.assertNxdomain("picky.default.svc.cluster.local")

    def test_subdomain_without_service(self):
        self.assertNxdomain("orphan.ghost.default.svc.cluster.local")

    def test_vmi_in_another_namespace(self):
        self.assertNxdomain("elsewhere.mysubdomain.default.svc.cluster.local")
        self.assertNxdomain("elsewhere.mysubdomain.other.svc.cluster.local")

    def test_paused_vmi(self):
        self.assertNxdomain("paused.mysubdomain.default.svc.cluster.local")

    def test_vmi_without_ip_yet(self):
        self.assertNxdomain("starting.mysubdomain.default.svc.cluster.local")

    def test_malformed_manifest_next_to_a_good_one(self):
        self.assertAddress("good.mysubdomain.default.svc.cluster.local", "10.244.2.1")
        log = self.server.log()
        self.assertIn('VirtualMachineInstance default/x: spec.hostname "my_vm"', log)
        self.assertIn("broken.yaml", log)

    def test_nodata_and_case(self):
        reply = self.server.dig(PAGE, "AAAA")
        self.assertEqual(reply.status, "NOERROR")
        self.assertEqual(reply.answer, [])
        self.assertEqual([r[3] for r in reply.authority], ["SOA"])
        reply = self.server.dig("MyVMI.MySubdomain.default.svc.cluster.local")
        self.assertEqual(reply.rdatas("A"), ["10.244.0.57"])

    def test_outside_our_zone_is_refused(self):
        reply = self.server.dig("example.com")
        self.assertEqual(reply.status, "REFUSED", reply.raw)
        self.assertNotIn("aa", reply.flags)


if __name__ == "__main__":
    unittest.main()
