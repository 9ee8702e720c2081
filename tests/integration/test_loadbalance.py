"""--loadbalance: the A and AAAA records of our answers rotated, one record further on per reply
(CoreDNS's loadbalance, round_robin).

A headless Service selects three VMIs. Checked, with dig and kdig over UDP and TCP:
- without --loadbalance every reply lists the addresses in the same order;
- with it, consecutive replies from one worker start with each address in turn, each reply
  holding the whole set; the cluster's other answers (SRV, a single address) are unchanged.
"""

import unittest

from vmdns_harness import VmdnsServer, require_tools

MANIFESTS = """apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {clusterIP: None, selector: {app: web}, ports: [{name: http, port: 80}]}
""" + "".join("""---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: vm-%d, namespace: default, labels: {app: web}}
spec: {}
status: {phase: Running, interfaces: [{name: default, ipAddress: 10.1.0.%d}]}
""" % (i, i) for i in (1, 2, 3))

WEB = "web.default.svc.cluster.local"
ALL = ["10.1.0.1", "10.1.0.2", "10.1.0.3"]


class LoadBalanceTest(unittest.TestCase):
    def serve(self, *args):
        # One worker thread: the rotation is per worker, so one sees every step.
        server = VmdnsServer(["-"], ["--threads", "1", *args], stdin_text=MANIFESTS)
        self.addCleanup(server.stop)
        return server

    def firsts(self, server, tool, tcp, count=6):
        out = []
        for _ in range(count):
            reply = server.dig(WEB, "A", tcp=tcp, tool=tool)
            addresses = [r[4] for r in reply.answer if r[3] == "A"]
            self.assertEqual(sorted(addresses), ALL, reply.raw)
            out.append(addresses[0])
        return out

    def test_off_keeps_the_order(self):
        require_tools("dig", "kdig")
        server = self.serve()
        for tool in ("dig", "kdig"):
            for tcp in (False, True):
                with self.subTest(tool=tool, tcp=tcp):
                    self.assertEqual(set(self.firsts(server, tool, tcp)), {"10.1.0.1"})

    def test_on_rotates(self):
        require_tools("dig", "kdig")
        server = self.serve("--loadbalance")
        for tool in ("dig", "kdig"):
            for tcp in (False, True):
                with self.subTest(tool=tool, tcp=tcp):
                    self.assertEqual(set(self.firsts(server, tool, tcp)), set(ALL))
        reply = server.dig("10-1-0-1.web.default.svc.cluster.local", "A")
        self.assertEqual(reply.rdatas("A"), ["10.1.0.1"], reply.raw)
        self.assertEqual(len(server.dig("_http._tcp." + WEB, "SRV").rdatas("SRV")), 3)


if __name__ == "__main__":
    unittest.main()
