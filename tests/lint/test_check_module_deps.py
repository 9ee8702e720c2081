"""The module-dependency check finds what it must, on small made-up source trees.

Each case writes a src/ of a few modules (their CMakeLists.txt and one file each) and runs the
check on it: an undeclared include fails naming file and line, a cycle fails naming it, a
module's own second library (vmdns_cli_settings) is its own, comments in CMake do not declare.
"""

import os
import subprocess
import sys
import tempfile
import unittest

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_module_deps.py")

CASES = [
    # (name, {module: (cmake text, source text)}, exit code, expected output fragments)
    ("declared include passes",
     {"dns": ("vmdns_module(dns SOURCES a.cc DEPS)", ""),
      "zone": ("vmdns_module(zone SOURCES a.cc\n  DEPS vmdns_dns)", '#include "dns/name.h"\n')},
     0, ["floor 2: zone", "floor 1: dns", "2 modules"]),
    ("undeclared include fails with file and line",
     {"dns": ("vmdns_module(dns SOURCES a.cc DEPS)", ""),
      "zone": ("vmdns_module(zone SOURCES a.cc DEPS)", '// x\n#include "dns/name.h"\n')},
     1, ["src/zone includes dns/", "src/zone/a.cc:2"]),
    ("a commented-out dependency declares nothing",
     {"dns": ("vmdns_module(dns SOURCES a.cc DEPS)", ""),
      "zone": ("vmdns_module(zone SOURCES a.cc DEPS) # vmdns_dns", '#include "dns/name.h"\n')},
     1, ["src/zone includes dns/"]),
    ("a cycle fails",
     {"a": ("vmdns_module(a SOURCES a.cc DEPS vmdns_b)", ""),
      "b": ("vmdns_module(b SOURCES a.cc DEPS vmdns_a)", "")},
     1, ["cycle: a -> b -> a"]),
    ("a module's own second library is no dependency",
     {"cli": ("add_library(vmdns_cli_settings x.cc)\ntarget_link_libraries(vmdns_cli_settings vmdns_dns)",
              '#include "dns/name.h"\n#include "cli/options.h"\n'),
      "dns": ("vmdns_module(dns SOURCES a.cc DEPS)", "")},
     0, ["floor 2: cli"]),
    ("system and same-module includes are not modules",
     {"dns": ("vmdns_module(dns SOURCES a.cc DEPS)", '#include <vector>\n#include "dns/name.h"\n')},
     0, ["1 modules"]),
]


class CheckModuleDepsTest(unittest.TestCase):
    def test_cases(self):
        for name, modules, code, fragments in CASES:
            with self.subTest(name), tempfile.TemporaryDirectory() as root:
                src = os.path.join(root, "src")
                for module, (cmake, source) in modules.items():
                    os.makedirs(os.path.join(src, module))
                    with open(os.path.join(src, module, "CMakeLists.txt"), "w") as f:
                        f.write(cmake)
                    with open(os.path.join(src, module, "a.cc"), "w") as f:
                        f.write(source)
                run = subprocess.run([sys.executable, CHECK, src], capture_output=True, text=True)
                self.assertEqual(run.returncode, code, run.stdout + run.stderr)
                for fragment in fragments:
                    self.assertIn(fragment, run.stdout)


if __name__ == "__main__":
    unittest.main()
