"""A DNS proxy on loopback for fault injection: forwards UDP and TCP queries to the DNS world's
server, and on demand delays every answer, answers SERVFAIL to everything, or drops every
query. Used by faults_e2e.py and tests/bench/soak.py (forward mode, forwarders = [proxy]).

    proxy = FaultProxy("127.0.0.1", upstream_host, upstream_port)
    proxy.mode = "delay"   # "pass" | "delay" (proxy.delay seconds) | "servfail" | "drop"
    proxy.close()

Standard library only; a thread per query (queries are few and short)."""

import socket
import struct
import threading
import time


class FaultProxy:
    def __init__(self, host, upstream_host, upstream_port, delay=1.5):
        self.upstream = (upstream_host, upstream_port)
        self.mode = "pass"
        self.delay = delay
        self.queries = 0
        self._closed = False
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((host, 0))
        self.port = self.udp.getsockname()[1]
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((host, self.port))
        self.tcp.listen(64)
        self.host = host
        self._threads = [threading.Thread(target=self._udp_loop, daemon=True),
                         threading.Thread(target=self._tcp_loop, daemon=True)]
        for t in self._threads:
            t.start()

    @property
    def server(self):
        return "%s@%d" % (self.host, self.port)

    def close(self):
        self._closed = True
        for s in (self.udp, self.tcp):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    @staticmethod
    def _servfail(query):
        if len(query) < 12:
            return None
        flags = struct.unpack("!H", query[2:4])[0]
        flags = (flags | 0x8000 | 0x0080) & ~0x000F | 2  # QR, RA, RCODE=SERVFAIL
        return query[:2] + struct.pack("!H", flags) + query[4:6] + b"\0\0\0\0\0\0" + _question(query)

    def _answer(self, query, tcp):
        """The answer to send back for `query` in the current mode, or None to send nothing."""
        self.queries += 1
        mode = self.mode
        if mode == "drop":
            return None
        if mode == "servfail":
            return self._servfail(query)
        if mode == "delay":
            time.sleep(self.delay)
        try:
            if tcp:
                with socket.create_connection(self.upstream, timeout=2) as s:
                    s.sendall(struct.pack("!H", len(query)) + query)
                    length = struct.unpack("!H", _recv_exact(s, 2))[0]
                    return _recv_exact(s, length)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(2)
                s.sendto(query, self.upstream)
                return s.recv(65535)
        except (OSError, ValueError):
            return None  # the server is down: no answer, as a dead server gives

    def _udp_loop(self):
        while not self._closed:
            try:
                query, peer = self.udp.recvfrom(65535)
            except OSError:
                return

            def reply(query=query, peer=peer):
                answer = self._answer(query, False)
                if answer is not None and not self._closed:
                    try:
                        self.udp.sendto(answer, peer)
                    except OSError:
                        pass
            threading.Thread(target=reply, daemon=True).start()

    def _tcp_loop(self):
        while not self._closed:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return

            def serve(conn=conn):
                with conn:
                    conn.settimeout(5)
                    try:
                        while True:
                            length = struct.unpack("!H", _recv_exact(conn, 2))[0]
                            answer = self._answer(_recv_exact(conn, length), True)
                            if answer is None:
                                return
                            conn.sendall(struct.pack("!H", len(answer)) + answer)
                    except (OSError, ValueError, struct.error):
                        return
            threading.Thread(target=serve, daemon=True).start()


def _recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise ValueError("connection closed")
        data += chunk
    return data


def _question(query):
    """The question section of a query with QDCOUNT 1 (name, type, class)."""
    off = 12
    while off < len(query) and query[off] != 0:
        off += 1 + query[off]
    return query[12:off + 5]
