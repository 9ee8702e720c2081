"""The guest's view: what a KubeVirt VMI's guest is told about DNS, and how it resolves.

Behaviour checked:
- `vmdns resolv-conf --vmi vmi-fedora` prints the guest's resolv.conf: the cluster nameserver
  and the launcher pod's search list with mysubdomain.default.svc.cluster.local put first;
  `--namespace` prints a pod's, with ndots:5; `--format dhcp` prints options 6, 12, 15 and 119
  in hex and readable form; a bad dnsConfig is reported naming the field;
- `vmdns lookup` against a real `vmdns serve` prints every name tried, in glibc's order, and
  exits 0 when the name resolves, 1 when it does not;
- the KubeVirt page for real (root and `ip netns` needed, skipped otherwise): a network
  namespace vmi-fedora-<random> holds the guest's end of a veth pair (198.18.0.57/24), vmdns
  serves on the host's end (198.18.0.1:53), the namespace's resolv.conf is the one
  `vmdns resolv-conf` prints; inside it, `ping myvmi.mysubdomain` reaches
  myvmi.mysubdomain.default.svc.cluster.local (198.18.0.57) and `getent hosts` agrees;
- server-side search (root and `ip netns` needed, skipped otherwise): three guests on a bridge
  in 198.18.1.0/24 (the page's VMI, a systemd-resolved-like guest with ndots 1 and no search
  list, a Pod with ndots 5), vmdns on 198.18.1.1:53 forwarding to Knot DNS on loopback, which
  serves a stand-in for the Internet (a root zone holding www.example.test); each guest
  resolves with `getent ahostsv4` while the UDP datagrams it sends are counted
  (/proc/net/snmp of its namespace), with and without `--autopath --expand-short-names`:
  the answers are the same, and the Pod reaches an external name in one query instead of one
  per search entry; the systemd-resolved-like guest resolves `myvmi.mysubdomain` only with
  --expand-short-names; the CNAME reply reaches a guest over UDP and TCP, and an address vmdns
  does not know gets the plain NXDOMAIN. The figures are printed.
"""

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import unittest

from knot_peer import KnotPeer
from vmdns_harness import (FIXTURES, VMDNS, VmdnsServer, require_root, require_tools,
                           run_vmdns, unavailable, wait_for)

PAGE = os.path.join(FIXTURES, "guest", "kubevirt-page.yaml")
FQDN = "myvmi.mysubdomain.default.svc.cluster.local"
GUEST_SEARCH = ("search mysubdomain.default.svc.cluster.local default.svc.cluster.local "
                "svc.cluster.local cluster.local")
HOST_ADDR = "198.18.0.1"
GUEST_ADDR = "198.18.0.57"


def tried(output):
    """The names `vmdns lookup` tried, in order, with their status."""
    return re.findall(r"^try (\S+) \S+: (\S+)", output, re.M)


