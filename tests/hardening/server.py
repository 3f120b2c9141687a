#!/usr/bin/python3
"""A small HTTP server for the valgrind and privilege tests.

usage: server.py [--unix PATH]
Listens on 127.0.0.1 port 0 (or the unix socket PATH), prints the port (or
"unix") on stdout, then serves until killed, until its parent exits, or for
300 s at most:
  /          200, "ok"
  /503       503
  /chunked   200, chunked body "status: ready" in three chunks
  /silent    reads the request and never answers
"""

import os
import socket
import sys
import threading
import time

LIFETIME = 300


def answer(conn):
    conn.settimeout(30)
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        got = conn.recv(4096)
        if not got:
            return
        data += got
    path = data.split(b" ", 2)[1] if data.count(b" ") >= 2 else b"/"
    if path == b"/silent":
        # Hold the connection open until the client gives up.
        while conn.recv(4096):
            pass
        return
    if path == b"/503":
        conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n\r\ndown\n")
    elif path == b"/chunked":
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"4\r\nstat\r\n5\r\nus: r\r\n4\r\neady\r\n0\r\n\r\n")
    else:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")


def serve_one(conn):
    try:
        answer(conn)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if os.path.exists(sys.argv[2]):
            os.unlink(sys.argv[2])
        s.bind(sys.argv[2])
        name = "unix"
    elif len(sys.argv) == 1:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        name = str(s.getsockname()[1])
    else:
        print(__doc__, file=sys.stderr)
        return 64
    s.listen(64)
    s.settimeout(0.5)
    print(name, flush=True)
    parent = os.getppid()
    end = time.monotonic() + LIFETIME
    while time.monotonic() < end and os.getppid() == parent:
        try:
            conn, _ = s.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve_one, args=(conn,), daemon=True).start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
