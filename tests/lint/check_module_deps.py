#!/usr/bin/env python3
"""Checks the module dependencies of src/ against what each module declares.

Every folder of src/ is a module; its CMakeLists.txt names the libraries it links, and every
`vmdns_<module>` it names there is a module it declares it depends on. This check fails when
  - a file of src/<a>/ includes "<b>/..." for another module b that a does not declare, or
  - the declared dependencies form a cycle (a module above depending on one below is the only
    direction there is; ARCHITECTURE.md draws the floors).

    tests/lint/check_module_deps.py [SRC_DIR]      # exit 0 and a summary, or 1 and each fault
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/[^"]+"', re.M)
LIBRARY = re.compile(r"\bvmdns_([a-z0-9_]+)\b")


def modules_of(src):
    return sorted(d for d in os.listdir(src)
                  if os.path.isfile(os.path.join(src, d, "CMakeLists.txt")))


def declared_deps(src, module, modules):
    """The modules named as vmdns_<name> (or vmdns_<name>_<suffix>) in the module's CMake file."""
    with open(os.path.join(src, module, "CMakeLists.txt")) as f:
        text = re.sub(r"#.*", "", f.read())
    deps = set()
    for name in LIBRARY.findall(text):
        # vmdns_cli_settings is cli's own library: the longest module name that prefixes it.
        owners = [m for m in modules if name == m or name.startswith(m + "_")]
        if owners:
            deps.add(max(owners, key=len))
    deps.discard(module)
    return deps


def included_modules(src, module, modules):
    """{included module: [file:line, ...]} for every include of another module's header."""
    found = {}
    root = os.path.join(src, module)
    for folder, _, files in os.walk(root):
        for name in sorted(files):
            if not name.endswith((".h", ".cc")):
                continue
            path = os.path.join(folder, name)
            with open(path) as f:
                text = f.read()
            for match in INCLUDE.finditer(text):
                other = match.group(1)
                if other != module and other in modules:
                    line = text.count("\n", 0, match.start()) + 1
                    found.setdefault(other, []).append(
                        "%s:%d" % (os.path.relpath(path, os.path.dirname(src)), line))
    return found


def find_cycle(graph):
    """One cycle of `graph` as a list of modules, or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt, path + [nxt])
                if cycle:
                    return cycle
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node, [node])
            if cycle:
                return cycle
    return None


def floors(graph):
    """Each module's floor: 1 for a module that depends on none, else 1 + its highest dep's."""
    memo = {}

    def floor(node):
        if node not in memo:
            memo[node] = 1 + max((floor(d) for d in graph[node]), default=0)
        return memo[node]

    return {m: floor(m) for m in graph}


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")
    src = os.path.normpath(src)
    modules = modules_of(src)
    graph = {m: declared_deps(src, m, modules) for m in modules}
    faults = []
    for module in modules:
        for other, places in sorted(included_modules(src, module, modules).items()):
            if other not in graph[module]:
                faults.append("src/%s includes %s/ without declaring vmdns_%s in src/%s/"
                              "CMakeLists.txt (%s)" % (module, other, other, module,
                                                       ", ".join(places[:3]) +
                                                       (" ..." if len(places) > 3 else "")))
    cycle = find_cycle(graph)
    if cycle:
        faults.append("the declared dependencies form a cycle: " + " -> ".join(cycle))
    if faults:
        for fault in faults:
            print("error: " + fault)
        return 1
    by_floor = {}
    for module, n in floors(graph).items():
        by_floor.setdefault(n, []).append(module)
    for n in sorted(by_floor, reverse=True):
        print("floor %d: %s" % (n, " ".join(sorted(by_floor[n]))))
    print("%d modules, every include of another module declared, no cycle" % len(modules))
    return 0


if __name__ == "__main__":
    sys.exit(main())
