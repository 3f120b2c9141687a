#!/usr/bin/python3
"""tests/fuzz/capture_grpc.py [OUTDIR] - what real gRPC servers send the
probe, kept as seeds for fuzz_grpc and fuzz_protobuf.

For each of the three implementations tests/grpc runs (grpc-go, C-core
through python3-grpcio, grpc-js) and each case below, the real probe
(build/healthcheck) calls the server through a relay on 127.0.0.1 that
passes every byte on and records those the server sends, until the probe
closes. Each recording must hold a whole HTTP/2 frame sequence, and the
probe's verdict must be the case's (its exit code), else the capture fails.

    OUTDIR/fuzz_grpc/IMPL-CASE        the server's bytes, as they came
    OUTDIR/fuzz_protobuf/IMPL-CASE    an options byte 0, then the
                                      HealthCheckResponse the server sent
                                      (the DATA payload after its 5-byte
                                      gRPC prefix), when it sent one

Beside them, pb-NAME seeds for fuzz_protobuf (messages written here, with
options), and h2peer-NAME seeds: responses and hostile peers built with
tests/grpc/h2peer.py (padding, priority, noise frames, Huffman strings,
CONTINUATION, trailers-only, GOAWAY, RST_STREAM, HPACK faults, an HTTP/1.1
and a TLS reply, an oversized frame, a CONTINUATION flood).

OUTDIR defaults to tests/fuzz/corpus. Needs `make grpc-servers build/healthcheck`.
The servers send dates, PING payloads and window sizes that change from run
to run, so a new capture differs in a few bytes; the seeds are examples, not
expectations. Run by hand when a server changes: `make fuzz-capture-grpc`.
"""

import os
import socket
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "grpc"))

import grpcservers  # noqa: E402
import h2peer as hp  # noqa: E402

PROBE = os.path.join(ROOT, "build", "healthcheck")
WAIT_S = 20.0  # a relay thread that has not finished by then is a failure

# name: (server statuses, health service, the service asked for, exit code)
CASES = {
    "serving": ({}, True, "", 0),
    "not-serving": ({"": "NOT_SERVING"}, True, "", 1),
    "status-unknown": ({"": "UNKNOWN"}, True, "", 1),
    "service-serving": ({"db": "SERVING"}, True, "db", 0),
    "service-unknown": ({}, True, "no.such.Service", 1),
    "unimplemented": ({}, False, "", 1),
}


class Relay:
    """One connection: client <-> server, the server's bytes recorded."""

    def __init__(self, target):
        self.target = target
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.recorded = bytearray()
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _copy(self, src, dst, record):
        try:
            while True:
                b = src.recv(65536)
                if not b:
                    break
                if record:
                    self.recorded += b
                dst.sendall(b)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def _run(self):
        try:
            self.listener.settimeout(WAIT_S)
            client, _ = self.listener.accept()
            server = socket.create_connection(self.target, timeout=WAIT_S)
            client.settimeout(WAIT_S)
            up = threading.Thread(target=self._copy, args=(client, server, False), daemon=True)
            up.start()
            # the probe closes after its verdict: the recording ends there
            self._copy(server, client, True)
            up.join(WAIT_S)
            client.close()
            server.close()
        except OSError as e:
            self.error = e
        finally:
            self.listener.close()

    def wait(self):
        self.thread.join(WAIT_S)
        if self.thread.is_alive():
            raise RuntimeError("the relay did not finish")
        if self.error:
            raise RuntimeError("relay: %s" % self.error)
        return bytes(self.recorded)


def frames(raw):
    """(type, flags, stream, payload) of each frame; the bytes must end
    where a frame ends."""
    out, i = [], 0
    while i < len(raw):
        if len(raw) - i < 9:
            raise ValueError("a frame header cut short at %d" % i)
        n = int.from_bytes(raw[i:i + 3], "big")
        if len(raw) - i - 9 < n:
            raise ValueError("a frame cut short at %d" % i)
        out.append((raw[i + 3], raw[i + 4], int.from_bytes(raw[i + 5:i + 9], "big") & 0x7fffffff,
                    raw[i + 9:i + 9 + n]))
        i += 9 + n
    return out


