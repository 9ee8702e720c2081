"""`vmdns serve` follows its manifest files while it runs.

- a VMI file added to a watched directory is served; modified (the VMI migrates: its IP
  changes), the new address is served; paused (Ready false), its name goes (NXDOMAIN); deleted,
  likewise;
- a file replaced by a rename (as editors save) is read again, and so is a file given by name;
- a file that breaks (invalid YAML, or an object with an error) keeps its last good objects in
  force, and the error names the file, document and field, once; fixing the file applies it;
- a watched directory removed and made again is read again;
- a ConfigMap volume, updated the way the kubelet does (a new `..<version>` directory, `..data`
  switched to it by a rename), is read again through its links, without duplicate warnings;
- SIGHUP re-reads every file, even one whose change no watch can see (through a symlink, its
  size and modification time kept, so that its stamp does not show it either): a file the watch
  does see, changed later, is served first while the hidden one still is not;
- `-f -` (standard input) is read once, and its objects stay while the files change;
- the time from a write to the new answer is printed (never asserted).
"""

import os
import shutil
import signal
import statistics
import tempfile
import time
import unittest

from dns_wire import NOERROR, NXDOMAIN, ask_a
from vmdns_harness import VmdnsServer, require_tools, wait_for

NAME = "myvmi.sub.default.svc.cluster.local"

SERVICE = """apiVersion: v1
kind: Service
metadata: {name: sub, namespace: default}
spec:
  clusterIP: None
  selector: {app: myvmi}
"""

# A Service in a file of its own: a change the watch sees.
CANARY_NAME = "canary.default.svc.cluster.local"
CANARY = """apiVersion: v1
kind: Service
metadata: {name: canary, namespace: default}
spec:
  clusterIP: 10.96.0.99
  ports:
  - {name: dns, port: 53, protocol: UDP}
"""


def vmi(ip, ready=True, paused=False, hostname="myvmi"):
    conditions = '  - {type: Ready, status: "%s"}\n' % ("True" if ready else "False")
    if paused:
        conditions += '  - {type: Paused, status: "True"}\n'
    return ("apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\n"
            "metadata: {name: vm1, namespace: default, labels: {app: myvmi}}\n"
            "spec: {hostname: %s, subdomain: sub}\n"
            "status:\n  phase: Running\n  conditions:\n%s"
            "  interfaces:\n  - {name: default, ipAddress: %s}\n" % (hostname, conditions, ip))


