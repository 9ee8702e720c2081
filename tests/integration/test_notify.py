"""NOTIFY (RFC 1996): vmdns tells its secondaries of each new serial, and they follow at once.

One vmdns (test_transfer's Primary: the examples, the --vm-zone fixtures and a watched directory
with one VMI, --allow-transfer 127.0.0.1/32) with two --notify targets:
- Knot DNS, a secondary of every zone with no refresh command ever given: the VMI migrates (its
  address changes in the manifest) and Knot DNS answers the new address, its log showing the
  NOTIFY it received and the IXFR that followed;
- a UDP listener of this test that ignores the first NOTIFY of each zone and answers the next:
  vmdns sends it again with the same ID (RFC 1996 section 3.6) and counts the retry and the
  acknowledgement on /metrics (vmdns_notifies_total{target,result}).
With --tsig-key (SignedNotifyTest, its own vmdns and Knot DNS), the NOTIFY is signed: Knot DNS's
notify ACL requires the key, and the migration reaches it all the same; its signed answer
verifies (acknowledged). BIND 9 (BindNotifyTest, its own vmdns and named, the README's BIND
configuration with the key) follows a migration through the signed NOTIFY and an IXFR, no rndc
command given; with a wrong secret, named rejects the NOTIFY and vmdns its refresh, and named
keeps the address it had. A bad --notify stops `serve` with exit code 2 naming it (BadNotifyTest).
Everything is awaited on an answer, a log line or a metric, never on a sleep.
"""

import base64
import re
import struct
import tempfile
import threading
import unittest

from dns_wire import read_name
from test_transfer import (NAME, BindSecondary, KnotSecondary, Primary, kdig, soa_serial,
                           vmi)
from test_tsig import SECRET
from udp_peer import UdpPeer
from vmdns_harness import EXAMPLES, peer_port, require_tools, run_vmdns, wait_for


