#!/usr/bin/python3
"""Self-test of the gRPC test infrastructure: the three real servers answer
as the stock health services do, to clients that are not ours (the Go
client built from Debian's grpc-go, and python3-grpcio's C-core client);
every scripted HTTP/2 peer sends the bytes it claims, parsed back with
python3-h2 and python3-hpack.

usage: /usr/bin/python3 tests/grpc/selftest.py [-l] [-j N] [PATTERN...]

The last line is 'N passed, M failed'. A server that cannot run here fails
its tests under CI=true and skips them otherwise, with the reason.
"""

import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import grpc  # noqa: E402
import h2.config  # noqa: E402
import h2.connection  # noqa: E402
import h2.events  # noqa: E402
import h2.exceptions  # noqa: E402
import h2.settings  # noqa: E402
import hpack  # noqa: E402

import grpcservers  # noqa: E402
import h2peer as hp  # noqa: E402
import healthpb  # noqa: E402
from grpcservers import GrpcServer  # noqa: E402

SLACK = grpcservers.SLACK
GOCLIENT = os.path.join(grpcservers.BUILD, "goclient")
REGISTRY = []


class Failure(AssertionError):
    pass


class Skip(Exception):
    pass


def check(cond, msg, *args):
    if not cond:
        raise Failure(msg % args if args else msg)


def test(name):
    def deco(fn):
        assert all(n != name for n, _ in REGISTRY), name
        REGISTRY.append((name, fn))
        return fn
    return deco


class Ctx:
    """What one test owns; everything is stopped when it ends."""

    def __init__(self):
        self.owned = []

    def grpc(self, name, **kw):
        why = grpcservers.missing(name)
        if why:
            raise Skip(why)
        s = GrpcServer(name, **kw)
        self.owned.append(s)
        return s

    def h2(self, script, **kw):
        s = hp.H2Server(script, **kw)
        self.owned.append(s)
        return s

    def cleanup(self):
        for s in self.owned:
            s.stop()


# ---- independent clients ----------------------------------------------------

def go_client(target, service="", timeout="3s", headers=(), connect="3s"):
    """(exit code, stdout+stderr) of the Go client."""
    if not os.access(GOCLIENT, os.X_OK):
        raise Skip("%s is not built (make grpc-servers)" % GOCLIENT)
    argv = [GOCLIENT, "-addr", target, "-service", service, "-rpc-timeout", timeout,
            "-connect-timeout", connect]
    for h in headers:
        argv += ["-rpc-header", h]
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=30 * SLACK, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout.decode("utf-8", "replace").strip()


def go_expect(target, service, rc, text, **kw):
    got_rc, out = go_client(target, service, **kw)
    check(got_rc == rc and text in out, "goclient %s %r: expected exit %d with %r, got %d: %r",
          target, service, rc, text, got_rc, out)


def py_call(target, service="", timeout=3.0, metadata=(), root_cert=None):
    """grpcio (C-core) Health/Check: ('OK', status int) or (code name,
    details)."""
    if root_cert is None:
        ch = grpc.insecure_channel(target)
    else:
        ch = grpc.secure_channel(target, grpc.ssl_channel_credentials(root_cert),
                                 options=[("grpc.ssl_target_name_override", "localhost")])
    try:
        f = ch.unary_unary(healthpb.CHECK,
                           request_serializer=healthpb.HealthCheckRequest.SerializeToString,
                           response_deserializer=healthpb.HealthCheckResponse.FromString)
        r = f(healthpb.HealthCheckRequest(service=service), timeout=timeout,
              metadata=list(metadata) or None)
        return "OK", r.status
    except grpc.RpcError as e:
        return e.code().name, e.details()
    finally:
        ch.close()


def py_expect(target, service, want, **kw):
    got = py_call(target, service, **kw)
    if isinstance(want, str):
        ok = got[0] == want
    else:
        ok = got == ("OK", want)
    check(ok, "grpcio %s %r: expected %r, got %r", target, service, want, got)
    return got


# ---- the real servers ---------------------------------------------------------

def per_server(suffix):
    def deco(fn):
        for name in grpcservers.NAMES:
            test("%s_%s" % (name, suffix))(lambda t, n=name: fn(t, n))
        return fn
    return deco


STATUS_SET = {"db": "NOT_SERVING", "cache": "UNKNOWN", "api": "SERVING"}


@per_server("statuses_go_client")
def _(t, name):
    s = t.grpc(name, status=STATUS_SET)
    go_expect(s.target, "", 0, "status: SERVING")
    go_expect(s.target, "api", 0, "status: SERVING")
    go_expect(s.target, "db", 4, "status: NOT_SERVING")
    go_expect(s.target, "cache", 4, "status: UNKNOWN")
    go_expect(s.target, "nope", 3, "NotFound")


@per_server("statuses_grpcio")
def _(t, name):
    s = t.grpc(name, status=STATUS_SET)
    py_expect(s.target, "", healthpb.SERVING)
    py_expect(s.target, "api", healthpb.SERVING)
    py_expect(s.target, "db", healthpb.NOT_SERVING)
    py_expect(s.target, "cache", healthpb.UNKNOWN)
    py_expect(s.target, "nope", "NOT_FOUND")
    calls = s.wait_calls(5)
    check([c["service"] for c in calls] == ["", "api", "db", "cache", "nope"],
          "calls reported: %r", calls)


