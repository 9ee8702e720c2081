"""`vmdns serve --address-hold`: a running VMI's names keep the addresses its status stops listing.

The guest agent reports a VMI's addresses, and they vanish from its status while it restarts or
reports late (kubevirt issue 12698). The VMI's manifest file is rewritten as its status changes:

- a flap shorter than the hold: the status loses the address (the hold starts, logged, and
  `vmdns_addresses_held` says 1), the name keeps answering it, the address comes back (the hold
  ends, logged), the name still answers it;
- a removal longer than the hold (`--address-hold 1s`): the name answers until the hold expires
  (logged), then NXDOMAIN;
- a new address replaces the held one at once; a VMI that stops (phase Succeeded) loses its
  names at once;
- a secondary interface's address (`--vm-zone`) is held as the first one's;
- `--address-hold 0`: the name goes with the address, as without the flag in CoreDNS;
- `GET /explain/<name>` on the health port explains the name from the running server's state:
  a held record says "held for N s more: the guest agent stopped reporting it", in text and
  JSON; a malformed name is 400, an unknown from-vmi 404.
"""

import json
import os
import re
import shutil
import tempfile
import unittest

from dns_wire import NOERROR, NXDOMAIN, ask_a
from test_ops import http_get
from vmdns_harness import VmdnsServer, peer_port, require_tools, wait_for

NAME = "myvmi.sub.default.svc.cluster.local"
VM_ZONE_NAME = "net2.vm1.default.vm"

SERVICE = """apiVersion: v1
kind: Service
metadata: {name: sub, namespace: default}
spec:
  clusterIP: None
  selector: {app: myvmi}
"""


def vmi(addresses=(), secondary=(), phase="Running"):
    """The VMI vm1 as its status reads: the pod network's addresses, net2's, its phase. No
    address at all: the guest agent's interfaces are not listed."""
    text = ("apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\n"
            "metadata: {name: vm1, namespace: default, labels: {app: myvmi}}\n"
            "spec:\n  hostname: myvmi\n  subdomain: sub\n"
            "  networks:\n  - {name: default, pod: {}}\n"
            "  - {name: net2, multus: {networkName: net2}}\n"
            "status:\n  phase: %s\n  conditions:\n  - {type: Ready, status: \"True\"}\n" % phase)
    if addresses or secondary:
        text += "  interfaces:\n  - {name: default, ipAddresses: [%s]}\n" % ", ".join(addresses)
        if secondary:
            text += "  - {name: net2, ipAddresses: [%s]}\n" % ", ".join(secondary)
    return text


