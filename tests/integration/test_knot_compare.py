"""vmdns and Knot DNS serving the same zone give the same answers.

`vmdns records` exports the zone; Knot DNS loads that file on a loopback port; then every name
and type in the zone, and names that do not exist, are asked of both, over UDP and TCP.
Compared: rcode, AA, the answer section (as a set) and the authority section.
Two clusters, each asked with `dig -f` in parallel batches: the examples with the KubeVirt
page's edge cases and the --vm-zone fixtures with their reverse zones, over UDP and TCP; and a
generated cluster of about 300 Services of every kind, 800 VMIs, Pods and dual-stack addresses
(bench/gen_cluster.py), over UDP with and without EDNS and over TCP.
Deliberate differences, ignored:
- the SOA serial: vmdns stamps the time each snapshot is built;
- the additional section: vmdns adds the addresses of SRV targets (RFC 2782), Knot the same,
  but the order differs, so it is not compared.
"""

import concurrent.futures
import os
import subprocess
import tempfile
import unittest

from dns_batch import ask_all
from knot_peer import KnotPeer
from vmdns_harness import (EXAMPLES, FIXTURES, SOURCE_DIR, VmdnsServer, require_tools, run_vmdns,
                           split_zones)


def normalize(records):
    out = set()
    for owner, ttl, klass, rtype, rdata in records:
        if rtype == "SOA":
            fields = rdata.split()
            fields[2] = "SERIAL"
            rdata = " ".join(fields)
        out.add((owner, ttl, klass, rtype, rdata.lower()))
    return out


def kdig(port, name, rtype, tcp):
    from vmdns_harness import parse_dig
    args = ["kdig", "@127.0.0.1", "-p", str(port), name, rtype, "+nostats", "+noquestion",
            "+time=2", "+retry=1", "+tcp" if tcp else "+notcp"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=20)
    return parse_dig(out.stdout)


def serve_both(paths, zone_args=()):
    """The zones `vmdns records` exports for `paths`, vmdns serving `paths`, and Knot DNS
    serving those zones, once Knot answers. `zone_args` go to both vmdns commands."""
    args = ["records", *zone_args]
    for p in paths:
        args += ["-f", p]
    records = run_vmdns(*args)
    assert records.returncode == 0, records.stderr
    vmdns = VmdnsServer(paths, list(zone_args))
    knot = KnotPeer(split_zones(records.stdout))
    return records.stdout, vmdns, knot


# dig processes asking each server at once: each waits for one reply at a time, so the batches
# are bound by round trips, not by either server.
PARALLEL = 4


class KnotCompareTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("kdig", "knotd")
        paths = [EXAMPLES, os.path.join(FIXTURES, "scenarios.yaml"), os.path.join(FIXTURES, "vm-zone")]
        cls.zone_text, cls.vmdns, cls.knot = serve_both(
            paths, ["--vm-zone", "vm", "--reverse-zone", "10.10.0.0/16", "--reverse-zone",
                    "fd10::/16"])

    @classmethod
    def tearDownClass(cls):
        cls.vmdns.stop()
        cls.knot.cleanup()

    def questions(self):
        owners = set()
        for line in self.zone_text.splitlines():
            if line and not line.startswith(";"):
                owners.add(line.split("\t")[0])
        for owner in sorted(owners):
            for rtype in ("A", "AAAA", "SOA", "NS", "CNAME", "TXT", "SRV", "PTR"):
                yield owner, rtype
        for name in ("nosuch.cluster.local.", "nosuch.svc.cluster.local.",
                     "nosuch.default.svc.cluster.local.", "x.y.mysubdomain.default.svc.cluster.local.",
                     "svc.cluster.local.", "default.svc.cluster.local.", "dns.cluster.local.",
                     "MYVMI.MYSUBDOMAIN.default.svc.CLUSTER.local.", "nosuch.vm.",
                     "nic9.vmi-sec.secondary-test.vm.", "x.nic1.router.edge.vm.",
                     "9.9.10.10.in-addr.arpa."):
            yield name, "A"

    def test_same_answers_as_knot(self):
        questions = list(self.questions())
        count = 0
        answered = 0
        for tcp in (False, True):
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                ours, theirs = pool.map(
                    lambda port: ask_all(port, questions, tcp=tcp, parallel=PARALLEL),
                    (self.vmdns.port, self.knot.port))
            for (name, rtype), a, b in zip(questions, ours, theirs):
                with self.subTest(name=name, rtype=rtype, tcp=tcp):
                    self.assertEqual(a.status, b.status, a.raw + b.raw)
                    self.assertEqual("aa" in a.flags, "aa" in b.flags)
                    self.assertEqual(normalize(a.answer), normalize(b.answer))
                    self.assertEqual([r[3] for r in a.authority],
                                     [r[3] for r in b.authority], a.raw + b.raw)
                    count += 1
                    answered += bool(a.answer)
        self.assertGreater(count, 100)
        # The comparison means something only if both sides really answered.
        self.assertGreater(answered, 10)


