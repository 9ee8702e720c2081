"""Hostile packets: what `vmdns serve` answers to queries no well-behaved client sends.

Behaviour checked, each packet sent as raw octets over UDP and over TCP to the running server
(examples/, --no-upstream), and each reply compared whole (id, flags, rcode, every section,
the OPT record):
- shorter than a header, or a response (QR=1): no reply (RFC 1035 section 7.3); over TCP the
  connection is closed;
- a question name cut short, a compression loop, a pointer forward or to itself, a label type
  0x40 or 0x80, a label over 63 octets, a name over 255 octets, QDCOUNT 0 or 2 (RFC 9619),
  a record cut short in the answer or authority section, two OPT records, an OPT not owned by
  the root, QTYPE OPT: FORMERR with the query's id and RD, no question;
- a well-formed answer and authority section in a query: ignored, the question is answered;
- class CH and class ANY: REFUSED; AXFR and IXFR: REFUSED (RFC 5936 lets a server refuse);
- opcodes IQUERY, STATUS, NOTIFY, UPDATE: NOTIMP with the opcode echoed;
- EDNS version 1: BADVERS (16) in our OPT (version 0), no answer (RFC 6891 section 6.1.3);
- ANY: one record set (RFC 8482);
- sizes: never a reply bigger than the client's buffer (512 octets without EDNS, the EDNS
  size from 512 up to our cap of 1232; TCP carries the whole set), TC when the set does not
  fit; a datagram larger than 4096 octets gets no reply;
- amplification: over every name and type of the examples and of a generated cluster, an
  error or negative UDP reply is under 4 times its query, and over the examples any reply is
  under 8 times; past that, only SRV sets of headless Services with their targets' addresses
  (figures printed; SECURITY.md quotes them).
"""

import os
import socket
import struct
import subprocess
import sys
import tempfile
import unittest

from dns_wire import (A, AAAA, ANY, AXFR, BADVERS, CH, FORMERR, IN, IXFR, NOERROR, NOTIMP, NS,
                      OPT, PTR, REFUSED, SOA, SRV, TXT, CNAME, Message, encode_name,
                      parse, tcp_exchange, udp_exchange)
from vmdns_harness import EXAMPLES, SOURCE_DIR, VmdnsServer, run_vmdns

FQDN = "myvmi.mysubdomain.default.svc.cluster.local."
QID = 0x1234
RD = 0x0100


def header(flags=RD, qd=1, an=0, ns=0, ar=0, qid=QID):
    return struct.pack("!6H", qid, flags, qd, an, ns, ar)


def question(name=FQDN, qtype=A, qclass=IN):
    return encode_name(name) + struct.pack("!HH", qtype, qclass)


def opt(udp_size=1232, ttl=0, options=b""):
    return b"\0" + struct.pack("!HHIH", OPT, udp_size, ttl, len(options)) + options


def rr(name, rtype=A, rdata=b"\x0a\0\0\x01"):
    return encode_name(name) + struct.pack("!HHIH", rtype, IN, 60, len(rdata)) + rdata


def formerr(flags="qr rd", opt_record=None, opcode=0):
    """The whole FORMERR reply: no question, no records (RFC 1035 section 4.1.1)."""
    return {"flags": flags, "rcode": FORMERR, "opcode": opcode, "question": [], "answer": [],
            "authority": [], "additional": [], "opt": opt_record}


def bare(rcode, name=FQDN, qtype=A, qclass=IN, flags="qr rd", opcode=0, opt_record=None):
    """An error reply that echoes the question and has no records."""
    return {"flags": flags, "rcode": rcode, "opcode": opcode,
            "question": [(name, qtype, qclass)], "answer": [], "authority": [],
            "additional": [], "opt": opt_record}


MYVMI_A = (FQDN, A, IN, 5, "0af40039")  # 10.244.0.57, --ttl 5
MIXED_CASE = "MyVMI.MySubdomain.Default.SVC.Cluster.Local."