class ResolvConfCommandTest(unittest.TestCase):
    def test_guest_resolv_conf(self):
        out = run_vmdns("resolv-conf", "--vmi", "vmi-fedora", "-f", PAGE)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = [l for l in out.stdout.splitlines() if not l.startswith("#")]
        self.assertEqual(lines, ["nameserver 10.96.0.10", GUEST_SEARCH])

    def test_pod_resolv_conf(self):
        out = run_vmdns("resolv-conf", "--namespace", "shop", "--nameserver", "198.18.0.10",
                        "--zone", "example.internal")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("nameserver 198.18.0.10\nsearch shop.svc.example.internal "
                      "svc.example.internal example.internal\noptions ndots:5\n", out.stdout)

    def test_dhcp_options(self):
        out = run_vmdns("resolv-conf", "--vmi", "vmi-fedora", "-f", PAGE, "--format", "dhcp",
                        "--nameserver", HOST_ADDR)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("option 6 (domain-name-servers): 198.18.0.1\n  06 04 c6 12 00 01\n",
                      out.stdout)
        self.assertIn("option 12 (host-name): myvmi\n  0c 05 6d 79 76 6d 69\n", out.stdout)
        self.assertIn("option 15 (domain-name): mysubdomain.default.svc.cluster.local\n",
                      out.stdout)
        self.assertIn("option 119 (domain-search): " + GUEST_SEARCH[len("search "):] + "\n",
                      out.stdout)
        # The three later names are pointers into the first one (RFC 3397 compression).
        self.assertRegex(out.stdout, r"\n  77 2d 0b 6d 79 .* c0 0c c0 14 c0 18\n")

    def test_bad_dns_config_names_the_field(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            f.write("apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\n"
                    "metadata: {name: v}\nspec:\n  dnsPolicy: None\n  dnsConfig:\n"
                    "    nameservers: [not-an-ip]\n")
            f.flush()
            out = run_vmdns("check", "-f", f.name)
            self.assertEqual(out.returncode, 1)
            self.assertIn('spec.dnsConfig.nameservers[0] "not-an-ip" is not an IP address',
                          out.stdout)


class LookupCommandTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = VmdnsServer([PAGE], extra_args=["--no-upstream"])
        cls.address = "127.0.0.1:%d" % cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def lookup(self, *args):
        return run_vmdns("lookup", *args, "--server", self.address)

    def test_guest_tries_the_name_first_then_its_search_list(self):
        out = self.lookup("myvmi.mysubdomain", "--vmi", "vmi-fedora", "-f", PAGE)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertEqual(tried(out.stdout), [
            ("myvmi.mysubdomain.", "REFUSED"),
            ("myvmi.mysubdomain.mysubdomain.default.svc.cluster.local.", "NXDOMAIN"),
            (FQDN + ".", "NOERROR")])
        self.assertIn(FQDN + ".\t5\tIN\tA\t" + GUEST_ADDR, out.stdout)

    def test_pod_with_ndots_5_tries_the_search_list_first(self):
        out = self.lookup("myvmi.mysubdomain", "--namespace", "default")
        self.assertEqual(out.returncode, 0, out.stdout)
        self.assertEqual(tried(out.stdout), [(FQDN + ".", "NOERROR")])

    def test_not_found_exits_1_after_every_name(self):
        out = self.lookup("nothere", "--namespace", "default")
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertEqual([t[0] for t in tried(out.stdout)],
                         ["nothere.default.svc.cluster.local.", "nothere.svc.cluster.local.",
                          "nothere.cluster.local.", "nothere."])

    def test_nodata_is_reported(self):
        out = self.lookup(FQDN + ".", "TXT")
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertEqual(tried(out.stdout), [(FQDN + ".", "NOERROR")])
        self.assertIn("not resolved, NODATA", out.stdout)

    def test_resolv_conf_file(self):
        with tempfile.NamedTemporaryFile("w") as f:
            f.write("nameserver 127.0.0.1\nsearch mysubdomain.default.svc.cluster.local\n"
                    "options ndots:2\n")
            f.flush()
            out = self.lookup("myvmi", "--resolv-conf", f.name)
        self.assertEqual(out.returncode, 0, out.stdout)
        self.assertEqual(tried(out.stdout), [(FQDN + ".", "NOERROR")])


class AddressServer(VmdnsServer):
    """`vmdns serve --no-upstream` on a given address (the harness's server is loopback only)."""

    def __init__(self, paths, listen, extra_args=("--no-upstream",)):
        # pylint: disable=super-init-not-called
        args = [VMDNS, "serve", "--listen", listen, "--threads", "2", *extra_args]
        for p in paths:
            args += ["-f", p]
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on " + listen):
            self.stop()
            raise RuntimeError("vmdns serve did not start: %r\n%s" % (line, self.log()))


def _run(*args, check=True):
    return subprocess.run(args, capture_output=True, text=True, timeout=30, check=check)


class KubeVirtPageInNamespaceTest(unittest.TestCase):
    """The page's `ping myvmi.mysubdomain`, from a guest in its own network namespace."""

    @classmethod
    def setUpClass(cls):
        require_tools("ip", "ping", "getent")
        require_root("network namespaces")
        cls.ns = "vmi-fedora-" + secrets.token_hex(3)
        cls.veth = "vmdns" + secrets.token_hex(3)
        cls.etc = os.path.join("/etc/netns", cls.ns)
        cls.addClassCleanup(cls._cleanup)
        created = subprocess.run(["ip", "netns", "add", cls.ns], capture_output=True, text=True)
        if created.returncode != 0:
            unavailable("cannot create a network namespace: " + created.stderr)
        _run("ip", "link", "add", cls.veth, "type", "veth", "peer", "name", "eth0",
             "netns", cls.ns)
        _run("ip", "addr", "add", HOST_ADDR + "/24", "dev", cls.veth)
        _run("ip", "link", "set", cls.veth, "up")
        _run("ip", "-n", cls.ns, "addr", "add", GUEST_ADDR + "/24", "dev", "eth0")
        _run("ip", "-n", cls.ns, "link", "set", "eth0", "up")
        _run("ip", "-n", cls.ns, "link", "set", "lo", "up")
        cls.server = AddressServer([PAGE], HOST_ADDR + ":53")
        out = run_vmdns("resolv-conf", "--vmi", "vmi-fedora", "-f", PAGE, "--nameserver",
                        HOST_ADDR)
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        os.makedirs(cls.etc)
        with open(os.path.join(cls.etc, "resolv.conf"), "w") as f:
            f.write(out.stdout)
        # The veth must be up before the guest's queries leave it.
        wait_for(lambda: "state UP" in _run("ip", "link", "show", cls.veth).stdout
                 or "LOWER_UP" in _run("ip", "link", "show", cls.veth).stdout)

    @classmethod
    def _cleanup(cls):
        server = getattr(cls, "server", None)
        if server is not None:
            server.stop()
        subprocess.run(["ip", "link", "del", cls.veth], capture_output=True)
        subprocess.run(["ip", "netns", "del", cls.ns], capture_output=True)
        shutil.rmtree(cls.etc, ignore_errors=True)

    def in_guest(self, *args):
        return subprocess.run(["ip", "netns", "exec", self.ns, *args], capture_output=True,
                              text=True, timeout=30)

    def test_guest_resolv_conf_is_in_place(self):
        out = self.in_guest("cat", "/etc/resolv.conf")
        self.assertIn("nameserver " + HOST_ADDR + "\n" + GUEST_SEARCH + "\n", out.stdout)

    def test_ping_myvmi_mysubdomain(self):
        out = self.in_guest("ping", "-c1", "-W2", "myvmi.mysubdomain")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr + self.server.log())
        self.assertIn("PING %s (%s)" % (FQDN, GUEST_ADDR), out.stdout)

    def test_getent_hosts_agrees(self):
        out = self.in_guest("getent", "hosts", "myvmi.mysubdomain")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertEqual(out.stdout.split(), [GUEST_ADDR, FQDN])

    def test_getent_short_name_through_the_subdomain_entry(self):
        out = self.in_guest("getent", "hosts", "myvmi")
        self.assertEqual(out.stdout.split(), [GUEST_ADDR, FQDN])

    def test_lookup_inside_the_guest_reads_its_resolv_conf(self):
        out = self.in_guest(VMDNS, "lookup", "myvmi.mysubdomain", "--resolv-conf",
                            "/etc/resolv.conf")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn(";; ndots: 1  server: %s:53" % HOST_ADDR, out.stdout)
        self.assertEqual([t[0] for t in tried(out.stdout)],
                         ["myvmi.mysubdomain.",
                          "myvmi.mysubdomain.mysubdomain.default.svc.cluster.local.",
                          FQDN + "."])

    def test_lookup_from_the_host_with_the_vmi(self):
        out = run_vmdns("lookup", "myvmi.mysubdomain", "--vmi", "vmi-fedora", "-f", PAGE,
                        "--server", HOST_ADDR + ":53")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertEqual(tried(out.stdout)[-1], (FQDN + ".", "NOERROR"))

    def test_refused_search_entry_ends_the_search_as_in_glibc(self):
        # example.org is outside the zone: vmdns --no-upstream answers REFUSED, and glibc gives
        # up on the whole lookup (res_send reports ECONNREFUSED); `vmdns lookup` agrees, and
        # without the refused entry both find the name.
        path = os.path.join(self.etc, "resolv.conf")
        with open(path) as f:
            saved = f.read()

        def restore():
            with open(path, "w") as f:
                f.write(saved)

        self.addCleanup(restore)
        for search, found in (("example.org mysubdomain.default.svc.cluster.local", False),
                              ("mysubdomain.default.svc.cluster.local example.org", True)):
            with self.subTest(search=search):
                with open(path, "w") as f:
                    f.write("nameserver %s\nsearch %s\n" % (HOST_ADDR, search))
                out = self.in_guest("getent", "hosts", "myvmi")
                looked = self.in_guest(VMDNS, "lookup", "myvmi", "--resolv-conf",
                                       "/etc/resolv.conf")
                if found:
                    self.assertEqual(out.stdout.split(), [GUEST_ADDR, FQDN])
                    self.assertEqual(looked.returncode, 0, looked.stdout)
                    self.assertEqual(tried(looked.stdout), [(FQDN + ".", "NOERROR")])
                else:
                    self.assertEqual(out.returncode, 2, out.stdout)
                    self.assertEqual(looked.returncode, 1, looked.stdout)
                    self.assertEqual(tried(looked.stdout), [("myvmi.example.org.", "REFUSED")])

    def test_unknown_name_fails_in_the_guest_as_in_lookup(self):
        out = self.in_guest("getent", "hosts", "nosuchvm.mysubdomain")
        self.assertEqual(out.returncode, 2, out.stdout)
        looked = self.in_guest(VMDNS, "lookup", "nosuchvm.mysubdomain", "--resolv-conf",
                               "/etc/resolv.conf")
        self.assertEqual(looked.returncode, 1, looked.stdout)


