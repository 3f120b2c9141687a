"""Scriptable HTTP/2 peers, byte by byte, for the gRPC probe's tests.

An H2Server is an hcserver.Server (127.0.0.1, ::1 or a unix socket, port 0,
one thread per connection, every byte received recorded, always stopped)
whose scripts may also use the HTTP/2 steps below. Frames and header blocks
are built here from raw bytes, so a peer can send exactly what a broken or
hostile server would; nothing is checked on the way out.

Three layers, each usable alone:

  builders  pure functions returning bytes: frame(), settings(), goaway(),
            rst_stream(), data(), headers(), continuation(), ping(), ...;
            HPACK pieces: hpack_int(), hstr(), huffman(), indexed(),
            literal(), size_update(), header_block(); gRPC pieces:
            grpc_message(), health_message(); and a whole response:
            health_frames() / health_response().
  steps     read_preface(), read_call(), answer(), dynamic(fn), flood(),
            tls(), plus every hcserver step (send, trickle, sleep, hold,
            read_all, read_request, close, reset); opening() is the usual
            start (SETTINGS, read the call, ACK).
  blocks    named behaviours, each a list of steps to use as a script or to
            splice into one: good(), trickled(), trailers_only(), noisy(),
            huffman_good(), no_settings(), settings_then_silence(),
            goaway_now(), rst_now(), oversized_frame(), continuation_flood(),
            hpack_bomb(KIND), http11(), tls_server(), tls_alert().

    srv = H2Server(good("NOT_SERVING"), family="v6")
    ... run the probe against srv.url() ...
    view = parse_client(srv.requests[0])   # what the probe sent, decoded
    srv.stop()

Debian's python3-hpack is used only for its Huffman code table and, in
parse_client(), as an independent decoder of what the client sent.
"""

import os
import select
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

_here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _here)
sys.path.insert(0, os.path.join(os.path.dirname(_here), "integration"))

import hcserver  # noqa: E402
# hcserver's steps, re-exported so that a script needs only this module
from hcserver import (close, hold, read_all, read_request, reset, send,  # noqa: E402,F401
                      sleep, trickle, trickle_forever)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

# Frame types (RFC 9113 section 6).
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, \
    WINDOW_UPDATE, CONTINUATION = range(10)
FRAME_NAMES = ["DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE",
               "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION"]

# Flags.
END_STREAM = 0x1
ACK = 0x1
END_HEADERS = 0x4
PADDED = 0x8
PRIORITY_FLAG = 0x20

# Settings identifiers (section 6.5.2).
HEADER_TABLE_SIZE = 1
ENABLE_PUSH = 2
MAX_CONCURRENT_STREAMS = 3
INITIAL_WINDOW_SIZE = 4
MAX_FRAME_SIZE = 5
MAX_HEADER_LIST_SIZE = 6
DEFAULT_MAX_FRAME = 16384

# Error codes (section 7).
ERRORS = ["NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
          "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM",
          "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
          "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"]
(NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR, SETTINGS_TIMEOUT,
 STREAM_CLOSED, FRAME_SIZE_ERROR, REFUSED_STREAM, CANCEL, COMPRESSION_ERROR, CONNECT_ERROR,
 ENHANCE_YOUR_CALM, INADEQUATE_SECURITY, HTTP_1_1_REQUIRED) = range(len(ERRORS))

HEALTH_STATUS = {"UNKNOWN": 0, "SERVING": 1, "NOT_SERVING": 2, "SERVICE_UNKNOWN": 3}

FLOOD_MAX_BYTES = 1 << 30   # a flood stops by itself after this much


def _code(c):
    return ERRORS.index(c) if isinstance(c, str) else int(c)


# ---- frame builders ---------------------------------------------------------

def frame(ftype, flags, stream, payload=b"", length=None):
    """One frame: 9-byte header + payload. length overrides the length field
    (to lie about it)."""
    n = len(payload) if length is None else length
    return struct.pack(">I", n)[1:] + bytes([ftype & 0xff, flags & 0xff]) + \
        struct.pack(">I", stream & 0xffffffff) + bytes(payload)


def settings(params=(), ack=False):
    """SETTINGS with (id, value) pairs or a dict; ack=True: an empty ACK."""
    if isinstance(params, dict):
        params = sorted(params.items())
    body = b"".join(struct.pack(">HI", k, v) for k, v in params)
    return frame(SETTINGS, ACK if ack else 0, 0, body)


def settings_ack():
    return settings(ack=True)


