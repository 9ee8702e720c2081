"""Knot DNS (knotd) on a loopback port serving the zones a test gives it: the upstream vmdns
forwards to, the stub domain's server, the root a guest resolves through, or the peer whose
answers vmdns's are compared with.

    knot = KnotPeer({"example.test": "example.test. 3600 IN SOA ...\\n..."})
    ... "--upstream", "127.0.0.1:%d" % knot.port ...
    knot.stop()       # a dead upstream, from now on (idempotent)
    knot.cleanup()    # stopped and its files removed
"""

import os
import subprocess
import tempfile

from dns_wire import Message, udp_exchange
from vmdns_harness import peer_port, wait_for

SOA = 6


class KnotPeer:
    def __init__(self, zones):
        """`zones`: {apex: zone text}. Returns once knotd answers the first zone's SOA with
        NOERROR (loaded, not merely listening)."""
        self.dir = tempfile.TemporaryDirectory()
        d = self.dir.name
        self.port = peer_port()
        conf = [f"server:\n    listen: 127.0.0.1@{self.port}\n    rundir: {d}\n",
                f"database:\n    storage: {d}\n",
                "log:\n  - target: stderr\n    any: warning\n", "zone:\n"]
        for i, (apex, text) in enumerate(zones.items()):
            path = os.path.join(d, "%d.zone" % i)  # "." is an apex too
            with open(path, "w") as f:
                f.write(text)
            conf.append(f"  - domain: {apex}\n    file: {path}\n    storage: {d}\n"
                        "    journal-content: none\n    zonefile-sync: -1\n")
        path = os.path.join(d, "knot.conf")
        with open(path, "w") as f:
            f.write("".join(conf))
        self.log = open(os.path.join(d, "knotd.log"), "w+")
        self.proc = subprocess.Popen(["knotd", "-c", path], stdout=subprocess.DEVNULL,
                                     stderr=self.log)
        probe = Message(qid=0x4b4e).question(next(iter(zones)), SOA).opt(1232).wire()

        def loaded():
            reply = udp_exchange(self.port, probe, timeout=0.5, tries=1)
            return reply is not None and len(reply) >= 4 and reply[3] & 0xF == 0

        # Ready at the first probe answered NOERROR; not probed again after it, as a second probe
        # could time out on a loaded machine.
        if not wait_for(lambda: self.proc.poll() is not None or loaded()) \
                or self.proc.poll() is not None:
            self.log.seek(0)
            error = self.log.read()
            self.cleanup()
            raise RuntimeError("knotd did not start:\n" + error)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)  # a loaded machine; a hang is killed
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def cleanup(self):
        self.stop()
        self.log.close()
        self.dir.cleanup()