def message(raw):
    """The HealthCheckResponse in the DATA frames of stream 1, or None."""
    data = b""
    for ftype, flags, stream, payload in frames(raw):
        if ftype == 0 and stream == 1:
            if flags & 0x08:  # PADDED: the pad length, then padding at the end
                payload = payload[1:len(payload) - payload[0]]
            data += payload
    if len(data) < 5:
        return None
    return data[5:5 + int.from_bytes(data[1:5], "big")]


def capture(impl, case, out):
    statuses, health, service, code = CASES[case]
    with grpcservers.GrpcServer(impl, status=statuses, health=health) as srv:
        relay = Relay((srv.host, srv.port))
        url = "grpc://127.0.0.1:%d%s" % (relay.port, "/" + service if service else "")
        r = subprocess.run([PROBE, "-t", "10s", url], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=WAIT_S, text=True)
        raw = relay.wait()
    line = r.stdout.strip()
    if r.returncode != code:
        raise RuntimeError("%s %s: the probe exited %d (%s), want %d" % (impl, case, r.returncode,
                                                                         line, code))
    frames(raw)
    name = "%s-%s" % (impl, case)
    with open(os.path.join(out, "fuzz_grpc", name), "wb") as f:
        f.write(raw)
    msg = message(raw)
    if msg is not None:
        with open(os.path.join(out, "fuzz_protobuf", name), "wb") as f:
            f.write(b"\0" + msg)
    print("capture: %s: %d bytes, message %s; the probe says: %s" % (
        name, len(raw), "-" if msg is None else msg.hex() or "(empty)", line))


def synthetic():
    """name -> the bytes of an h2peer-built server."""
    s0 = hp.settings()
    s = hp.settings({hp.MAX_CONCURRENT_STREAMS: 100, hp.INITIAL_WINDOW_SIZE: 65535})
    good = hp.health_response
    head = hp.headers(1, hp.header_block([(":status", "200"), ("content-type", "application/grpc")]))

    def block(kind, **kw):
        return s0 + hp.headers(1, hp.size_update(0) + hp.hpack_block(kind, **kw), end_stream=True)

    return {
        "noisy": s + b"".join(hp.interleave(hp.health_frames("SERVING", pad=1, priority_=(0, 16, False)))),
        "huffman": s0 + hp.settings_ack() + good("SERVING", huff=True, size_update_to=0),
        "incremental": s0 + good("NOT_SERVING", mode="incremental", size_update_to=0),
        "never-indexed": s0 + good("SERVICE_UNKNOWN", mode="never"),
        "unknown-empty-message": s0 + good("UNKNOWN"),
        "splits": s0 + good("SERVING", header_splits=(1, 5), data_splits=(2, 6), trailer_splits=(3,)),
        "trailers-only": s0 + good(trailers_only=True, grpc_status=12, grpc_message_="no%20health service"),
        "grpc-message-utf8": s0 + good(trailers_only=True, grpc_status=2, grpc_message_="caf%C3%A9 \x01"),
        "content-type-proto": s0 + good("SERVING", content_type="application/grpc+proto",
                                       extra_headers=[("grpc-accept-encoding", "identity")]),
        "other-fields": s0 + good("SERVING", message=b"\x10\x05\x1a\x03abc\x08\x01\x1d\x00\x00\x00\x00"),
        "ping": s0 + hp.ping(b"12345678") + hp.settings_ack() + hp.window_update(0) + good(),
        "goaway-no-error": s0 + hp.goaway("NO_ERROR", 1) + good(),
        "goaway-calm": s0 + head + hp.goaway("ENHANCE_YOUR_CALM", 1, b"calm down"),
        "goaway-first": hp.goaway("PROTOCOL_ERROR", 0),
        "rst-refused": s0 + hp.rst_stream(1, "REFUSED_STREAM"),
        "rst-other-stream": s0 + hp.rst_stream(3, "CANCEL") + good(),
        "no-trailers": s0 + good("SERVING", trailers=False),
        "status-503": s0 + hp.headers(1, hp.header_block([(":status", "503")]), end_stream=True),
        "http11": b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
        "tls-alert": bytes([0x15, 3, 3, 0, 2, 2, 70]),
        "oversized-data": s0 + head + hp.frame(hp.DATA, 0, 1, b"\0" * 16385),
        "continuation-flood": s0 + hp.headers(1, b"\x88", end_headers=False) +
        hp.continuation(1, b"", False) * 70,
        "block-over-cap": block("huge_block", size=5000),
        "many-fields": block("many_fields", n=300),
        "size-update-over": s0 + hp.headers(1, hp.hpack_block("size_update_over"), end_stream=True),
        "index-out-of-range": block("index_out_of_range"),
        "huffman-padding-zeros": block("huffman_padding_zeros"),
        "huffman-eos": block("huffman_eos"),
        "int-overflow": block("int_overflow"),
        "push-promise": s0 + hp.frame(hp.PUSH_PROMISE, hp.END_HEADERS, 1, b"\0\0\0\2\x88"),
    }


