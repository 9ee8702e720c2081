"""Faults injected while vmdns serves, and what it does about each.

- `kill -9` while it answers a query load and the API server keeps changing (the state saver may
  be in the middle of a write), then a restart with `--state-dir` while the API server does not
  answer: state.json is whole, and the very first answer is the state it holds (stale data,
  not SERVFAIL); the time from exec to that answer is printed, never asserted;
- a manifest rewritten in place and cut short (by its writer stalling, or being killed, at any
  point of the file): the file's last good objects keep being served, and the whole new text
  is applied when it comes;
- the disk full when the state is persisted (a 64 KiB tmpfs; root only, skipped otherwise):
  the write fails with a log line, state.json keeps the last complete state, and once there is
  room again the new state is written; a restart then serves it;
- the API server gone (connection refused), then back on its port: the last data keeps being
  served meanwhile, and what changed while it was gone is seen once it is back;
- the API server answering garbage (200 with a body that is not JSON), then HTTP 500: the last
  data keeps being served, and the first good answer brings the changes. (An API server that
  accepts connections and never answers is in test_kube_api.py.)
- upstreams that answer garbage (bytes that are not DNS, a reply with the wrong ID, a reply cut
  in its question): the client gets SERVFAIL when the --forward-deadline ends;
- an upstream that does not answer yet: while forwarded queries wait for it, cluster names are
  still answered, every one of them before any forwarded query is (no worker blocked); then it
  answers them all, and each client gets its answer.
"""

import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest

from dns_wire import NOERROR, NXDOMAIN, SERVFAIL, Message, ask_a
from fake_kube_api import FakeKubeApi, load_objects
from test_kube_api import CLUSTER, MYVMI, by_name
from udp_peer import UdpPeer
from vmdns_harness import (EXAMPLES, VmdnsServer, peer_port, require_root, require_tools, unavailable,
                           wait_for)

class QueryLoad(threading.Thread):
    """Asks a few names over UDP as fast as they are answered, from one socket."""

    def __init__(self, port, names):
        super().__init__(daemon=True)
        self.port, self.names = port, names
        self.stop_event = threading.Event()
        self.answered = 0

    def run(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.5)
            qid = 0
            while not self.stop_event.is_set():
                qid = (qid + 1) & 0xFFFF
                name = self.names[qid % len(self.names)]
                s.sendto(Message(qid=qid).question(name).wire(), ("127.0.0.1", self.port))
                try:
                    s.recv(4096)
                    self.answered += 1
                except OSError:
                    pass  # the server was killed