class LiveFilesTest(unittest.TestCase):
    delays_ms = []

    @classmethod
    def tearDownClass(cls):
        if cls.delays_ms:
            print("\nwrite -> new answer: %d changes, median %.1f ms, max %.1f ms" %
                  (len(cls.delays_ms), statistics.median(cls.delays_ms), max(cls.delays_ms)))

    def setUp(self):
        require_tools("dig")
        self.dir = tempfile.mkdtemp(prefix="vmdns-live-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.watched = os.path.join(self.dir, "manifests")
        os.mkdir(self.watched)
        self.write("service.yaml", SERVICE)

    def serve(self, *paths):
        server = VmdnsServer(list(paths) or [self.watched])
        self.addCleanup(server.stop)
        return server

    def path(self, name):
        return os.path.join(self.watched, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)

    def write_by_rename(self, name, text):
        with open(self.path("." + name + ".swp"), "w") as f:
            f.write(text)
        os.rename(self.path("." + name + ".swp"), self.path(name))

    def expect(self, server, rcode, addresses, timeout=30.0, name=NAME):
        """Polls until the answer for `name` is (rcode, addresses); records the time it took."""
        started = time.monotonic()
        got = None
        while time.monotonic() - started < timeout:
            got = ask_a(server.port, name)
            if got == (rcode, addresses):
                LiveFilesTest.delays_ms.append((time.monotonic() - started) * 1000)
                # dig, a real resolver's client, agrees
                reply = server.dig(name)
                self.assertEqual(reply.status, {NOERROR: "NOERROR", NXDOMAIN: "NXDOMAIN"}[rcode])
                self.assertEqual(reply.rdatas("A"), addresses)
                return
            time.sleep(0.001)
        self.fail("expected %r, still %r after %.1f s\n%s" % ((rcode, addresses), got, timeout,
                                                              server.log()))

    def test_add_migrate_pause_delete(self):
        server = self.serve()
        self.assertEqual(ask_a(server.port, NAME), (NXDOMAIN, []))
        self.write("vmi.yaml", vmi("10.244.0.57"))
        self.expect(server, NOERROR, ["10.244.0.57"])
        self.write("vmi.yaml", vmi("10.244.1.12"))  # migrated to another node
        self.expect(server, NOERROR, ["10.244.1.12"])
        self.write("vmi.yaml", vmi("10.244.1.12", ready=False, paused=True))
        self.expect(server, NXDOMAIN, [])
        self.write("vmi.yaml", vmi("10.244.1.12"))  # unpaused
        self.expect(server, NOERROR, ["10.244.1.12"])
        os.unlink(self.path("vmi.yaml"))
        self.expect(server, NXDOMAIN, [])

    def test_rename_over_and_a_file_given_by_name(self):
        self.write("vmi.yaml", vmi("10.244.0.57"))
        server = self.serve(self.path("service.yaml"), self.path("vmi.yaml"))
        self.expect(server, NOERROR, ["10.244.0.57"])
        self.write_by_rename("vmi.yaml", vmi("10.244.0.58"))
        self.expect(server, NOERROR, ["10.244.0.58"])
        os.rename(self.path("vmi.yaml"), self.path("vmi.yaml.disabled"))
        self.expect(server, NXDOMAIN, [])
        os.rename(self.path("vmi.yaml.disabled"), self.path("vmi.yaml"))
        self.expect(server, NOERROR, ["10.244.0.58"])

    def test_broken_file_keeps_the_last_good_objects(self):
        self.write("vmi.yaml", vmi("10.244.0.57"))
        server = self.serve()
        self.expect(server, NOERROR, ["10.244.0.57"])

        self.write("vmi.yaml", "kind: [VirtualMachineInstance\n")
        self.wait_for_log(server, "invalid YAML")
        self.expect(server, NOERROR, ["10.244.0.57"])

        self.write("vmi.yaml", vmi("10.244.0.99", hostname="my_vm"))
        self.wait_for_log(server, 'document 1 (line 1): VirtualMachineInstance default/vm1: '
                                  'spec.hostname "my_vm" is not a DNS-1123 label')
        self.expect(server, NOERROR, ["10.244.0.57"])
        log = server.log()
        self.assertIn(self.path("vmi.yaml") + ": not applied; its last good objects are still "
                      "served", log)
        self.assertEqual(log.count("my_vm"), 1, log)  # once per change

        self.write("vmi.yaml", vmi("10.244.0.99"))
        self.expect(server, NOERROR, ["10.244.0.99"])

    def test_directory_removed_and_made_again(self):
        self.write("vmi.yaml", vmi("10.244.0.57"))
        server = self.serve()
        self.expect(server, NOERROR, ["10.244.0.57"])
        shutil.rmtree(self.watched)
        self.expect(server, NXDOMAIN, [])
        os.mkdir(self.watched)
        os.mkdir(os.path.join(self.watched, "sub"))
        self.write("service.yaml", SERVICE)
        self.write("sub/vmi.yaml", vmi("10.244.0.60"))
        self.expect(server, NOERROR, ["10.244.0.60"])
        self.write("sub/vmi.yaml", vmi("10.244.0.61"))  # the new subdirectory is watched
        self.expect(server, NOERROR, ["10.244.0.61"])

    def update_config_map(self, version, files):
        """As the kubelet updates a ConfigMap volume mounted at self.watched."""
        old = [n for n in os.listdir(self.watched)
               if n.startswith("..") and n != "..data" and not os.path.islink(self.path(n))]
        os.mkdir(self.path(".." + version))
        for name, text in files.items():
            with open(self.path(".." + version + "/" + name), "w") as f:
                f.write(text)
        os.symlink(".." + version, self.path("..data_tmp"))
        os.rename(self.path("..data_tmp"), self.path("..data"))
        for name in files:
            if not os.path.lexists(self.path(name)):
                os.symlink("..data/" + name, self.path(name))
        for name in old:
            shutil.rmtree(self.path(name))

    def test_config_map_volume(self):
        os.unlink(self.path("service.yaml"))
        self.update_config_map("2026_11_26_10_00_00.1", {"service.yaml": SERVICE,
                                                         "vmi.yaml": vmi("10.244.0.57")})
        server = self.serve()
        self.expect(server, NOERROR, ["10.244.0.57"])
        self.update_config_map("2026_11_26_10_05_00.2", {"service.yaml": SERVICE,
                                                         "vmi.yaml": vmi("10.244.2.3")})
        self.expect(server, NOERROR, ["10.244.2.3"])
        self.assertNotIn("defined", server.log())  # each object read once

    def test_sighup_rereads_what_no_watch_sees(self):
        # The -f path is a symlink to a file in a directory that is not watched: a change there
        # raises no event. Its size and modification time are kept, so that a rescan for another
        # file's event does not read it either (its stamp is unchanged): only SIGHUP brings it in.
        hidden = os.path.join(self.dir, "elsewhere", "vmi.yaml")
        os.mkdir(os.path.dirname(hidden))
        with open(hidden, "w") as f:
            f.write(vmi("10.244.0.57"))
        os.symlink(hidden, self.path("vmi.yaml"))
        server = self.serve()
        self.expect(server, NOERROR, ["10.244.0.57"])
        stamp = os.stat(hidden)
        with open(hidden, "w") as f:
            f.write(vmi("10.244.0.70"))  # as long as the old text
        os.utime(hidden, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        # A positive signal first: a file the watch does see, written after the hidden change,
        # is served; the snapshot that serves it still has the old address.
        self.write("canary.yaml", CANARY)
        self.expect(server, NOERROR, ["10.96.0.99"], name=CANARY_NAME)
        self.assertEqual(ask_a(server.port, NAME), (NOERROR, ["10.244.0.57"]))
        server.proc.send_signal(signal.SIGHUP)
        self.expect(server, NOERROR, ["10.244.0.70"])
        self.wait_for_log(server, "reloaded 3 file(s)")

    def test_stdin_is_read_once(self):
        os.unlink(self.path("service.yaml"))
        self.write("vmi.yaml", vmi("10.244.0.57"))
        server = VmdnsServer(["-", self.watched], stdin_text=SERVICE)
        self.addCleanup(server.stop)
        self.expect(server, NOERROR, ["10.244.0.57"])
        self.write("vmi.yaml", vmi("10.244.0.58"))
        self.expect(server, NOERROR, ["10.244.0.58"])
        server.proc.send_signal(signal.SIGHUP)
        self.wait_for_log(server, "reloaded 1 file(s)")  # the directory's; stdin is not read again
        self.expect(server, NOERROR, ["10.244.0.58"])  # the Service read from stdin stays

    def wait_for_log(self, server, text):
        if not wait_for(lambda: text in server.log()):
            self.fail("%r not logged:\n%s" % (text, server.log()))


if __name__ == "__main__":
    unittest.main()