class AddressHoldTest(unittest.TestCase):
    def setUp(self):
        require_tools("dig")
        self.dir = tempfile.mkdtemp(prefix="vmdns-hold-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.write("service.yaml", SERVICE)

    def write(self, name, text):
        # By a rename, as editors and the kubelet do: the file is never read half written.
        path = os.path.join(self.dir, name)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.rename(path + ".tmp", path)

    def serve(self, hold, *extra):
        self.metrics_port = peer_port()
        server = VmdnsServer([self.dir], ["--address-hold", hold, "--metrics-listen",
                                          "127.0.0.1:%d" % self.metrics_port, *extra])
        self.addCleanup(server.stop)
        return server

    def held_metric(self):
        status, body = http_get(self.metrics_port, "/metrics")
        self.assertEqual(status, 200, body)
        for line in body.splitlines():
            if line.startswith("vmdns_addresses_held "):
                return int(float(line.split()[1]))
        self.fail("no vmdns_addresses_held in /metrics:\n" + body)

    def wait_for_log(self, server, text, count=1):
        if not wait_for(lambda: server.log().count(text) >= count):
            self.fail("%r not logged %d time(s):\n%s" % (text, count, server.log()))

    def expect(self, server, name, rcode, addresses):
        if not wait_for(lambda: ask_a(server.port, name) == (rcode, addresses)):
            self.fail("%s: expected %r, got %r\n%s" % (name, (rcode, addresses),
                                                      ask_a(server.port, name), server.log()))
        reply = server.dig(name)  # dig agrees
        self.assertEqual(reply.status, {NOERROR: "NOERROR", NXDOMAIN: "NXDOMAIN"}[rcode])
        self.assertEqual(reply.rdatas("A"), addresses)

    def test_flap_shorter_than_the_hold_keeps_the_name(self):
        self.write("vmi.yaml", vmi(["10.244.0.57"]))
        server = self.serve("10m")
        self.expect(server, NAME, NOERROR, ["10.244.0.57"])
        self.assertEqual(self.held_metric(), 0)

        self.write("vmi.yaml", vmi())  # the guest agent restarts
        self.wait_for_log(server, "VirtualMachineInstance default/vm1: address 10.244.0.57 "
                                  "(interface default) held for 600 s: the guest agent stopped "
                                  "reporting it")
        self.assertEqual(ask_a(server.port, NAME), (NOERROR, ["10.244.0.57"]))
        self.assertEqual(server.dig(NAME).rdatas("A"), ["10.244.0.57"])
        self.assertTrue(wait_for(lambda: self.held_metric() == 1))

        self.write("vmi.yaml", vmi(["10.244.0.57"]))  # and reports again
        self.wait_for_log(server, "address 10.244.0.57 (interface default) no longer held: the "
                                  "status lists it again")
        self.expect(server, NAME, NOERROR, ["10.244.0.57"])
        self.assertTrue(wait_for(lambda: self.held_metric() == 0))

    def test_removal_longer_than_the_hold_removes_the_name(self):
        self.write("vmi.yaml", vmi(["10.244.0.57"]))
        server = self.serve("1s")
        self.expect(server, NAME, NOERROR, ["10.244.0.57"])
        self.write("vmi.yaml", vmi())
        self.wait_for_log(server, "address 10.244.0.57 (interface default) held for 1 s")
        self.wait_for_log(server, "address 10.244.0.57 (interface default) no longer held: the "
                                  "hold expired")
        self.expect(server, NAME, NXDOMAIN, [])
        self.assertTrue(wait_for(lambda: self.held_metric() == 0))

    def test_a_new_address_or_a_stop_change_the_name_at_once(self):
        self.write("vmi.yaml", vmi(["10.244.0.57"]))
        server = self.serve("10m")
        self.expect(server, NAME, NOERROR, ["10.244.0.57"])
        self.write("vmi.yaml", vmi())
        self.wait_for_log(server, "held for 600 s")
        self.write("vmi.yaml", vmi(["10.244.0.99"]))
        self.wait_for_log(server, "no longer held: replaced by 10.244.0.99")
        self.expect(server, NAME, NOERROR, ["10.244.0.99"])

        self.write("vmi.yaml", vmi())
        self.wait_for_log(server, "address 10.244.0.99 (interface default) held for 600 s")
        self.write("vmi.yaml", vmi(phase="Succeeded"))
        self.wait_for_log(server, "no longer held: the VirtualMachineInstance stopped (phase "
                                  "Succeeded)")
        self.expect(server, NAME, NXDOMAIN, [])

    def test_a_vm_zone_interface_is_held_too(self):
        self.write("vmi.yaml", vmi(["10.244.0.57"], ["192.168.7.5"]))
        server = self.serve("10m", "--vm-zone", "vm")
        self.expect(server, VM_ZONE_NAME, NOERROR, ["192.168.7.5"])
        self.write("vmi.yaml", vmi(["10.244.0.57"]))  # net2's address not reported
        self.wait_for_log(server, "address 192.168.7.5 (interface net2) held for 600 s")
        self.expect(server, VM_ZONE_NAME, NOERROR, ["192.168.7.5"])
        self.expect(server, NAME, NOERROR, ["10.244.0.57"])

    def test_hold_zero_lets_the_name_go_with_the_address(self):
        self.write("vmi.yaml", vmi(["10.244.0.57"]))
        server = self.serve("0")
        self.expect(server, NAME, NOERROR, ["10.244.0.57"])
        self.write("vmi.yaml", vmi())
        self.expect(server, NAME, NXDOMAIN, [])
        self.assertNotIn("held for", server.log())


    def test_explain_on_the_running_server_shows_the_hold(self):
        self.write("vmi.yaml", vmi(["10.244.0.57"]))
        health_port = peer_port()
        server = self.serve("10m", "--health-listen", "127.0.0.1:%d" % health_port)
        self.expect(server, NAME, NOERROR, ["10.244.0.57"])
        status, body = http_get(health_port, "/explain/" + NAME)
        self.assertEqual(status, 200, body)
        self.assertEqual(body, NAME + ": resolves to A 10.244.0.57\n")

        self.write("vmi.yaml", vmi())
        self.wait_for_log(server, "held for 600 s")
        status, body = http_get(health_port, "/explain/" + NAME)
        self.assertEqual(status, 200, body)
        self.assertRegex(body, r"^%s: resolves to A 10\.244\.0\.57\n"
                               r"  A 10\.244\.0\.57: held for (599|600) s more: the guest agent "
                               r"stopped reporting it \(VirtualMachineInstance default/vm1, "
                               r"interface default\)\n$" % re.escape(NAME))
        status, body = http_get(health_port, "/explain/myvmi.sub?namespace=default&output=json")
        self.assertEqual(status, 200, body)
        explained = json.loads(body)
        self.assertEqual(explained["answer"]["name"], NAME + ".")
        self.assertEqual(explained["held"][0]["record"], "A 10.244.0.57")
        self.assertEqual(explained["held"][0]["object"], "VirtualMachineInstance default/vm1")
        self.assertIn(explained["held"][0]["seconds_left"], (599, 600))

        status, body = http_get(health_port, "/explain/nothere.sub.default.svc.cluster.local")
        self.assertEqual(status, 200, body)
        self.assertIn("does not resolve", body)
        self.assertEqual(http_get(health_port, "/explain/bad%20name")[0], 400)
        self.assertEqual(http_get(health_port, "/explain/x?from-vmi=ghost")[0], 404)
        self.assertEqual(http_get(health_port, "/health"), (200, "OK"))

if __name__ == "__main__":
    unittest.main()
