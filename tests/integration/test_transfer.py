"""vmdns as the primary of real secondaries: zone transfers out (AXFR, RFC 5936; IXFR, RFC 1995).

One vmdns serves the examples, the --vm-zone fixtures and a watched directory with one VMI, with
--allow-transfer 127.0.0.1/32; one Knot DNS is its secondary for every zone it serves (the
configuration the README shows under "Publishing VM names outside the cluster").
- `kdig AXFR` of each zone gives exactly the records `vmdns records` prints, between two copies
  of the SOA;
- Knot DNS transfers every zone and answers what vmdns answers;
- the VMI migrates (its address changes in the manifest): once vmdns serves the new serial, a
  refresh of the secondary (knotc zone-refresh; test_notify.py has NOTIFY drive it) is an IXFR, and Knot DNS
  answers the new address;
- IXFR with our serial gets our SOA alone (up to date), over TCP and over UDP; IXFR from a serial
  we never had gets the whole zone; AXFR over UDP gets FORMERR, as Knot DNS and BIND answer;
- a client outside --allow-transfer (127.0.0.2) gets REFUSED, and the refusal is counted on
  /metrics (vmdns_transfers_total{result="refused"}).
BIND 9 (`named`) as a secondary of its own vmdns (the README's configuration): it transfers
every zone, and after the migration a `rndc refresh` is an IXFR and named answers the new address
(test_notify.py's BindNotifyTest has a signed NOTIFY drive it, with the README's TSIG key).
The README's named.conf blocks are checked to be what BindSecondary writes (ReadmeBindConfigTest).
Refreshes are driven with `knotc -b` (blocking until the transfer ends) and `rndc refresh`
(awaited on named's "transferred serial" log line); changes are awaited on the SOA serial,
never on a sleep.
"""

import base64
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

from test_tsig import SECRET
from vmdns_harness import (EXAMPLES, FIXTURES, SOURCE_DIR, VmdnsServer, peer_port, require_tools,
                           run_vmdns, split_zones, wait_for)

NS = "xfr"
NAME = "myvmi.sub.%s.svc.cluster.local." % NS
ZONE_ARGS = ["--vm-zone", "vm", "--reverse-zone", "10.10.0.0/16"]

SERVICE = """apiVersion: v1
kind: Service
metadata: {name: sub, namespace: %s}
spec:
  clusterIP: None
  selector: {app: myvmi}
""" % NS


def vmi(ip):
    return ("apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\n"
            "metadata: {name: vm1, namespace: %s, labels: {app: myvmi}}\n"
            "spec: {hostname: myvmi, subdomain: sub}\n"
            "status:\n  phase: Running\n  conditions:\n  - {type: Ready, status: \"True\"}\n"
            "  interfaces:\n  - {name: default, ipAddress: %s}\n" % (NS, ip))


def kdig(port, name, rtype, *extra, source=None):
    args = ["kdig", "@127.0.0.1", "-p", str(port), name, rtype, "+time=5", "+retry=1",
            "+nostats", "+noquestion"] + list(extra)
    if source:
        args += ["-b", source]
    out = subprocess.run(args, capture_output=True, text=True, timeout=60)
    return out.stdout + out.stderr  # kdig reports a failed transfer's rcode on stderr


