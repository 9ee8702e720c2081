"""DNS over TCP's limits (RFC 7766), against the running server with Python sockets.

Behaviour checked:
- pipelining: ten queries in one write are answered in order, each reply with its query's id;
  queries split across writes and glued to the next one are answered too;
- `--max-tcp-connections 3`: a fourth connection is closed at once, without a reply, while the
  three are served and UDP is answered; closing one makes room for a new one;
- `--tcp-idle-timeout 1000`: a connection that sends nothing is closed, and counted as an idle
  timeout, while one that keeps asking stays open; once that one is quiet, it is closed in turn;
- a slow-loris client that sends a query one octet a second is cut off by the query timeout
  (`--tcp-query-timeout 500`) before its query is complete, counted as a request timeout, and
  while it trickles, other TCP clients and UDP clients are answered at once;
- a bad value for the flags stops `serve` with exit code 2.

No assertion reads the wall clock: a close is known by the socket and by the server's own count
of why it closed (`vmdns_tcp_connections_timed_out_total`); the exact deadlines are unit-tested on
a clock the test moves (tests/unit/server/tcp_loop_clock_test.cc).
"""

import fcntl
import socket
import struct
import termios
import unittest

from dns_wire import A, SOA, Message, parse, tcp_read_message, udp_exchange
from test_ops import OpsServer, parse_metrics, value
from vmdns_harness import EXAMPLES, VmdnsServer, peer_port, run_vmdns, wait_for

FQDN = "myvmi.mysubdomain.default.svc.cluster.local."


def framed(packet):
    return struct.pack("!H", len(packet)) + packet


def connect(port, timeout=3.0):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def closed_by_server(sock, timeout):
    """True when the server closes the connection (EOF or reset) within `timeout` seconds."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def unacknowledged(sock):
    """Octets sent on `sock` that the peer's kernel has not acknowledged yet (SIOCOUTQ)."""
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]


def round_trip_udp(port, qid):
    reply = parse(udp_exchange(port, Message(qid=qid).question(FQDN).wire()))  # 3 tries
    return reply is not None and reply.qid == qid and reply.answer[0][4] == "0af40039"


def round_trip_tcp(port, qid):
    """True when a query on a new connection is answered; False when the server closed the
    connection instead. The 5 s timeout only bounds a hang."""
    try:
        with connect(port, timeout=5.0) as s:
            s.sendall(framed(Message(qid=qid).question(FQDN).wire()))
            reply = parse(tcp_read_message(s))
    except (ConnectionResetError, BrokenPipeError):
        return False
    return reply is not None and reply.qid == qid and len(reply.answer) == 1


class PipeliningTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = VmdnsServer([EXAMPLES])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_pipelined_queries_are_answered_in_order(self):
        names = [(FQDN, A), ("cluster.local.", SOA), ("nosuch.cluster.local.", A)] * 3 + [
            ("example.com.", A)]
        queries = [Message(qid=100 + i).question(n, t).wire() for i, (n, t) in enumerate(names)]
        with connect(self.server.port) as s:
            s.sendall(b"".join(framed(q) for q in queries))
            replies = [parse(tcp_read_message(s)) for _ in queries]
        self.assertEqual([r.qid for r in replies], [100 + i for i in range(len(names))])
        self.assertEqual([r.question[0][0] for r in replies], [n for n, _ in names])
        self.assertEqual([r.rcode for r in replies], [0, 0, 3] * 3 + [5])

    def test_queries_split_and_glued_across_writes(self):
        wire = b"".join(framed(Message(qid=200 + i).question(FQDN).wire()) for i in range(4))
        with connect(self.server.port) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for cut in (1, 20, 50, 51, 100):
                s.sendall(wire[:cut])
                wire = wire[cut:]
                # In the server's socket before the next piece is sent: acknowledged.
                self.assertTrue(wait_for(lambda: unacknowledged(s) == 0))
            s.sendall(wire)
            self.assertEqual([parse(tcp_read_message(s)).qid for _ in range(4)],
                             [200, 201, 202, 203])


