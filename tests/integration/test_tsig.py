"""TSIG keys (RFC 8945): --tsig-key NAME:ALGORITHM:BASE64, --tsig-key-file PATH (BIND's `key`
statements, as tsig-keygen writes them) and the same as --config keys.

- keys in every form load, and serve says how many;
- a key of an algorithm vmdns does not sign with (hmac-md5, hmac-sha1), a secret that is not
  base64, a malformed spec, a key file with an error, and two keys of one name stop `serve` with
  exit code 2 and an error naming the flag, and for a file its path, line, key and field.
"""

import os
import subprocess
import tempfile
import unittest

from vmdns_harness import EXAMPLES, VmdnsServer, require_tools, run_vmdns

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


if __name__ == "__main__":
    unittest.main()
