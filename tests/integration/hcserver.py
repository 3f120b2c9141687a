"""Scripted loopback servers for the healthcheck integration tests.

A Server listens on 127.0.0.1, ::1 or a unix socket (always port 0, an
ephemeral port) and plays a script of byte-level steps on every connection
it accepts, each in its own thread. It records every connection it sees and
the exact bytes each one received, so a test can assert on the request the
probe sent, or that a usage error made no connection at all.

Standard library only. Every loop here is bounded both in count and in time.
"""

import os
import select
import shutil
import socket
import struct
import tempfile
import threading
import time

# The longest any one step may wait or stream before it gives up by itself;
# tests stop their servers long before this.
STEP_MAX_S = 30.0
SLICE_S = 0.02          # how often blocking loops look at the stop flag
REQUEST_MAX = 1 << 16   # bytes a read_request step keeps at most


# ---- Steps: small tuples, built by these helpers. ----

def send(data):
    """Send bytes (all of them, in one write)."""
    return ("send", bytes(data))


def trickle(data, delay=0.01):
    """Send bytes one at a time, sleeping delay seconds after each."""
    return ("trickle", bytes(data), float(delay))


def trickle_forever(data=b"a", delay=0.05):
    """Repeat data one byte at a time, forever (until stopped)."""
    return ("trickle_forever", bytes(data), float(delay))


def flood_forever(data):
    """Send data again and again as fast as the peer reads it, until
    stopped (or STEP_MAX_S): a peer that never runs dry."""
    return ("flood_forever", bytes(data))


def sleep(seconds):
    """Do nothing for a while (the connection stays open)."""
    return ("sleep", float(seconds))


def close():
    """Close gracefully (FIN); ends the script."""
    return ("close",)


def close_unread():
    """Close at once, whatever the peer sent and we never read; ends the
    script."""
    return ("close_unread",)


def reset():
    """Abort with an RST (SO_LINGER 0 then close); ends the script."""
    return ("reset",)


def read_request(max_s=5.0):
    """Read until the end of a request head (CRLF CRLF), EOF or max_s; the
    bytes are recorded."""
    return ("read_request", float(max_s))


def read_all(max_s=5.0):
    """Read until the peer closes (or max_s); the bytes are recorded."""
    return ("read_all", float(max_s))


def hold(max_s=STEP_MAX_S):
    """Keep the connection open, never reading and never writing, until the
    server stops."""
    return ("hold", float(max_s))


