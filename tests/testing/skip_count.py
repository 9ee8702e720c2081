#!/usr/bin/env python3
"""Prints how many ctest entries were skipped, from the JUnit files of `ctest --output-junit`.

    skip_count.py build/ctest-junit.xml build-asan/ctest-junit.xml

`make test` ends with it, so that a skip is never mistaken for a pass. Each skipped entry is
named with its build. Exits 1 when CI=true and anything was skipped (the tests themselves fail
under CI=true when a tool or privilege is missing; this catches a skip that slipped past them),
and when a file is missing (the run it reports on did not write it).
"""

import os
import sys
import xml.etree.ElementTree as ET


def skipped_tests(path):
    root = ET.parse(path).getroot()
    return [case.get("name") for case in root.iter("testcase")
            if case.find("skipped") is not None]


def main(paths):
    total = 0
    for path in paths:
        if not os.path.exists(path):
            print("skip count: %s is missing" % path, file=sys.stderr)
            return 1
        build = os.path.basename(os.path.dirname(os.path.abspath(path)))
        names = skipped_tests(path)
        total += len(names)
        for name in names:
            print("skipped: %s (%s)" % (name, build))
    print("%d tests skipped" % total)
    if total and os.environ.get("CI") == "true":
        print("CI=true: every test must run, none may skip", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
