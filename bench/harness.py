"""What the bench scripts share: ports, process figures from /proc, dnsperf, DNS messages.

    from harness import free_port, cpu_seconds, cpu_split, status_kib, dnsperf, ask, parse_message
    port = free_port()                                   # free on loopback for UDP and TCP
    before = cpu_seconds(pid)                            # utime + stime, seconds
    user, system = cpu_split(pid)                        # the two apart
    result = dnsperf(port, "queries.txt", 3, cpu="1")    # {"qps", "completed", "lost", ...}
    status_kib(pid, "VmHWM")                             # peak RSS, KiB
    reply = ask(port, "cluster.local", SOA)              # a parsed Message, or None
    reply.rcode, reply.answer[0].owner, reply.answer[0].value

Every script in bench/ imports this module (it sits next to them, so `import harness` works when
a script is run by path). Only the standard library: the scripts run on a bare machine with
dnsperf, Knot DNS and NSD installed and nothing from pip.
"""

import os
import platform
import random
import re
import socket
import struct
import subprocess
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

A, NS, CNAME, SOA, PTR, AAAA, SRV, OPT = 1, 2, 5, 6, 12, 28, 33, 41
NOERROR, NXDOMAIN = 0, 3


def vmdns_binary():
    """The vmdns under test: $VMDNS_BIN, else the build in the source tree."""
    return os.environ.get("VMDNS_BIN", os.path.join(ROOT, "build", "vmdns"))


# --- ports -------------------------------------------------------------------------------------

def free_port():
    """A loopback port free for both UDP and TCP (`vmdns serve` binds both).

    Picked below the ephemeral range rather than by binding port 0: clients such as dig set
    SO_REUSEPORT, and one whose ephemeral source port happened to be our port-0 port would
    share our socket and read its own query back as the reply."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 32000)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u, \
                    socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                u.bind(("127.0.0.1", port))
                t.bind(("127.0.0.1", port))
                return port
        except OSError:
            continue
    raise RuntimeError("no free loopback port")


# --- process figures from /proc ----------------------------------------------------------------

def process_tree(pid):
    """`pid` and its live descendants (NSD serves from forked children)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    tree, frontier = [pid], [pid]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier]
        tree += children
        frontier = children
    return tree


def cpu_split(pid, tree=False):
    """(user, system) CPU seconds of `pid` (with `tree`, summed over its descendants too).
    A process that has exited counts 0."""
    user = system = 0.0
    for p in process_tree(pid) if tree else [pid]:
        try:
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            user += int(fields[11]) / CLOCK_TICKS
            system += int(fields[12]) / CLOCK_TICKS
        except OSError:
            pass
    return user, system


def cpu_seconds(pid, tree=False):
    """User + system CPU seconds of `pid` (see cpu_split)."""
    return sum(cpu_split(pid, tree))


def status_kib(pid, field_name, tree=False):
    """A KiB field of /proc/PID/status (VmHWM: peak RSS, VmRSS: resident now); with `tree`,
    the largest over the descendants (forked children share the parent's pages). 0 when the
    process is gone."""
    largest = 0
    for p in process_tree(pid) if tree else [pid]:
        try:
            with open("/proc/%d/status" % p) as f:
                for line in f:
                    if line.startswith(field_name + ":"):
                        largest = max(largest, int(line.split()[1]))
        except OSError:
            pass
    return largest


# --- dnsperf -----------------------------------------------------------------------------------

def dnsperf(port, query_file, seconds, clients=8, outstanding=500, timeout=2, rate=None,
            verbose=False, cpu=None, check=False):
    """Runs dnsperf against 127.0.0.1:`port` and returns its figures: sent, completed, lost,
    qps, avg_ms, codes ({"NOERROR": n, ...}), warnings (its "Warning" lines) and text (all of
    its output). `rate` caps the queries a second (-Q); `verbose` (-v) adds p99_ms from the
    per-query latencies; `cpu` pins it with taskset (e.g. "1"); `timeout` is dnsperf's -t
    (None: its default). `check`: raise when dnsperf fails."""
    args = ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", query_file, "-l", str(seconds),
            "-c", str(clients), "-q", str(outstanding)]
    if timeout is not None:
        args += ["-t", str(timeout)]
    if rate:
        args += ["-Q", str(rate)]
    if verbose:
        args.append("-v")
    if cpu is not None:
        args = ["taskset", "-c", str(cpu)] + args
    out = subprocess.run(args, capture_output=True, text=True, check=check)
    text = out.stdout + out.stderr

    def number(pattern, default=0.0):
        m = re.search(pattern, text)
        return float(m.group(1)) if m else default
    codes = {}
    if "Response codes:" in text:
        line = text.split("Response codes:")[1].splitlines()[0]
        codes = {code: int(n) for code, n in re.findall(r"(\w+) (\d+) \(", line)}
    result = {
        "sent": int(number(r"Queries sent:\s+(\d+)")),
        "completed": int(number(r"Queries completed:\s+(\d+)")),
        "lost": int(number(r"Queries lost:\s+(\d+)", -1)),
        "qps": number(r"Queries per second:\s+([\d.]+)"),
        "avg_ms": number(r"Average Latency \(s\):\s+([\d.]+)") * 1000,
        "codes": codes,
        "warnings": [l for l in text.splitlines() if l.startswith("Warning")],
        "text": text,
    }
    if verbose:
        # "> NOERROR name A 0.000245"; timed-out queries carry no latency and count as lost.
        latencies = sorted(float(l.rsplit(" ", 1)[1]) for l in out.stdout.splitlines()
                           if l.startswith("> ") and re.search(r" \d+\.\d+$", l))
        result["p99_ms"] = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else 0.0
    return result