def _padded(payload, pad, prefix=b""):
    """(flags, body) for an optionally padded payload."""
    if pad is None:
        return 0, prefix + payload
    return PADDED, bytes([pad]) + prefix + payload + b"\0" * pad


def data(stream, payload, end_stream=False, pad=None):
    flags, body = _padded(bytes(payload), pad)
    return frame(DATA, flags | (END_STREAM if end_stream else 0), stream, body)


def headers(stream, block, end_stream=False, end_headers=True, pad=None, priority=None):
    """HEADERS carrying block (a header block fragment). priority=(dep,
    weight, exclusive) sets the PRIORITY flag and its 5 bytes."""
    prio = b""
    flags = 0
    if priority is not None:
        dep, weight, excl = priority
        prio = struct.pack(">IB", (dep & 0x7fffffff) | (0x80000000 if excl else 0), weight)
        flags |= PRIORITY_FLAG
    pflags, body = _padded(bytes(block), pad, prio)
    flags |= pflags | (END_STREAM if end_stream else 0) | (END_HEADERS if end_headers else 0)
    return frame(HEADERS, flags, stream, body)


def continuation(stream, block, end_headers=True):
    return frame(CONTINUATION, END_HEADERS if end_headers else 0, stream, block)


def rst_stream(stream=1, code=CANCEL):
    return frame(RST_STREAM, 0, stream, struct.pack(">I", _code(code)))


def goaway(code=NO_ERROR, last_stream=0, debug=b""):
    return frame(GOAWAY, 0, 0, struct.pack(">II", last_stream & 0x7fffffff, _code(code)) + debug)


def ping(payload=b"hcping!!", ack=False):
    return frame(PING, ACK if ack else 0, 0, payload)


def window_update(stream=0, increment=65535):
    return frame(WINDOW_UPDATE, 0, stream, struct.pack(">I", increment & 0x7fffffff))


def priority(stream, dep=0, weight=15, exclusive=False):
    return frame(PRIORITY, 0, stream,
                 struct.pack(">IB", (dep & 0x7fffffff) | (0x80000000 if exclusive else 0), weight))


def unknown_frame(ftype=0xfa, flags=0xff, stream=0, payload=b"ignore me"):
    """A frame of a type no RFC defines: a receiver must ignore it."""
    return frame(ftype, flags, stream, payload)


def header_frames(stream, block, splits=(), end_stream=False, pad=None, priority_=None):
    """A header block as HEADERS plus CONTINUATION frames, cut at the given
    offsets of the block (END_HEADERS on the last frame only)."""
    cuts = [0] + sorted(set(o for o in splits if 0 < o < len(block))) + [len(block)]
    parts = [block[a:b] for a, b in zip(cuts, cuts[1:])] or [b""]
    out = [headers(stream, parts[0], end_stream, len(parts) == 1, pad, priority_)]
    for i, p in enumerate(parts[1:], 2):
        out.append(continuation(stream, p, i == len(parts)))
    return out


def data_frames(stream, payload, splits=(), end_stream=False, pad=None):
    cuts = [0] + sorted(set(o for o in splits if 0 < o < len(payload))) + [len(payload)]
    parts = [payload[a:b] for a, b in zip(cuts, cuts[1:])] or [b""]
    return [data(stream, p, end_stream and i == len(parts) - 1, pad) for i, p in enumerate(parts)]


def split_frames(raw):
    """Bytes -> (list of (type, flags, stream, payload), leftover bytes)."""
    out = []
    i = 0
    while len(raw) - i >= 9:
        n = int.from_bytes(raw[i:i + 3], "big")
        if len(raw) - i - 9 < n:
            break
        out.append((raw[i + 3], raw[i + 4], int.from_bytes(raw[i + 5:i + 9], "big") & 0x7fffffff,
                    bytes(raw[i + 9:i + 9 + n])))
        i += 9 + n
    return out, bytes(raw[i:])


# ---- HPACK builders (RFC 7541) ------------------------------------------------

def hpack_int(value, prefix, first=0):
    """An HPACK integer with an N-bit prefix; first holds the bits above it."""
    top = (1 << prefix) - 1
    if value < top:
        return bytes([first | value])
    out = bytearray([first | top])
    value -= top
    while value >= 128:
        out.append(0x80 | (value & 0x7f))
        value >>= 7
    out.append(value)
    return bytes(out)


def _huffman_table():
    from hpack.huffman_constants import REQUEST_CODES, REQUEST_CODES_LENGTH
    return REQUEST_CODES, REQUEST_CODES_LENGTH