class GeneratedClusterTest(unittest.TestCase):
    """Every name and type of a generated cluster, and misses around each name."""

    TYPES = ("A", "AAAA", "SRV", "PTR", "TXT", "CNAME", "NS", "SOA")

    @classmethod
    def setUpClass(cls):
        require_tools("dig", "knotd")
        cls.workdir = tempfile.TemporaryDirectory()
        manifest = os.path.join(cls.workdir.name, "cluster.yaml")
        # About 300 Services of every kind, 800 VMIs, 150 Pods: some 7,000 records.
        subprocess.run(["python3", os.path.join(SOURCE_DIR, "bench", "gen_cluster.py"), "--vmis",
                        "800", "--namespaces", "6", "--out", manifest], check=True)
        cls.zone_text, cls.vmdns, cls.knot = serve_both([manifest])

    @classmethod
    def tearDownClass(cls):
        cls.vmdns.stop()
        cls.knot.cleanup()
        cls.workdir.cleanup()

    def questions(self):
        present = set()
        for line in self.zone_text.splitlines():
            if line and not line.startswith(";"):
                fields = line.split("\t")
                present.add((fields[0], fields[3]))
        owners = sorted({owner for owner, _ in present})
        # Every type each name has; every type of an alias (answered with the CNAME) and of one
        # name in seven: the others' missing types are the same NODATA (the SOA in authority),
        # a seventh of the questions.
        everything = set(owners[::7]) | {owner for owner, t in present if t == "CNAME"}
        out = [(owner, t) for owner in owners for t in self.TYPES
               if (owner, t) in present or owner in everything]
        # Search-path misses as a guest with ndots:5 produces them, and names below leaves.
        for owner in owners[::7]:
            out.append(("x." + owner, "A"))
            out.append((owner + "default.svc.cluster.local.", "A"))
        out.append(("*.ns-1.svc.cluster.local.", "A"))
        return out

    def compare(self, tcp, edns=True):
        questions = self.questions()
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            ours, theirs = pool.map(
                lambda port: ask_all(port, questions, tcp=tcp, edns=edns, parallel=PARALLEL),
                (self.vmdns.port, self.knot.port))
        differences = []
        for (name, rtype), a, b in zip(questions, ours, theirs):
            if (a.status, "aa" in a.flags, "tc" in a.flags, normalize(a.answer),
                    normalize(a.authority)) != (b.status, "aa" in b.flags, "tc" in b.flags,
                                                normalize(b.answer), normalize(b.authority)):
                differences.append("%s %s:\n--- vmdns\n%s\n--- knot\n%s" % (
                    name, rtype, a.raw.strip(), b.raw.strip()))
        self.assertEqual(differences[:10], [], "%d of %d differ" % (len(differences),
                                                                    len(questions)))
        self.assertGreater(sum(1 for a in ours if a.answer), len(questions) // 10)

    def test_udp(self):
        self.compare(tcp=False)

    def test_tcp(self):
        self.compare(tcp=True)

    def test_udp_without_edns(self):
        # No OPT in the query: none in the reply, and 512 octets at most (RFC 1035 4.2.1).
        self.compare(tcp=False, edns=False)


if __name__ == "__main__":
    unittest.main()
