"""Asks a server many questions with one `dig -f` process, for tests that compare servers."""

import concurrent.futures
import os
import subprocess
import tempfile

from vmdns_harness import parse_dig


def ask_all(port, questions, tcp=False, edns=True, parallel=1):
    """Returns one parsed reply per (name, type) in `questions`, in order.

    dig asks one question after the other and waits for each reply, so a batch takes as long as
    its round trips; `parallel` splits it over that many dig processes asking at the same time.
    """
    if parallel > 1 and len(questions) > parallel:
        size = (len(questions) + parallel - 1) // parallel
        chunks = [questions[i:i + size] for i in range(0, len(questions), size)]
        with concurrent.futures.ThreadPoolExecutor(len(chunks)) as pool:
            replies = pool.map(lambda chunk: ask_all(port, chunk, tcp=tcp, edns=edns), chunks)
            return [reply for chunk in replies for reply in chunk]
    with tempfile.NamedTemporaryFile("w", suffix=".batch", delete=False) as f:
        for name, rtype in questions:
            f.write("%s %s\n" % (name, rtype))
        path = f.name
    try:
        args = ["dig", "@127.0.0.1", "-p", str(port), "+nocmd", "+noall", "+comments", "+answer",
                # Over UDP, 5 tries of 2 s, as a resolver retries: a datagram lost or late on a
                # loaded machine costs a retry, not the test (a reply costs no wait).
                "+authority", "+nocookie", "+tries=5", "+time=2",
                # One TCP connection for the whole batch (RFC 7766 section 6.2.1): a connection
                # per question leaves thousands of sockets in TIME_WAIT and runs out of ports.
                "+tcp" if tcp else "+notcp", "+keepopen" if tcp else "+nokeepopen",
                "+edns=0" if edns else "+noedns", "-f", path]
        out = subprocess.run(args, capture_output=True, text=True, timeout=600)
    finally:
        os.unlink(path)
    chunks = out.stdout.split(";; Got answer:")[1:]
    if len(chunks) != len(questions):
        raise AssertionError("dig answered %d of %d questions:\n%s" %
                             (len(chunks), len(questions), out.stdout[-2000:] + out.stderr))
    return [parse_dig(chunk) for chunk in chunks]
