"""DNS messages as raw octets, for tests that send what no DNS client would (RFC 1035 section 4).

    packet = Message(qid=0x1234).question("cluster.local", SOA).opt(1232).wire()
    reply = parse(udp_exchange(port, packet))      # None when the server sent nothing
    reply.rcode, reply.flags, reply.answer         # records as (owner, type, class, ttl, rdata hex)
    ask_a(port, "myvmi.sub.default.svc.cluster.local")   # (rcode, sorted addresses), by UDP

parse() follows compression pointers and reads the OPT record's extended rcode, so `rcode` is
the full 12-bit value (BADVERS is 16).
"""

import random
import socket
import struct
import time

A, NS, CNAME, SOA, PTR, TXT, AAAA, SRV, OPT, IXFR, AXFR, ANY = (
    1, 2, 5, 6, 12, 16, 28, 33, 41, 251, 252, 255)
IN, CH = 1, 3
NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, BADVERS = 0, 1, 2, 3, 4, 5, 16
QR, AA, TC, RD, RA = 0x8000, 0x0400, 0x0200, 0x0100, 0x0080
FLAG_NAMES = {QR: "qr", AA: "aa", TC: "tc", RD: "rd", RA: "ra", 0x0020: "ad", 0x0010: "cd"}


def encode_name(name):
    """A name in uncompressed wire form; labels longer than 63 octets are written as asked."""
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label) & 0xFF]) + label.encode()
    return out + b"\0"


class Message:
    """A message built section by section; counts are computed unless given."""

    def __init__(self, qid=0x1234, flags=RD, opcode=0, counts=None):
        self.qid = qid
        self.flags = flags | (opcode << 11)
        self.counts = counts
        self.sections = [[], [], [], []]  # question, answer, authority, additional (raw)

    def question(self, name, qtype=A, qclass=IN, raw_name=None):
        owner = raw_name if raw_name is not None else encode_name(name)
        self.sections[0].append(owner + struct.pack("!HH", qtype, qclass))
        return self

    def record(self, section, name, rtype, rdata=b"", rclass=IN, ttl=0):
        self.sections[section].append(
            encode_name(name) + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata)
        return self

    def opt(self, udp_size=1232, version=0, do=False, options=b""):
        ttl = (version << 16) | (0x8000 if do else 0)
        self.sections[3].append(b"\0" + struct.pack("!HHIH", OPT, udp_size, ttl, len(options))
                                + options)
        return self

    def wire(self):
        counts = self.counts or [len(s) for s in self.sections]
        return (struct.pack("!6H", self.qid, self.flags, *counts)
                + b"".join(b"".join(s) for s in self.sections))


def read_name(data, offset):
    """(name text, offset after the name in place); follows pointers, at most 128 of them."""
    labels = []
    end = None
    for _ in range(128):
        length = data[offset]
        if length >= 0xC0:
            if end is None:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | data[offset + 1]
            continue
        if length == 0:
            return (".".join(labels) + ".") if labels else ".", (end or offset + 1)
        labels.append(data[offset + 1:offset + 1 + length].decode("latin-1"))
        offset += 1 + length
    raise ValueError("compression loop")


class Reply:
    def __init__(self, data):
        self.size = len(data)
        self.qid, self.raw_flags, qd, an, ns, ar = struct.unpack("!6H", data[:12])
        self.opcode = (self.raw_flags >> 11) & 0xF
        self.flags = {name for bit, name in FLAG_NAMES.items() if self.raw_flags & bit}
        self.rcode = self.raw_flags & 0xF
        self.question = []
        self.answer, self.authority, self.additional = [], [], []
        self.opt = None  # (udp size, version, do) when the reply has an OPT
        offset = 12
        for _ in range(qd):
            name, offset = read_name(data, offset)
            qtype, qclass = struct.unpack("!HH", data[offset:offset + 4])
            offset += 4
            self.question.append((name, qtype, qclass))
        self.additional_offset = None  # where the additional section starts
        for section, count in ((self.answer, an), (self.authority, ns), (self.additional, ar)):
            if section is self.additional:
                self.additional_offset = offset
            for _ in range(count):
                name, offset = read_name(data, offset)
                rtype, rclass, ttl, length = struct.unpack("!HHIH", data[offset:offset + 10])
                offset += 10
                rdata = data[offset:offset + length]
                offset += length
                if rtype == OPT:
                    if self.opt is not None:
                        raise ValueError("two OPT records in a reply")
                    self.opt = (rclass, (ttl >> 16) & 0xFF, bool(ttl & 0x8000))
                    self.rcode |= (ttl >> 24) << 4
                    continue
                section.append((name, rtype, rclass, ttl, rdata.hex()))
        if offset != len(data):
            raise ValueError("%d octets after the last record" % (len(data) - offset))

    def types(self, section):
        return [r[1] for r in section]

    def addresses(self, rtype=A):
        """The answer section's addresses of type `rtype` (A or AAAA) as text, sorted."""
        family = socket.AF_INET6 if rtype == AAAA else socket.AF_INET
        return sorted(socket.inet_ntop(family, bytes.fromhex(r[4]))
                      for r in self.answer if r[1] == rtype)


def parse(data):
    return None if data is None else Reply(data)


def udp_exchange(port, packet, timeout=1.0, host="127.0.0.1", bufsize=65535, tries=3):
    """The reply datagram, or None when none came after `tries` sends. As a resolver does, the
    same datagram is sent again when no reply came within the try's wait (`timeout`, doubled
    each try): a datagram lost on a loaded machine costs a retry, not a test. A check that
    expects no reply passes tries=1 (a retry could only hide a reply, never find a failure)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        wait = timeout
        for _ in range(tries):
            s.settimeout(wait)
            s.sendto(packet, (host, port))
            try:
                return s.recv(bufsize)
            except socket.timeout:
                wait *= 2
        return None


def ask(port, name, qtype=A, timeout=1.0, host="127.0.0.1", tries=3):
    """The parsed reply to a UDP query under a random ID, sent again (same ID) after `timeout`,
    then twice that, as a resolver retries. A datagram under another ID (a late reply to an
    earlier socket that had the same port) is skipped; socket.timeout is raised when `tries`
    sends got no reply."""
    qid = random.randrange(1 << 16)
    query = Message(qid=qid).question(name, qtype).wire()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        wait = timeout
        for attempt in range(tries):
            s.sendto(query, (host, port))
            deadline = time.monotonic() + wait
            try:
                while True:
                    s.settimeout(max(0.001, deadline - time.monotonic()))
                    data = s.recv(65535)
                    if struct.unpack("!H", data[:2])[0] == qid:
                        return Reply(data)
            except socket.timeout:
                if attempt == tries - 1:
                    raise
            wait *= 2


def ask_a(port, name, timeout=1.0, host="127.0.0.1", tries=3):
    """(rcode, sorted IPv4 addresses of the answer) of one UDP A query; quicker than starting
    dig, so a poll for a new answer sees it to the millisecond."""
    reply = ask(port, name, A, timeout, host, tries)
    return reply.rcode, reply.addresses(A)


def recv_exact(sock, size):
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def tcp_read_message(sock):
    """One length-prefixed message, or None on EOF."""
    prefix = recv_exact(sock, 2)
    if prefix is None:
        return None
    return recv_exact(sock, struct.unpack("!H", prefix)[0])


def tcp_exchange(port, packet, timeout=2.0, host="127.0.0.1"):
    """The reply on a new connection, or None when the server closed it without one."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(struct.pack("!H", len(packet)) + packet)
        try:
            return tcp_read_message(s)
        except (ConnectionResetError, socket.timeout):
            return None