class ApiFaultsBase(unittest.TestCase):
    def setUp(self):
        require_tools("dig", "openssl")
        self.dir = tempfile.mkdtemp(prefix="vmdns-faults-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.api = FakeKubeApi(self.dir).start()
        self.addCleanup(self.api.stop)
        self.objects = load_objects(CLUSTER)
        for obj in self.objects:
            self.api.add(obj)
        self.kubeconfig = self.api.write_kubeconfig()

    def serve(self, *extra):
        server = VmdnsServer([], ["--kubeconfig", self.kubeconfig, *extra])
        self.addCleanup(server.stop)
        return server

    def wait_answer(self, server, name, expected, timeout=10.0):
        seen = []

        def check():
            try:
                seen[:] = [ask_a(server.port, name)]
            except OSError as e:
                seen[:] = [e]
                return False
            return seen[0] == (NOERROR, sorted(expected))
        self.assertTrue(wait_for(check, timeout), "%s: last %r\n%s" % (name, seen, server.log()))

    def move_vmi(self, ip):
        vmi = by_name(self.objects, "VirtualMachineInstance", "vmi-fedora")
        vmi["status"]["interfaces"][0]["ipAddresses"] = [ip]
        vmi["status"]["interfaces"][0]["ipAddress"] = ip
        self.api.update(vmi)

    def add_namespace(self, name):
        self.api.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


def file_text(path):
    with open(path) as f:
        return f.read()


def read_state(path):
    with open(path) as f:
        return json.load(f)  # a torn file would not parse


def namespaces_in(state):
    return {item["metadata"]["name"] for item in state["items"] if item["kind"] == "Namespace"}


class KillAndRestartTest(ApiFaultsBase):
    def test_kill_9_under_load_then_restart_serves_the_last_state_first(self):
        state_dir = os.path.join(self.dir, "state")
        state_file = os.path.join(state_dir, "state.json")
        first = self.serve("--state-dir", state_dir)
        self.move_vmi("10.244.0.44")
        self.wait_answer(first, MYVMI, ["10.244.0.44"])
        self.assertTrue(wait_for(lambda: os.path.exists(state_file) and
                                 "10.244.0.44" in file_text(state_file), 10))

        # Under load, and with the API changing so that the saver keeps writing.
        load = QueryLoad(first.port, [MYVMI, "web.shop.svc.cluster.local",
                                      "nosuch.default.svc.cluster.local"])
        load.start()
        for i in range(40):
            self.add_namespace("churn-%d" % i)
            # A few answers between changes, counted rather than slept for: however slow the
            # machine, the kill below comes under load.
            answered = load.answered
            self.assertTrue(wait_for(lambda: load.answered >= answered + 3, 10))
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait()
        load.stop_event.set()
        load.join()
        self.assertGreater(load.answered, 100)

        state = read_state(state_file)
        saved = namespaces_in(state)
        self.assertIn("10.244.0.44", json.dumps(state))
        self.api.hang()  # the API server does not answer the restarted vmdns
        began = time.monotonic()
        second = self.serve("--state-dir", state_dir)
        listening = time.monotonic()
        first_reply = None
        while first_reply is None:
            try:
                first_reply = ask_a(second.port, MYVMI, timeout=0.2)
            except OSError:
                pass
        answered = time.monotonic()
        # The first answer is the last persisted data, not SERVFAIL.
        self.assertEqual(first_reply, (NOERROR, ["10.244.0.44"]), second.log())
        print("\nkill -9 under load (%d answers), restart with --state-dir: listening after "
              "%.1f ms, first answer (the stale data) %.1f ms after exec" %
              (load.answered, (listening - began) * 1000, (answered - began) * 1000))
        # Exactly the saved namespaces: the last one saved exists, the next one does not.
        churned = sorted(int(n.split("-")[1]) for n in saved if n.startswith("churn-"))
        if churned:
            self.assertEqual(ask_a(second.port, "churn-%d.svc.cluster.local" % churned[-1])[0],
                             NOERROR)
        if not churned or churned[-1] < 39:
            missing = churned[-1] + 1 if churned else 0
            self.assertEqual(ask_a(second.port, "churn-%d.svc.cluster.local" % missing)[0],
                             NXDOMAIN)
        self.api.hang(False)
        self.assertTrue(wait_for(
            lambda: ask_a(second.port, "churn-39.svc.cluster.local")[0] == NOERROR, 10))


class DiskFullTest(ApiFaultsBase):
    def setUp(self):
        super().setUp()
        self.mount = os.path.join(self.dir, "small")
        os.mkdir(self.mount)
        require_root("mounting a tmpfs")
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs",
                                 self.mount], capture_output=True, text=True)
        if result.returncode != 0:
            unavailable("cannot mount a tmpfs: " + result.stderr.strip())
        self.addCleanup(subprocess.run, ["umount", "-l", self.mount], capture_output=True)

    def fill(self):
        path = os.path.join(self.mount, "filler")
        with open(path, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError:
                pass
        return path

    def test_full_disk_keeps_the_last_state_and_writes_once_there_is_room(self):
        state_dir = os.path.join(self.mount, "state")
        state_file = os.path.join(state_dir, "state.json")
        server = self.serve("--state-dir", state_dir)
        self.wait_answer(server, MYVMI, ["10.244.0.57"])
        self.assertTrue(wait_for(lambda: os.path.exists(state_file), 10))
        before = read_state(state_file)

        filler = self.fill()
        self.move_vmi("10.244.0.33")
        for i in range(20):  # a state larger than the last one
            self.add_namespace("team-with-a-long-name-%d" % i)
        self.wait_answer(server, MYVMI, ["10.244.0.33"])
        self.assertTrue(wait_for(lambda: "the last state written stays in place" in server.log(),
                                 10), server.log())
        self.assertEqual(read_state(state_file), before)
        self.assertFalse(os.path.exists(state_file + ".tmp"))
        self.assertEqual(server.log().count("the last state written stays in place"), 1)

        os.unlink(filler)
        self.assertTrue(wait_for(lambda: "10.244.0.33" in file_text(state_file), 10),
                        server.log())
        self.assertIn("written again", server.log())
        self.assertIn("team-with-a-long-name-19", namespaces_in(read_state(state_file)))

        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait()
        self.api.hang()
        again = self.serve("--state-dir", state_dir)
        self.assertEqual(ask_a(again.port, MYVMI), (NOERROR, ["10.244.0.33"]))


class ApiServerFaultsTest(ApiFaultsBase):
    def test_gone_then_back_on_its_port(self):
        server = self.serve()
        self.wait_answer(server, MYVMI, ["10.244.0.57"])
        log_before = len(server.log())
        self.api.stop()
        # vmdns has seen it go (its connection failed): no watch of the old server is left to
        # bring the change below, so what is served until it is back is the old data.
        self.assertTrue(wait_for(lambda: "onnect" in server.log()[log_before:], 10),
                        server.log())
        self.move_vmi("10.244.0.71")  # while it is away
        for _ in range(5):
            self.assertEqual(ask_a(server.port, MYVMI), (NOERROR, ["10.244.0.57"]))
            self.assertEqual(ask_a(server.port, "nosuchvm.mysubdomain.default.svc.cluster.local"),
                             (NXDOMAIN, []))
        self.api.start()
        self.wait_answer(server, MYVMI, ["10.244.0.71"], timeout=40)

    def test_garbage_and_errors_instead_of_answers(self):
        not_json = b"<html><body>502 Bad Gateway</body></html>"
        # From the start: the lists are not JSON, so nothing is synced and unknown names
        # answer SERVFAIL rather than a false NXDOMAIN.
        self.api.answer_with(200, not_json)
        server = self.serve()
        self.assertTrue(wait_for(lambda: "the response is not a JSON object" in server.log(), 10),
                        server.log())
        self.assertEqual(ask_a(server.port, MYVMI), (SERVFAIL, []))
        self.api.answer_with(None)
        self.wait_answer(server, MYVMI, ["10.244.0.57"])
        # Then in the watches, and then HTTP 500: the last data keeps serving.
        self.assertTrue(wait_for(lambda: self.api.watchers() == 4))
        log_before = len(server.log())
        self.api.answer_with(200, not_json)
        self.api.drop_watches()
        self.assertTrue(wait_for(lambda: "found '<'" in server.log()[log_before:], 10),
                        server.log())
        self.assertEqual(ask_a(server.port, MYVMI), (NOERROR, ["10.244.0.57"]))
        log_before = len(server.log())
        self.api.answer_with(500, json.dumps({"kind": "Status", "code": 500,
                                              "message": "etcdserver: leader changed"}).encode())
        self.assertTrue(wait_for(lambda: "HTTP 500" in server.log()[log_before:], 15),
                        server.log())
        self.assertEqual(ask_a(server.port, MYVMI), (NOERROR, ["10.244.0.57"]))
        self.move_vmi("10.244.0.72")
        self.api.answer_with(None)
        self.wait_answer(server, MYVMI, ["10.244.0.72"], timeout=40)


class TruncatedManifestTest(unittest.TestCase):
    SERVICE = ("apiVersion: v1\nkind: Service\nmetadata: {name: sub, namespace: default}\n"
               "spec:\n  clusterIP: None\n  selector: {app: myvmi}\n")

    @staticmethod
    def vmis(ip_a, ip_b):
        return "".join(
            "---\napiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\n"
            "metadata: {name: %s, namespace: default, labels: {app: myvmi}}\n"
            "spec: {hostname: %s, subdomain: sub}\n"
            "status:\n  phase: Running\n  conditions:\n  - {type: Ready, status: \"True\"}\n"
            "  interfaces:\n  - name: default\n    ipAddress: %s\n    ipAddresses: [%s]\n"
            % (name, name, ip, ip) for name, ip in (("a", ip_a), ("b", ip_b)))

    def setUp(self):
        require_tools("dig")
        self.dir = tempfile.mkdtemp(prefix="vmdns-cut-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        with open(os.path.join(self.dir, "service.yaml"), "w") as f:
            f.write(self.SERVICE)
        self.path = os.path.join(self.dir, "vmis.yaml")
        with open(self.path, "w") as f:
            f.write(self.vmis("10.244.0.1", "10.244.0.2"))
        self.server = VmdnsServer([self.dir])
        self.addCleanup(self.server.stop)

    def expect_last_good(self):
        for name, ip in (("a", "10.244.0.1"), ("b", "10.244.0.2")):
            self.assertEqual(ask_a(self.server.port, "%s.sub.default.svc.cluster.local" % name),
                             (NOERROR, [ip]), self.server.log())

    def test_cut_anywhere_keeps_the_last_good_objects(self):
        new = self.vmis("10.244.1.1", "10.244.1.2")
        # Every cut that does not fall on a line break, across both objects; and the empty file
        # a writer leaves between its truncation and its first write.
        cuts = [0] + [n for n in range(7, len(new), 11) if new[n - 1] != "\n"]
        for count, cut in enumerate(cuts, 1):
            with open(self.path, "w") as f:
                f.write(new[:cut])
            self.assertTrue(wait_for(lambda: self.server.log().count("not applied") >= count, 5),
                            "cut at %d: %r\n%s" % (cut, new[:cut][-30:], self.server.log()))
            self.expect_last_good()
        # A writer that stalls mid-file, then is killed: the file stays cut.
        writer = subprocess.Popen(
            ["python3", "-c", "import sys, time\nf = open(sys.argv[1], 'w')\n"
             "f.write(sys.argv[2]); f.flush(); time.sleep(60)", self.path,
             new[:len(new) * 2 // 3]])
        self.assertTrue(wait_for(lambda: self.server.log().count("not applied") > len(cuts), 5))
        writer.kill()
        writer.wait()
        # The cut was read and refused above (the positive signal); the kill writes nothing.
        self.expect_last_good()
        self.assertIn("cut short or still being written", self.server.log())
        with open(self.path, "w") as f:
            f.write(new)
        for name, ip in (("a", "10.244.1.1"), ("b", "10.244.1.2")):
            self.assertTrue(wait_for(lambda: ask_a(
                self.server.port, "%s.sub.default.svc.cluster.local" % name) == (NOERROR, [ip])),
                self.server.log())


class GarbageUpstream(UdpPeer):
    """A UDP "resolver" on loopback that answers every query with something that is not a
    reply to it: random bytes, the right reply under another ID, or a header whose question is
    cut. Each query gets one of them in turn."""

    def __init__(self):
        self.queries = 0
        super().__init__()

    def reply(self, packet, peer):
        kind = self.queries % 3
        self.queries += 1
        if kind == 0:
            return bytes(random.randrange(256) for _ in range(random.randrange(1, 80)))
        if kind == 1:
            wrong_id = (struct.unpack(">H", packet[:2])[0] + 1) & 0xFFFF
            return struct.pack(">HHHHHH", wrong_id, 0x8180, 1, 0, 0, 0) + packet[12:]
        return packet[:2] + struct.pack(">HHHHH", 0x8180, 1, 1, 0, 0) + packet[12:15]


class UpstreamFaultsTest(unittest.TestCase):
    def setUp(self):
        require_tools("dig")

    def test_garbage_answers_are_servfail(self):
        upstream = GarbageUpstream()
        self.addCleanup(upstream.close)
        server = VmdnsServer([EXAMPLES], ["--upstream", "127.0.0.1:%d" % upstream.port,
                                          "--upstream-timeout", "500",
                                          "--forward-deadline", "1000"])
        self.addCleanup(server.stop)
        for i in range(6):
            # SERVFAIL when the deadline ends (two rounds of 500 ms), garbage ignored; +time=5
            # bounds a hang.
            reply = server.dig("garbage-%d.example.test" % i, "A", extra=["+time=5"])
            self.assertEqual(reply.status, "SERVFAIL", reply.raw + server.log())
        self.assertGreaterEqual(upstream.queries, 6)
        self.assertEqual(ask_a(server.port, "myvmi.mysubdomain.default.svc.cluster.local"),
                         (NOERROR, ["10.244.0.57"]))

    def test_a_silent_upstream_blocks_no_worker(self):
        silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        silent.bind(("127.0.0.1", peer_port()))
        self.addCleanup(silent.close)
        # A minute: the upstream answers when the test says so, never the timeout.
        server = VmdnsServer([EXAMPLES], ["--upstream", "127.0.0.1:%d" % silent.getsockname()[1],
                                          "--upstream-timeout", "60000"])
        self.addCleanup(server.stop)
        waiting = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(waiting.close)
        for i in range(50):
            waiting.sendto(Message(qid=i).question("slow-%d.example.test" % i).wire(),
                           ("127.0.0.1", server.port))
        self.assertTrue(wait_for(lambda: _pending(silent) > 0, 10))
        # While 50 forwarded queries wait on the upstream, cluster names are answered, every
        # one before any of those 50.
        for _ in range(50):
            self.assertEqual(ask_a(server.port, "myvmi.mysubdomain.default.svc.cluster.local"),
                             (NOERROR, ["10.244.0.57"]))
        waiting.settimeout(0)
        with self.assertRaises(BlockingIOError):
            waiting.recv(4096)
        # Now the upstream answers each (NXDOMAIN), and each client gets its answer.
        silent.settimeout(10)
        for _ in range(50):
            query, peer = silent.recvfrom(4096)
            silent.sendto(query[:2] + bytes([0x81, 0x83]) + query[4:], peer)
        waiting.settimeout(10)
        rcodes = [waiting.recv(4096)[3] & 0x0F for _ in range(50)]
        self.assertEqual(set(rcodes), {NXDOMAIN})


def _pending(sock):
    """Octets waiting on a UDP socket (FIONREAD)."""
    import fcntl
    import termios
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0]


if __name__ == "__main__":
    unittest.main()