SEARCH_FIXTURE = os.path.join(FIXTURES, "guest", "server-search.yaml")
SEARCH_HOST = "198.18.1.1"
# The stand-in for the Internet: a root zone, so that a name nobody has (myvmi.mysubdomain.) is
# NXDOMAIN, as a recursive resolver would say.
ROOT_ZONE = """$ORIGIN .
$TTL 300
@ SOA ns.test. hostmaster.test. 1 7200 1800 86400 60
@ NS ns.test.
ns.test. A 127.0.0.1
www.example.test. A 192.0.2.10
"""


class ServerSideSearchTest(unittest.TestCase):
    """--autopath and --expand-short-names, seen from three guests, with queries counted."""

    GUESTS = {
        # name: (address, resolv.conf source)
        "vmi": ("198.18.1.57", "vmi-fedora"),
        "resolved": ("198.18.1.58", None),
        "pod": ("198.18.1.59", "client"),
    }
    figures = []

    @classmethod
    def setUpClass(cls):
        require_tools("ip", "getent", "dig", "knotd")
        require_root("network namespaces")
        tag = secrets.token_hex(3)
        cls.bridge = "vmdnsbr" + tag
        cls.namespaces = {}
        cls.addClassCleanup(cls._cleanup)
        created = subprocess.run(["ip", "link", "add", cls.bridge, "type", "bridge"],
                                 capture_output=True, text=True)
        if created.returncode != 0:
            unavailable("cannot create a bridge: " + created.stderr)
        _run("ip", "addr", "add", SEARCH_HOST + "/24", "dev", cls.bridge)
        _run("ip", "link", "set", cls.bridge, "up")
        for i, (guest, (address, source)) in enumerate(cls.GUESTS.items()):
            ns = "vmdns-%s-%s" % (guest, tag)
            veth = "vmdns%d%s" % (i, tag)
            created = subprocess.run(["ip", "netns", "add", ns], capture_output=True, text=True)
            if created.returncode != 0:
                unavailable("cannot create a network namespace: " + created.stderr)
            cls.namespaces[guest] = ns
            _run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
            _run("ip", "link", "set", veth, "master", cls.bridge)
            _run("ip", "link", "set", veth, "up")
            _run("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0")
            _run("ip", "-n", ns, "link", "set", "eth0", "up")
            _run("ip", "-n", ns, "link", "set", "lo", "up")
            if source is None:
                conf = "nameserver %s\noptions ndots:1\n" % SEARCH_HOST
            else:
                kind = "--vmi" if guest == "vmi" else "--pod"
                out = run_vmdns("resolv-conf", kind, source, "-f", SEARCH_FIXTURE,
                                "--nameserver", SEARCH_HOST)
                if out.returncode != 0:
                    raise RuntimeError(out.stderr)
                conf = out.stdout
            os.makedirs(os.path.join("/etc/netns", ns))
            with open(os.path.join("/etc/netns", ns, "resolv.conf"), "w") as f:
                f.write(conf)
        cls.knot = KnotPeer({".": ROOT_ZONE})  # the root a guest resolves through
        # The guests reach the bridge once its ports forward (no STP: at once, but not before
        # the links are up).
        for guest, ns in cls.namespaces.items():
            if not wait_for(lambda ns=ns: subprocess.run(
                    ["ip", "netns", "exec", ns, "ping", "-c1", "-W1", SEARCH_HOST],
                    capture_output=True).returncode == 0, timeout=10):
                raise RuntimeError("guest %s cannot reach %s" % (guest, SEARCH_HOST))

    @classmethod
    def _cleanup(cls):
        knot = getattr(cls, "knot", None)
        if knot is not None:
            knot.cleanup()
        for ns in cls.namespaces.values():
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
            shutil.rmtree(os.path.join("/etc/netns", ns), ignore_errors=True)
        subprocess.run(["ip", "link", "del", cls.bridge], capture_output=True)
        if cls.figures:
            sys.stderr.write("\nqueries a guest sends (UDP datagrams counted in its namespace):"
                             "\n%-10s %-24s %-8s %-8s\n" % ("guest", "name", "plain",
                                                               "--autopath"))
            for row in cls.figures:
                sys.stderr.write("%-10s %-24s %-8s %-8s\n" % row)

    def serve(self, *flags):
        # The guests' 198.18.1.0/24 is not a private range: forwarding for them is allowed.
        server = AddressServer([SEARCH_FIXTURE], SEARCH_HOST + ":53", [
            "--upstream", "127.0.0.1:%d" % self.knot.port, "--pods", "verified",
            "--allow-forward", "198.18.0.0/15", *flags])
        self.addCleanup(self.stop, server)
        return server

    @staticmethod
    def stop(server):
        server.stop()
        server.proc.stdout.close()
        server.stderr.close()

    def resolve(self, guest, name):
        """(addresses, UDP datagrams sent) for `getent ahostsv4 NAME` in the guest."""
        ns = self.namespaces[guest]

        def sent():
            snmp = _run("ip", "netns", "exec", ns, "cat", "/proc/net/snmp").stdout
            header, values = [l.split() for l in snmp.splitlines() if l.startswith("Udp:")][:2]
            return int(values[header.index("OutDatagrams")])

        before = sent()
        out = subprocess.run(["ip", "netns", "exec", ns, "getent", "ahostsv4", name],
                             capture_output=True, text=True, timeout=30)
        count = sent() - before
        addresses = sorted({l.split()[0] for l in out.stdout.splitlines()})
        return addresses, count

    def compare(self, cases):
        """Resolves each (guest, name) without, then with server-side search."""
        results = {}
        for label, flags in (("plain", ()), ("search", ("--autopath", "--expand-short-names"))):
            server = self.serve(*flags)
            for guest, name in cases:
                results[(guest, name, label)] = self.resolve(guest, name)
            server.stop()  # frees port 53 for the next run; closed at cleanup
        for guest, name in cases:
            plain = results[(guest, name, "plain")]
            search = results[(guest, name, "search")]
            self.figures.append((guest, name, plain[1], search[1]))
        return results

    def test_same_answers_in_fewer_queries(self):
        cases = [("vmi", "www.example.test"), ("vmi", "web"), ("vmi", "ext"),
                 ("vmi", "nosuch.example.test"),
                 ("pod", "www.example.test"), ("pod", "web"), ("pod", "nosuch.example.test")]
        results = self.compare(cases)
        for guest, name in cases:
            with self.subTest(guest=guest, name=name):
                plain = results[(guest, name, "plain")]
                search = results[(guest, name, "search")]
                self.assertEqual(plain[0], search[0])
                self.assertLessEqual(search[1], plain[1])
        self.assertEqual(results[("pod", "www.example.test", "plain")], (["192.0.2.10"], 4))
        self.assertEqual(results[("pod", "www.example.test", "search")], (["192.0.2.10"], 1))
        self.assertEqual(results[("vmi", "www.example.test", "search")], (["192.0.2.10"], 1))
        self.assertEqual(results[("vmi", "web", "plain")], (["10.96.0.20"], 2))
        self.assertEqual(results[("vmi", "web", "search")], (["10.96.0.20"], 1))
        # An ExternalName found by the walk: its target's address, from upstream, at once.
        self.assertEqual(results[("vmi", "ext", "search")], (["192.0.2.10"], 1))
        self.assertEqual(results[("pod", "nosuch.example.test", "search")][0], [])

    def test_the_reply_over_udp_and_tcp_and_to_strangers(self):
        self.serve("--autopath")
        name = "web.mysubdomain.default.svc.cluster.local"
        for transport in ("+notcp", "+tcp"):
            with self.subTest(transport=transport):
                out = _run("ip", "netns", "exec", self.namespaces["vmi"], "dig",
                           "@" + SEARCH_HOST, name, "+noall", "+answer", "+time=2",
                           "+tries=3", transport).stdout.split()
                self.assertEqual(out, [name + ".", "5", "IN", "CNAME",
                                       "web.default.svc.cluster.local.",
                                       "web.default.svc.cluster.local.", "5", "IN", "A",
                                       "10.96.0.20"])
        # An address vmdns does not know gets the plain answer.
        out = _run("dig", "@" + SEARCH_HOST, name, "+time=2", "+tries=3").stdout
        self.assertIn("status: NXDOMAIN", out)

    def test_short_name_for_a_guest_that_does_not_search(self):
        results = self.compare([("resolved", "myvmi.mysubdomain")])
        self.assertEqual(results[("resolved", "myvmi.mysubdomain", "plain")][0], [])
        self.assertEqual(results[("resolved", "myvmi.mysubdomain", "search")],
                         (["198.18.1.57"], 1))