# fuzz_protobuf seeds: an options byte (grpc_model.h), then a message.
PROTOBUF = {
    "empty": b"\0",
    "status-4": b"\0\x08\x04",
    "every-wire-type": b"\0\x08\x02\x10\x05\x11" + b"\1" * 8 + b"\x1a\x03abc\x1d\0\0\0\0\x08\x01",
    "field-1-length-delimited": b"\0\x0a\x01\x01",
    "key-in-two-bytes": b"\0\x88\x00\x01",
    "group": b"\0\x0b\x08\x01\x0c",
    "varint-10": b"\0\x08" + b"\xff" * 9 + b"\x01",
    "varint-11": b"\0\x08" + b"\xff" * 10 + b"\x01",
    "length-past-end": b"\0\x1a\x05ab",
    "split-padded": b"\x03\x08\x01",
    "compressed": b"\x04\x08\x01",
    "length-one-more": b"\x08\x08\x01",
    "59-bytes": b"\0\x08\x01\x1a\x37" + b"x" * 55,
    "60-bytes": b"\0\x08\x01\x1a\x38" + b"x" * 56,
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    if not os.access(PROBE, os.X_OK):
        sys.exit("capture: %s is missing (make build/healthcheck)" % PROBE)
    for d in ("fuzz_grpc", "fuzz_protobuf"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    for name, raw in synthetic().items():
        with open(os.path.join(out, "fuzz_grpc", "h2peer-" + name), "wb") as f:
            f.write(raw)
        msg = message(raw) if name in ("huffman", "other-fields", "never-indexed", "splits") else None
        if msg is not None:
            with open(os.path.join(out, "fuzz_protobuf", "h2peer-" + name), "wb") as f:
                f.write(b"\0" + msg)
    for name, raw in PROTOBUF.items():
        with open(os.path.join(out, "fuzz_protobuf", "pb-" + name), "wb") as f:
            f.write(raw)
    failed = 0
    for impl in grpcservers.NAMES:
        why = grpcservers.missing(impl)
        if why:
            print("capture: %s: FAILED: %s" % (impl, why))
            failed += 1
            continue
        for case in CASES:
            try:
                capture(impl, case, out)
            except (RuntimeError, ValueError, OSError, subprocess.SubprocessError,
                    grpcservers.ServerError) as e:
                print("capture: %s %s: FAILED: %s" % (impl, case, e))
                failed += 1
    sys.exit(1 if failed else 0)


main()
