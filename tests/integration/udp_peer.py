"""A UDP peer on a loopback port that answers each datagram from a thread of its own: the test
upstreams and secondaries vmdns talks to (a lossy relay, a garbage resolver, a NOTIFY target)
say only what a datagram gets back.

    class Echo(UdpPeer):
        def reply(self, packet, peer):
            return packet            # or None: no answer

    echo = Echo()                    # bound and answering
    ... "--upstream", "127.0.0.1:%d" % echo.port ...
    echo.close()
"""

import socket
import threading

from vmdns_harness import peer_port


class UdpPeer:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.port = self._bind()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def reply(self, packet, peer):
        """The datagram sent back to `peer` for `packet`, or None for none."""
        raise NotImplementedError

    def close(self):
        self.sock.close()  # the thread's recvfrom fails and the thread ends

    def _bind(self):
        # peer_port() checks the port is free, but another test may bind it before this one.
        last = None
        for _ in range(20):
            port = peer_port()
            try:
                self.sock.bind(("127.0.0.1", port))
                return port
            except OSError as error:
                last = error
        raise RuntimeError("no free loopback port for a UDP peer: %s" % last)

    def _serve(self):
        while True:
            try:
                packet, peer = self.sock.recvfrom(65535)
            except OSError:
                return
            answer = self.reply(packet, peer)
            if answer is None:
                continue
            try:
                self.sock.sendto(answer, peer)
            except OSError:
                return
