#!/usr/bin/env python3
"""The floor responder answers as bench/run expects: every query, over each of its threads'
sockets, with the question echoed, QR and AA set, the ID and RD kept, and one A record; it stops
cleanly on SIGTERM.

    bench/floor/smoke.py build/bench/floor/vmdns_floor      # ctest bench.floor_smoke
"""

import os
import signal
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import A, AAAA, SRV, free_port, parse_message, query_packet  # noqa: E402

QR, AA, RD = 0x8000, 0x0400, 0x0100


def main(binary):
    port = free_port()
    server = subprocess.Popen([binary, "--listen", "127.0.0.1:%d" % port, "--threads", "2"],
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if not line.startswith("listening on"):
            sys.exit("vmdns_floor did not start: %r" % line)
        failures = []
        # Many source ports, so that both SO_REUSEPORT sockets get queries.
        for i, (name, qtype) in enumerate([("a.example", A), ("Mixed.Case.test", AAAA),
                                           ("_http._tcp.svc.cluster.local", SRV)] * 8):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(5)
                s.sendto(query_packet(0x1000 + i, name, qtype), ("127.0.0.1", port))
                reply = parse_message(s.recv(65535))
            expected_flags = QR | AA | RD
            if (reply.id != 0x1000 + i or reply.flags != expected_flags or
                    reply.question != [(name.lower(), qtype, 1)] or
                    [(r.owner, r.type, r.value) for r in reply.answer] !=
                    [(name.lower(), A, "192.0.2.1")] or reply.authority or reply.additional):
                failures.append("%s %d: %r" % (name, qtype, reply))
        # A datagram without a whole header gets no reply: the next query's reply, from the
        # same socket (one source port hashes to one of the SO_REUSEPORT sockets), comes first.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            s.sendto(b"\x00\x01\x00", ("127.0.0.1", port))
            s.sendto(query_packet(0x2000, "after.example", A), ("127.0.0.1", port))
            first = parse_message(s.recv(65535))
            if first.id != 0x2000:
                failures.append("a reply to a 3-octet datagram: %r" % first)
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=10)
    if code != 0:
        failures.append("exit status %d after SIGTERM" % code)
    if failures:
        sys.exit("\n".join(failures))
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