def records_of(text):
    """kdig's or `vmdns records`' record lines -> [(owner, ttl, type, rdata)], SOA serials
    replaced (vmdns stamps each snapshot's build time)."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith(";"):
            continue
        parts = line.split(None, 4)
        if len(parts) < 5 or parts[2] != "IN":
            continue
        owner, ttl, _, rtype, rdata = parts
        rdata = " ".join(rdata.split()).lower()
        if rtype == "SOA":
            fields = rdata.split()
            fields[2] = "SERIAL"
            rdata = " ".join(fields)
        out.append((owner.lower(), int(ttl), rtype, rdata))
    return out


def soa_serial(port, zone):
    m = re.search(r"\tSOA\t\S+ \S+ (\d+) ", kdig(port, zone, "SOA", "+tcp"))
    return int(m.group(1)) if m else None


class KnotSecondary:
    """knotd as a secondary of the primary at 127.0.0.1@`primary_port` for `zones`."""

    def __init__(self, primary_port, zones, port=None, key=None):
        """`port`: the port to listen on (a primary that notifies it must know it first).
        `key`: (name, secret) of an hmac-sha256 TSIG key that signs the transfers and that
        the NOTIFY must be signed with."""
        self.dir = tempfile.mkdtemp(prefix="vmdns-knot-")
        key_conf = key_ref = ""
        if key:
            key_conf = "key:\n  - id: %s\n    algorithm: hmac-sha256\n    secret: %s\n" % key
            key_ref = "    key: %s\n" % key[0]
        self.port = port or peer_port()
        self.socket = os.path.join(self.dir, "knot.sock")
        zone_conf = "".join("  - domain: %s\n    master: vmdns\n    acl: [vmdns_notify, local_axfr]\n"
                            % z for z in zones)
        self.conf = os.path.join(self.dir, "knot.conf")
        with open(self.conf, "w") as f:
            f.write(f"""server:
    listen: 127.0.0.1@{self.port}
    rundir: {self.dir}
control:
    listen: {self.socket}
database:
    storage: {self.dir}
log:
  - target: stderr
    any: info
{key_conf}remote:
  - id: vmdns
    address: 127.0.0.1@{primary_port}
{key_ref}acl:
  - id: vmdns_notify
    address: 127.0.0.1
    action: notify
{key_ref}  - id: local_axfr
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: {self.dir}
    zonefile-sync: -1
    zonefile-load: none
    journal-content: changes
