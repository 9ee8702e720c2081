"""vmdns serve --config FILE: serve's settings from a YAML file, reloaded on SIGHUP and on change.

Checked against the built binary with dig:
- the file's settings apply at start (ttl, log-queries), and flags on the command line win;
- an invalid file at start stops serve with an error naming the file, the line and the key;
- editing the file (written in place, or replaced by a rename as editors do) applies the new
  ttl within moments, without a signal; SIGHUP reads it again too;
- an invalid edit (unknown key, bad value) is refused with file, line and key in the log, and
  the old settings keep serving; fixing the file applies it;
- a setting that cannot change while serving (upstream-timeout) is reported as needing a
  restart, and the rest of the edit applies;
- --log-queries switched on by a reload logs the next query.
"""

import os
import shutil
import signal
import tempfile
import unittest

from vmdns_harness import EXAMPLES, VmdnsServer, require_tools, run_vmdns, wait_for

MYVMI = "myvmi.mysubdomain.default.svc.cluster.local"


class ConfigFileTest(unittest.TestCase):
    def setUp(self):
        require_tools("dig")
        self.dir = tempfile.mkdtemp(prefix="vmdns-config-")
        self.path = os.path.join(self.dir, "vmdns.yaml")
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, text, rename=False):
        if rename:
            tmp = self.path + ".tmp"
            with open(tmp, "w") as f:
                f.write(text)
            os.replace(tmp, self.path)
        else:
            with open(self.path, "w") as f:
                f.write(text)

    def serve(self, *extra):
        server = VmdnsServer([], ["--config", self.path, *extra])
        self.servers.append(server)
        return server

    def ttl(self, server):
        reply = server.dig(MYVMI)
        return reply.answer[0][1] if reply.status == "NOERROR" and reply.answer else None

    def wait_ttl(self, server, expected):
        self.assertTrue(wait_for(lambda: self.ttl(server) == expected),
                        "ttl %r, wanted %r\n%s" % (self.ttl(server), expected, server.log()))

    def wait_log(self, server, text):
        self.assertTrue(wait_for(lambda: text in server.log()),
                        "%r not in the log:\n%s" % (text, server.log()))

    def test_settings_apply_and_flags_win(self):
        self.write("filename: [%s]\nttl: 30\nlog-queries: true\n" % EXAMPLES)
        server = self.serve()
        self.wait_ttl(server, 30)
        self.wait_log(server, '"A IN %s. udp' % MYVMI)
        flagged = self.serve("--ttl", "12")
        self.wait_ttl(flagged, 12)

    def test_invalid_file_at_start_names_line_and_key(self):
        cases = [
            ("filename: [%s]\nttl: 30\nbogus: 1\n" % EXAMPLES, 'line 3: unknown setting "bogus"'),
            ("filename: [%s]\nttl: ten\n" % EXAMPLES, "line 2: ttl: "),
            ("filename: [%s]\nzone: [\n" % EXAMPLES, "line 3"),
        ]
        for text, error in cases:
            self.write(text)
            result = run_vmdns("serve", "--config", self.path, "--listen", "127.0.0.1:0",
                               "--no-upstream", "--metrics-listen", "none", "--health-listen",
                               "none", "--ready-listen", "none")
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertIn(self.path + ": " + error, result.stderr)

    def test_reload_on_change_and_refuses_invalid_edits(self):
        self.write("filename: [%s]\nttl: 30\n" % EXAMPLES)
        server = self.serve()
        self.wait_ttl(server, 30)
        self.write("filename: [%s]\nttl: 40\n" % EXAMPLES)  # in place
        self.wait_ttl(server, 40)
        self.write("filename: [%s]\nttl: 50\n" % EXAMPLES, rename=True)  # as editors save
        self.wait_ttl(server, 50)

        self.write("filename: [%s]\nttl: 60\nbogus: 1\n" % EXAMPLES)
        self.wait_log(server, '%s: line 3: unknown setting "bogus"' % self.path)
        self.write("filename: [%s]\nttl: sixty\n" % EXAMPLES)
        self.wait_log(server, "%s: line 2: ttl: " % self.path)
        # Logged once the bad file was read and refused: the old settings keep serving.
        self.wait_log(server, "the settings in force are kept")
        self.assertEqual(self.ttl(server), 50)

        self.write("filename: [%s]\nttl: 70\nupstream-timeout: 900\n" % EXAMPLES)
        self.wait_ttl(server, 70)
        self.wait_log(server, "upstream-timeout changed: needs a restart")

    def test_sighup_reloads_and_log_queries_switches_on(self):
        self.write("filename: [%s]\nttl: 30\n" % EXAMPLES)
        server = self.serve()
        self.wait_ttl(server, 30)
        self.assertNotIn('"A IN %s.' % MYVMI, server.log())
        self.write("filename: [%s]\nttl: 31\nlog-queries: true\n" % EXAMPLES)
        server.proc.send_signal(signal.SIGHUP)
        self.wait_ttl(server, 31)
        self.wait_log(server, '"A IN %s. udp' % MYVMI)


if __name__ == "__main__":
    unittest.main()