class IgnoresFirstNotify(UdpPeer):
    """A UDP listener that drops the first NOTIFY of each zone and answers every later one."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen = {}  # zone -> [(id, answered)]
        super().__init__()

    def reply(self, data, peer):
        if len(data) < 12:
            return None
        qid, flags, qdcount = struct.unpack("!3H", data[:6])
        if (flags >> 11) & 0xF != 4 or flags & 0x8000 or qdcount != 1:
            return None
        zone, end = read_name(data, 12)
        with self.lock:
            tries = self.seen.setdefault(zone.lower(), [])
            answer = len(tries) > 0
            tries.append((qid, answer))
        if not answer:
            return None
        # The question alone, QR and AA set, opcode NOTIFY, NOERROR.
        reply = struct.pack("!6H", qid, 0x8000 | (4 << 11) | 0x0400, 1, 0, 0, 0)
        return reply + data[12:end + 4]

    def tries(self, zone):
        with self.lock:
            return list(self.seen.get(zone, []))


class NotifyTest(Primary):
    @classmethod
    def setUpClass(cls):
        require_tools("kdig", "knotd", "knotc")
        cls.listener = IgnoresFirstNotify()
        knot_port = peer_port()
        # Both targets from the --config file's notify: key (SignedNotifyTest uses the flag).
        cls.config = tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="vmdns-notify-")
        cls.config.write("notify: [127.0.0.1:%d, 127.0.0.1:%d]\n" % (knot_port,
                                                                    cls.listener.port))
        cls.config.flush()
        cls.start_primary(["--config", cls.config.name])
        cls.knot = KnotSecondary(cls.vmdns.port, cls.zones, port=knot_port)

    @classmethod
    def tearDownClass(cls):
        cls.knot.stop()
        cls.stop_primary()
        cls.listener.close()
        cls.config.close()

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


class SignedNotifyTest(Primary):
    """With --tsig-key, the NOTIFY is signed: Knot DNS's notify ACL names the key (an unsigned
    NOTIFY would be denied), and its signed answer verifies, counted acknowledged."""

    @classmethod
    def setUpClass(cls):
        require_tools("kdig", "knotd", "knotc")
        knot_port = peer_port()
        cls.start_primary(["--notify", "127.0.0.1:%d" % knot_port,
                           "--tsig-key", "xfr.example:hmac-sha256:" + SECRET])
        cls.knot = KnotSecondary(cls.vmdns.port, cls.zones, port=knot_port,
                                 key=("xfr.example", SECRET))

    @classmethod
    def tearDownClass(cls):
        cls.knot.stop()
        cls.stop_primary()

    def test_knot_follows_a_migration_through_signed_notify(self):
        self.assertTrue(wait_for(lambda: "10.10.7.1" in kdig(self.knot.port, NAME, "A"),
                                 timeout=60), self.knot.text_log())
        before = len(self.knot.text_log())
        self.migrate()
        self.assertTrue(wait_for(lambda: "10.10.8.2" in kdig(self.knot.port, NAME, "A"),
                                 timeout=60), self.knot.text_log() + self.vmdns.log())
        log = self.knot.text_log()[before:]
        self.assertRegex(log, r"\[cluster\.local\.\] notify, incoming")
        self.assertNotIn("denied", log)
        self.assertTrue(wait_for(lambda: (self.metric(
            "vmdns_notifies_total",
            'target="127.0.0.1:%d",result="acknowledged"' % self.knot.port) or 0) >= 1))
        self.assertNotIn("answer's TSIG", self.vmdns.log())


class BindNotifyTest(Primary):
    """BIND 9 (named) as a secondary with the README's TSIG configuration (the key statement and
    `primaries { ... key "xfr.example"; }`, bind_zones_conf):
    - vmdns's signed NOTIFY brings it a migration through an IXFR, no rndc command given (its
      SOA query before the IXFR is signed too, and so is vmdns's answer, or named drops it);
    - with a wrong secret for the key (named.conf rewritten, `rndc reconfig`), named rejects the
      NOTIFY (BADSIG), vmdns refuses its transfer (NOTAUTH, BADSIG), and named keeps serving the
      address it had."""

    @classmethod
    def setUpClass(cls):
        require_tools("kdig", "named", "rndc")
        bind_port = peer_port()
        cls.start_primary(["--notify", "127.0.0.1:%d" % bind_port,
                           "--tsig-key", "xfr.example:hmac-sha256:" + SECRET])
        cls.named = BindSecondary(cls.vmdns.port, cls.zones, port=bind_port,
                                  key=("xfr.example", SECRET))

    @classmethod
    def tearDownClass(cls):
        cls.named.stop()
        cls.stop_primary()

    def test_1_named_follows_a_migration_through_signed_notify(self):
        serial = soa_serial(self.vmdns.port, "cluster.local.")
        # named drops queries until it runs: wait for its log, then ask.
        self.assertTrue(wait_for(lambda: self.named.transferred("cluster.local.", serial),
                                 timeout=60), self.named.text_log() + self.vmdns.log())
        self.assertIn("10.10.7.1", kdig(self.named.port, NAME, "A"))
        # The first serial's NOTIFY went out before named listened: once its retry is answered,
        # the migration's serial goes out at once rather than with that retry.
        acknowledged = 'target="127.0.0.1:%d",result="acknowledged"' % self.named.port
        self.assertTrue(wait_for(lambda: (self.metric("vmdns_notifies_total", acknowledged) or 0)
                                 >= len(self.zones), timeout=60), self.vmdns.log())
        before = len(self.named.text_log())
        self.migrate()
        self.assertTrue(wait_for(lambda: "10.10.8.2" in kdig(self.named.port, NAME, "A"),
                                 timeout=60), self.named.text_log() + self.vmdns.log())
        log = self.named.text_log()[before:]
        self.assertRegex(log, r"received notify for zone 'cluster\.local': TSIG 'xfr\.example'")
        self.assertRegex(log, r"zone cluster\.local/IN: transferred serial \d+: TSIG 'xfr\.example'")
        self.assertRegex(self.vmdns.log(), r"cluster\.local\. IXFR serial \d+ \(incremental")
        self.assertTrue(wait_for(lambda: (self.metric("vmdns_notifies_total", acknowledged) or 0)
                                 >= 2 * len(self.zones)))
        self.assertNotIn("answer's TSIG", self.vmdns.log())

    def test_2_a_wrong_key_is_refused_both_ways(self):
        self.assertTrue(wait_for(lambda: "10.10.8.2" in kdig(self.named.port, NAME, "A"),
                                 timeout=60), self.named.text_log())
        wrong = base64.b64encode(b"not-the-secret-of-xfr.example-0").decode()
        self.named.write_conf(("xfr.example", wrong))
        done = self.named.rndc("reconfig")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        # vmdns's NOTIFY of the next serial fails named's check, and vmdns says so.
        self.write("vmi.yaml", vmi("10.10.9.3"))
        self.assertTrue(wait_for(lambda: re.search(
            r"NOTIFY cluster\.local\. to 127\.0\.0\.1:%d: the answer's TSIG: BADSIG"
            % self.named.port, self.vmdns.log()), timeout=30), self.vmdns.log())
        self.assertRegex(self.named.text_log(), r"tsig verify failure \(BADSIG\)")
        # named's refresh, its SOA query signed with the wrong secret, is refused.
        done = self.named.rndc("refresh", "cluster.local")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertTrue(wait_for(lambda: re.search(
            r"signed query from 127\.0\.0\.1#\d+: cluster\.local\. SOA refused: TSIG BADSIG",
            self.vmdns.log()), timeout=30), self.vmdns.log())
        self.assertTrue(wait_for(lambda: re.search(
            r"zone cluster\.local/IN: refresh: failure trying primary .*: tsig indicates error",
            self.named.text_log()), timeout=30), self.named.text_log())
        answer = kdig(self.named.port, NAME, "A")
        self.assertIn("10.10.8.2", answer)
        self.assertNotIn("10.10.9.3", answer)


class BadNotifyTest(unittest.TestCase):
    def test_bad_targets_stop_serve(self):
        key = "xfr.example:hmac-sha256:" + SECRET
        cases = [
            (["--notify", "127.0.0.1:0"], '--notify "127.0.0.1:0": port 0'),
            (["--notify", "127.0.0.1:53,kee=x"], 'unknown option "kee=x" (key=NAME)'),
            (["--notify", "127.0.0.1:53,key=other.example", "--tsig-key", key],
             '--notify "127.0.0.1:53,key=other.example": no --tsig-key or --tsig-key-file key '
             'named other.example.'),
            (["--notify", "127.0.0.1:53", "--tsig-key", key,
              "--tsig-key", "two.example:hmac-sha256:" + SECRET],
             "2 TSIG keys are configured: name the one to sign with (ADDR:PORT,key=NAME)"),
        ]
        for args, expected in cases:
            with self.subTest(args=args):
                out = run_vmdns("serve", "--listen", "127.0.0.1:0", "--no-upstream", "-f",
                                EXAMPLES, *args)
                self.assertEqual(out.returncode, 2, out.stderr)
                self.assertIn(expected, out.stderr)


if __name__ == "__main__":
    unittest.main()