@per_server("whole_server_not_serving")
def _(t, name):
    s = t.grpc(name, status={"": "NOT_SERVING"})
    go_expect(s.target, "", 4, "status: NOT_SERVING")
    py_expect(s.target, "", healthpb.NOT_SERVING)


@per_server("no_health_service")
def _(t, name):
    s = t.grpc(name, health=False)
    go_expect(s.target, "", 3, "Unimplemented")
    py_expect(s.target, "", "UNIMPLEMENTED")
    try:
        s.set_status("", "SERVING")
    except grpcservers.ServerError as e:
        check("no health service" in str(e), "unexpected error %s", e)
    else:
        raise Failure("set_status worked on a server without the health service")


@per_server("flip")
def _(t, name):
    s = t.grpc(name)
    go_expect(s.target, "", 0, "status: SERVING")
    s.set_status("", "NOT_SERVING")
    go_expect(s.target, "", 4, "status: NOT_SERVING")
    py_expect(s.target, "", healthpb.NOT_SERVING)
    s.set_status("", "SERVING")
    py_expect(s.target, "", healthpb.SERVING)
    py_expect(s.target, "late", "NOT_FOUND")
    s.set_status("late", "UNKNOWN")
    py_expect(s.target, "late", healthpb.UNKNOWN)
    for bad in ("SERVICE_UNKNOWN", "serving"):
        try:
            s._command("set x " + bad)
        except grpcservers.ServerError as e:
            check("bad status" in str(e), "unexpected error %s", e)
        else:
            raise Failure("the server took status %s" % bad)


@per_server("watch")
def _(t, name):
    s = t.grpc(name)
    ch = grpc.insecure_channel(s.target)
    try:
        w = ch.unary_stream(healthpb.WATCH,
                            request_serializer=healthpb.HealthCheckRequest.SerializeToString,
                            response_deserializer=healthpb.HealthCheckResponse.FromString)
        it = w(healthpb.HealthCheckRequest(service=""), timeout=20 * SLACK)
        check(next(it).status == healthpb.SERVING, "first Watch message is not SERVING")
        s.set_status("", "NOT_SERVING")
        check(next(it).status == healthpb.NOT_SERVING, "Watch did not see the flip")
        it.cancel()
        it2 = w(healthpb.HealthCheckRequest(service="nope"), timeout=20 * SLACK)
        check(next(it2).status == healthpb.SERVICE_UNKNOWN, "Watch on an unknown service")
        it2.cancel()
    finally:
        ch.close()
    calls = s.wait_calls(2)
    check([(c["call"], c["service"]) for c in calls] == [("Watch", ""), ("Watch", "nope")],
          "calls reported: %r", calls)