class ConnectionLimitTest(unittest.TestCase):
    def test_excess_connections_are_closed_and_udp_goes_on(self):
        server = VmdnsServer([EXAMPLES], ["--max-tcp-connections", "3"])
        try:
            held = [connect(server.port) for _ in range(3)]
            for i, s in enumerate(held):
                s.sendall(framed(Message(qid=i).question(FQDN).wire()))
                self.assertEqual(parse(tcp_read_message(s)).qid, i)
            with connect(server.port) as extra:
                self.assertTrue(closed_by_server(extra, 2.0))
            self.assertTrue(round_trip_udp(server.port, 50))
            # The three are still served.
            for i, s in enumerate(held):
                s.sendall(framed(Message(qid=10 + i).question(FQDN).wire()))
                self.assertEqual(parse(tcp_read_message(s)).qid, 10 + i)
            held.pop().close()
            # Once the server has seen the close, a new connection is served.
            self.assertTrue(wait_for(lambda: round_trip_tcp(server.port, 60), 10))
            for s in held:
                s.close()
        finally:
            server.stop()


def timed_out(server):
    """{"idle": n, "request": n}: the server's count of connections it closed by each timeout."""
    samples = parse_metrics(server.metrics())
    return {why: value(samples, "vmdns_tcp_connections_timed_out_total", timeout=why)
            for why in ("idle", "request")}


class TimeoutTest(unittest.TestCase):
    def test_idle_connection_is_closed(self):
        server = OpsServer(extra_args=["--tcp-idle-timeout", "1000"])
        try:
            with connect(server.port) as silent, connect(server.port) as busy:
                # The busy one asks every 50 ms until the silent one is closed, however long
                # a loaded machine takes to get there; it stays open all along.
                i = 0
                while not closed_by_server(silent, 0.05):
                    busy.sendall(framed(Message(qid=i).question(FQDN).wire()))
                    self.assertEqual(parse(tcp_read_message(busy)).qid, i)
                    i += 1
                    self.assertLess(i, 600, "the silent one stays open")
                # Closed by its idle timeout, not for any other reason.
                self.assertEqual(timed_out(server), {"idle": 1, "request": 0})
                busy.sendall(framed(Message(qid=9999).question(FQDN).wire()))
                self.assertEqual(parse(tcp_read_message(busy)).qid, 9999)
                self.assertTrue(closed_by_server(busy, 10.0))  # idle now, closed in turn
                self.assertTrue(wait_for(lambda: timed_out(server)["idle"] == 2))
                self.assertEqual(timed_out(server), {"idle": 2, "request": 0})
        finally:
            server.stop()

    def test_slow_loris_is_cut_off_and_blocks_no_one(self):
        server = OpsServer(extra_args=["--tcp-query-timeout", "500", "--tcp-idle-timeout", "60000"])
        try:
            wire = framed(Message(qid=7).question(FQDN).wire())
            with connect(server.port) as loris:
                sent = 0
                cut_off = False
                while sent < len(wire):
                    try:
                        loris.sendall(wire[sent:sent + 1])
                    except (BrokenPipeError, ConnectionResetError):
                        cut_off = True
                        break
                    sent += 1
                    self.assertTrue(round_trip_udp(server.port, 1000 + sent))
                    self.assertTrue(round_trip_tcp(server.port, 2000 + sent))
                    if closed_by_server(loris, 1.0):
                        cut_off = True
                        break
                self.assertTrue(cut_off, "the slow client was never cut off")
                self.assertLess(sent, len(wire))
                # By its query timeout, not its idle one (a minute away).
                self.assertTrue(wait_for(lambda: timed_out(server)["request"] == 1))
                self.assertEqual(timed_out(server), {"idle": 0, "request": 1})
        finally:
            server.stop()

    def test_bad_values_stop_serve(self):
        for flag, value in (("--max-tcp-connections", "0"), ("--tcp-idle-timeout", "0"),
                            ("--tcp-query-timeout", "x")):
            with self.subTest(flag=flag):
                out = run_vmdns("serve", "-f", EXAMPLES, "--no-upstream", flag, value,
                                "--listen", "127.0.0.1:%d" % peer_port())
                self.assertNotEqual(out.returncode, 0)
                self.assertIn(flag, out.stderr + out.stdout)


if __name__ == "__main__":
    unittest.main()