# (what, packet, expected reply or None for no reply)
CASES = [
    ("1035 4.1.1 empty datagram", b"", None),
    ("1035 4.1.1 11 octets: no full header", header()[:11], None),
    ("1035 7.3 a response (QR=1) is never answered", header(flags=0x8000 | RD) + question(),
     None),
    ("1035 7.3 a response with an error rcode", header(flags=0x8000 | 0x0005) + question(), None),
    ("1035 4.1.2 question name cut short", header() + b"\x05myvmi\x0bmysub", formerr()),
    ("1035 4.1.2 question without QTYPE and QCLASS", header() + encode_name(FQDN), formerr()),
    ("1035 4.1.4 compression pointer to itself", header() + b"\xc0\x0c" + struct.pack("!HH", A, IN),
     formerr()),
    ("1035 4.1.4 compression loop of two pointers",
     header() + b"\x01a\xc0\x10\x01b\xc0\x0c" + struct.pack("!HH", A, IN), formerr()),
    ("1035 4.1.4 forward pointer",
     header() + b"\xc0\x0e" + encode_name("cluster.local") + struct.pack("!HH", A, IN),
     formerr()),
    ("1035 4.1.4 pointer past the end", header() + b"\xff\xff" + struct.pack("!HH", A, IN),
     formerr()),
    ("6891 5 label type 0x40", header() + b"\x41" + b"a" * 65 + b"\0" + struct.pack("!HH", A, IN),
     formerr()),
    ("1035 4.1.4 label type 0x80", header() + b"\x80\x01a\0" + struct.pack("!HH", A, IN),
     formerr()),
    ("1035 3.1 label of 64 octets",
     header() + b"\x40" + b"a" * 64 + encode_name("cluster.local") + struct.pack("!HH", A, IN),
     formerr()),
    ("1035 3.1 name of 256 octets",
     header() + b"".join(bytes([63]) + c * 63 for c in (b"a", b"b", b"c")) + bytes([62]) +
     b"d" * 62 + b"\0" + struct.pack("!HH", A, IN), formerr()),
    ("9619 QDCOUNT 0", header(qd=0), formerr()),
    ("9619 QDCOUNT 0 with an OPT", header(qd=0, ar=1) + opt(), formerr()),
    ("9619 QDCOUNT 2", header(qd=2) + question() + question("cluster.local.", SOA), formerr()),
    ("9619 QDCOUNT 2 with one question", header(qd=2) + question(), formerr()),
    ("1035 4.1.3 ANCOUNT 1 with no record", header(an=1) + question(), formerr()),
    ("1035 4.1.3 authority record cut inside its rdata",
     header(ns=1) + question() + encode_name("x.") + struct.pack("!HHIH", A, IN, 0, 4) + b"\0",
     formerr()),
    ("1035 4.1.3 a well-formed answer record in a query is ignored",
     header(an=1) + question() + rr("cluster.local."),
     {"flags": "qr aa rd", "rcode": NOERROR, "question": [(FQDN, A, IN)], "answer": [MYVMI_A],
      "authority": [], "additional": [], "opt": None}),
    ("1035 4.1.3 a well-formed authority record in a query is ignored",
     header(ns=1, ar=1) + question() + rr("example.com.", NS, encode_name("ns.example.com"))
     + opt(),
     {"flags": "qr aa rd", "rcode": NOERROR, "question": [(FQDN, A, IN)], "answer": [MYVMI_A],
      "authority": [], "additional": [], "opt": (1232, 0, False)}),
    ("6891 6.1.1 two OPT records", header(ar=2) + question() + opt() + opt(),
     formerr(opt_record=(1232, 0, False))),
    ("6891 6.1.1 OPT owned by a name other than the root",
     header(ar=1) + question() + encode_name("a.") + struct.pack("!HHIH", OPT, 1232, 0, 0),
     formerr()),
    ("6891 6.1.2 OPT option longer than its rdata",
     header(ar=1) + question() + opt(options=struct.pack("!HH", 10, 8) + b"\0" * 4), formerr()),
    ("6891 6.1.1 QTYPE OPT (a pseudo-type, never asked for)", header() + question(qtype=OPT),
     bare(FORMERR, qtype=OPT)),
    ("6891 6.1.3 EDNS version 1: BADVERS", header(ar=1) + question() + opt(ttl=1 << 16),
     bare(BADVERS, opt_record=(1232, 0, False))),
    ("6891 6.1.3 EDNS version 255 with DO: BADVERS, DO echoed",
     header(ar=1) + question() + opt(ttl=(255 << 16) | 0x8000),
     bare(BADVERS, opt_record=(1232, 0, True))),
    ("1035 3.2.4 class CH: REFUSED", header() + question("version.bind.", TXT, CH),
     bare(REFUSED, "version.bind.", TXT, CH)),
    ("1035 3.2.5 class ANY: REFUSED", header() + question(qclass=255),
     bare(REFUSED, qclass=255)),
    ("5936 AXFR: REFUSED", header() + question("cluster.local.", AXFR),
     bare(REFUSED, "cluster.local.", AXFR)),
    ("1995 IXFR: REFUSED", header() + question("cluster.local.", IXFR),
     bare(REFUSED, "cluster.local.", IXFR)),
    ("3425 IQUERY: NOTIMP", header(flags=RD | (1 << 11)) + question(),
     bare(NOTIMP, opcode=1)),
    ("1035 STATUS: NOTIMP", header(flags=RD | (2 << 11)) + question(), bare(NOTIMP, opcode=2)),
    ("1996 NOTIFY: NOTIMP", header(flags=0x0400 | (4 << 11)) + question("cluster.local.", SOA),
     bare(NOTIMP, "cluster.local.", SOA, flags="qr", opcode=4)),
    ("2136 UPDATE with no zone section: NOTIMP", header(flags=5 << 11, qd=0),
     {"flags": "qr", "rcode": NOTIMP, "opcode": 5, "question": [], "answer": [],
      "authority": [], "additional": [], "opt": None}),
    ("1035 unknown opcode 15: NOTIMP", header(flags=RD | (15 << 11)) + question(),
     bare(NOTIMP, opcode=15)),
    ("4343 the question's case is echoed, the lookup ignores it",
     header() + question(MIXED_CASE),
     {"flags": "qr aa rd", "rcode": NOERROR, "question": [(MIXED_CASE, A, IN)],
      "answer": [(MIXED_CASE,) + MYVMI_A[1:]],
      "authority": [], "additional": [], "opt": None}),
    ("1035 4.1 octets after the last counted record are ignored",
     header() + question() + b"\xde\xad\xbe\xef",
     {"flags": "qr aa rd", "rcode": NOERROR, "question": [(FQDN, A, IN)], "answer": [MYVMI_A],
      "authority": [], "additional": [], "opt": None}),
    ("1035 names outside our zones with --no-upstream: REFUSED",
     header() + question("example.com."), bare(REFUSED, "example.com.")),
]