def http(status=200, reason="OK", headers=(), body=b""):
    """Bytes of a simple response head (plus body)."""
    lines = ["HTTP/1.1 %d %s" % (status, reason)] + list(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + bytes(body)


def respond(status=200, reason="OK", headers=("Content-Length: 0",), body=b""):
    """The usual script: read the request, send one response, close."""
    return [read_request(), send(http(status, reason, headers, body)), close()]


class Conn:
    """One accepted connection and what it received."""

    def __init__(self, index, sock):
        self.index = index
        self.sock = sock
        self.received = bytearray()
        self.error = None
        self.done = False
        self.peer_uid = None    # unix sockets: the peer's uid (SO_PEERCRED)


class Stops:
    """A context manager whose exit is stop(): the servers here, and the
    TLS fixtures' (tests/tls/tlsservers.py)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


class Server(Stops):
    """A scripted server. Use as a context manager or call stop().

    family     'v4' (127.0.0.1), 'v6' (::1, v6 only) or 'unix'
    script     a list of steps for every connection, or a function
               index -> list of steps (index counts from 0)
    listen     False: bind only, so connections are refused
    listen_after  seconds before listen() is called (refused until then)
    accept     False: listen but never accept (the kernel still completes
               the handshake; stop() counts those connections)
    reserve_other_family  for 'v4'/'v6': also bind (without listening) the
               same port on the other loopback family, so connections there
               are refused for sure
    path       'unix': the socket's path (default: in a new temp dir); the
               socket file is made connectable by any uid
    addr       'v4': the loopback address to bind (default 127.0.0.1)
    backlog    the listen() backlog
    """

    def __init__(self, script=None, family="v4", listen=True, listen_after=0.0,
                 accept=True, reserve_other_family=False, path=None, addr=None, backlog=64):
        if script is None:
            script = respond()
        self.script = script
        self.family = family
        self.accepting = accept
        self.conns = []
        self.errors = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []
        self.other = None
        self.tmpdir = None
        self.path = path
        self.addr = addr
        self.backlog = backlog
        self.port = None
        self.sock = self._bind(reserve_other_family)
        self.listen_at = None
        if listen and listen_after <= 0:
            self.sock.listen(backlog)
            self.listen_at = time.monotonic()
        self.listen_after = listen_after if listen else None
        self.listening = listen
        self.started = time.monotonic()
        t = threading.Thread(target=self._accept_loop, daemon=True)
        self.threads.append(t)
        t.start()

    # -- setup --

    def _bind(self, reserve_other):
        if self.family == "unix":
            if self.path is None:
                self.tmpdir = tempfile.mkdtemp(prefix="hcit")
                self.path = os.path.join(self.tmpdir, "s.sock")
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(self.path)
            os.chmod(self.path, 0o777)
            return s
        for _attempt in range(50):
            s = self._tcp_socket(self.family)
            s.bind((self.host, 0))
            self.port = s.getsockname()[1]
            if not reserve_other:
                return s
            other = "v6" if self.family == "v4" else "v4"
            o = self._tcp_socket(other)
            try:
                o.bind((("::1" if other == "v6" else "127.0.0.1"), self.port))
            except OSError:
                o.close()
                s.close()
                continue
            self.other = o
            return s
        raise RuntimeError("could not reserve a port on both loopback families")

    @staticmethod
    def _tcp_socket(family):
        if family == "v4":
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        elif family == "v6":
            s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        else:
            raise ValueError("family must be v4, v6 or unix: %r" % family)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        return s

    @property
    def host(self):
        return "::1" if self.family == "v6" else (self.addr or "127.0.0.1")

    @property
    def authority(self):
        """host:port as a URL writes it ([::1]:port for v6)."""
        if self.family == "v6":
            return "[::1]:%d" % self.port
        return "%s:%d" % (self.host, self.port)

    def url(self, target="/", scheme="http"):
        return "%s://%s%s" % (scheme, self.authority, target)

    # -- accept loop --

    def _accept_loop(self):
        deadline = self.started + 120.0
        if self.listen_after:
            end = self.started + self.listen_after
            while not self.stopping.is_set() and time.monotonic() < end:
                self.stopping.wait(min(SLICE_S, max(0.0, end - time.monotonic())))
            if self.stopping.is_set():
                return
            self.sock.listen(self.backlog)
            self.listen_at = time.monotonic()
        if not self.listening or not self.accepting:
            return
        while not self.stopping.is_set() and time.monotonic() < deadline:
            try:
                r, _, _ = select.select([self.sock], [], [], SLICE_S)
            except (OSError, ValueError):
                return
            if not r or self.stopping.is_set():
                continue
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            self._start_conn(c, run_script=True)

    def _start_conn(self, c, run_script):
        with self.lock:
            conn = Conn(len(self.conns), c)
            self.conns.append(conn)
        if self.family == "unix":
            try:
                cred = c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                    struct.calcsize("3i"))
                conn.peer_uid = struct.unpack("3i", cred)[1]
            except OSError:
                pass
        if not run_script:
            conn.done = True
            return
        t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
        with self.lock:
            self.threads.append(t)
        t.start()

    # -- one connection --

    def _steps(self, index):
        if callable(self.script):
            return self.script(index)
        return self.script

    def _serve(self, conn):
        s = conn.sock
        try:
            for step in self._steps(conn.index):
                if self.stopping.is_set():
                    break
                if self._step(conn, step) == "end":
                    return
            self._close(s, conn)
        except OSError as e:
            conn.error = e
            self._close(s)
        finally:
            conn.done = True

    @staticmethod
    def _drain(conn):
        """Read what is already queued, so that close() sends a FIN and not
        the RST that unread data would cause."""
        s = conn.sock
        try:
            s.setblocking(False)
            for _ in range(64):
                b = s.recv(65536)
                if not b:
                    break
                if len(conn.received) < REQUEST_MAX:
                    conn.received += b
        except OSError:
            pass

    @classmethod
    def _close(cls, s, conn=None):
        if conn is not None:
            cls._drain(conn)
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

    def _step(self, conn, step):
        s = conn.sock
        kind = step[0]
        if kind == "send":
            s.settimeout(10.0)
            s.sendall(step[1])
        elif kind == "trickle":
            s.settimeout(10.0)
            for i in range(len(step[1])):
                if self.stopping.is_set():
                    break
                s.sendall(step[1][i:i + 1])
                self.stopping.wait(step[2])
        elif kind == "trickle_forever":
            s.settimeout(10.0)
            data, delay = step[1], step[2]
            end = time.monotonic() + STEP_MAX_S
            i = 0
            while not self.stopping.is_set() and time.monotonic() < end:
                s.sendall(data[i % len(data):i % len(data) + 1])
                i += 1
                self.stopping.wait(delay)
        elif kind == "flood_forever":
            s.settimeout(SLICE_S)
            end = time.monotonic() + STEP_MAX_S
            while not self.stopping.is_set() and time.monotonic() < end:
                try:
                    s.send(step[1])
                except socket.timeout:
                    pass
        elif kind == "sleep":
            self.stopping.wait(step[1])
        elif kind == "hold":
            self.stopping.wait(step[1])
        elif kind in ("read_request", "read_all"):
            self._read(conn, kind == "read_request", step[1])
        elif kind == "close":
            self._close(s, conn)
            return "end"
        elif kind == "close_unread":
            s.close()
            return "end"
        elif kind == "reset":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
            return "end"
        else:
            raise ValueError("unknown step %r" % (kind,))
        return None

    def _read(self, conn, head_only, max_s):
        s = conn.sock
        s.settimeout(SLICE_S)
        end = time.monotonic() + max_s
        while not self.stopping.is_set() and time.monotonic() < end:
            if head_only and b"\r\n\r\n" in conn.received:
                return
            if len(conn.received) >= REQUEST_MAX:
                return
            if not self._recv(s, conn, 4096):
                return

    @staticmethod
    def _recv(s, conn, size):
        """One recv() of up to size bytes from s into conn.received. True
        after bytes or a timeout (read on); False at EOF or an error (kept
        in conn.error): the read is over."""
        try:
            b = s.recv(size)
        except socket.timeout:
            return True
        except OSError as e:
            conn.error = e
            return False
        if not b:
            return False
        conn.received += b
        return True

    # -- results --

    @property
    def connections(self):
        with self.lock:
            return len(self.conns)

    @property
    def requests(self):
        with self.lock:
            return [bytes(c.received) for c in self.conns]

    def stop(self):
        """Stop accepting, count connections still waiting in the backlog,
        end every script, close everything. Idempotent."""
        if self.sock is None:
            return
        self.stopping.set()
        self.threads[0].join(2.0)
        # Connections the kernel completed but nobody accepted still count:
        # "nothing was sent" means nobody even connected.
        if self.listen_at is not None:
            self.sock.setblocking(False)
            for _ in range(1000):
                try:
                    c, _ = self.sock.accept()
                except OSError:
                    break
                self._start_conn(c, run_script=False)
                c.close()
        with self.lock:
            conns = list(self.conns)
            threads = list(self.threads[1:])
        for c in conns:
            try:
                c.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in threads:
            t.join(2.0)
        for c in conns:
            c.sock.close()
        self.sock.close()
        self.sock = None
        if self.other is not None:
            self.other.close()
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        elif self.path:
            try:
                os.unlink(self.path)
            except OSError:
                pass



def refused_port(family="v4"):
    """A socket bound to an ephemeral port but not listening: connecting to
    it is refused for as long as it stays open. Returns (sock, port)."""
    s = Server._tcp_socket(family)
    s.bind(("::1" if family == "v6" else "127.0.0.1", 0))
    return s, s.getsockname()[1]