# --- DNS messages ------------------------------------------------------------------------------

class Malformed(ValueError):
    """A message that does not parse completely (RFC 1035 section 4)."""


@dataclass
class Record:
    owner: str
    type: int
    cls: int
    ttl: int
    rdata: bytes
    value: object  # A/AAAA: the address as text; NS/CNAME/PTR/SRV: the target name; else rdata


@dataclass
class Message:
    id: int
    flags: int
    rcode: int
    question: list = field(default_factory=list)  # [(name, type, class)]
    answer: list = field(default_factory=list)    # [Record]
    authority: list = field(default_factory=list)
    additional: list = field(default_factory=list)


def encode_name(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".") if l) + b"\0"


def query_packet(qid, name, qtype, flags=0x0100):
    """A query (RD set, no EDNS) for `name` `qtype` in class IN."""
    return (struct.pack(">HHHHHH", qid, flags, 1, 0, 0, 0) + encode_name(name) +
            struct.pack(">HH", qtype, 1))


def read_name(packet, at):
    """-> (lower-case name without the final dot, offset after it). Bounds-checked; compression
    pointers must point backwards, so a loop cannot be followed."""
    labels, end, hops = [], None, 0
    while True:
        if at >= len(packet):
            raise Malformed("name runs past the end")
        length = packet[at]
        if length & 0xC0 == 0xC0:
            if at + 1 >= len(packet):
                raise Malformed("cut pointer")
            target = ((length & 0x3F) << 8) | packet[at + 1]
            if target >= at or hops > 64:
                raise Malformed("bad pointer")
            end = at + 2 if end is None else end
            at, hops = target, hops + 1
            continue
        if length & 0xC0:
            raise Malformed("bad label type")
        if length == 0:
            return ".".join(labels).lower(), (at + 1 if end is None else end)
        if at + 1 + length > len(packet):
            raise Malformed("label runs past the end")
        labels.append(packet[at + 1:at + 1 + length].decode("ascii", "replace"))
        at += 1 + length


def _value(packet, rtype, at, length):
    if rtype in (A, AAAA):
        size, family = (4, socket.AF_INET) if rtype == A else (16, socket.AF_INET6)
        if length != size:
            raise Malformed("%s of %d octets" % ("A" if rtype == A else "AAAA", length))
        return socket.inet_ntop(family, packet[at:at + length])
    if rtype in (NS, CNAME, PTR, SRV):
        skip = 6 if rtype == SRV else 0  # priority, weight, port
        if length < skip + 1:
            raise Malformed("short rdata of type %d" % rtype)
        target, after = read_name(packet, at + skip)
        if after != at + length:
            raise Malformed("rdata length of type %d" % rtype)
        return target
    return packet[at:at + length]


def parse_message(packet):
    """The whole message, every record read; raises Malformed for a cut or inconsistent one,
    or one with octets after its last record."""
    if len(packet) < 12:
        raise Malformed("short header")
    qid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", packet[:12])
    message = Message(id=qid, flags=flags, rcode=flags & 0xF)
    at = 12
    for _ in range(qd):
        name, at = read_name(packet, at)
        if at + 4 > len(packet):
            raise Malformed("cut question")
        message.question.append((name, *struct.unpack(">HH", packet[at:at + 4])))
        at += 4
    for section, count in ((message.answer, an), (message.authority, ns),
                           (message.additional, ar)):
        for _ in range(count):
            owner, at = read_name(packet, at)
            if at + 10 > len(packet):
                raise Malformed("cut record header")
            rtype, rclass, ttl, length = struct.unpack(">HHIH", packet[at:at + 10])
            at += 10
            if at + length > len(packet):
                raise Malformed("rdata runs past the end")
            section.append(Record(owner, rtype, rclass, ttl, packet[at:at + length],
                                  _value(packet, rtype, at, length)))
            at += length
    if at != len(packet):
        raise Malformed("%d octets after the last record" % (len(packet) - at))
    return message


def ask(port, name, qtype=A, timeout=1.0, sock=None):
    """One UDP query to 127.0.0.1:`port`: the parsed reply, or None when none came within
    `timeout`. Replies under another ID are skipped; Malformed is raised for one that does not
    parse. `sock`: a UDP socket to reuse (its own timeout is then replaced)."""
    own = sock is None
    sock = sock or socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.settimeout(timeout)
        qid = random.randrange(1 << 16)
        sock.sendto(query_packet(qid, name, qtype), ("127.0.0.1", port))
        while True:
            try:
                packet = sock.recv(65535)
            except socket.timeout:
                return None
            if packet[:2] == struct.pack(">H", qid):
                return parse_message(packet)
    finally:
        if own:
            sock.close()


# --- what a report says about the run ----------------------------------------------------------

def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def source_commit():
    return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