def as_expected(reply):
    """A reply in the form of CASES' expectations."""
    flags = " ".join(f for f in ("qr", "aa", "tc", "rd", "ra", "ad", "cd") if f in reply.flags)
    return {"flags": flags, "rcode": reply.rcode, "opcode": reply.opcode,
            "question": reply.question, "answer": reply.answer, "authority": reply.authority,
            "additional": reply.additional, "opt": reply.opt}


def tcp_send_raw(port, packet, timeout=2.0):
    """Sends `packet` framed on a new connection; the reply, or None when the server closed the
    connection without one."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(struct.pack("!H", len(packet)) + packet)
        data = b""
        try:
            while True:
                chunk = s.recv(65537)
                if not chunk:
                    break
                data += chunk
                if len(data) >= 2 and len(data) >= 2 + struct.unpack("!H", data[:2])[0]:
                    break
        except (ConnectionResetError, socket.timeout):
            pass
        if len(data) < 2:
            return None
        return data[2:2 + struct.unpack("!H", data[:2])[0]]


class HostilePacketsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = VmdnsServer([EXAMPLES])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def check(self, transport, exchange):
        for what, packet, expected in CASES:
            if transport == "tcp" and len(packet) == 0:
                continue  # a zero-length TCP message closes the connection; tested below
            with self.subTest(transport=transport, case=what):
                data = exchange(packet, expected is not None)
                if expected is None:
                    self.assertIsNone(data, "expected no reply")
                    continue
                self.assertIsNotNone(data, "no reply")
                reply = parse(data)
                self.assertEqual(reply.qid, QID)
                want = dict(expected)
                want.setdefault("opcode", 0)
                self.assertEqual(as_expected(reply), want)
        # The server is still up and answering.
        reply = parse(udp_exchange(self.server.port, Message().question(FQDN).wire()))
        self.assertEqual(reply.answer, [MYVMI_A])

    def test_udp(self):
        # A retry could only hide a reply that should not come: one try when none is expected.
        self.check("udp", lambda p, retry: udp_exchange(self.server.port, p, timeout=0.5,
                                                        tries=3 if retry else 1))

    def test_tcp(self):
        self.check("tcp", lambda p, retry: tcp_send_raw(self.server.port, p, timeout=1.0))

    def test_tcp_zero_length_message_closes(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=2) as s:
            s.sendall(b"\0\0")
            self.assertEqual(s.recv(10), b"")

    def test_any_gets_one_record_set(self):
        # RFC 8482 section 4.1: one RRset of the name, never all of them.
        for transport in ("udp", "tcp"):
            for name in ("cluster.local.", FQDN):
                packet = Message().question(name, ANY).wire()
                data = (udp_exchange if transport == "udp" else tcp_exchange)(self.server.port,
                                                                              packet)
                reply = parse(data)
                self.assertEqual(reply.rcode, NOERROR)
                self.assertIn("aa", reply.flags)
                self.assertEqual(len({(r[0], r[1]) for r in reply.answer}), 1, reply.answer)

    def test_oversized_datagram_gets_no_reply(self):
        packet = header(ar=1) + question() + opt(options=struct.pack("!HH", 65001, 5000)
                                                  + b"\0" * 5000)
        self.assertIsNone(udp_exchange(self.server.port, packet, timeout=0.5, tries=1))
        # Over TCP the same message is an ordinary query with a large option.
        reply = parse(tcp_exchange(self.server.port, packet))
        self.assertEqual(reply.answer, [MYVMI_A])


def big_service(count):
    """A headless Service with `count` ready VMIs: an A set far larger than 1232 octets."""
    docs = ["apiVersion: v1\nkind: Service\nmetadata: {name: big, namespace: default}\n"
            "spec: {clusterIP: None, selector: {app: big}}\n"]
    for i in range(count):
        docs.append("apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\n"
                    "metadata: {name: vm-%d, namespace: default, labels: {app: big}}\nspec: {}\n"
                    "status: {phase: Running, interfaces: [{name: default, ipAddress: 10.1.%d.%d}]}"
                    "\n" % (i, i // 256, i % 256))
    return "---\n".join(docs)


class ReplySizeTest(unittest.TestCase):
    """RFC 1035 4.2.1, RFC 6891 6.2.5, RFC 2181 9: never more than the client can take."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        path = os.path.join(cls.dir.name, "big.yaml")
        with open(path, "w") as f:
            f.write(big_service(200))
        cls.server = VmdnsServer([path])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.dir.cleanup()

    def test_udp_replies_fit_the_client_buffer(self):
        name = "big.default.svc.cluster.local."
        for udp_size, limit in ((None, 512), (0, 512), (100, 512), (511, 512), (512, 512),
                                (700, 700), (1232, 1232), (1400, 1232), (4096, 1232),
                                (65535, 1232)):
            with self.subTest(udp_size=udp_size):
                message = Message().question(name)
                if udp_size is not None:
                    message.opt(udp_size)
                data = udp_exchange(self.server.port, message.wire(), bufsize=limit)
                self.assertIsNotNone(data)
                reply = parse(data)
                self.assertLessEqual(reply.size, limit)
                self.assertIn("tc", reply.flags)  # 200 addresses never fit
                self.assertEqual(reply.answer, [])  # a set is sent whole or not at all
                self.assertEqual(reply.opt, None if udp_size is None else (1232, 0, False))
        # TCP carries the whole set.
        reply = parse(tcp_exchange(self.server.port, Message().question(name).opt(512).wire()))
        self.assertNotIn("tc", reply.flags)
        self.assertEqual(len(reply.answer), 200)