class _Dir:
    """A temporary directory a test owns (removed at stop())."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="hcgrpc-cert")

    def stop(self):
        shutil.rmtree(self.path, ignore_errors=True)


def localhost_cert(t):
    """(certfile, keyfile) of a throwaway self-signed EC certificate for
    localhost, in a directory the test owns."""
    t.owned.append(_Dir())
    d = t.owned[-1].path
    crt, key = os.path.join(d, "c.pem"), os.path.join(d, "k.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", crt],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)
    return crt, key


@per_server("tls")
def _(t, name):
    # --tls-cert/--tls-key: grpcio trusts the certificate and gets answers;
    # a plaintext client gets none; Python's ssl sees ALPN h2 chosen
    crt, key = localhost_cert(t)
    s = t.grpc(name, status={"db": "NOT_SERVING"}, tls=(crt, key))
    check(s.url("db", host="localhost") == "grpcs://localhost:%d/db" % s.port, "url %r",
          s.url("db", host="localhost"))
    with open(crt, "rb") as f:
        root = f.read()
    py_expect(s.target, "", healthpb.SERVING, root_cert=root)
    py_expect(s.target, "db", healthpb.NOT_SERVING, root_cert=root)
    py_expect(s.target, "", "UNAVAILABLE", timeout=2.0)
    ctx = ssl.create_default_context(cafile=crt)
    ctx.set_alpn_protocols(["h2"])
    with socket.create_connection((s.host, s.port), timeout=10 * SLACK) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            check(tls.selected_alpn_protocol() == "h2", "ALPN %r",
                  tls.selected_alpn_protocol())


@per_server("metadata")
def _(t, name):
    s = t.grpc(name)
    py_expect(s.target, "", healthpb.SERVING, timeout=4.0,
              metadata=[("x-token", "abc"), ("x-tenant", "t1"), ("x-raw-bin", b"\x00\xff")])
    go_expect(s.target, "", 0, "SERVING", timeout="3s",
              headers=["x-token: from-go", "x-tenant: t2"])
    py_expect(s.target, "", healthpb.SERVING, timeout=None)
    c = s.wait_calls(3)
    md = c[0]["metadata"]
    check(md.get("x-token") == ["abc"] and md.get("x-tenant") == ["t1"], "metadata %r", md)
    check(md.get("x-raw-bin") == ["AP8="], "binary metadata %r", md.get("x-raw-bin"))
    check("grpc-timeout" not in md, "grpc-timeout must show as the deadline only: %r", md)
    check(c[0]["deadline_ms"] is not None and 2000 < c[0]["deadline_ms"] <= 4100,
          "deadline_ms %r for a 4 s timeout", c[0]["deadline_ms"])
    md = c[1]["metadata"]
    check(md.get("x-token") == ["from-go"] and md.get("x-tenant") == ["t2"], "metadata %r", md)
    check(c[1]["deadline_ms"] is not None and 1000 < c[1]["deadline_ms"] <= 3100,
          "deadline_ms %r for a 3 s timeout", c[1]["deadline_ms"])
    check(c[2]["deadline_ms"] is None, "no deadline sent, got %r", c[2]["deadline_ms"])


@per_server("slow")
def _(t, name):
    s = t.grpc(name, slow_ms=1500)
    t0 = time.monotonic()
    py_expect(s.target, "", "DEADLINE_EXCEEDED", timeout=0.4)
    took = time.monotonic() - t0
    check(took < 1.4 * SLACK, "the deadline did not cut the slow call short: %.2f s", took)
    go_expect(s.target, "", 3, "DeadlineExceeded", timeout="300ms")
    t0 = time.monotonic()
    py_expect(s.target, "", healthpb.SERVING, timeout=10.0)
    took = time.monotonic() - t0
    check(took >= 1.45, "the slow server answered in %.2f s, not after 1.5 s", took)
    s.set_slow(0)
    t0 = time.monotonic()
    py_expect(s.target, "", healthpb.SERVING, timeout=10.0)
    check(time.monotonic() - t0 < 1.4, "set_slow(0) did not take")


@per_server("ipv6_and_unix")
def _(t, name):
    s6 = t.grpc(name, family="v6", status={"x": "NOT_SERVING"})
    check(s6.target.startswith("[::1]:"), "target %s", s6.target)
    go_expect(s6.target, "", 0, "status: SERVING")
    py_expect(s6.target, "x", healthpb.NOT_SERVING)
    su = t.grpc(name, family="unix")
    check(os.stat(su.path).st_mode & 0o777 == 0o777, "unix socket not open to every uid")
    go_expect(su.target, "", 0, "status: SERVING")
    py_expect(su.target, "", healthpb.SERVING)
    d = su.tmpdir
    su.stop()
    check(not os.path.exists(d), "unix socket directory %s left behind" % d)


@per_server("stop_leaves_nothing")
def _(t, name):
    s = t.grpc(name)
    pid, port = s.proc.pid, s.port
    s.stop()
    check(s.exit_code == 0, "exit %r after EOF on stdin (stderr: %r)", s.exit_code, s._stderr)
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        pass
    else:
        raise Failure("process group %d still has members" % pid)
    with socket.socket() as c:
        c.settimeout(2)
        check(c.connect_ex(("127.0.0.1", port)) != 0, "port %d still accepts" % port)


@per_server("raw_h2_table_size_0")
def _(t, name):
    # python3-h2's request, with SETTINGS_HEADER_TABLE_SIZE 0 in the first
    # SETTINGS: the real server opens its first block with a size update to
    # 0 and its response decodes with a table of 0
    s = t.grpc(name, status={"svc": "NOT_SERVING"})
    raw, _ = exchange(s, until=has_stream_end, max_s=10)
    blocks = header_blocks(raw)
    check(len(blocks) == 2 and blocks[0][:1] == b"\x20", "blocks %r", blocks)
    d = probe_decoder()
    heads, trailers = d.decode(blocks[0], raw=True), d.decode(blocks[1], raw=True)
    ct = [v for n, v in heads if n == b"content-type"]
    check(heads[0] == (b":status", b"200") and len(ct) == 1
          and ct[0] in (b"application/grpc", b"application/grpc+proto"), "headers %r", heads)
    check((b"grpc-status", b"0") in trailers, "trailers %r", trailers)
    _, body, _, ended = response_of(raw)
    check(ended and healthpb.HealthCheckResponse.FromString(body[5:]).status == 2, "body %r", body)


@per_server("usage_errors")
def _(t, name):
    why = grpcservers.missing(name)
    if why:
        raise Skip(why)
    argv, env = grpcservers.command(name)
    e = dict(os.environ, **env)
    for bad in (["--status", "x=BAD"], ["--status", "novalue"], ["--slow", "x"], ["--bogus"],
                ["--listen"]):
        r = subprocess.run(argv + bad, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=e, timeout=30 * SLACK)
        check(r.returncode == 64 and b"usage" in r.stderr and not r.stdout,
              "%s: exit %d, stdout %r, stderr %r", bad, r.returncode, r.stdout, r.stderr[:200])


# ---- the Go client itself ------------------------------------------------------

@test("goclient_refused_and_usage")
def _(t):
    s, port = socket.socket(), None
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    try:
        rc, out = go_client("127.0.0.1:%d" % port, connect="300ms")
        check(rc == 2 and "connection" in out, "refused: exit %d %r", rc, out)
    finally:
        s.close()
    r = subprocess.run([GOCLIENT], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    check(r.returncode == 1, "no -addr: exit %d", r.returncode)
    rc, out = go_client("127.0.0.1:1", headers=["no colon"])
    check(rc == 1, "bad -rpc-header: exit %d %r", rc, out)


# ---- scripted HTTP/2 peers: raw clients -----------------------------------------

def request_bytes(service="svc", client_settings=None, conn=None):
    """A client preface + SETTINGS + Health/Check request, made by python3-h2
    (advertising SETTINGS_HEADER_TABLE_SIZE 0 as the probe may)."""
    if conn is None:
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True,
                                                                    header_encoding=None))
    vals = {h2.settings.SettingCodes.HEADER_TABLE_SIZE: 0,
            h2.settings.SettingCodes.ENABLE_PUSH: 0}
    vals.update(client_settings or {})
    conn.local_settings = h2.settings.Settings(client=True, initial_values=vals)
    conn.initiate_connection()
    conn.send_headers(1, [(":method", "POST"), (":scheme", "http"), (":authority", "localhost"),
                          (":path", healthpb.CHECK), ("content-type", "application/grpc"),
                          ("te", "trailers")])
    msg = healthpb.HealthCheckRequest(service=service).SerializeToString()
    conn.send_data(1, hp.grpc_message(msg), end_stream=True)
    return conn.data_to_send()


def exchange(srv, send_=None, until=None, max_bytes=1 << 22, max_s=3.0, sock=None):
    """Connect, send, read until EOF, until(bytes) is true, max_bytes or
    max_s. Returns (bytes, eof)."""
    c = sock or socket.create_connection((srv.host, srv.port), timeout=5)
    try:
        c.sendall(request_bytes() if send_ is None else send_)
        got = bytearray()
        end = time.monotonic() + max_s * SLACK
        eof = False
        while time.monotonic() < end and len(got) < max_bytes:
            if until is not None and until(bytes(got)):
                break
            c.settimeout(max(0.01, min(0.2, end - time.monotonic())))
            try:
                b = c.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                eof = True
                break
            if not b:
                eof = True
                break
            got += b
        return bytes(got), eof
    finally:
        c.close()


def frames_of(raw):
    fr, rest = hp.split_frames(raw)
    return fr, rest


def h2_events(raw, service="svc"):
    """Feed a server's bytes to a python3-h2 client that sent our request:
    its events, or the exception it raised."""
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True,
                                                                header_encoding=None))
    request_bytes(service, conn=conn)
    try:
        return conn.receive_data(raw)
    except h2.exceptions.H2Error as e:
        return e


def response_of(raw):
    """(headers, data, trailers, stream ended) from h2's events of a whole
    response."""
    ev = h2_events(raw)
    check(not isinstance(ev, Exception), "python3-h2 rejected the response: %r", ev)
    heads, body, trailers, ended = None, b"", None, False
    for e in ev:
        if isinstance(e, h2.events.ResponseReceived):
            heads = e.headers
        elif isinstance(e, h2.events.DataReceived):
            body += e.data
        elif isinstance(e, h2.events.TrailersReceived):
            trailers = e.headers
        elif isinstance(e, h2.events.StreamEnded):
            ended = True
    return heads, body, trailers, ended


def has_stream_end(raw):
    return any(t in (hp.HEADERS, hp.DATA) and fl & hp.END_STREAM
               for t, fl, _, _ in hp.split_frames(raw)[0])


def decode_block(block, table_size=4096, max_list=65536):
    """python3-hpack's decoding of one block by a decoder whose table is
    table_size (0: as for a client that advertised
    SETTINGS_HEADER_TABLE_SIZE 0 and got the size update)."""
    d = hpack.Decoder(max_header_list_size=max_list)
    d.header_table_size = table_size
    d.max_allowed_table_size = table_size
    return d.decode(block, raw=True)


def probe_decoder():
    """A python3-hpack decoder in the state of a client whose first SETTINGS
    said SETTINGS_HEADER_TABLE_SIZE 0: the server must open its first block
    with a size update to 0 (RFC 7541 section 4.2), and may not go above."""
    d = hpack.Decoder()
    d.max_allowed_table_size = 0
    return d


def header_blocks(raw):
    """The whole header blocks in a server's bytes, in order."""
    out, cur = [], None
    for ty, fl, _, p in hp.split_frames(raw)[0]:
        if ty == hp.HEADERS:
            cur = bytearray(hp._unpad(ty, fl, p))
        elif ty == hp.CONTINUATION and cur is not None:
            cur += p
        else:
            continue
        if fl & hp.END_HEADERS:
            out.append(bytes(cur))
            cur = None
    return out