def huffman(data_, pad="ones", eos=False):
    """Huffman-code data_ (RFC 7541 Appendix B). pad: 'ones' (correct),
    'zeros' (padding bits cleared: invalid when there are any), 'long' (a
    whole extra byte of ones: more than 7 bits, invalid). eos=True puts the
    EOS symbol in the string (invalid)."""
    codes, lengths = _huffman_table()
    acc = nbits = 0
    syms = list(bytes(data_)) + ([256] if eos else [])
    for b in syms:
        acc = (acc << lengths[b]) | codes[b]
        nbits += lengths[b]
    fill = (-nbits) % 8
    acc = (acc << fill) | (((1 << fill) - 1) if pad != "zeros" else 0)
    out = acc.to_bytes((nbits + fill) // 8, "big")
    return out + (b"\xff" if pad == "long" else b"")


def huffman_bits(data_):
    """Bit length of data_'s Huffman code, padding excluded."""
    _, lengths = _huffman_table()
    return sum(lengths[b] for b in bytes(data_))


def hstr(s, huff=False, **hopts):
    """An HPACK string literal: H bit + 7-bit-prefix length + bytes."""
    raw = s.encode() if isinstance(s, str) else bytes(s)
    if huff:
        raw = huffman(raw, **hopts)
        return hpack_int(len(raw), 7, 0x80) + raw
    return hpack_int(len(raw), 7) + raw


def indexed(index):
    """Indexed header field (section 6.1)."""
    return hpack_int(index, 7, 0x80)


_LITERAL = {"incremental": (6, 0x40), "without": (4, 0x00), "never": (4, 0x10)}


def literal(name, value, mode="without", name_index=None, huff=False):
    """Literal header field (section 6.2): mode 'incremental' (adds to the
    dynamic table), 'without' or 'never' indexing; the name as an index into
    the tables or as a string."""
    prefix, first = _LITERAL[mode]
    if name_index is not None:
        return hpack_int(name_index, prefix, first) + hstr(value, huff)
    return bytes([first]) + hstr(name, huff) + hstr(value, huff)


def size_update(size):
    """Dynamic table size update (section 6.3)."""
    return hpack_int(size, 5, 0x20)


# Static table entries a gRPC response uses (Appendix A).
STATIC = {(":status", "200"): 8, (":status", "204"): 9, (":status", "404"): 13,
          (":status", "500"): 14}
STATIC_NAME = {":status": 8, "content-type": 31, "content-length": 28, "date": 33,
               "server": 54}


def header_block(fields, huff=False, mode="without", size_update_to=None, static=True):
    """Encode (name, value) pairs. Exact static matches become indexed
    fields, known names are indexed names (static=False: every name and
    value literal); size_update_to puts a table size update first."""
    out = bytearray()
    if size_update_to is not None:
        out += size_update(size_update_to)
    for name, value in fields:
        if static and (name, value) in STATIC:
            out += indexed(STATIC[(name, value)])
        elif static and name in STATIC_NAME:
            out += literal(name, value, mode, STATIC_NAME[name], huff)
        else:
            out += literal(name, value, mode, None, huff)
    return bytes(out)


# ---- gRPC -----------------------------------------------------------------

def grpc_message(msg, compressed=False, length=None):
    """The 5-byte gRPC length prefix + message (length overrides the field)."""
    n = len(msg) if length is None else length
    return bytes([1 if compressed else 0]) + struct.pack(">I", n) + bytes(msg)


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def health_message(status):
    """HealthCheckResponse{status} as proto3 encodes it: field 1, varint;
    the default (UNKNOWN = 0) is not written at all."""
    v = HEALTH_STATUS[status] if isinstance(status, str) else int(status)
    return b"" if v == 0 else b"\x08" + _varint(v)


def health_frames(status="SERVING", stream=1, grpc_status=0, grpc_message_=None,
                  trailers_only=False, trailers=True, message=None, huff=False,
                  mode="without", size_update_to=None, header_splits=(), data_splits=(),
                  trailer_splits=(), pad=None, priority_=None, extra_headers=(),
                  extra_trailers=(), content_type="application/grpc"):
    """The frames of a gRPC Health/Check response, as a list of bytes:
    HEADERS(:status 200, content-type) [+ CONTINUATION], DATA(5-byte prefix +
    HealthCheckResponse) [split], trailers HEADERS(grpc-status[,
    grpc-message], END_STREAM). Options:
      message         the protobuf bytes instead of health_message(status)
      grpc_status     trailer value (int); grpc_message_ adds grpc-message
      trailers_only   one HEADERS with everything and END_STREAM, no DATA
      trailers=False  END_STREAM on the DATA and no trailers (a broken reply)
      huff, mode      Huffman strings; literal indexing mode
      size_update_to  a table size update at the start of the first block
      *_splits        cut points: header blocks go on in CONTINUATION
                      frames, the DATA payload in several DATA frames
      pad             pad length on HEADERS and DATA frames (PADDED flag)
      priority_       (dep, weight, exclusive) on the first HEADERS
    """
    head = [(":status", "200")]
    if content_type is not None:
        head.append(("content-type", content_type))
    head += list(extra_headers)
    trail = [("grpc-status", str(grpc_status))]
    if grpc_message_ is not None:
        trail.append(("grpc-message", grpc_message_))
    trail += list(extra_trailers)
    if trailers_only:
        block = header_block(head + trail, huff, mode, size_update_to)
        return header_frames(stream, block, header_splits, True, pad, priority_)
    out = header_frames(stream, header_block(head, huff, mode, size_update_to),
                        header_splits, False, pad, priority_)
    body = grpc_message(health_message(status) if message is None else message)
    out += data_frames(stream, body, data_splits, not trailers, pad)
    if trailers:
        out += header_frames(stream, header_block(trail, huff, mode), trailer_splits, True, pad)
    return out


def health_response(*args, **kw):
    """b"".join(health_frames(...))."""
    return b"".join(health_frames(*args, **kw))


def interleave(frames, noise=None):
    """Put noise frames (a receiver must accept and ignore or answer them)
    between the given frames, every one of them before the last frame (so
    none comes after END_STREAM): by default PING, WINDOW_UPDATE on the
    connection and stream 1, PRIORITY on stream 3 and an unknown frame type."""
    if noise is None:
        noise = [ping(), window_update(0, 1 << 20), window_update(1, 1000),
                 priority(3, 0, 200), unknown_frame()]
    out = []
    k, n = len(frames), len(noise)
    for i, f in enumerate(frames):
        chunk = noise[i * n // k:(i + 1) * n // k] or [noise[i % n]]
        out += chunk
        out.append(f)
    return out


# ---- what the client sent ---------------------------------------------------

class ClientView:
    """The client's bytes, decoded (parse_client)."""

    def __init__(self):
        self.preface_ok = None      # None: fewer than 24 bytes arrived
        self.frames = []            # (type, flags, stream, payload)
        self.leftover = b""         # an incomplete frame at the end
        self.settings = None        # the client's first SETTINGS (dict)
        self.settings_acks = 0
        self.stream = None          # the request's stream
        self.headers = None         # [(name, value)] of the request, decoded
        self.hpack_error = None
        self.body = b""             # the request's DATA payloads joined
        self.ended = False          # END_STREAM seen on the request stream
        self.message = None         # the gRPC message (prefix removed)
        self.service = None         # HealthCheckRequest.service
        self.goaway = None          # (last_stream, code, debug) if sent
        self.rst = None             # code of an RST_STREAM if sent

    def header(self, name):
        """Values of one request header (a list)."""
        return [v for n, v in (self.headers or []) if n == name]

    def frame_names(self):
        return [FRAME_NAMES[t] if t < len(FRAME_NAMES) else "0x%02x" % t
                for t, _, _, _ in self.frames]


def _unpad(ftype, flags, payload):
    if flags & PADDED and payload:
        n = payload[0]
        payload = payload[1:len(payload) - n] if n < len(payload) else b""
    if ftype == HEADERS and flags & PRIORITY_FLAG:
        payload = payload[5:]
    return payload


def parse_client(raw):
    """Decode what a client sent: preface, frames, its SETTINGS, the request
    headers (with python3-hpack, a decoder independent of the probe's), the
    DATA, the gRPC message and the health request's service name."""
    v = ClientView()
    raw = bytes(raw)
    if len(raw) < len(PREFACE):
        v.preface_ok = None if PREFACE.startswith(raw) else False
        return v
    v.preface_ok = raw.startswith(PREFACE)
    if not v.preface_ok:
        return v
    v.frames, v.leftover = split_frames(raw[len(PREFACE):])
    block = bytearray()
    for t, fl, sid, p in v.frames:
        if t == SETTINGS and fl & ACK:
            v.settings_acks += 1
        elif t == SETTINGS and v.settings is None:
            v.settings = {int.from_bytes(p[i:i + 2], "big"): int.from_bytes(p[i + 2:i + 6], "big")
                          for i in range(0, len(p) - 5, 6)}
        elif t in (HEADERS, CONTINUATION) and sid and (v.stream is None or sid == v.stream):
            v.stream = sid
            block += _unpad(t, fl, p)
            if fl & END_STREAM:
                v.ended = True
            if fl & END_HEADERS and v.headers is None:
                v.headers = _decode_block(v, bytes(block))
        elif t == DATA and sid == v.stream:
            v.body += _unpad(t, fl, p)
            if fl & END_STREAM:
                v.ended = True
        elif t == GOAWAY and len(p) >= 8:
            v.goaway = (int.from_bytes(p[:4], "big") & 0x7fffffff, int.from_bytes(p[4:8], "big"),
                        p[8:])
        elif t == RST_STREAM and len(p) == 4:
            v.rst = int.from_bytes(p, "big")
    if len(v.body) >= 5 and len(v.body) - 5 >= int.from_bytes(v.body[1:5], "big"):
        v.message = v.body[5:5 + int.from_bytes(v.body[1:5], "big")]
        import healthpb
        from google.protobuf.message import DecodeError
        try:
            v.service = healthpb.HealthCheckRequest.FromString(v.message).service
        except DecodeError:     # not a health request: service stays None
            pass
    return v


def _decode_block(view, block):
    import hpack
    try:
        return [(n.decode("latin-1"), val.decode("latin-1"))
                for n, val in hpack.Decoder().decode(block, raw=True)]
    except hpack.HPACKError as e:
        view.hpack_error = e
        return None


# ---- the server and its steps -------------------------------------------------

def read_preface(max_s=5.0):
    """Read until the client preface and its first SETTINGS have arrived
    (or EOF, or max_s). conn.view is the parse_client() of what came."""
    return ("h2_read", "settings", float(max_s))


def read_call(max_s=5.0):
    """Read until the request stream ends (END_STREAM), EOF or max_s."""
    return ("h2_read", "call", float(max_s))


def read_until(pred, max_s=5.0):
    """Read until pred(conn.view) is true, EOF or max_s: e.g. until the
    client acknowledged a PING."""
    return ("h2_read", pred, float(max_s))


def ping_acked(view):
    """The client sent a PING with ACK (a read_until predicate)."""
    return any(t == PING and fl & ACK for t, fl, _, _ in view.frames)


def dynamic(fn):
    """A step computed when it runs: fn(conn) returns a list of steps
    (conn.view is what the client sent so far)."""
    return ("dynamic", fn)


def flood(head, chunk, max_bytes=FLOOD_MAX_BYTES, max_s=hcserver.STEP_MAX_S):
    """Send head, then chunk again and again until the peer goes away, the
    server stops, max_bytes or max_s. conn.flooded counts the bytes sent."""
    return ("flood", bytes(head), bytes(chunk), int(max_bytes), float(max_s))


def tls(max_s=5.0):
    """TLS handshake as a server (the H2Server's throwaway certificate,
    ALPN h2). On success the next steps speak through TLS; on failure
    (a plaintext client) the error is in conn.tls_error and the script ends
    as a TLS server ends it: the socket is closed."""
    return ("tls", float(max_s))


def _stream(conn):
    v = getattr(conn, "view", None)
    return v.stream if v is not None and v.stream else 1


def make_tls_context(workdir=None):
    """An ssl server context with a throwaway self-signed EC certificate for
    localhost, made with the openssl command; the key files are removed once
    loaded."""
    d = tempfile.mkdtemp(prefix="hcgrpc-tls", dir=workdir)
    try:
        key, crt = os.path.join(d, "k.pem"), os.path.join(d, "c.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-keyout", key, "-out", crt],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(crt, key)
        ctx.set_alpn_protocols(["h2"])
        with open(crt, "rb") as f:
            ctx.hc_cert_pem = f.read()
        return ctx
    finally:
        shutil.rmtree(d, ignore_errors=True)


class H2Server(hcserver.Server):
    """hcserver.Server plus the HTTP/2 steps. The default script is good().
    tls_context: an ssl context for tls() steps (one is made on first use
    otherwise)."""

    def __init__(self, script=None, family="v4", tls_context=None, **kw):
        self.tls_context = tls_context
        self._tls_lock = threading.Lock()
        super().__init__(good() if script is None else script, family, **kw)

    def url(self, service="", scheme="grpc"):
        """grpc://HOST:PORT[/SERVICE] (TCP; a unix socket is at .path)."""
        return "%s://%s%s" % (scheme, self.authority, "/" + service if service else "")

    def tls_ctx(self):
        """The TLS context of tls() steps (.hc_cert_pem: its certificate)."""
        with self._tls_lock:
            if self.tls_context is None:
                self.tls_context = make_tls_context()
            return self.tls_context

    def _step(self, conn, step):
        kind = step[0]
        if kind == "h2_read":
            self._h2_read(conn, step[1], step[2])
        elif kind == "dynamic":
            for st in step[1](conn):
                if self.stopping.is_set():
                    break
                if self._step(conn, st) == "end":
                    return "end"
        elif kind == "flood":
            self._flood(conn, *step[1:])
        elif kind == "tls":
            return self._tls(conn, step[1])
        else:
            return super()._step(conn, step)
        return None

    def _h2_read(self, conn, until, max_s):
        s = conn.sock
        s.settimeout(hcserver.SLICE_S)
        end = time.monotonic() + max_s
        while True:
            conn.view = parse_client(conn.received)
            v = conn.view
            if v.preface_ok is False:
                return
            if until == "settings" and v.settings is not None:
                return
            if until == "call" and v.ended:
                return
            if callable(until) and until(v):
                return
            if self.stopping.is_set() or time.monotonic() >= end \
                    or len(conn.received) >= hcserver.REQUEST_MAX:
                return
            if not self._recv(s, conn, 65536):
                return

    def _flood(self, conn, head, chunk, max_bytes, max_s):
        s = conn.sock
        s.settimeout(hcserver.SLICE_S * 5)
        end = time.monotonic() + max_s
        conn.flooded = 0
        pending = memoryview(head)
        while not self.stopping.is_set() and time.monotonic() < end and conn.flooded < max_bytes:
            if not pending:
                pending = memoryview(chunk)
            try:
                n = s.send(pending)
            except socket.timeout:
                continue
            except OSError as e:        # the peer went away: the flood is over
                conn.error = e
                return
            conn.flooded += n
            pending = pending[n:]

    def _tls(self, conn, max_s):
        ctx = self.tls_ctx()
        raw = conn.sock
        raw.settimeout(max_s)
        t = ctx.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
        conn.sock = t
        try:
            t.do_handshake()
        except (ssl.SSLError, OSError) as e:
            conn.tls_error = e
            self._tls_abandon(conn, t)
            return "end"
        conn.tls_error = None
        conn.alpn = t.selected_alpn_protocol()
        return None

    @staticmethod
    def _tls_abandon(conn, t):
        """After a failed handshake: read what the client still sends (for
        a short while), so that closing sends a FIN, not an RST that could
        destroy OpenSSL's alert before the client reads it; then close."""
        fd = t.fileno()
        end = time.monotonic() + 0.1
        try:
            os.set_blocking(fd, False)
            while time.monotonic() < end:
                r, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
                if not r:
                    break
                b = os.read(fd, 65536)
                if not b:
                    break
                if len(conn.received) < hcserver.REQUEST_MAX:
                    conn.received += b
            socket.socket.shutdown(t, socket.SHUT_WR)
        except OSError:
            pass
        try:
            t.close()
        except OSError:
            pass


# ---- named behaviours ---------------------------------------------------------

AUTO = "auto"


def _owed_size(conn):
    """The table size the client asked for, when an update is owed (its
    SETTINGS_HEADER_TABLE_SIZE is below the initial 4096), else None."""
    v = getattr(conn, "view", None)
    n = ((v.settings if v is not None else None) or {}).get(HEADER_TABLE_SIZE, 4096)
    return n if n < 4096 else None


def table_update(conn):
    """The table size update an encoder owes this client at the start of
    its first header block (RFC 7541 section 4.2), or nothing."""
    n = _owed_size(conn)
    return b"" if n is None else size_update(n)


def _client_frames(conn, status, response):
    """health_frames() for this connection: the request's stream, and
    size_update_to='auto' (the default) filled in from the client's
    SETTINGS (None: no update)."""
    r = dict(response)
    if r.get("size_update_to", AUTO) == AUTO:
        r["size_update_to"] = _owed_size(conn)
    return health_frames(status, stream=_stream(conn), **r)


def opening(server_settings=()):
    """A well-behaved start (steps): our SETTINGS, the client's whole call,
    our ACK of its SETTINGS."""
    return [send(settings(server_settings)), read_call(), send(settings_ack())]


def answer(status="SERVING", **response):
    """A step: health_frames(status, **response) on the request's stream,
    in one write; the first header block starts with table_update() unless
    size_update_to is given (None: never). opening() + [sleep(2), answer()]
    is a slow server."""
    return dynamic(lambda conn: [send(b"".join(_client_frames(conn, status, response)))])


def good(status="SERVING", server_settings=(), linger_s=10.0, **response):
    """A correct server: SETTINGS, reads the call, ACKs the client's
    SETTINGS, sends answer(status, **response), then reads until the client
    closes (at most linger_s)."""
    return opening(server_settings) + [answer(status, **response), read_all(linger_s)]


def trickled(status="SERVING", delay=0.005, linger_s=10.0, **response):
    """good(), but the response goes out one byte per write, delay apart."""
    return opening() + [
        dynamic(lambda conn: [trickle(b"".join(_client_frames(conn, status, response)), delay)]),
        read_all(linger_s)]


def trailers_only(grpc_status=12, grpc_message_="no health service", linger_s=10.0, **response):
    """A trailers-only response (one HEADERS with :status 200, content-type,
    grpc-status, grpc-message, END_STREAM), as servers answer an error."""
    return good(grpc_status=grpc_status, grpc_message_=grpc_message_, trailers_only=True,
                linger_s=linger_s, **response)


def noisy(status="SERVING", pad=7, linger_s=10.0, noise=None, **response):
    """good(), with padded HEADERS and DATA, a PRIORITY flag on the first
    HEADERS, and PING, WINDOW_UPDATE, PRIORITY and unknown frames between
    the frames of the response (interleave())."""
    r = dict(response, pad=pad, priority_=(0, 31, False))
    return opening() + [
        dynamic(lambda conn: [send(b"".join(interleave(_client_frames(conn, status, r),
                                                       noise)))]),
        read_all(linger_s)]


def huffman_good(status="SERVING", **response):
    """good(), every string Huffman-coded, and a dynamic table size update
    to 0 at the start of the first header block whatever the client
    advertised (what grpc-go and grpc-js send a client that advertised
    SETTINGS_HEADER_TABLE_SIZE 0)."""
    return good(status, huff=True, size_update_to=0, **response)


def no_settings():
    """Reads the whole call and never sends a byte (no SETTINGS ever)."""
    return [read_call(), hold()]


def settings_then_silence():
    """SETTINGS and the ACK, then nothing: the call is never answered."""
    return opening() + [hold()]


def goaway_now(code=PROTOCOL_ERROR, last_stream=0, debug=b"", with_settings=False, linger_s=5.0):
    """GOAWAY as soon as the connection is accepted (before reading
    anything), optionally after a SETTINGS; then reads the client's call (at
    most linger_s, so that closing sends a FIN and not an RST that could
    destroy the GOAWAY) and closes."""
    first = settings() if with_settings else b""
    return [send(first + goaway(code, last_stream, debug)), read_call(linger_s), close()]


def rst_now(code=REFUSED_STREAM, stream=None, linger_s=10.0):
    """Reads the call, ACKs, then RST_STREAM on the request's stream (or the
    given one) with code."""
    return opening() + [
        dynamic(lambda conn: [send(rst_stream(stream or _stream(conn), code))]),
        read_all(linger_s)]


def oversized_frame(excess=1, ftype=DATA, after_headers=True, linger_s=10.0):
    """Reads the call (and so the client's SETTINGS_MAX_FRAME_SIZE, 16384 if
    absent), then sends a frame of type ftype on the request's stream whose
    payload is max + excess bytes; after_headers: after a correct response
    HEADERS."""
    def steps(conn):
        v = conn.view
        limit = (v.settings or {}).get(MAX_FRAME_SIZE, DEFAULT_MAX_FRAME)
        sid = _stream(conn)
        out = b""
        if after_headers:
            out += headers(sid, table_update(conn) +
                           header_block([(":status", "200"), ("content-type", "application/grpc")]))
        conn.oversize = limit + excess
        return [send(out + frame(ftype, 0, sid, b"\0" * (limit + excess)))]
    return opening() + [dynamic(steps), read_all(linger_s)]


def continuation_flood(frame_size=None, empty=False, max_bytes=FLOOD_MAX_BYTES, max_s=30.0):
    """Reads the call, then a response HEADERS without END_HEADERS and
    CONTINUATION frames forever, none with END_HEADERS. Each carries valid
    literal fields (x-flood: aaa...) of frame_size bytes (default: the
    client's max frame size), or nothing at all (empty=True)."""
    def steps(conn):
        v = conn.view
        limit = (v.settings or {}).get(MAX_FRAME_SIZE, DEFAULT_MAX_FRAME)
        size = frame_size or limit
        sid = _stream(conn)
        head = headers(sid, table_update(conn) + header_block([(":status", "200")]),
                       end_headers=False)
        if empty:
            chunk = continuation(sid, b"", end_headers=False)
        else:
            one = literal("x-flood", "a" * 100)
            body = one * max(1, size // len(one))
            chunk = continuation(sid, body[:size], end_headers=False)
        return [flood(head, chunk, max_bytes, max_s)]
    return opening() + [dynamic(steps)]


def _bomb_many_fields(n=200000):
    return bytes([0x88]) + indexed(31) * n     # :status 200, then content-type: "" n times


def _bomb_amplify(n=100000, size=4000):
    # one big entry added to the dynamic table, then referenced n times
    return bytes([0x88]) + literal("x-big", "b" * size, "incremental") + indexed(62) * n


def _huffman_literal(text, **hopts):
    return bytes([0x00]) + hstr("x-h", False) + hstr(text, True, **hopts)


def _bomb_huge(size=1 << 20):
    one = literal("x-pad", "p" * 1000)
    return bytes([0x88]) + one * (size // len(one) + 1)


HPACK_BOMBS = {
    # at least size bytes of valid literal fields, ~1000-byte values
    "huge_block": _bomb_huge,
    "many_fields": _bomb_many_fields,
    "amplify": _bomb_amplify,
    "size_update_over": lambda size=4096: size_update(size) + bytes([0x88]),
    "size_update_late": lambda size=0: bytes([0x88]) + size_update(size),   # after a field
    "index_out_of_range": lambda index=62: bytes([0x88]) + indexed(index),
    "index_zero": lambda: bytes([0x88, 0x80]),
    "name_index_out_of_range": lambda index=200: bytes([0x88]) + literal(None, "v", "without", index),
    "huffman_padding_zeros": lambda: bytes([0x88]) + _huffman_literal("a", pad="zeros"),
    "huffman_padding_long": lambda: bytes([0x88]) + _huffman_literal("aaaaaaaa", pad="long"),
    "huffman_eos": lambda: bytes([0x88]) + _huffman_literal("ab", eos=True),
    # an index whose integer goes on for 10 continuation bytes (> 2^64)
    "int_overflow": lambda extra=10: bytes([0x88, 0xff]) + b"\xff" * extra + b"\x7f",
    # a string length far past the end of the block
    "length_overflow": lambda: bytes([0x88, 0x00, 0x7f]) + b"\xff" * 4 + b"\x0f" + b"x",
    "truncated_int": lambda: bytes([0x88, 0xff, 0x80]),
}


def hpack_block(kind, **kw):
    """The header block of one HPACK bomb (see HPACK_BOMBS)."""
    return HPACK_BOMBS[kind](**kw)


def hpack_bomb(kind, linger_s=10.0, **kw):
    """Reads the call, then answers with response headers whose header block
    is table_update() + HPACK_BOMBS[kind] (cut into HEADERS + CONTINUATION
    frames at the client's max frame size; so the bomb is the block's only
    fault), then trailers-less silence until the client
    closes (conn.block is the block sent). Kinds: huge_block, many_fields,
    amplify, size_update_over (a size update above what the client
    advertised: 4096 when it said 0, unless size= is given), size_update_late,
    index_out_of_range, index_zero, name_index_out_of_range,
    huffman_padding_zeros, huffman_padding_long, huffman_eos, int_overflow,
    length_overflow, truncated_int."""
    def steps(conn):
        got = conn.view.settings or {}
        limit = got.get(MAX_FRAME_SIZE, DEFAULT_MAX_FRAME)
        args = dict(kw)
        if kind == "size_update_over" and "size" not in args:
            args["size"] = max(4096, got.get(HEADER_TABLE_SIZE, 4096) + 1)
        block = hpack_block(kind, **args)
        if kind != "size_update_over":      # the one wrong thing is the bomb
            block = table_update(conn) + block
        conn.block = block
        cuts = range(limit, len(block), limit)
        return [send(b"".join(header_frames(_stream(conn), block, cuts)))]
    return opening() + [dynamic(steps), read_all(linger_s)]


def http11(status=400, reason="Bad Request", body=b""):
    """An HTTP/1.1 server: reads a request head (the h2 preface has one:
    'PRI * HTTP/2.0' CRLF CRLF), answers with an HTTP/1.1 response, closes."""
    return [read_request(),
            send(hcserver.http(status, reason, ["Content-Length: %d" % len(body),
                                                "Connection: close"], body)),
            close()]


def tls_alert(description=70):
    """Answers any bytes with a fatal TLS alert record (default 70,
    protocol_version), as some TLS stacks do, and closes."""
    return [read_preface(2.0), send(bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, description])),
            close()]


def tls_server(then=None):
    """A TLS server on the port: a plaintext client fails the handshake and
    gets what OpenSSL sends then; a TLS client goes on with the steps in
    then (default: good(), so h2 over TLS with ALPN h2 works)."""
    return [tls()] + (good() if then is None else list(then))