zone:
{zone_conf}""")
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(["knotd", "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=self.log)
        wait_for(lambda: os.path.exists(self.socket), timeout=10)

    def knotc(self, *args):
        return subprocess.run(["knotc", "-s", self.socket, "-t", "30", *args],
                              capture_output=True, text=True, timeout=60)

    def text_log(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.dir, True)


def bind_zones_conf(primary_port, zones, key=None):
    """named.conf's zone statements for `zones`, secondaries of 127.0.0.1 port `primary_port`,
    as the README shows them; with `key` (name, secret), its key statement first and the
    transfers and NOTIFY signed with it."""
    conf = key_ref = ""
    if key:
        conf = 'key "%s" {\n    algorithm hmac-sha256;\n    secret "%s";\n};\n' % key
        key_ref = ' key "%s"' % key[0]
    for z in zones:
        z = z.rstrip(".")
        conf += ('zone "%s" {\n    type secondary;\n    primaries { 127.0.0.1 port %d%s; };\n'
                 '    file "%s.db";\n};\n' % (z, primary_port, key_ref, z))
    return conf


class BindSecondary:
    """named as a secondary of the primary at 127.0.0.1 port `primary_port` for `zones`,
    with rndc on a loopback port of its own. `port`: the port to listen on (a primary that
    notifies it must know it first); `key`: (name, secret) of an hmac-sha256 TSIG key that signs
    the transfers and the NOTIFY."""

    def __init__(self, primary_port, zones, port=None, key=None):
        self.dir = tempfile.mkdtemp(prefix="vmdns-named-")
        self.primary_port = primary_port
        self.zones = zones
        self.port = port or peer_port()
        self.rndc_port = peer_port()
        secret = base64.b64encode(os.urandom(32)).decode()
        self.rndc_key = 'key "rndc-key" { algorithm hmac-sha256; secret "%s"; };\n' % secret
        self.conf = os.path.join(self.dir, "named.conf")
        self.write_conf(key)
        self.rndc_conf = os.path.join(self.dir, "rndc.conf")
        with open(self.rndc_conf, "w") as f:
            f.write(self.rndc_key + 'options { default-key "rndc-key"; default-server 127.0.0.1; '
                    'default-port %d; };\n' % self.rndc_port)
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(["named", "-g", "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=self.log)

    def write_conf(self, key):
        """named.conf with the zones signed by `key`; `rndc reconfig` applies a rewritten one."""
        with open(self.conf, "w") as f:
            f.write(self.rndc_key + f"""controls {{
    inet 127.0.0.1 port {self.rndc_port} allow {{ 127.0.0.1; }} keys {{ "rndc-key"; }};
}};
options {{
    directory "{self.dir}";
    pid-file "{self.dir}/named.pid";
    listen-on port {self.port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    dnssec-validation no;
    notify no;
    allow-transfer {{ 127.0.0.1; }};
}};
""" + bind_zones_conf(self.primary_port, self.zones, key))

    def text_log(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def transferred(self, zone, serial):
        return "zone %s/IN: transferred serial %d" % (zone.rstrip("."), serial) in self.text_log()

    def rndc(self, *args):
        return subprocess.run(["rndc", "-c", self.rndc_conf, *args], capture_output=True,
                              text=True, timeout=30)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.dir, True)


class Primary(unittest.TestCase):
    """One vmdns with --allow-transfer 127.0.0.1/32, serving the examples, the --vm-zone
    fixtures and a watched directory with one VMI, per test class."""

    @classmethod
    def start_primary(cls, extra_args=()):
        cls.dir = tempfile.mkdtemp(prefix="vmdns-xfr-")
        cls.watched = os.path.join(cls.dir, "manifests")
        os.mkdir(cls.watched)
        cls.write("service.yaml", SERVICE)
        cls.write("vmi.yaml", vmi("10.10.7.1"))
        cls.paths = [EXAMPLES, os.path.join(FIXTURES, "vm-zone"), cls.watched]
        cls.metrics_port = peer_port()
        cls.vmdns = VmdnsServer(cls.paths, ZONE_ARGS + [
            "--allow-transfer", "127.0.0.1/32",
            "--metrics-listen", "127.0.0.1:%d" % cls.metrics_port] + list(extra_args))
        cls.zones = sorted(split_zones(cls.records()))

    @classmethod
    def stop_primary(cls):
        cls.vmdns.stop()
        shutil.rmtree(cls.dir, True)

    @classmethod
    def write(cls, name, text):
        tmp = os.path.join(cls.watched, "." + name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, os.path.join(cls.watched, name))

    @classmethod
    def records(cls):
        args = ["records"] + ZONE_ARGS
        for p in cls.paths:
            args += ["-f", p]
        out = run_vmdns(*args)
        assert out.returncode == 0, out.stderr
        return out.stdout

    def migrate(self):
        """The VMI moves to 10.10.8.2; returns the serial before, once vmdns serves a newer."""
        before = soa_serial(self.vmdns.port, "cluster.local.")
        self.write("vmi.yaml", vmi("10.10.8.2"))
        self.assertTrue(wait_for(lambda: soa_serial(self.vmdns.port, "cluster.local.") != before,
                                 timeout=10), self.vmdns.log())
        return before

    def metric(self, name, labels):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.metrics_port,
                                    timeout=10) as r:
            text = r.read().decode()
        m = re.search(r"^%s\{%s\} (\S+)$" % (re.escape(name), re.escape(labels)), text, re.M)
        return float(m.group(1)) if m else None


class TransferTest(Primary):
    @classmethod
    def setUpClass(cls):
        require_tools("kdig", "knotd", "knotc")
        cls.start_primary()
        cls.knot = KnotSecondary(cls.vmdns.port, cls.zones)

    @classmethod
    def tearDownClass(cls):
        cls.knot.stop()
        cls.stop_primary()

    def refresh(self, zone, command="zone-refresh"):
        done = self.knot.knotc("-b", command, zone)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr + self.knot.text_log())

    def test_1_axfr_is_the_zone_between_two_soas(self):
        expected = split_zones(self.records())
        self.assertIn("cluster.local.", expected)
        self.assertIn("10.10.in-addr.arpa.", expected)
        for apex in self.zones:
            with self.subTest(zone=apex):
                got = records_of(kdig(self.vmdns.port, apex, "AXFR"))
                self.assertGreater(len(got), 2)
                self.assertEqual(got[0][2], "SOA")
                self.assertEqual(got[-1], got[0])
                self.assertEqual(sorted(got[1:-1]),
                                 sorted(r for r in records_of(expected[apex]) if r[2] != "SOA"))

    def test_2_knot_transfers_every_zone_and_follows_a_migration(self):
        for apex in self.zones:
            self.refresh(apex, "zone-retransfer")
            with self.subTest(zone=apex):
                self.assertEqual(sorted(records_of(kdig(self.knot.port, apex, "AXFR"))),
                                 sorted(records_of(kdig(self.vmdns.port, apex, "AXFR"))))
        self.assertIn("10.10.7.1", kdig(self.knot.port, NAME, "A"))

        before = self.migrate()
        for apex in ("cluster.local.", "10.10.in-addr.arpa."):
            self.refresh(apex)
        answer = kdig(self.knot.port, NAME, "A")
        self.assertIn("10.10.8.2", answer)
        self.assertNotIn("10.10.7.1", answer)
        self.assertIn("myvmi.sub.xfr.svc.cluster.local.",
                      kdig(self.knot.port, "2.8.10.10.in-addr.arpa.", "PTR"))
        self.assertIn("incremental, from %d" % before, self.vmdns.log())
        self.assertEqual(sorted(records_of(kdig(self.knot.port, "cluster.local.", "AXFR"))),
                         sorted(records_of(kdig(self.vmdns.port, "cluster.local.", "AXFR"))))

    def test_ixfr_answers(self):
        serial = soa_serial(self.vmdns.port, "cluster.local.")
        for transport in ("+tcp", "+notcp"):
            with self.subTest(transport=transport):
                got = records_of(kdig(self.vmdns.port, "cluster.local.", "IXFR=%d" % serial,
                                      transport))
                self.assertEqual([r[2] for r in got], ["SOA"])
        # a serial we never had: the whole zone, as an AXFR
        got = records_of(kdig(self.vmdns.port, "cluster.local.", "IXFR=1", "+tcp"))
        self.assertEqual(sorted(got[1:-1]),
                         sorted(records_of(kdig(self.vmdns.port, "cluster.local.", "AXFR"))[1:-1]))

    def test_axfr_over_udp_is_formerr(self):
        out = kdig(self.vmdns.port, "cluster.local.", "AXFR", "+notcp")
        self.assertIn("FORMERR", out)

    def test_not_our_zone_is_notauth(self):
        self.assertIn("NOTAUTH", kdig(self.vmdns.port, "example.org.", "AXFR"))

    def test_client_not_allowed_is_refused_and_counted(self):
        before = self.metric("vmdns_transfers_total", 'result="refused"') or 0
        out = kdig(self.vmdns.port, "cluster.local.", "AXFR", source="127.0.0.2")
        self.assertIn("REFUSED", out)
        self.assertNotIn("\tSOA\t", out)
        self.assertEqual(self.metric("vmdns_transfers_total", 'result="refused"'), before + 1)
        self.assertIn("127.0.0.2", self.vmdns.log())


class BindTransferTest(Primary):
    @classmethod
    def setUpClass(cls):
        require_tools("kdig", "named", "rndc")
        cls.start_primary()
        cls.serial = soa_serial(cls.vmdns.port, "cluster.local.")
        cls.named = BindSecondary(cls.vmdns.port, cls.zones)

    @classmethod
    def tearDownClass(cls):
        cls.named.stop()
        cls.stop_primary()

    def test_named_transfers_every_zone_and_follows_a_migration(self):
        for apex in self.zones:
            self.assertTrue(wait_for(lambda: self.named.transferred(apex, self.serial),
                                     timeout=20), self.named.text_log())
            with self.subTest(zone=apex):
                self.assertEqual(sorted(records_of(kdig(self.named.port, apex, "AXFR"))),
                                 sorted(records_of(kdig(self.vmdns.port, apex, "AXFR"))))
        self.assertIn("10.10.7.1", kdig(self.named.port, NAME, "A"))

        before = self.migrate()
        now = soa_serial(self.vmdns.port, "cluster.local.")
        for apex in ("cluster.local.", "10.10.in-addr.arpa."):
            done = self.named.rndc("refresh", apex.rstrip("."))
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            self.assertTrue(wait_for(lambda: self.named.transferred(apex, now), timeout=20),
                            self.named.text_log())
        answer = kdig(self.named.port, NAME, "A")
        self.assertIn("10.10.8.2", answer)
        self.assertNotIn("10.10.7.1", answer)
        self.assertIn("myvmi.sub.xfr.svc.cluster.local.",
                      kdig(self.named.port, "2.8.10.10.in-addr.arpa.", "PTR"))
        self.assertIn("incremental, from %d" % before, self.vmdns.log())
        self.assertEqual(sorted(records_of(kdig(self.named.port, "cluster.local.", "AXFR"))),
                         sorted(records_of(kdig(self.vmdns.port, "cluster.local.", "AXFR"))))


class ReadmeBindConfigTest(unittest.TestCase):
    """The named.conf blocks of the README's "BIND 9 as a secondary" are what bind_zones_conf
    writes for BindSecondary (test_notify.py's BindNotifyTest runs the signed one), with the
    README's port 5353 and key."""

    def test_readme_shows_the_configuration_the_tests_run(self):
        with open(os.path.join(SOURCE_DIR, "README.md")) as f:
            readme = f.read()
        section = readme[readme.index("### BIND 9 as a secondary"):]
        section = section[:section.index("\n## ")]
        blocks = re.findall(r"^```\n(.*?)^```$", section, re.S | re.M)
        zones = ["cluster.local.", "10.10.in-addr.arpa.", "vm."]
        self.assertEqual(blocks, [bind_zones_conf(5353, zones),
                                  bind_zones_conf(5353, zones, ("xfr.example", SECRET))])


class SerialAcrossRestartsTest(unittest.TestCase):
    """With --state-dir, a restarted vmdns serves a serial above every one it served before,
    even when a burst of changes had pushed the serials ahead of the clock (each build takes
    the last serial + 1 when that is above the seconds since the epoch)."""

    def test_serial_grows_across_a_restart(self):
        require_tools("kdig")
        work = tempfile.mkdtemp(prefix="vmdns-serial-")
        self.addCleanup(shutil.rmtree, work, True)
        watched = os.path.join(work, "manifests")
        os.mkdir(watched)
        state = os.path.join(work, "state")
        args = ["--state-dir", state]

        def write(ip):
            with open(os.path.join(watched, ".vmi.tmp"), "w") as f:
                f.write(vmi(ip))
            os.rename(os.path.join(watched, ".vmi.tmp"), os.path.join(watched, "vmi.yaml"))

        write("10.10.9.0")
        server = VmdnsServer([watched], args)
        self.addCleanup(server.stop)
        serial = soa_serial(server.port, "cluster.local.")
        # Changes until the serial is 10 seconds ahead of the clock, however long each takes on
        # this machine (each one gains a second on the clock unless it takes longer itself).
        for i in range(1, 250):
            if serial > time.time() + 10:
                break
            write("10.10.9.%d" % i)
            self.assertTrue(wait_for(lambda: soa_serial(server.port, "cluster.local.") != serial))
            serial = soa_serial(server.port, "cluster.local.")
        self.assertGreater(serial, time.time())  # ahead of the clock after the burst
        server.stop()
        with open(os.path.join(state, "serial")) as f:
            self.assertEqual(int(f.read()), serial)
        again = VmdnsServer([watched], args)
        self.addCleanup(again.stop)
        self.assertGreater(soa_serial(again.port, "cluster.local."), serial)


if __name__ == "__main__":
    unittest.main()