def expect_good(raw, status=1, grpc_status=b"0"):
    heads, body, trailers, ended = response_of(raw)
    check(heads == [(b":status", b"200"), (b"content-type", b"application/grpc")],
          "response headers %r", heads)
    check(body[:1] == b"\0" and int.from_bytes(body[1:5], "big") == len(body) - 5,
          "gRPC prefix of %r", body)
    check(healthpb.HealthCheckResponse.FromString(body[5:]).status == status, "message %r", body)
    check(trailers and trailers[0] == (b"grpc-status", grpc_status), "trailers %r", trailers)
    check(ended, "the stream did not end")


@test("h2_good")
def _(t):
    s = t.h2(hp.good())
    raw, _ = exchange(s, until=has_stream_end)
    expect_good(raw)
    py_expect("127.0.0.1:%d" % s.port, "svc", healthpb.SERVING)
    go_expect("127.0.0.1:%d" % s.port, "svc", 0, "status: SERVING")
    s.stop()
    v = hp.parse_client(s.requests[0])
    check(v.preface_ok and v.service == "svc" and v.ended and v.settings is not None,
          "parse_client: %r", vars(v))
    check(v.settings.get(hp.HEADER_TABLE_SIZE) == 0, "client settings %r", v.settings)
    check(v.header(":path") == [healthpb.CHECK], "headers %r", v.headers)
    d = probe_decoder()
    blocks = header_blocks(raw)
    check(blocks[0][:1] == b"\x20", "no size update for a client that said 0: %r", blocks[0])
    check([d.decode(b, raw=True) for b in blocks][1] == [(b"grpc-status", b"0")], "trailers")
    # size_update_to=None: no update (a client that said 0 may refuse that)
    s = t.h2(hp.good(size_update_to=None))
    raw, _ = exchange(s, until=has_stream_end)
    check(header_blocks(raw)[0][:1] == b"\x88", "an update where none was asked for")


