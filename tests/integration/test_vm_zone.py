"""The --vm-zone: KubeSecondaryDNS-compatible names for VMIs on secondary networks.

- KubeSecondaryDNS's README example: nic1.vmi-sec.secondary-test.vm A 10.10.0.5, authoritative,
  TTL 3600 (its zone file's $TTL), over UDP and TCP, with and without EDNS, dig and kdig;
- <vmi>.<ns>.<zone> answers the addresses of the first secondary interface by name (A: the
  first with an IPv4 address, as KubeSecondaryDNS's default record; AAAA: the first with IPv6);
- KubeSecondaryDNS's zone file cache tests as rows, over UDP and TCP with dig and kdig: a single
  VMI, several VMIs, the interfaces in another order (the default stays, and the rewrite
  publishes nothing: the SOA serial stays), IPv4 and IPv6, an interface without a name, a VMI
  removed;
- dual-stack and several NICs: A and AAAA per interface, link-local and the pod network left
  out, an interface without a network name has no name;
- NXDOMAIN and NODATA carry the vm zone's SOA; the apex has SOA and NS ns.<zone>;
- PTR for each interface address under --reverse-zone, to <iface>.<vmi>.<ns>.<zone>;
- a migration that changes the address: after SIGHUP the new address and PTR, the old gone;
- `vmdns check` names an interface name that is not a DNS-1123 label; `vmdns records` prints the
  vm zone after the cluster zone, and kzonecheck and named-checkzone accept it and its reverse
  zones;
- --vm-zone-pod-network: a VM on the pod network alone gets <vmi>.<ns>.<zone> and
  <iface>.<vmi>.<ns>.<zone>, A and AAAA, with dig and kdig over UDP and TCP; <vmi>.<ns>.<zone>
  answers the pod network's addresses (no AAAA when the pod network has none, never a secondary
  network's), secondary interfaces keep their names and PTRs; the PTR of a pod network address
  names the headless Service's hostname first, then the interface, at the cluster zone's TTL;
- without the flag none of that: no pod network name, the cluster zone's PTR alone; the flag
  without --vm-zone is refused; in a --config file it is switched on and off by SIGHUP;
- `vmdns explain` lists these names for a running VMI and for a VM that has not started yet.
"""

import ipaddress
import os
import shutil
import signal
import subprocess
import tempfile
import unittest

from vmdns_harness import FIXTURES, VmdnsServer, require_tools, run_vmdns, wait_for

VM_ZONE = os.path.join(FIXTURES, "vm-zone")
README = os.path.join(VM_ZONE, "kubesecondarydns-readme.yaml")
DUAL_STACK = os.path.join(VM_ZONE, "dual-stack.yaml")
POD_NETWORK = os.path.join(VM_ZONE, "pod-network.yaml")
REVERSE_ZONES = ["--reverse-zone", "10.in-addr.arpa", "--reverse-zone", "fd00::/8"]


class VmZoneTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("dig", "kdig")
        cls.server = VmdnsServer([VM_ZONE], ["--vm-zone", "vm"] + REVERSE_ZONES)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_kubesecondarydns_readme_example(self):
        for tool in ("dig", "kdig"):
            for tcp in (False, True):
                for edns in (False, True):
                    with self.subTest(tool=tool, tcp=tcp, edns=edns):
                        reply = self.server.dig("nic1.vmi-sec.secondary-test.vm", "A", tcp=tcp,
                                                edns=edns, tool=tool)
                        self.assertEqual(reply.status, "NOERROR", reply.raw)
                        self.assertIn("aa", reply.flags)
                        self.assertEqual(reply.answer, [("nic1.vmi-sec.secondary-test.vm.", 3600,
                                                         "IN", "A", "10.10.0.5")])

    def test_vmi_name_answers_the_first_secondary_interface(self):
        self.assertEqual(self.server.dig("vmi-sec.secondary-test.vm").rdatas("A"), ["10.10.0.5"])
        reply = self.server.dig("router.edge.vm", "A")
        self.assertEqual(reply.rdatas("A"), ["10.10.0.7"])
        self.assertEqual(self.server.dig("router.edge.vm", "AAAA").rdatas("AAAA"), ["fd10::7"])

    def test_dual_stack_and_several_nics(self):
        self.assertEqual(self.server.dig("nic1.router.edge.vm").rdatas("A"), ["10.10.0.7"])
        # fe80:: is link-local: never published.
        self.assertEqual(self.server.dig("nic1.router.edge.vm", "AAAA").rdatas("AAAA"), ["fd10::7"])
        self.assertEqual(self.server.dig("nic2.router.edge.vm").rdatas("A"), ["10.20.0.7"])
        reply = self.server.dig("nic2.router.edge.vm", "AAAA")
        self.assertEqual((reply.status, reply.answer), ("NOERROR", []), reply.raw)
        # The pod network is the cluster zone's business.
        self.assertEqual(self.server.dig("default.router.edge.vm").status, "NXDOMAIN")

    def test_negative_answers_carry_the_vm_soa(self):
        for name, rtype, status in (("nic9.vmi-sec.secondary-test.vm", "A", "NXDOMAIN"),
                                    ("nic1.vmi-sec.secondary-test.vm", "TXT", "NOERROR"),
                                    ("secondary-test.vm", "A", "NOERROR")):
            with self.subTest(name=name, rtype=rtype):
                reply = self.server.dig(name, rtype)
                self.assertEqual(reply.status, status, reply.raw)
                self.assertEqual(reply.answer, [])
                self.assertIn("aa", reply.flags)
                self.assertEqual([r[0] for r in reply.authority], ["vm."])
                self.assertEqual(reply.authority[0][3], "SOA")
                self.assertTrue(reply.authority[0][4].startswith("ns.vm. hostmaster.vm."))

    def test_apex(self):
        self.assertEqual(self.server.dig("vm", "NS").rdatas("NS"), ["ns.vm."])
        self.assertEqual(self.server.dig("ns.vm", "A").rdatas("A"), ["127.0.0.1"])

    def test_ptr_per_interface_address(self):
        for address, target in (("10.10.0.5", "nic1.vmi-sec.secondary-test.vm."),
                                ("10.10.0.7", "nic1.router.edge.vm."),
                                ("fd10::7", "nic1.router.edge.vm."),
                                ("10.20.0.7", "nic2.router.edge.vm.")):
            with self.subTest(address=address):
                reply = self.server.dig(reverse(address), "PTR")
                self.assertEqual(reply.rdatas("PTR"), [target], reply.raw)
                self.assertIn("aa", reply.flags)


    def test_pod_network_has_no_name_without_the_flag(self):
        for name in ("db.shop.vm", "default.db.shop.vm", "default.router.edge.vm"):
            with self.subTest(name=name):
                self.assertEqual(self.server.dig(name).status, "NXDOMAIN")
        # KubeSecondaryDNS's default: the first secondary interface, not the pod network.
        self.assertEqual(self.server.dig("router.edge.vm").rdatas("A"), ["10.10.0.7"])
        for address in ("10.244.3.7", "fd00:10:244::37"):
            with self.subTest(address=address):
                reply = self.server.dig(reverse(address), "PTR")
                self.assertEqual(reply.answer, [(reverse(address) + ".", 5, "IN", "PTR",
                                                 "db.db.shop.svc.cluster.local.")], reply.raw)
        self.assertEqual(self.server.dig(reverse("10.244.0.7"), "PTR").status, "NXDOMAIN")


