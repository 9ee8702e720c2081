"""TSIG keys (RFC 8945): --tsig-key NAME:ALGORITHM:BASE64, --tsig-key-file PATH (BIND's `key`
statements, as tsig-keygen writes them) and the same as --config keys.

- keys in every form load, and serve says how many;
- a key of an algorithm vmdns does not sign with (hmac-md5, hmac-sha1), a secret that is not
  base64, a malformed spec, a key file with an error, and two keys of one name stop `serve` with
  exit code 2 and an error naming the flag, and for a file its path, line, key and field;
- with --allow-transfer, transfers must be signed with a key (TsigTransferTest below).
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from vmdns_harness import EXAMPLES, VmdnsServer, peer_port, require_tools, run_vmdns, wait_for

SECRET = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx"


class TsigKeysTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("tsig-keygen")
        cls.dir = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_keys_load_from_flags_files_and_config(self):
        generated = subprocess.run(["tsig-keygen", "-a", "hmac-sha512", "gen.example"],
                                   capture_output=True, text=True, check=True).stdout
        keys = self.write("keys.conf", generated)
        config = self.write("vmdns.yaml", "tsig-key: [cfg.example:hmac-sha256:%s]\n" % SECRET)
        vmdns = VmdnsServer([EXAMPLES], ["--tsig-key", "xfr.example:hmac-sha256:" + SECRET,
                                         "--tsig-key-file", keys, "--config", config])
        try:
            self.assertIn("2 TSIG key(s) loaded", vmdns.log())
        finally:
            vmdns.stop()
        # --config alone gives its key (the command line's --tsig-key wins over it above).
        vmdns = VmdnsServer([EXAMPLES], ["--tsig-key-file", keys, "--config", config])
        try:
            self.assertIn("2 TSIG key(s) loaded", vmdns.log())
        finally:
            vmdns.stop()

    def test_bad_keys_stop_serve(self):
        bad_file = self.write("bad.conf", 'key "xfr.example" {\n  algorithm hmac-md5;\n'
                                          '  secret "%s";\n};\n' % SECRET)
        no_secret = self.write("nosecret.conf", 'key "k" {\n  algorithm hmac-sha256;\n};\n')
        twins = self.write("twins.conf", 'key "xfr.example" { algorithm hmac-sha256; '
                                         'secret "%s"; };\n' % SECRET)
        cases = [
            (["--tsig-key", "k:hmac-md5:" + SECRET],
             '--tsig-key: key "k": algorithm "hmac-md5" is not supported (hmac-sha256 or '
             'hmac-sha512)'),
            (["--tsig-key", "k:hmac-sha1:" + SECRET], 'algorithm "hmac-sha1" is not supported'),
            (["--tsig-key", "k:hmac-sha256:***"], '--tsig-key: key "k": secret: not base64'),
            (["--tsig-key", "k-hmac-sha256"], "expected NAME:ALGORITHM:BASE64"),
            (["--tsig-key-file", bad_file],
             '--tsig-key-file: %s:2: key "xfr.example": algorithm "hmac-md5"' % bad_file),
            (["--tsig-key-file", no_secret], '%s:1: key "k": no secret' % no_secret),
            (["--tsig-key-file", os.path.join(self.dir.name, "missing.conf")], "cannot be read"),
            (["--tsig-key", "xfr.example:hmac-sha256:" + SECRET, "--tsig-key-file", twins],
             'key "xfr.example." is defined twice'),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                out = run_vmdns("serve", "-f", EXAMPLES, "--listen", "127.0.0.1:0",
                                "--no-upstream", "--metrics-listen", "none", "--health-listen",
                                "none", "--ready-listen", "none", *args)
                self.assertEqual(out.returncode, 2, out.stderr)
                self.assertIn(message, out.stderr)


class TsigTransferTest(unittest.TestCase):
    """With --tsig-key and --allow-transfer, transfers must be signed with the key:

    - kdig -y's AXFR is answered, every message signed (kdig verifies each and warns of none);
    - an unsigned AXFR is REFUSED; one signed with an unknown key gets NOTAUTH and an unsigned
      BADKEY, with the right name and another secret NOTAUTH and BADSIG;
    - Knot DNS as a secondary with the key (the README's configuration) transfers the zone.
    """

    @classmethod
    def setUpClass(cls):
        require_tools("kdig", "knotd", "knotc")
        cls.vmdns = VmdnsServer([EXAMPLES], ["--allow-transfer", "127.0.0.1/32",
                                             "--tsig-key", "xfr.example:hmac-sha256:" + SECRET])

    @classmethod
    def tearDownClass(cls):
        cls.vmdns.stop()

    def axfr(self, *extra):
        out = subprocess.run(["kdig", "@127.0.0.1", "-p", str(self.vmdns.port), "cluster.local.",
                              "AXFR", "+time=5", "+retry=1", *extra],
                             capture_output=True, text=True, timeout=30)
        return out.stdout + out.stderr

    def test_signed_transfer_verifies_in_kdig(self):
        for alg in ("hmac-sha256",):
            text = self.axfr("-y", "%s:xfr.example:%s" % (alg, SECRET))
            self.assertNotIn("WARNING", text)
            self.assertNotIn("NOTAUTH", text)
            self.assertEqual(len(re.findall(r"^cluster\.local\.\s+\d+\s+IN\s+SOA", text, re.M)), 2,
                             text)

    def test_refusals(self):
        cases = [
            ((), "REFUSED"),
            (("-y", "hmac-sha256:other.example:" + SECRET), "BADKEY"),
            (("-y", "hmac-sha512:xfr.example:" + SECRET), "BADKEY"),
            (("-y", "hmac-sha256:xfr.example:c2VjcmV0"), "BADSIG"),
        ]
        for extra, expected in cases:
            with self.subTest(extra=extra):
                text = self.axfr(*extra)
                self.assertIn(expected, text)
                self.assertNotIn("IN\tSOA", text.split("TSIG")[0] if expected != "REFUSED" else "")
                self.assertIsNone(re.search(r"^cluster\.local\.\s+\d+\s+IN\s+SOA", text, re.M),
                                  text)

    def test_knot_secondary_with_the_key(self):
        d = tempfile.mkdtemp(prefix="vmdns-knot-tsig-")
        try:
            sock = os.path.join(d, "knot.sock")
            conf = os.path.join(d, "knot.conf")
            with open(conf, "w") as f:
                f.write(f"""server:
    listen: 127.0.0.1@{peer_port()}
    rundir: {d}
control:
    listen: {sock}
database:
    storage: {d}
log:
  - target: stderr
    any: info
key:
  - id: xfr.example
    algorithm: hmac-sha256
    secret: {SECRET}
remote:
  - id: vmdns
    address: 127.0.0.1@{self.vmdns.port}
    key: xfr.example
template:
  - id: default
    storage: {d}
    zonefile-sync: -1
    zonefile-load: none
zone:
  - domain: cluster.local
    master: vmdns
""")
            log = tempfile.TemporaryFile()
            proc = subprocess.Popen(["knotd", "-c", conf], stdout=subprocess.DEVNULL, stderr=log)
            try:
                self.assertTrue(wait_for(lambda: os.path.exists(sock), timeout=10))
                out = subprocess.run(["knotc", "-s", sock, "-t", "30", "-b", "zone-retransfer",
                                      "cluster.local."], capture_output=True, text=True, timeout=60)
                log.seek(0)
                text = log.read().decode(errors="replace")
                self.assertEqual(out.returncode, 0, out.stdout + out.stderr + text)
                # vmdns refuses an unsigned transfer: a finished one was signed with the key.
                self.assertRegex(text, r"\[cluster\.local\.\] AXFR, incoming, remote "
                                       r"127\.0\.0\.1@\d+, finished")
                self.assertIn("zone updated", text)
            finally:
                proc.terminate()
                proc.wait(timeout=10)
                log.close()
        finally:
            shutil.rmtree(d, True)


if __name__ == "__main__":
    unittest.main()