@test("h2_good_statuses_and_v6")
def _(t):
    for st, go_rc, py_st in (("NOT_SERVING", 4, 2), ("UNKNOWN", 4, 0), ("SERVICE_UNKNOWN", 4, 3)):
        s = t.h2(hp.good(st), family="v6")
        go_expect(s.authority, "", go_rc, "status: " + st)
        py_expect(s.authority, "", py_st)
    check(hp.health_message("UNKNOWN") == b"", "proto3 writes no default field")
    check(hp.health_message(300) == b"\x08\xac\x02", "varint encoding")


@test("h2_huffman_size_update_0")
def _(t):
    s = t.h2(hp.huffman_good())
    raw, _ = exchange(s, until=has_stream_end)
    expect_good(raw)
    fr, _ = frames_of(raw)
    blocks = [p for ty, _, sid, p in fr if ty == hp.HEADERS]
    check(blocks[0][:1] == b"\x20", "no size update 0 first: %r", blocks[0][:4])
    check(blocks[0][1] == 0x88 and blocks[0][2] == 0x0f, "header block %r", blocks[0])
    check(blocks[0][4] & 0x80, "content-type value is not Huffman-coded: %r", blocks[0])
    decode_block(blocks[0], table_size=0)    # fine for a client with no table
    py_expect("127.0.0.1:%d" % s.port, "", healthpb.SERVING)
    go_expect("127.0.0.1:%d" % s.port, "", 0, "status: SERVING")


@test("h2_huffman_matches_hpack")
def _(t):
    from hpack.huffman import HuffmanEncoder
    from hpack.huffman_constants import REQUEST_CODES, REQUEST_CODES_LENGTH
    enc = HuffmanEncoder(REQUEST_CODES, REQUEST_CODES_LENGTH)
    for s in (b"", b"a", b"application/grpc", b"grpc-status", bytes(range(256)), b"\xff" * 9):
        check(hp.huffman(s) == enc.encode(s), "huffman(%r)", s)
        check(hpack.huffman_table.decode_huffman(hp.huffman(s)) == s, "round trip %r", s)


@test("h2_splits_every_offset")
def _(t):
    # the response cut into frames at every offset of each block: still one
    # correct response for python3-h2 (and for the real clients at a few)
    head = hp.header_block([(":status", "200"), ("content-type", "application/grpc")], huff=True)
    body = hp.grpc_message(hp.health_message(1))
    for i in range(1, len(head)):
        expect_good(hp.settings() + hp.health_response(huff=True, header_splits=(i,)))
    for i in range(1, len(body)):
        expect_good(hp.settings() + hp.health_response(data_splits=(i,), trailer_splits=(1,)))
    many = dict(header_splits=range(1, len(head)), data_splits=range(1, len(body)),
                trailer_splits=(1, 2))
    fr, _ = frames_of(hp.health_response(huff=True, **many))
    check([x[0] for x in fr].count(hp.CONTINUATION) == len(head) - 1 + 2, "frames %r", fr)
    s = t.h2(hp.good(huff=True, **many))
    py_expect("127.0.0.1:%d" % s.port, "", healthpb.SERVING)
    go_expect("127.0.0.1:%d" % s.port, "", 0, "status: SERVING")


@test("h2_noisy")
def _(t):
    s = t.h2(hp.noisy())
    raw, _ = exchange(s, until=has_stream_end)
    expect_good(raw)
    kinds = {type(e).__name__ for e in h2_events(raw)}
    for k in ("PingReceived", "WindowUpdated", "PriorityUpdated", "UnknownFrameReceived"):
        check(k in kinds, "no %s in %s", k, sorted(kinds))
    fr, _ = frames_of(raw)
    check(all(fl & hp.PADDED for ty, fl, _, _ in fr if ty == hp.DATA), "DATA not padded")
    check(any(fl & hp.PRIORITY_FLAG for ty, fl, _, _ in fr if ty == hp.HEADERS),
          "no PRIORITY flag on HEADERS")
    go_expect("127.0.0.1:%d" % s.port, "", 0, "status: SERVING")
    # C-core (1.51) refuses padded frames ("unsupported data flags"), so
    # grpcio sees the noise without the padding
    s2 = t.h2(hp.noisy(pad=None))
    py_expect("127.0.0.1:%d" % s2.port, "", healthpb.SERVING)