class VmZonePodNetworkTest(unittest.TestCase):
    """--vm-zone vm --vm-zone-pod-network over the same manifests."""

    @classmethod
    def setUpClass(cls):
        require_tools("dig", "kdig")
        cls.server = VmdnsServer([VM_ZONE], ["--vm-zone", "vm", "--vm-zone-pod-network"] +
                                 REVERSE_ZONES)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def answer(self, name, rtype):
        """The answer records, the same from dig and kdig over UDP and TCP, authoritative."""
        seen = []
        for tool in ("dig", "kdig"):
            for tcp in (False, True):
                reply = self.server.dig(name, rtype, tcp=tcp, tool=tool)
                self.assertEqual(reply.status, "NOERROR", reply.raw)
                self.assertIn("aa", reply.flags, reply.raw)
                seen.append(reply.answer)
        self.assertTrue(all(s == seen[0] for s in seen), seen)
        return seen[0]

    def test_a_vm_on_the_pod_network_alone_has_a_name(self):
        for name in ("db.shop.vm.", "default.db.shop.vm."):
            with self.subTest(name=name):
                self.assertEqual(self.answer(name, "A"), [(name, 3600, "IN", "A", "10.244.3.7")])
                self.assertEqual(self.answer(name, "AAAA"),
                                 [(name, 3600, "IN", "AAAA", "fd00:10:244::37")])

    def test_the_vmi_name_answers_the_pod_network(self):
        self.assertEqual(self.server.dig("router.edge.vm").rdatas("A"), ["10.244.0.7"])
        self.assertEqual(self.server.dig("default.router.edge.vm").rdatas("A"), ["10.244.0.7"])
        # The pod network has no IPv6 address: NODATA, not nic1's fd10::7.
        reply = self.server.dig("router.edge.vm", "AAAA")
        self.assertEqual((reply.status, reply.answer), ("NOERROR", []), reply.raw)
        self.assertEqual([r[0] for r in reply.authority], ["vm."])

    def test_secondary_interfaces_keep_their_names(self):
        self.assertEqual(self.server.dig("nic1.router.edge.vm").rdatas("A"), ["10.10.0.7"])
        self.assertEqual(self.server.dig("nic1.router.edge.vm", "AAAA").rdatas("AAAA"),
                         ["fd10::7"])
        self.assertEqual(self.server.dig("nic2.router.edge.vm").rdatas("A"), ["10.20.0.7"])
        # A VMI without the pod network keeps KubeSecondaryDNS's default.
        self.assertEqual(self.server.dig("vmi-sec.secondary-test.vm").rdatas("A"), ["10.10.0.5"])
        for address, target in (("10.10.0.7", "nic1.router.edge.vm."),
                                ("fd10::7", "nic1.router.edge.vm."),
                                ("10.20.0.7", "nic2.router.edge.vm.")):
            with self.subTest(address=address):
                self.assertEqual(self.server.dig(reverse(address), "PTR").rdatas("PTR"), [target])

    def test_ptr_of_a_pod_network_address(self):
        # Only the vm zone names router's pod network address: its TTL.
        self.assertEqual(self.answer(reverse("10.244.0.7"), "PTR"),
                         [(reverse("10.244.0.7") + ".", 3600, "IN", "PTR",
                           "default.router.edge.vm.")])
        # db's has the headless Service's hostname PTR: that one first, the set at its TTL.
        for address in ("10.244.3.7", "fd00:10:244::37"):
            with self.subTest(address=address):
                owner = reverse(address) + "."
                self.assertEqual(self.answer(reverse(address), "PTR"),
                                 [(owner, 5, "IN", "PTR", "db.db.shop.svc.cluster.local."),
                                  (owner, 5, "IN", "PTR", "default.db.shop.vm.")])

    def test_the_cluster_zone_is_unchanged(self):
        self.assertEqual(self.server.dig("db.db.shop.svc.cluster.local").rdatas("A"),
                         ["10.244.3.7"])
        self.assertEqual(self.server.dig("db.shop.svc.cluster.local", "AAAA").rdatas("AAAA"),
                         ["fd00:10:244::37"])


class VmZonePodNetworkSettingsTest(unittest.TestCase):
    def test_explain_lists_the_pod_network_names(self):
        with tempfile.TemporaryDirectory() as workdir:
            vm = os.path.join(workdir, "vm.yaml")
            with open(vm, "w") as f:
                f.write("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\n"
                        "metadata: {name: app, namespace: shop}\n"
                        "spec:\n  runStrategy: Always\n  template:\n    spec:\n"
                        "      domain: {devices: {}}\n"
                        "      networks: [{name: main, pod: {}}]\n")
            for files in ([POD_NETWORK], [vm]):
                on = run_vmdns("explain", *sum((["-f", p] for p in files), []), "--vm-zone",
                               "vm", "--vm-zone-pod-network")
                off = run_vmdns("explain", *sum((["-f", p] for p in files), []), "--vm-zone",
                                "vm")
                self.assertEqual(on.returncode, 0, on.stdout + on.stderr)
                self.assertEqual(off.returncode, 0, off.stdout + off.stderr)
                name, nic = (("db.shop.vm.", "default.db.shop.vm.") if files == [POD_NETWORK]
                             else ("app.shop.vm.", "main.app.shop.vm."))
                with self.subTest(files=files):
                    self.assertIn(name, on.stdout)
                    self.assertIn(nic, on.stdout)
                    self.assertNotIn(name, off.stdout)

    def test_refused_without_a_vm_zone(self):
        out = run_vmdns("records", "-f", POD_NETWORK, "--vm-zone-pod-network")
        self.assertEqual(out.returncode, 2)
        self.assertIn("--vm-zone-pod-network", out.stderr)

    def test_config_file_switches_it_on_and_off(self):
        require_tools("dig")
        with tempfile.TemporaryDirectory() as workdir:
            config = os.path.join(workdir, "vmdns.yaml")

            def write(on):
                with open(config + ".tmp", "w") as f:
                    f.write("vm-zone: vm\nvm-zone-pod-network: %s\n" % ("true" if on else "false"))
                os.replace(config + ".tmp", config)

            write(True)
            server = VmdnsServer([POD_NETWORK], ["--config", config])
            try:
                self.assertEqual(server.dig("db.shop.vm").rdatas("A"), ["10.244.3.7"])
                write(False)
                server.proc.send_signal(signal.SIGHUP)
                self.assertTrue(wait_for(lambda: server.dig("db.shop.vm").status == "NXDOMAIN"),
                                server.log())
                write(True)
                server.proc.send_signal(signal.SIGHUP)
                self.assertTrue(
                    wait_for(lambda: server.dig("db.shop.vm").rdatas("A") == ["10.244.3.7"]),
                    server.log())
            finally:
                self.assertEqual(server.stop(), 0, server.log())


