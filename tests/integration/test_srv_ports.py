"""SRV ports: clients of a headless Service connect to the endpoint, at the endpoint's port.

Checked with dig and kdig, over UDP and TCP, against the built binary:
- a headless Service with `port: 6379, targetPort: 6380` (endpoints from its selector): its SRV
  records answer 6380, at the Service name and at `_redis._tcp`, weight 50 for two endpoints,
  with the targets' addresses as additional data;
- a ClusterIP Service with the same ports: 6379 at its own name (clients connect to the cluster
  IP), 6380 at its endpoints' names;
- a Service without a selector and without spec.ports, with a hand-written EndpointSlice: SRV
  records from the slice's ports, at the Service name, `_pg._tcp` and each endpoint's name.
"""

import os
import unittest

from vmdns_harness import FIXTURES, VmdnsServer, require_tools

ZONE = ".shop.svc.cluster.local."


class SrvPortsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("dig", "kdig")
        cls.server = VmdnsServer([os.path.join(FIXTURES, "srv-ports")])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def assertSrv(self, name, rdatas, additional=None):
        """The SRV answer of `name` (relative to shop.svc.cluster.local) is exactly `rdatas`
        (targets relative too), and the additional section holds `additional`'s A records."""
        want = sorted(r.rsplit(" ", 1)[0] + " " + r.rsplit(" ", 1)[1] + ZONE for r in rdatas)
        for tool in ("dig", "kdig"):
            for tcp in (False, True):
                with self.subTest(name=name, tool=tool, tcp=tcp):
                    reply = self.server.dig(name + ZONE, "SRV", tcp=tcp, tool=tool)
                    self.assertEqual(reply.status, "NOERROR", reply.raw)
                    self.assertIn("aa", reply.flags, reply.raw)
                    self.assertEqual(reply.rdatas("SRV"), want, reply.raw)
                    self.assertTrue(all(r[1] == 5 for r in reply.answer), reply.raw)
                    if additional is not None:
                        got = sorted((r[0], r[4]) for r in reply.additional if r[3] == "A")
                        self.assertEqual(got, sorted((n + ZONE, a) for n, a in additional),
                                         reply.raw)

    def test_headless_answers_the_target_port(self):
        records = ["0 50 6380 redis-0.redis", "0 50 6380 redis-1.redis"]
        addresses = [("redis-0.redis", "10.244.1.10"), ("redis-1.redis", "10.244.1.11")]
        self.assertSrv("_redis._tcp.redis", records, addresses)
        self.assertSrv("redis", records, addresses)
        self.assertSrv("redis-0.redis", ["0 100 6380 redis-0.redis"],
                       [("redis-0.redis", "10.244.1.10")])

    def test_cluster_ip_keeps_the_service_port(self):
        self.assertSrv("_redis._tcp.cache", ["0 100 6379 cache"], [("cache", "10.96.0.30")])
        self.assertSrv("cache", ["0 100 6379 cache"])
        # Its endpoints are named too (dashed: the Pods' subdomain is another Service's), and a
        # client of an endpoint name connects to the endpoint.
        self.assertSrv("10-244-1-10.cache", ["0 100 6380 10-244-1-10.cache"])

    def test_selectorless_service_with_hand_made_slices(self):
        records = ["0 50 5432 primary.ext-db", "0 50 5432 replica.ext-db"]
        addresses = [("primary.ext-db", "192.0.2.10"), ("replica.ext-db", "192.0.2.11")]
        self.assertSrv("_pg._tcp.ext-db", records, addresses)
        self.assertSrv("ext-db", records, addresses)
        self.assertSrv("replica.ext-db", ["0 100 5432 replica.ext-db"])
        reply = self.server.dig("_pg._udp.ext-db" + ZONE, "SRV")
        self.assertEqual(reply.status, "NXDOMAIN", reply.raw)


if __name__ == "__main__":
    unittest.main()