class Amplification:
    """The largest UDP reply-to-query ratios over every name and type, asked with EDNS 1232."""

    TYPES = (A, AAAA, SRV, PTR, TXT, SOA, NS, CNAME, ANY)

    def __init__(self, port, names):
        self.names = len(names)
        self.worst = (0.0, "")           # any reply
        self.worst_required = (0.0, "")  # the reply without its additional section (RFC 2181 9)
        self.worst_negative = (0.0, "")  # replies with no answer: errors, NXDOMAIN, NODATA
        for name in names:
            for qtype in self.TYPES:
                packet = Message().question(name, qtype).opt(1232).wire()
                data = udp_exchange(port, packet)
                if data is None:
                    raise AssertionError("no reply to %s %d" % (name, qtype))
                reply = parse(data)
                what = "%s %s: %d/%d octets" % (name, TYPE_NAMES.get(qtype, qtype), len(data),
                                                len(packet))
                self.note("worst", len(data) / len(packet), what)
                required = reply.additional_offset + (11 if reply.opt else 0)
                self.note("worst_required", required / len(packet), what)
                if not reply.answer:
                    self.note("worst_negative", len(data) / len(packet), what)

    def note(self, field, ratio, what):
        if ratio > getattr(self, field)[0]:
            setattr(self, field, (ratio, what))

    def report(self, zone):
        return ("amplification over %s (%d names x %d types): largest %.1f (%s); without "
                "additional records %.1f (%s); with no answer %.1f (%s)"
                % (zone, self.names, len(self.TYPES), *self.worst, *self.worst_required,
                   *self.worst_negative))