def reverse(address):
    return ipaddress.ip_address(address).reverse_pointer


class VmZoneReloadTest(unittest.TestCase):
    def test_migration_changes_the_address(self):
        require_tools("dig")
        with tempfile.TemporaryDirectory() as workdir:
            manifest = os.path.join(workdir, "vmi.yaml")
            shutil.copy(README, manifest)
            server = VmdnsServer([workdir], ["--vm-zone", "vm", "--reverse-zone", "10.10.0.0/16"])
            try:
                name = "nic1.vmi-sec.secondary-test.vm"
                self.assertEqual(server.dig(name).rdatas("A"), ["10.10.0.5"])
                with open(README) as f:
                    text = f.read()
                # After a live migration the target node's IPAM handed out another address.
                with open(manifest, "w") as f:
                    f.write(text.replace("ipAddress: 10.10.0.5", "ipAddress: 10.10.3.9")
                                .replace("- 10.10.0.5", "- 10.10.3.9"))
                server.proc.send_signal(signal.SIGHUP)
                self.assertTrue(wait_for(lambda: server.dig(name).rdatas("A") == ["10.10.3.9"]),
                                server.log())
                self.assertEqual(server.dig(reverse("10.10.3.9"), "PTR").rdatas("PTR"),
                                 [name + "."])
                self.assertEqual(server.dig(reverse("10.10.0.5"), "PTR").status, "NXDOMAIN")
            finally:
                self.assertEqual(server.stop(), 0, server.log())


class VmZoneCliTest(unittest.TestCase):
    def test_check_names_a_bad_interface_name(self):
        with tempfile.TemporaryDirectory() as workdir:
            with open(README) as f:
                text = f.read()
            bad = os.path.join(workdir, "bad.yaml")
            with open(bad, "w") as f:
                f.write(text.replace("name: nic1", "name: nic_1"))
            out = run_vmdns("check", "-f", bad)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)  # a warning, not an error
            self.assertIn("VirtualMachineInstance secondary-test/vmi-sec: "
                          "status.interfaces[0].name \"nic_1\" is not a DNS-1123 label",
                          out.stdout)

    def test_records_prints_the_vm_zone(self):
        out = run_vmdns("records", "-f", README, "--vm-zone", "vm")
        self.assertEqual(out.returncode, 0, out.stderr)
        zones = [line for line in out.stdout.splitlines() if line.startswith("; zone ")]
        # The default reverse zones (kubeadm's in-addr.arpa and ip6.arpa) follow, with the
        # interface's PTR.
        self.assertEqual(zones, ["; zone cluster.local.", "; zone vm.", "; zone in-addr.arpa.",
                                 "; zone ip6.arpa."])
        self.assertIn("nic1.vmi-sec.secondary-test.vm.\t3600\tIN\tA\t10.10.0.5", out.stdout)
        self.assertIn("5.0.10.10.in-addr.arpa.\t3600\tIN\tPTR\tnic1.vmi-sec.secondary-test.vm.",
                      out.stdout)
        out = run_vmdns("records", "-f", README, "--vm-zone", "vm", "--reverse-zone", "none")
        zones = [line for line in out.stdout.splitlines() if line.startswith("; zone ")]
        self.assertEqual(zones, ["; zone cluster.local.", "; zone vm."])
        self.assertNotIn("PTR", out.stdout)

    def test_checkers_accept_the_vm_zone_and_its_reverse_zones(self):
        tools = [t for t in ("kzonecheck", "named-checkzone") if shutil.which(t)]
        if not tools:
            require_tools("kzonecheck")
        out = run_vmdns("records", "-f", VM_ZONE, "--vm-zone", "vm.example.com", "--reverse-zone",
                        "10.10.0.0/16", "--reverse-zone", "fd10::/16")
        self.assertEqual(out.returncode, 0, out.stderr)
        zones = {}
        for chunk in out.stdout.split("; zone ")[1:]:
            apex, _, text = chunk.partition("\n")
            zones[apex] = text
        self.assertEqual(list(zones), ["cluster.local.", "vm.example.com.", "10.10.in-addr.arpa.",
                                       "0.1.d.f.ip6.arpa."])
        with tempfile.TemporaryDirectory() as workdir:
            for apex, text in zones.items():
                path = os.path.join(workdir, apex + "zone")
                with open(path, "w") as f:
                    f.write(text)
                for tool in tools:
                    args = [tool, "-o", apex, path] if tool == "kzonecheck" else [tool, apex, path]
                    with self.subTest(zone=apex, tool=tool):
                        check = subprocess.run(args, capture_output=True, text=True)
                        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    def test_vm_zone_must_not_be_a_cluster_zone(self):
        out = run_vmdns("records", "-f", README, "--vm-zone", "cluster.local")
        self.assertEqual(out.returncode, 2)
        self.assertIn("--vm-zone", out.stderr)


