"""NOTIFY (RFC 1996): vmdns tells its secondaries of each new serial, and they follow at once.

One vmdns (test_transfer's Primary: the examples, the --vm-zone fixtures and a watched directory
with one VMI, --allow-transfer 127.0.0.1/32) with two --notify targets:
- Knot DNS, a secondary of every zone with no refresh command ever given: the VMI migrates (its
  address changes in the manifest) and Knot DNS answers the new address, its log showing the
  NOTIFY it received and the IXFR that followed;
- a UDP listener of this test that ignores the first NOTIFY of each zone and answers the next:
  vmdns sends it again with the same ID (RFC 1996 section 3.6) and counts the retry and the
  acknowledgement on /metrics (vmdns_notifies_total{target,result}).
Everything is awaited on an answer, a log line or a metric, never on a sleep.
"""

import re
import socket
import struct
import threading
import unittest

from dns_wire import read_name
from test_transfer import NAME, KnotSecondary, Primary, kdig
from vmdns_harness import peer_port, require_tools, wait_for


class IgnoresFirstNotify:
    """A UDP listener that drops the first NOTIFY of each zone and answers every later one."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.port = None
        for _ in range(20):
            port = peer_port()
            try:
                self.sock.bind(("127.0.0.1", port))
                self.port = port
                break
            except OSError:
                continue
        self.lock = threading.Lock()
        self.seen = {}  # zone -> [(id, answered)]
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while True:
            try:
                data, peer = self.sock.recvfrom(65535)
            except OSError:
                return
            if len(data) < 12:
                continue
            qid, flags, qdcount = struct.unpack("!3H", data[:6])
            if (flags >> 11) & 0xF != 4 or flags & 0x8000 or qdcount != 1:
                continue
            zone, end = read_name(data, 12)
            with self.lock:
                tries = self.seen.setdefault(zone.lower(), [])
                answer = len(tries) > 0
                tries.append((qid, answer))
            if answer:
                # The question alone, QR and AA set, opcode NOTIFY, NOERROR.
                reply = struct.pack("!6H", qid, 0x8000 | (4 << 11) | 0x0400, 1, 0, 0, 0)
                self.sock.sendto(reply + data[12:end + 4], peer)

    def tries(self, zone):
        with self.lock:
            return list(self.seen.get(zone, []))

    def stop(self):
        self.sock.close()


class NotifyTest(Primary):
    @classmethod
    def setUpClass(cls):
        require_tools("kdig", "knotd", "knotc")
        cls.listener = IgnoresFirstNotify()
        knot_port = peer_port()
        cls.start_primary(["--notify", "127.0.0.1:%d" % knot_port,
                           "--notify", "127.0.0.1:%d" % cls.listener.port])
        cls.knot = KnotSecondary(cls.vmdns.port, cls.zones, port=knot_port)

    @classmethod
    def tearDownClass(cls):
        cls.knot.stop()
        cls.stop_primary()
        cls.listener.stop()

    def test_knot_follows_a_migration_through_notify_and_ixfr(self):
        self.assertTrue(wait_for(lambda: "10.10.7.1" in kdig(self.knot.port, NAME, "A"),
                                 timeout=60), self.knot.text_log())
        before = len(self.knot.text_log())
        self.migrate()
        # No knotc command: only the NOTIFY tells Knot DNS (its SOA refresh is hours away).
        self.assertTrue(wait_for(lambda: "10.10.8.2" in kdig(self.knot.port, NAME, "A"),
                                 timeout=60), self.knot.text_log() + self.vmdns.log())
        log = self.knot.text_log()[before:]  # what the migration caused
        self.assertRegex(log, r"\[cluster\.local\.\] notify, incoming")
        self.assertRegex(log, r"\[cluster\.local\.\] IXFR, incoming")
        self.assertTrue(wait_for(lambda: (self.metric(
            "vmdns_notifies_total",
            'target="127.0.0.1:%d",result="acknowledged"' % self.knot.port) or 0) >= 1))

    def test_unanswered_notify_is_sent_again_until_answered(self):
        target = 'target="127.0.0.1:%d"' % self.listener.port
        self.assertTrue(wait_for(lambda: len(self.listener.tries("cluster.local.")) >= 2,
                                 timeout=30), self.vmdns.log())
        first, second = self.listener.tries("cluster.local.")[:2]
        self.assertEqual(first[0], second[0], "a retry keeps the message ID")
        self.assertTrue(wait_for(lambda: (self.metric(
            "vmdns_notifies_total", target + ',result="retried"') or 0) >= 1))
        zones = len(self.zones)
        self.assertTrue(wait_for(lambda: (self.metric(
            "vmdns_notifies_total", target + ',result="acknowledged"') or 0) >= zones,
            timeout=30), self.vmdns.log())
        self.assertEqual(self.metric("vmdns_notifies_total", target + ',result="failed"'), 0)


if __name__ == "__main__":
    unittest.main()