@test("h2_trickled")
def _(t):
    s = t.h2(hp.trickled(delay=0.004))
    c = socket.create_connection((s.host, s.port), timeout=5)
    reads = 0
    raw = b""
    t0 = time.monotonic()
    try:
        c.sendall(request_bytes())
        while not has_stream_end(raw) and time.monotonic() - t0 < 10 * SLACK:
            b = c.recv(65536)
            if not b:
                break
            reads += 1
            raw += b
    finally:
        c.close()
    expect_good(raw)
    n = len(hp.health_response())
    check(reads > n // 4, "%d bytes came in only %d reads: not trickled", len(raw), reads)
    check(time.monotonic() - t0 >= n * 0.004 * 0.5, "too fast for a trickle")
    s2 = t.h2(hp.trickled(delay=0.002))
    py_expect("127.0.0.1:%d" % s2.port, "", healthpb.SERVING)


@test("h2_trailers_only")
def _(t):
    s = t.h2(hp.trailers_only(12, "no health service"))
    raw, _ = exchange(s, until=has_stream_end)
    fr, _ = frames_of(raw)
    hs = [(fl, p) for ty, fl, _, p in fr if ty == hp.HEADERS]
    check(len(hs) == 1 and hs[0][0] & hp.END_STREAM and not any(ty == hp.DATA for ty, *_ in fr),
          "not one HEADERS with END_STREAM: %r", fr)
    hdrs = decode_block(hs[0][1])
    check(hdrs == [(b":status", b"200"), (b"content-type", b"application/grpc"),
                   (b"grpc-status", b"12"), (b"grpc-message", b"no health service")], "%r", hdrs)
    got = py_expect("127.0.0.1:%d" % s.port, "", "UNIMPLEMENTED")
    check(got[1] == "no health service", "grpc-message %r", got)
    go_expect("127.0.0.1:%d" % s.port, "", 3, "Unimplemented: no health service")


@test("h2_slow_answer")
def _(t):
    s = t.h2(hp.opening() + [hp.sleep(1.0), hp.answer("NOT_SERVING"), hp.read_all(5)])
    t0 = time.monotonic()
    py_expect("127.0.0.1:%d" % s.port, "", "DEADLINE_EXCEEDED", timeout=0.3)
    check(time.monotonic() - t0 < 0.9 * SLACK, "the deadline did not cut it short")
    t0 = time.monotonic()
    py_expect("127.0.0.1:%d" % s.port, "", healthpb.NOT_SERVING, timeout=10)
    check(time.monotonic() - t0 >= 0.95, "answered before the sleep was over")


@test("h2_no_settings")
def _(t):
    s = t.h2(hp.no_settings())
    raw, eof = exchange(s, max_s=0.6)
    check(raw == b"" and not eof, "sent %r (eof %s)", raw, eof)
    s.stop()
    v = hp.parse_client(s.requests[0])
    check(v.preface_ok and v.ended and v.service == "svc", "the peer did not read the call")


@test("h2_settings_then_silence")
def _(t):
    s = t.h2(hp.settings_then_silence())
    raw, eof = exchange(s, max_s=0.6)
    fr, rest = frames_of(raw)
    check([(ty, fl) for ty, fl, _, _ in fr] == [(hp.SETTINGS, 0), (hp.SETTINGS, hp.ACK)]
          and not rest and not eof, "got %r", raw)


@test("h2_goaway_now")
def _(t):
    for code in (hp.PROTOCOL_ERROR, hp.ENHANCE_YOUR_CALM, hp.NO_ERROR, 0x1234):
        s = t.h2(hp.goaway_now(code, debug=b"bye"))
        raw, eof = exchange(s)
        fr, rest = frames_of(raw)
        check(len(fr) == 1 and fr[0][0] == hp.GOAWAY and not rest and eof, "got %r", raw)
        ev = h2_events(raw)
        check(not isinstance(ev, Exception), "h2: %r", ev)
        term = [e for e in ev if isinstance(e, h2.events.ConnectionTerminated)]
        check(term and term[0].error_code == code and term[0].last_stream_id == 0
              and term[0].additional_data == b"bye", "events %r", ev)
    s = t.h2(hp.goaway_now(hp.PROTOCOL_ERROR, with_settings=True))
    fr, _ = frames_of(exchange(s)[0])
    check([x[0] for x in fr] == [hp.SETTINGS, hp.GOAWAY], "got %r", fr)
    got = py_call("127.0.0.1:%d" % s.port, "", timeout=1.0)
    check(got[0] != "OK", "grpcio got %r from a server that only says GOAWAY", got)


@test("h2_rst_stream")
def _(t):
    for code in (hp.REFUSED_STREAM, hp.CANCEL, hp.INTERNAL_ERROR):
        s = t.h2(hp.rst_now(code))
        raw, _ = exchange(s, until=lambda b: any(x[0] == hp.RST_STREAM
                                                 for x in hp.split_frames(b)[0]))
        ev = h2_events(raw)
        check(not isinstance(ev, Exception), "h2: %r", ev)
        rst = [e for e in ev if isinstance(e, h2.events.StreamReset)]
        check(rst and rst[0].stream_id == 1 and rst[0].error_code == code, "events %r", ev)
    # (grpc-go retries a REFUSED_STREAM by itself until the deadline)
    s = t.h2(hp.rst_now(hp.CANCEL))
    go_expect("127.0.0.1:%d" % s.port, "", 3, "Canceled")
    s = t.h2(hp.rst_now(hp.INTERNAL_ERROR))
    py_expect("127.0.0.1:%d" % s.port, "", "INTERNAL")


@test("h2_oversized_frame")
def _(t):
    for limit in (None, 20000):
        s = t.h2(hp.oversized_frame())
        cs = {h2.settings.SettingCodes.MAX_FRAME_SIZE: limit} if limit else {}
        want = (limit or 16384) + 1

        def whole(b):
            return any(len(p) == want for *_, p in hp.split_frames(b)[0])
        raw, _ = exchange(s, send_=request_bytes(client_settings=cs), until=whole)
        fr, _ = frames_of(raw)
        check(fr[-1][0] == hp.DATA and len(fr[-1][3]) == want, "last frame %r",
              [(x[0], len(x[3])) for x in fr])
        ev = h2_events(raw) if not limit else None
        check(limit or isinstance(ev, h2.exceptions.FrameTooLargeError), "h2 took it: %r", ev)


@test("h2_continuation_flood")
def _(t):
    for empty in (False, True):
        s = t.h2(hp.continuation_flood(empty=empty))
        want = 1 << 20 if empty else 4 << 20
        raw, eof = exchange(s, max_bytes=want, max_s=20)
        check(len(raw) >= want and not eof, "only %d bytes, eof %s", len(raw), eof)
        fr, _ = frames_of(raw)
        heads = [i for i, x in enumerate(fr) if x[0] == hp.HEADERS]
        check(len(heads) == 1, "HEADERS frames: %d", len(heads))
        tail = fr[heads[0]:]
        check(not tail[0][1] & hp.END_HEADERS, "END_HEADERS on the HEADERS")
        check(all(x[0] == hp.CONTINUATION and x[2] == 1 and not x[1] & hp.END_HEADERS
                  for x in tail[1:]), "a frame that is not a bare CONTINUATION")
        check(len(tail) > 50, "only %d frames", len(tail))
        if empty:
            check(all(x[3] == b"" for x in tail[1:]), "empty CONTINUATIONs carry bytes")
        else:
            # whole valid fields in every frame: the first 20 frames decode
            hdrs = decode_block(b"".join(x[3] for x in tail[:20]), max_list=1 << 30)
            check(hdrs[0] == (b":status", b"200") and len(hdrs) > 1000 and
                  set(hdrs[1:]) == {(b"x-flood", b"a" * 100)}, "flood fields")
            check(all(len(x[3]) <= 16384 for x in tail), "a frame over 16384")
        # the client went away: the flood ends by itself
        deadline = time.monotonic() + 10 * SLACK
        while not s.conns[0].done and time.monotonic() < deadline:
            time.sleep(0.02)
        check(s.conns[0].done, "the flood goes on after the client closed")
        # it counted at least what the client read of it (the frames from
        # the HEADERS on; before them, the server's SETTINGS and its ACK)
        read = len(raw) - sum(9 + len(x[3]) for x in fr[:heads[0]])
        check(s.conns[0].flooded >= read, "flooded %d, read %d", s.conns[0].flooded, read)


BOMB_ERRORS = {
    "huge_block": hpack.OversizedHeaderListError,
    "many_fields": hpack.OversizedHeaderListError,
    "amplify": hpack.InvalidTableIndex,             # no table: the entry is never stored
    "size_update_over": hpack.InvalidTableSizeError,
    "size_update_late": hpack.HPACKDecodingError,
    "index_out_of_range": hpack.InvalidTableIndex,
    "index_zero": hpack.InvalidTableIndex,
    "name_index_out_of_range": hpack.InvalidTableIndex,
    "huffman_padding_zeros": hpack.HPACKDecodingError,
    "huffman_padding_long": hpack.HPACKDecodingError,
    "huffman_eos": hpack.HPACKDecodingError,
    "int_overflow": hpack.InvalidTableIndex,
    "length_overflow": hpack.HPACKDecodingError,
    "truncated_int": hpack.HPACKDecodingError,
}


def hpack_int_at(b, i, prefix):
    """An HPACK integer decoded by hand (no bound): (value, next index)."""
    top = (1 << prefix) - 1
    v = b[i] & top
    i += 1
    if v < top:
        return v, i
    shift = 0
    while True:
        v += (b[i] & 0x7f) << shift
        shift += 7
        i += 1
        if not b[i - 1] & 0x80:
            return v, i


@test("h2_hpack_bombs")
def _(t):
    check(set(BOMB_ERRORS) == set(hp.HPACK_BOMBS), "untested bombs: %s",
          set(hp.HPACK_BOMBS) ^ set(BOMB_ERRORS))
    for kind, err in BOMB_ERRORS.items():
        s = t.h2(hp.hpack_bomb(kind))
        want = hp.hpack_block(kind)
        raw, _ = exchange(s, until=lambda b: sum(len(x[3]) for x in hp.split_frames(b)[0]
                                                 if x[0] in (hp.HEADERS, hp.CONTINUATION))
                          >= len(want), max_s=10)
        fr, _ = frames_of(raw)
        hf = [x for x in fr if x[0] in (hp.HEADERS, hp.CONTINUATION)]
        check(hf and hf[-1][1] & hp.END_HEADERS and all(len(x[3]) <= 16384 for x in hf),
              "%s: frames %r", kind, [(x[0], x[1], len(x[3])) for x in hf][:5])
        block = b"".join(x[3] for x in hf)
        if kind != "size_update_over":
            want = b"\x20" + want      # the update owed to a client that said 0
        check(block == want, "%s: the block on the wire differs", kind)
        try:
            probe_decoder().decode(block, raw=True)
        except err:
            pass
        except hpack.HPACKError as e:
            raise Failure("%s: python3-hpack raised %r, not %s" % (kind, e, err.__name__))
        else:
            raise Failure("%s: python3-hpack decoded it" % kind)
    # above what the client advertised, whatever it advertised
    s = t.h2(hp.hpack_bomb("size_update_over"))
    cs = {h2.settings.SettingCodes.HEADER_TABLE_SIZE: 8192}
    raw, _ = exchange(s, send_=request_bytes(client_settings=cs),
                      until=lambda b: any(x[0] == hp.HEADERS for x in hp.split_frames(b)[0]))
    block = [x[3] for x in frames_of(raw)[0] if x[0] == hp.HEADERS][0]
    check(block == hp.size_update(8193) + b"\x88", "size update for 8192: %r", block)
    for kind in ("index_out_of_range", "huffman_eos"):   # no owed update at 4096
        s = t.h2(hp.hpack_bomb(kind))
        raw, _ = exchange(s, send_=request_bytes(client_settings={
            h2.settings.SettingCodes.HEADER_TABLE_SIZE: 4096}), until=lambda b: any(
                x[0] == hp.HEADERS for x in hp.split_frames(b)[0]))
        check(header_blocks(raw)[0] == hp.hpack_block(kind), "%s for a 4096 client", kind)
    # what makes each one what it claims
    check(len(decode_block(hp.hpack_block("huge_block"), max_list=1 << 30)) > 1000, "huge")
    check(len(hp.hpack_block("huge_block")) >= 1 << 20, "huge_block under 1 MiB")
    amp = decode_block(hp.hpack_block("amplify"), table_size=4096, max_list=1 << 30)
    check(len(amp) == 100002 and amp[-1] == (b"x-big", b"b" * 4000), "amplify: %d", len(amp))
    check(len(decode_block(hp.hpack_block("size_update_over"), table_size=4096)) == 1,
          "size update 4096 must be fine for a 4096 table")
    v, _ = hpack_int_at(hp.hpack_block("int_overflow"), 1, 7)
    check(v >= 1 << 64, "int_overflow is only %d", v)
    v, _ = hpack_int_at(hp.hpack_block("length_overflow"), 2, 7)
    check(v >= 1 << 28, "length_overflow is only %d", v)
    check(hp.huffman_bits(b"aaaaaaaa") % 8 == 0 and hp.huffman(b"a", pad="zeros")[-1] & 7 == 0,
          "padding cases")


@test("h2_http11")
def _(t):
    s = t.h2(hp.http11())
    raw, eof = exchange(s)
    check(raw.startswith(b"HTTP/1.1 400 Bad Request\r\n") and eof, "got %r", raw)
    # read as a frame header: a length no h2 client allows ("HTT")
    check(int.from_bytes(raw[:3], "big") > 1 << 22, "HTTP/1.1 bytes as a frame length")
    py_expect("127.0.0.1:%d" % s.port, "", "UNAVAILABLE")


@test("h2_tls_server")
def _(t):
    s = t.h2(hp.tls_server())
    raw, eof = exchange(s)          # a plaintext h2 client
    check(raw == b"" and eof, "a plaintext client got %r", raw)
    check(isinstance(s.conns[0].tls_error, ssl.SSLError), "tls_error %r", s.conns[0].tls_error)
    # a real TLS client: handshake with ALPN h2, then h2 inside
    ctx = ssl.create_default_context(cadata=s.tls_ctx().hc_cert_pem.decode())
    ctx.set_alpn_protocols(["h2"])
    with socket.create_connection((s.host, s.port), timeout=5) as raw_sock:
        with ctx.wrap_socket(raw_sock, server_hostname="localhost") as c:
            check(c.selected_alpn_protocol() == "h2", "ALPN %r", c.selected_alpn_protocol())
            raw, _ = exchange(s, until=has_stream_end, sock=c)
    expect_good(raw)
    got = py_call("localhost:%d" % s.port, "", root_cert=s.tls_ctx().hc_cert_pem)
    check(got == ("OK", 1), "grpcio over TLS: %r", got)
    s2 = t.h2(hp.tls_alert())
    raw, eof = exchange(s2)
    check(raw == b"\x15\x03\x03\x00\x02\x02\x46" and eof, "alert %r", raw)


# ---- running ------------------------------------------------------------------

def run_one(name, fn):
    t0 = time.monotonic()
    ctx = Ctx()
    try:
        fn(ctx)
        res, msg = "ok", ""
    except Skip as e:
        res, msg = "skip", str(e)
    except Failure as e:
        res, msg = "FAIL", str(e)
    except Exception:
        res, msg = "FAIL", "error in the test:\n" + traceback.format_exc()
    finally:
        ctx.cleanup()
    return name, res, msg, time.monotonic() - t0


def main(argv):
    jobs = int(os.environ.get("HC_JOBS") or "4")
    pats, listing = [], False
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "-l":
            listing = True
        elif a == "-j" and args:
            jobs = int(args.pop(0))
        elif a.startswith("-"):
            print(__doc__, file=sys.stderr)
            return 64
        else:
            pats.append(a)
    todo = [(n, f) for n, f in REGISTRY if not pats or any(p in n for p in pats)]
    if listing:
        print("\n".join(n for n, _ in todo))
        return 0
    ci = os.environ.get("CI") == "true"
    t0 = time.monotonic()
    passed = failed = skipped = 0
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        for name, res, msg, took in ex.map(lambda nf: run_one(*nf), todo):
            if res == "skip" and ci:
                res, msg = "FAIL", "missing under CI=true: " + msg
            if res == "ok":
                passed += 1
                print("ok    %-44s %6.2f s" % (name, took), flush=True)
            elif res == "skip":
                skipped += 1
                print("skip  %-44s (%s)" % (name, msg), flush=True)
            else:
                failed += 1
                print("FAIL  %-44s %6.2f s\n%s" % (name, took, msg), flush=True)
    print("grpc-servers-check: %d tests in %.1f s" % (len(todo), time.monotonic() - t0))
    print("%d passed, %d failed%s" % (passed, failed, ", %d skipped" % skipped if skipped else ""))
    return 1 if failed or not todo else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