def vmi_yaml(name, namespace, interfaces, networks=None):
    """A running VMI. `interfaces`: (network name or None, [addresses]) in status order; every
    named one is a Multus network unless `networks` says otherwise."""
    if networks is None:
        networks = [{"name": n, "multus": {"networkName": "net-" + n}} for n, _ in interfaces if n]
    lines = ["apiVersion: kubevirt.io/v1", "kind: VirtualMachineInstance",
             "metadata: {name: %s, namespace: %s}" % (name, namespace),
             "spec:", "  domain: {}", "  networks:"]
    for network in networks:
        kind = "pod: {}" if "pod" in network else "multus: {networkName: %s}" % (
            network["multus"]["networkName"])
        lines.append("  - {name: %s, %s}" % (network["name"], kind))
    lines += ["status:", "  phase: Running", "  interfaces:"]
    for nic, addresses in interfaces:
        quoted = ", ".join('"%s"' % a for a in addresses)
        lines.append("  - {%sipAddresses: [%s]}" % ("name: %s, " % nic if nic else "", quoted))
    return "\n".join(lines) + "\n"


NIC1_NIC2 = [("nic1", ["1.2.3.4"]), ("nic2", ["5.6.7.8"])]


class KubeSecondaryDnsRowsTest(unittest.TestCase):
    """KubeSecondaryDNS's zone file cache tests (pkg/zonemgr), rewritten as rows: each writes
    VMIs to a directory that `vmdns serve --vm-zone vm` watches and asks dig and kdig, over UDP
    and TCP, for what KubeSecondaryDNS would serve (vmdns's AAAA on top)."""

    def setUp(self):
        require_tools("dig", "kdig")
        self.dir = tempfile.mkdtemp(prefix="vmdns-ksd-rows-")
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.stop()
        shutil.rmtree(self.dir)

    def write(self, file_name, *vmis):
        path = os.path.join(self.dir, file_name)
        with open(path + ".tmp", "w") as f:
            f.write("---\n".join(vmis))
        os.replace(path + ".tmp", path)  # one inotify event, never a half-written file

    def start(self):
        # debug: the control loop says when a change changed nothing.
        self.server = VmdnsServer([self.dir], ["--vm-zone", "vm"], log_level="debug")

    def answer(self, name, rtype="A"):
        """The sorted rdatas of `name`, the same from dig and kdig over UDP and TCP."""
        seen = []
        for tool in ("dig", "kdig"):
            for tcp in (False, True):
                reply = self.server.dig(name, rtype, tcp=tcp, tool=tool)
                self.assertEqual(reply.status, "NOERROR", reply.raw)
                self.assertIn("aa", reply.flags, reply.raw)
                seen.append(reply.rdatas(rtype))
        self.assertTrue(all(s == seen[0] for s in seen), seen)
        return seen[0]

    def serial(self):
        return self.answer("vm", "SOA")[0].split()[2]

    def test_single_vmi(self):
        self.write("vmi1.yaml", vmi_yaml("vmi1", "ns1", NIC1_NIC2))
        self.start()
        self.assertEqual(self.answer("nic1.vmi1.ns1.vm"), ["1.2.3.4"])
        self.assertEqual(self.answer("nic2.vmi1.ns1.vm"), ["5.6.7.8"])
        self.assertEqual(self.answer("vmi1.ns1.vm"), ["1.2.3.4"])

    def test_several_vmis(self):
        self.write("vmis.yaml", vmi_yaml("vmi1", "ns1", NIC1_NIC2),
                   vmi_yaml("vmi2", "ns1", NIC1_NIC2),
                   vmi_yaml("vmi1", "ns2", [("nic3", ["9.10.11.12"]), ("nic4", ["13.14.15.16"])]))
        self.start()
        self.assertEqual(self.answer("vmi1.ns1.vm"), ["1.2.3.4"])
        self.assertEqual(self.answer("nic2.vmi2.ns1.vm"), ["5.6.7.8"])
        self.assertEqual(self.answer("vmi2.ns1.vm"), ["1.2.3.4"])
        self.assertEqual(self.answer("nic4.vmi1.ns2.vm"), ["13.14.15.16"])
        self.assertEqual(self.answer("vmi1.ns2.vm"), ["9.10.11.12"])

    def test_interfaces_in_another_order_change_nothing(self):
        networks = [{"name": "default", "pod": {}},
                    {"name": "nic1", "multus": {"networkName": "a"}},
                    {"name": "nic2", "multus": {"networkName": "b"}}]
        pod = ("default", ["10.244.0.5"])
        # Listed nic2 first from the start: the default is still nic1's, by name.
        self.write("vmi1.yaml", vmi_yaml("vmi1", "ns1", [pod] + NIC1_NIC2[::-1], networks))
        self.start()
        self.assertEqual(self.answer("vmi1.ns1.vm"), ["1.2.3.4"])
        serial = self.serial()
        log = self.server.log()
        quiet, published = log.count("changed nothing"), log.count("published serial")
        self.write("vmi1.yaml", vmi_yaml("vmi1", "ns1", [pod] + NIC1_NIC2, networks))
        self.assertTrue(wait_for(lambda: self.server.log().count("changed nothing") > quiet),
                        self.server.log())
        self.assertEqual(self.server.log().count("published serial"), published)
        self.assertEqual(self.serial(), serial)
        self.assertEqual(self.answer("vmi1.ns1.vm"), ["1.2.3.4"])

    def test_ipv4_and_ipv6(self):
        self.write("vmi1.yaml", vmi_yaml("vmi1", "ns1", [("nic2", ["5.6.7.8", "fd00::2"]),
                                                         ("nic1", ["1.2.3.4", "fd00::1"])]))
        self.start()
        self.assertEqual(self.answer("vmi1.ns1.vm"), ["1.2.3.4"])
        self.assertEqual(self.answer("nic2.vmi1.ns1.vm"), ["5.6.7.8"])
        # KubeSecondaryDNS publishes IPv4 only; vmdns the IPv6 addresses too.
        self.assertEqual(self.answer("vmi1.ns1.vm", "AAAA"), ["fd00::1"])
        self.assertEqual(self.answer("nic2.vmi1.ns1.vm", "AAAA"), ["fd00::2"])

    def test_interface_without_a_name(self):
        self.write("vmi1.yaml", vmi_yaml("vmi1", "ns1", [(None, ["9.10.11.12"]),
                                                         ("nic2", ["5.6.7.8"])]))
        self.start()
        self.assertEqual(self.answer("vmi1.ns1.vm"), ["5.6.7.8"])
        self.assertEqual(self.answer("nic2.vmi1.ns1.vm"), ["5.6.7.8"])

    def test_vmi_removed(self):
        self.write("vmi1.yaml", vmi_yaml("vmi1", "ns1", NIC1_NIC2))
        self.write("vmi2.yaml", vmi_yaml("vmi2", "ns1", NIC1_NIC2))
        self.start()
        self.assertEqual(self.answer("vmi1.ns1.vm"), ["1.2.3.4"])
        os.remove(os.path.join(self.dir, "vmi1.yaml"))
        self.assertTrue(wait_for(lambda: self.server.dig("vmi1.ns1.vm").status == "NXDOMAIN"),
                        self.server.log())
        for tool in ("dig", "kdig"):
            for tcp in (False, True):
                reply = self.server.dig("nic1.vmi1.ns1.vm", tcp=tcp, tool=tool)
                self.assertEqual(reply.status, "NXDOMAIN", reply.raw)
        self.assertEqual(self.answer("vmi2.ns1.vm"), ["1.2.3.4"])


if __name__ == "__main__":
    unittest.main()