TYPE_NAMES = {A: "A", AAAA: "AAAA", SRV: "SRV", PTR: "PTR", TXT: "TXT", SOA: "SOA", NS: "NS",
              CNAME: "CNAME", ANY: "ANY"}


def zone_names(paths, *args):
    out = run_vmdns("records", *sum((["-f", p] for p in paths), []), *args)
    if out.returncode != 0:
        raise AssertionError(out.stderr)
    return sorted({line.split()[0] for line in out.stdout.splitlines()
                   if line and not line.startswith(";")})


class AmplificationTest(unittest.TestCase):
    """A spoofed UDP query must not buy a large reply. Error and negative replies stay under 4
    times their query; past 8 times, only the data itself: the records a name holds, and the
    addresses of SRV targets as additional data (figures printed; SECURITY.md quotes them)."""

    def measure(self, zone, paths, *args):
        names = zone_names(paths, *args)
        server = VmdnsServer(paths, list(args))
        try:
            figures = Amplification(server.port, names)
        finally:
            server.stop()
        print("\n" + figures.report(zone), file=sys.stderr)
        self.assertLess(figures.worst_negative[0], 4)
        return figures

    def test_examples(self):
        figures = self.measure("examples/", [EXAMPLES], "--reverse-zone", "10.244.0.0/16")
        self.assertLess(figures.worst[0], 8)

    def test_generated_cluster(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "cluster.yaml")
            subprocess.run([sys.executable, os.path.join(SOURCE_DIR, "bench", "gen_cluster.py"),
                            "--vmis", "200", "--out", path], check=True)
            figures = self.measure("a generated cluster of 200 VMIs", [path], "--reverse-zone",
                                   "10.0.0.0/8", "--reverse-zone", "fd00::/8")
        # Never more than our 1232-octet cap, whatever the data.
        self.assertLessEqual(int(figures.worst[1].split(": ")[1].split("/")[0]), 1232)


if __name__ == "__main__":
    unittest.main()
