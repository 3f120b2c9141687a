"""The integration scenarios of issue 2: one named test each.

A scenario is a function taking a Ctx. It starts its servers through the
Ctx (so they are always stopped), runs the probe and checks the result with
the hcrun checks, which raise hcrun.Failure.
"""

import errno
import os
import shutil
import tempfile

import hcrun
from hcrun import check, elapsed, healthy, unhealthy, usage
from hcserver import (Server, close, hold, http, read_all, read_request,
                      refused_port, reset, respond, send, sleep, trickle,
                      trickle_forever)

REGISTRY = []


def scenario(name):
    def deco(fn):
        if any(n == name for n, _ in REGISTRY):
            raise ValueError("two scenarios named %s" % name)
        REGISTRY.append((name, fn))
        return fn
    return deco


def add(name, fn):
    scenario(name)(fn)


class Ctx:
    """What one scenario owns: its servers and reserved ports."""

    def __init__(self, name):
        self.name = name
        self.servers = []
        self.socks = []
        self.dirs = []
        self.notes = []

    def server(self, *args, **kw):
        s = Server(*args, **kw)
        self.servers.append(s)
        return s

    def refused(self, family="v4"):
        """A port that refuses connections for the whole scenario."""
        s, port = refused_port(family)
        self.socks.append(s)
        return port

    def run(self, args, env=None, timeout=10.0, direct=False):
        r = hcrun.run(args, env, timeout, direct)
        hcrun.sane(r)
        return r

    def tempdir(self, prefix="hc"):
        """A new directory of this scenario's, removed when it ends."""
        d = tempfile.mkdtemp(prefix=prefix)
        self.dirs.append(d)
        return d

    def note(self, text):
        self.notes.append(text)

    def cleanup(self):
        for s in self.servers:
            s.stop()
        for s in self.socks:
            s.close()
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)


# ---- helpers ----

def one_request(srv):
    """Stop srv and return the bytes of the one connection it had."""
    srv.stop()
    check(srv.connections == 1, "expected exactly 1 connection, the server saw %d",
          srv.connections)
    return srv.requests[0]


def served(srv):
    """Stop srv and check that the probe really asked it: at least one
    connection, and the first one received a whole GET or HEAD head."""
    srv.stop()
    check(srv.connections >= 1, "the server saw no connection")
    req = srv.requests[0]
    check(req.startswith((b"GET ", b"HEAD ")) and b"\r\n\r\n" in req,
          "the server did not receive a request head: %r", req)


def no_connection(srv, r=None):
    srv.stop()
    msg = "expected no connection at all, the server saw %d" % srv.connections
    if srv.connections != 0:
        if r is not None:
            msg += "\n" + r.describe()
        raise hcrun.Failure(msg)


def parse_head(raw):
    """(request line, [(name, value)]) of a request head; fails unless it
    is one complete head ending in CRLF CRLF with nothing after it."""
    check(raw.endswith(b"\r\n\r\n"), "request head does not end in CRLF CRLF: %r", raw)
    check(raw.count(b"\r\n\r\n") == 1, "bytes after the request head: %r", raw)
    lines = raw[:-4].split(b"\r\n")
    fields = []
    for l in lines[1:]:
        check(b":" in l, "request header line without a colon: %r", l)
        n, v = l.split(b":", 1)
        fields.append((n.decode(), v.strip().decode()))
    return lines[0].decode(), fields


def field_values(fields, name):
    return [v for n, v in fields if n.lower() == name.lower()]


def silent():
    """Read the request, then say nothing until stopped."""
    return [read_request(), hold()]


def head_then_hold(head):
    """Read the request, send head (bytes), keep the connection open: a
    verdict that comes quickly came from the bytes, not from a timeout."""
    return [read_request(), send(head), hold()]


OK = http(200, "OK", ["Content-Length: 0"])
UA = hcrun.VERSION.encode()

# Reasons, as regexes. Once the head is in, the probe names the status
# first ("HTTP 200, connection reset"), and some reasons carry a detail in
# parentheses ("malformed response (bad chunk)"); both are allowed.
STATUS_FIRST = r"(?:HTTP \d{3}, )?"
DETAIL = r"(?: \([^()]*\))?"
MALFORMED = STATUS_FIRST + r"malformed response" + DETAIL
CLOSED = STATUS_FIRST + r"connection closed before a full response" + DETAIL
RESET = STATUS_FIRST + r"connection reset" + DETAIL
NO_TEXT = r"HTTP 200, body does not contain the text" + DETAIL


def timed_out(ms):
    return STATUS_FIRST + r"timed out after %d ms" % ms


# ---- healthy over each transport ----

@scenario("healthy_ipv4")
def _(t):
    s = t.server(respond())
    r = t.run([s.url("/")])
    healthy(r)
    elapsed(r, 0, 0.5)
    served(s)


@scenario("healthy_ipv6")
def _(t):
    s = t.server(respond(), family="v6")
    r = t.run(["http://[::1]:%d/" % s.port])
    healthy(r)
    req = one_request(s)
    _, f = parse_head(req)
    check(field_values(f, "Host") == ["[::1]:%d" % s.port], "Host for [::1]: %r", f)


@scenario("localhost_ipv4_only")
def _(t):
    s = t.server(respond(), family="v4", reserve_other_family=True)
    healthy(t.run(["http://localhost:%d/" % s.port]))
    _, f = parse_head(one_request(s))
    check(field_values(f, "Host") == ["localhost:%d" % s.port], "Host: %r", f)


@scenario("localhost_ipv6_only")
def _(t):
    s = t.server(respond(), family="v6", reserve_other_family=True)
    healthy(t.run(["http://localhost:%d/" % s.port]))
    one_request(s)


@scenario("localhost_subdomain")
def _(t):
    s = t.server(respond(), family="v4", reserve_other_family=True)
    healthy(t.run(["http://api.localhost:%d/" % s.port]))
    served(s)


@scenario("localhost_case_insensitive")
def _(t):
    s = t.server(respond())
    healthy(t.run(["http://LocalHost:%d/" % s.port]))
    served(s)


@scenario("unix_socket")
def _(t):
    s = t.server(respond(), family="unix")
    healthy(t.run(["--unix-socket", s.path, "http://localhost/health?x=1"]))
    req = one_request(s)
    want = (b"GET /health?x=1 HTTP/1.1\r\nHost: localhost\r\n"
            b"User-Agent: healthcheck/" + UA + b"\r\nConnection: close\r\n\r\n")
    check(req == want, "request over the unix socket:\n  got  %r\n  want %r", req, want)


@scenario("unix_socket_equals_form")
def _(t):
    s = t.server(respond(), family="unix")
    healthy(t.run(["--unix-socket=" + s.path, "http://svc:8080/"]))
    _, f = parse_head(one_request(s))
    check(field_values(f, "Host") == ["svc:8080"], "Host: %r", f)


@scenario("unix_socket_refused")
def _(t):
    s = t.server(family="unix", listen=False)
    r = t.run(["--unix-socket", s.path, "-t", "1s", "http://localhost/"])
    unhealthy(r, "connection refused")
    elapsed(r, 0, 0.5)


@scenario("unix_socket_missing")
def _(t):
    r = t.run(["--unix-socket", "/nonexistent-dir-hc/s.sock", "-t", "1s", "http://localhost/"])
    unhealthy(r, r"[a-z].*")
    elapsed(r, 0, 0.5)


# ---- statuses ----

@scenario("status_503")
def _(t):
    s = t.server(respond(503, "Service Unavailable"))
    r = t.run([s.url()])
    unhealthy(r, "HTTP 503")
    elapsed(r, 0, 0.5)


STATUS_CASES = [
    # name, status sent, -s argv, healthy?
    ("204_default", 204, [], True),
    ("399_default", 399, [], True),
    ("400_default", 400, [], False),
    ("600_default", 600, [], False),
    ("500_default", 500, [], False),
    ("503_s503", 503, ["-s", "503"], True),
    ("503_s5xx", 503, ["-s", "500-599"], True),
    ("503_s_equals", 503, ["--status=503"], True),
    ("503_s_attached", 503, ["-s503"], True),
    ("204_s200", 204, ["-s", "200"], False),
    ("302_s2xx", 302, ["-s", "200-299"], False),
    ("300_list", 300, ["-s", "200,204,300-399"], True),
    ("204_list", 204, ["-s", "200,204,300-399"], True),
    ("205_list", 205, ["-s", "200,204,300-399"], False),
    ("999_s999", 999, ["-s", "999"], True),
]


def status_case(status, sargs, ok):
    def fn(t):
        s = t.server(respond(status, "Whatever"))
        r = t.run(sargs + [s.url()])
        if ok:
            healthy(r, "HTTP %d" % status)
        else:
            unhealthy(r, "HTTP %d" % status)
        served(s)
    return fn


for _n, _st, _a, _ok in STATUS_CASES:
    add("status_" + _n, status_case(_st, _a, _ok))


@scenario("redirect_not_followed")
def _(t):
    other = t.server(respond())
    s = t.server(respond(302, "Found", ["Location: %s" % other.url("/elsewhere"),
                                        "Content-Length: 0"]))
    healthy(t.run([s.url()]), "HTTP 302")
    unhealthy(t.run(["-s", "200", s.url()]), "HTTP 302")
    no_connection(other)
    served(s)


# ---- refused, timeouts, trickles ----

@scenario("refused_ipv4")
def _(t):
    port = t.refused()
    r = t.run(["http://127.0.0.1:%d/" % port])
    unhealthy(r, "connection refused")
    elapsed(r, 0, 0.5)


@scenario("refused_ipv6")
def _(t):
    port = t.refused("v6")
    unhealthy(t.run(["http://[::1]:%d/" % port]), "connection refused")


@scenario("refused_localhost_both")
def _(t):
    s = t.server(family="v4", listen=False, reserve_other_family=True)
    r = t.run(["http://localhost:%d/" % s.port])
    unhealthy(r, "connection refused")
    elapsed(r, 0, 0.5)


@scenario("silence_deadline_500ms")
def _(t):
    s = t.server(silent())
    r = t.run(["-t", "500ms", s.url()])
    unhealthy(r, "timed out after 500 ms")
    elapsed(r, 0.45, 1.5)


@scenario("silence_default_timeout_900ms")
def _(t):
    s = t.server(silent())
    r = t.run([s.url()])
    unhealthy(r, "timed out after 900 ms")
    elapsed(r, 0.85, 1.6)


TIMEOUT_FORMS = [
    ("seconds_fraction", ["-t", "0.3"], 300),
    ("attached", ["-t0.3"], 300),
    ("long_equals_ms", ["--timeout=300ms"], 300),
    ("long_seconds", ["--timeout", "1s"], 1000),
    ("plain_seconds", ["-t", "1"], 1000),
]


def timeout_form(args, ms):
    def fn(t):
        s = t.server(silent())
        r = t.run(args + [s.url()])
        unhealthy(r, "timed out after %d ms" % ms)
        elapsed(r, ms / 1000.0 - 0.05, ms / 1000.0 + 1.0)
    return fn


for _n, _a, _ms in TIMEOUT_FORMS:
    add("timeout_form_" + _n, timeout_form(_a, _ms))


@scenario("trickle_head_forever")
def _(t):
    # a byte every 50 ms: per-read timeouts would never fire
    s = t.server([read_request(), send(b"HTTP/1.1 200 OK\r\n"),
                  trickle_forever(b"X-Trickle: " + b"a" * 64, 0.05)])
    r = t.run(["-t", "500ms", s.url()])
    unhealthy(r, "timed out after 500 ms")
    elapsed(r, 0.45, 1.5)


@scenario("trickle_status_line_forever")
def _(t):
    s = t.server([read_request(), trickle_forever(b"HTTP/1.1 200 OK" + b" " * 64, 0.05)])
    r = t.run(["-t", "500ms", s.url()])
    unhealthy(r, "timed out after 500 ms")
    elapsed(r, 0.45, 1.5)


@scenario("trickle_chunked_body_forever")
def _(t):
    s = t.server([read_request(),
                  send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
                  trickle_forever(b"1\r\na\r\n", 0.05)])
    r = t.run(["-t", "500ms", "-b", "needle", s.url()])
    unhealthy(r, timed_out(500))
    elapsed(r, 0.45, 1.5)


@scenario("trickle_body_until_close_forever")
def _(t):
    s = t.server([read_request(), send(b"HTTP/1.1 200 OK\r\n\r\n"),
                  trickle_forever(b"abc", 0.05)])
    r = t.run(["-t", "500ms", "-b", "needle", s.url()])
    unhealthy(r, timed_out(500))
    elapsed(r, 0.45, 1.5)


@scenario("trickled_valid_response")
def _(t):
    s = t.server([read_request(), trickle(OK, 0.01), close()])
    healthy(t.run(["-t", "3s", s.url()]))
    served(s)


# ---- malformed, closed, reset ----

MALFORMED_HEADS = [
    ("garbage", b"this is not http at all\r\n\r\n"),
    ("binary_garbage", bytes(range(1, 32)) * 4),
    ("status_two_digits", b"HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n"),
    ("status_four_digits", b"HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n"),
    ("status_not_digits", b"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"),
    ("http2_version", b"HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n"),
    ("not_http_version", b"ICY 200 OK\r\nContent-Length: 0\r\n\r\n"),
    ("header_without_colon", b"HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n"),
    ("header_obs_fold", b"HTTP/1.1 200 OK\r\nX-A: a\r\n  folded\r\n\r\n"),
    ("header_space_before_colon", b"HTTP/1.1 200 OK\r\nX-A : a\r\n\r\n"),
    ("cr_without_lf", b"HTTP/1.1 200 OK\rX-A: a\r\n\r\n"),
    ("cl_and_te", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n"),
]


def malformed_case(head):
    def fn(t):
        s = t.server(head_then_hold(head))
        r = t.run(["-t", "2s", s.url()])
        unhealthy(r, MALFORMED)
        elapsed(r, 0, 1.0)
    return fn


for _n, _h in MALFORMED_HEADS:
    add("malformed_" + _n, malformed_case(_h))


WELL_FORMED_HEADS = [
    ("http10", b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"),
    ("no_reason_phrase", b"HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n"),
    ("bare_lf", b"HTTP/1.1 200 OK\nContent-Length: 0\n\n"),
    ("many_headers", b"HTTP/1.1 200 OK\r\n" +
     b"".join(b"X-H%d: v\r\n" % i for i in range(100)) + b"\r\n"),
    ("empty_header_value", b"HTTP/1.1 200 OK\r\nX-Empty:\r\n\r\n"),
    ("tab_in_value", b"HTTP/1.1 200 OK\r\nX-Tab: a\tb\r\n\r\n"),
]


def well_formed_case(head):
    def fn(t):
        s = t.server(head_then_hold(head))
        r = t.run(["-t", "2s", s.url()])
        healthy(r)
        elapsed(r, 0, 1.0)
        served(s)
    return fn


for _n, _h in WELL_FORMED_HEADS:
    add("wellformed_" + _n, well_formed_case(_h))


@scenario("early_close_nothing_sent")
def _(t):
    s = t.server([read_request(), close()])
    r = t.run(["-t", "2s", s.url()])
    unhealthy(r, CLOSED)
    elapsed(r, 0, 1.0)


@scenario("early_close_mid_status_line")
def _(t):
    s = t.server([read_request(), send(b"HTTP/1.1 2"), close()])
    unhealthy(t.run(["-t", "2s", s.url()]), CLOSED)


@scenario("early_close_mid_head")
def _(t):
    s = t.server([read_request(), send(b"HTTP/1.1 200 OK\r\nContent-"), close()])
    unhealthy(t.run(["-t", "2s", s.url()]), CLOSED)


@scenario("early_close_without_reading")
def _(t):
    s = t.server([close()])
    r = t.run(["-t", "2s", s.url()])
    unhealthy(r, CLOSED + "|" + RESET)
    elapsed(r, 0, 1.0)


@scenario("early_close_short_body")
def _(t):
    s = t.server([read_request(), send(http(200, "OK", ["Content-Length: 100"], b"x" * 10)),
                  close()])
    r = t.run(["-t", "2s", "-b", "needle", s.url()])
    unhealthy(r, CLOSED + "|" + NO_TEXT)
    elapsed(r, 0, 1.0)


@scenario("reset_after_request")
def _(t):
    s = t.server([read_request(), reset()])
    r = t.run(["-t", "2s", s.url()])
    unhealthy(r, RESET)
    elapsed(r, 0, 1.0)


@scenario("reset_mid_head")
def _(t):
    s = t.server([read_request(), send(b"HTTP/1.1 200 OK\r\nX-A: "), sleep(0.1), reset()])
    unhealthy(t.run(["-t", "2s", s.url()]), RESET)


@scenario("reset_on_accept")
def _(t):
    # no SIGPIPE death when the peer is gone before the request is written
    s = t.server([reset()])
    r = t.run(["-t", "2s", s.url()])
    unhealthy(r, RESET + "|" + CLOSED)


@scenario("reset_mid_body")
def _(t):
    s = t.server([read_request(),
                  send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n"),
                  sleep(0.1), reset()])
    unhealthy(t.run(["-t", "2s", "-b", "needle", s.url()]), RESET)


# ---- interim responses ----

@scenario("interim_100_continue")
def _(t):
    s = t.server([read_request(), send(b"HTTP/1.1 100 Continue\r\n\r\n"), sleep(0.05),
                  send(OK), close()])
    healthy(t.run([s.url()]))
    served(s)


@scenario("interim_103_early_hints")
def _(t):
    s = t.server([read_request(),
                  send(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"),
                  send(OK), close()])
    healthy(t.run([s.url()]))
    served(s)
    served(s)


@scenario("interim_several_then_503")
def _(t):
    s = t.server([read_request(),
                  send(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n"
                       b"HTTP/1.1 103 Early Hints\r\nLink: </b>\r\n\r\n"),
                  send(http(503, "Service Unavailable", ["Content-Length: 0"])), close()])
    unhealthy(t.run([s.url()]), "HTTP 503")


@scenario("interim_1xx_only_then_close")
def _(t):
    s = t.server([read_request(), send(b"HTTP/1.1 100 Continue\r\n\r\n"), close()])
    unhealthy(t.run(["-t", "2s", s.url()]), CLOSED)


@scenario("switching_protocols_101_is_final")
def _(t):
    s = t.server([read_request(), send(b"HTTP/1.1 101 Switching Protocols\r\n"
                                       b"Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
                  hold()])
    r = t.run(["-t", "2s", s.url()])
    unhealthy(r, "HTTP 101")
    elapsed(r, 0, 1.0)
    healthy(t.run(["-t", "2s", "-s", "101", s.url()]), "HTTP 101")
    served(s)


# ---- bodies ----

CHUNKED_HEAD = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"


def chunk(data):
    return b"%x\r\n%s\r\n" % (len(data), data)


@scenario("chunked_match_split_across_chunks")
def _(t):
    s = t.server([read_request(), send(CHUNKED_HEAD),
                  send(chunk(b"status: hel")), sleep(0.05),
                  send(chunk(b"lo wo")), sleep(0.05),
                  send(b"3;ext=1\r\nrld\r\n"), send(b"0\r\n\r\n"), hold()])
    r = t.run(["-t", "3s", "-b", "hello world", s.url()])
    healthy(r)
    elapsed(r, 0, 1.5)
    served(s)


@scenario("chunked_match_trickled")
def _(t):
    body = chunk(b"state=") + chunk(b"rea") + chunk(b"dy") + b"0\r\n\r\n"
    s = t.server([read_request(), send(CHUNKED_HEAD), trickle(body, 0.005), hold()])
    healthy(t.run(["-t", "3s", "-b", "state=ready", s.url()]))
    served(s)


@scenario("chunked_uppercase_hex")
def _(t):
    s = t.server([read_request(), send(CHUNKED_HEAD + b"1A\r\n" + b"z" * 20 + b"needle"
                                       + b"\r\n0\r\n\r\n"), hold()])
    healthy(t.run(["-t", "3s", "-b", "needle", s.url()]))
    served(s)


@scenario("chunked_no_match")
def _(t):
    s = t.server([read_request(), send(CHUNKED_HEAD + chunk(b"all good") + chunk(b"here")
                                       + b"0\r\nX-Trailer: 1\r\n\r\n"), hold()])
    r = t.run(["-t", "3s", "-b", "needle", s.url()])
    unhealthy(r, NO_TEXT)
    elapsed(r, 0, 1.0)


@scenario("chunked_match_inside_64k")
def _(t):
    filler = b"a" * (60000 - 6)
    body = b"".join(chunk(filler[i:i + 4000]) for i in range(0, len(filler), 4000))
    s = t.server([read_request(), send(CHUNKED_HEAD + body + chunk(b"NEEDLE")
                                       + b"0\r\n\r\n"), hold()])
    r = t.run(["-t", "3s", "-b", "NEEDLE", s.url()])
    healthy(r)
    elapsed(r, 0, 1.5)
    served(s)


@scenario("chunked_match_after_64k")
def _(t):
    filler = b"a" * 65536
    body = b"".join(chunk(filler[i:i + 4096]) for i in range(0, len(filler), 4096))
    s = t.server([read_request(), send(CHUNKED_HEAD + body + chunk(b"NEEDLE")
                                       + b"0\r\n\r\n"), hold()])
    r = t.run(["-t", "3s", "-b", "NEEDLE", s.url()])
    unhealthy(r, NO_TEXT)
    elapsed(r, 0, 1.5)


@scenario("chunked_endless_after_64k")
def _(t):
    # the probe must stop reading at 64 KiB, not wait for the end
    filler = chunk(b"b" * 4096) * 20
    s = t.server([read_request(), send(CHUNKED_HEAD + filler), hold()])
    r = t.run(["-t", "3s", "-b", "NEEDLE", s.url()])
    unhealthy(r, NO_TEXT)
    elapsed(r, 0, 1.5)


@scenario("content_length_match")
def _(t):
    body = b'{"status":"ok"}'
    s = t.server(head_then_hold(http(200, "OK", ["Content-Length: %d" % len(body)], body)))
    r = t.run(["-t", "3s", "-b", '"status":"ok"', s.url()])
    healthy(r)
    elapsed(r, 0, 1.0)
    served(s)


@scenario("content_length_no_match_stops_at_length")
def _(t):
    # bytes after Content-Length are not body; and the probe does not wait
    s = t.server(head_then_hold(http(200, "OK", ["Content-Length: 5"], b"aaaaaNEEDLE")))
    r = t.run(["-t", "3s", "-b", "NEEDLE", s.url()])
    unhealthy(r, NO_TEXT)
    elapsed(r, 0, 1.0)


@scenario("content_length_zero_with_text")
def _(t):
    s = t.server(head_then_hold(OK))
    r = t.run(["-t", "3s", "-b", "x", s.url()])
    unhealthy(r, NO_TEXT)
    elapsed(r, 0, 1.0)


@scenario("body_until_close_match")
def _(t):
    s = t.server([read_request(), send(b"HTTP/1.1 200 OK\r\n\r\nall "), sleep(0.05),
                  send(b"systems go"), close()])
    healthy(t.run(["-t", "3s", "-b", "systems go", s.url()]))
    served(s)


@scenario("body_until_close_no_match")
def _(t):
    s = t.server([read_request(), send(b"HTTP/1.1 200 OK\r\n\r\nnothing to see"), close()])
    r = t.run(["-t", "3s", "-b", "needle", s.url()])
    unhealthy(r, NO_TEXT)
    elapsed(r, 0, 1.0)


@scenario("body_match_on_non_accepted_status")
def _(t):
    s = t.server(respond(503, "Unavailable", ["Content-Length: 6"], b"needle"))
    unhealthy(t.run(["-t", "3s", "-b", "needle", s.url()]), "HTTP 503")


@scenario("no_body_wait_content_length")
def _(t):
    # without -b the head decides; a body that never comes is not awaited
    s = t.server(head_then_hold(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nabc"))
    r = t.run(["-t", "3s", s.url()])
    healthy(r)
    elapsed(r, 0, 1.0)
    served(s)


@scenario("no_body_wait_chunked")
def _(t):
    s = t.server(head_then_hold(CHUNKED_HEAD + b"5\r\nab"))
    r = t.run(["-t", "3s", s.url()])
    healthy(r)
    elapsed(r, 0, 1.0)
    served(s)


@scenario("no_body_wait_until_close")
def _(t):
    s = t.server(head_then_hold(b"HTTP/1.1 200 OK\r\n\r\nstreaming..."))
    r = t.run(["-t", "3s", s.url()])
    healthy(r)
    elapsed(r, 0, 1.0)
    served(s)


@scenario("head_method")
def _(t):
    s = t.server(head_then_hold(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"))
    r = t.run(["-t", "3s", "-X", "HEAD", s.url("/h")])
    healthy(r)
    elapsed(r, 0, 1.0)
    line, _ = parse_head(one_request(s))
    check(line == "HEAD /h HTTP/1.1", "request line: %r", line)


@scenario("head_method_long_option")
def _(t):
    s = t.server(respond())
    healthy(t.run(["--method=HEAD", s.url()]))
    line, _ = parse_head(one_request(s))
    check(line == "HEAD / HTTP/1.1", "request line: %r", line)


@scenario("get_method_explicit")
def _(t):
    s = t.server(respond())
    healthy(t.run(["-X", "GET", s.url()]))
    line, _ = parse_head(one_request(s))
    check(line == "GET / HTTP/1.1", "request line: %r", line)


# ---- the request bytes ----

@scenario("request_exact_bytes")
def _(t):
    s = t.server(respond())
    healthy(t.run(["-H", "X-Test: 1", "-H", "Accept: */*",
                   s.url("/path/x?a=1&b=2")]))
    req = one_request(s)
    want = (b"GET /path/x?a=1&b=2 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % s.port +
            b"User-Agent: healthcheck/" + UA + b"\r\nConnection: close\r\n"
            b"X-Test: 1\r\nAccept: */*\r\n\r\n")
    check(req == want, "request bytes:\n  got  %r\n  want %r", req, want)


@scenario("request_no_path")
def _(t):
    s = t.server(respond())
    healthy(t.run(["http://127.0.0.1:%d" % s.port]))
    line, f = parse_head(one_request(s))
    check(line == "GET / HTTP/1.1", "request line: %r", line)
    check(field_values(f, "Host") == ["127.0.0.1:%d" % s.port], "Host: %r", f)


@scenario("request_query_only")
def _(t):
    s = t.server(respond())
    healthy(t.run(["http://127.0.0.1:%d?probe=1" % s.port]))
    line, _ = parse_head(one_request(s))
    check(line == "GET /?probe=1 HTTP/1.1", "request line: %r", line)


@scenario("request_fragment_dropped")
def _(t):
    s = t.server(respond())
    healthy(t.run([s.url("/p?q=1#frag")]))
    line, _ = parse_head(one_request(s))
    check(line == "GET /p?q=1 HTTP/1.1", "request line: %r", line)


@scenario("request_host_header_replaced")
def _(t):
    s = t.server(respond())
    healthy(t.run(["-H", "Host: x", s.url("/")]))
    line, f = parse_head(one_request(s))
    check(line == "GET / HTTP/1.1", "request line: %r", line)
    check(field_values(f, "Host") == ["x"], "exactly one Host: x expected: %r", f)
    check(field_values(f, "User-Agent") == ["healthcheck/" + hcrun.VERSION], "User-Agent: %r", f)
    check(field_values(f, "Connection") == ["close"], "Connection: %r", f)


@scenario("request_host_header_lowercase_replaced")
def _(t):
    s = t.server(respond())
    healthy(t.run(["-H", "host: example.internal", s.url("/")]))
    _, f = parse_head(one_request(s))
    check(field_values(f, "Host") == ["example.internal"], "one Host expected: %r", f)


@scenario("request_sixteen_headers")
def _(t):
    s = t.server(respond())
    args = []
    for i in range(16):
        args += ["-H", "X-H%d: v%d" % (i, i)]
    healthy(t.run(args + [s.url()]))
    _, f = parse_head(one_request(s))
    for i in range(16):
        check(field_values(f, "X-H%d" % i) == ["v%d" % i], "header X-H%d: %r", i, f)


@scenario("request_header_with_tab_and_colons")
def _(t):
    s = t.server(respond())
    healthy(t.run(["-H", "Authorization: Bearer a:b\tc", s.url()]))
    req = one_request(s)
    check(b"\r\nAuthorization: Bearer a:b\tc\r\n" in req, "header not sent as given: %r", req)


# ---- environment ----

def env_case(name, make_env, args=(), expect="healthy", script=None, check_req=None,
             family="v4", what="HTTP 200"):
    def fn(t):
        s = t.server(script if script is not None else respond(), family=family,
                     reserve_other_family=(family != "unix"))
        other = t.refused()
        env = make_env(s, other)
        r = t.run(list(args), env=env)
        if expect == "healthy":
            healthy(r, what)
        else:
            unhealthy(r, expect)
        if check_req:
            check_req(one_request(s), s)
        else:
            served(s)
    add("env_" + name, fn)


def req_has(piece):
    def c(req, s):
        p = piece(s) if callable(piece) else piece
        check(p in req, "request lacks %r: %r", p, req)
    return c


env_case("url", lambda s, o: {"HEALTHCHECK_URL": s.url("/from-env")},
         check_req=req_has(b"GET /from-env HTTP/1.1\r\n"))
env_case("healthcheck_port", lambda s, o: {"HEALTHCHECK_PORT": str(s.port)},
         check_req=req_has(lambda s: b"GET / HTTP/1.1\r\nHost: localhost:%d\r\n" % s.port))
env_case("port", lambda s, o: {"PORT": str(s.port)},
         check_req=req_has(lambda s: b"Host: localhost:%d\r\n" % s.port))
env_case("healthcheck_port_beats_port",
         lambda s, o: {"HEALTHCHECK_PORT": str(s.port), "PORT": str(o)})
env_case("url_beats_port",
         lambda s, o: {"HEALTHCHECK_URL": s.url(), "HEALTHCHECK_PORT": str(o), "PORT": str(o)})
env_case("empty_url_is_unset",
         lambda s, o: {"HEALTHCHECK_URL": "", "HEALTHCHECK_PORT": str(s.port)})
env_case("empty_values_are_unset",
         lambda s, o: {"HEALTHCHECK_URL": s.url(), "HEALTHCHECK_TIMEOUT": "",
                       "HEALTHCHECK_STATUS": "", "HEALTHCHECK_METHOD": "", "HEALTHCHECK_HEADER": "",
                       "HEALTHCHECK_BODY_CONTAINS": "", "HEALTHCHECK_UNIX_SOCKET": "",
                       "HEALTHCHECK_WAIT": "", "HEALTHCHECK_PORT": "", "PORT": ""},
         check_req=req_has(b"GET / HTTP/1.1\r\n"))
env_case("status", lambda s, o: {"HEALTHCHECK_URL": s.url(), "HEALTHCHECK_STATUS": "503"},
         script=respond(503, "Unavailable"), what="HTTP 503")
env_case("status_argv_wins",
         lambda s, o: {"HEALTHCHECK_URL": s.url(), "HEALTHCHECK_STATUS": "503"},
         args=["-s", "200"], expect="HTTP 503", script=respond(503, "Unavailable"))
env_case("timeout", lambda s, o: {"HEALTHCHECK_URL": s.url(), "HEALTHCHECK_TIMEOUT": "300ms"},
         expect="timed out after 300 ms", script=silent())
env_case("timeout_argv_wins",
         lambda s, o: {"HEALTHCHECK_URL": s.url(), "HEALTHCHECK_TIMEOUT": "5s"},
         args=["-t", "200ms"], expect="timed out after 200 ms", script=silent())
env_case("method", lambda s, o: {"HEALTHCHECK_URL": s.url(), "HEALTHCHECK_METHOD": "HEAD"},
         check_req=req_has(b"HEAD / HTTP/1.1\r\n"))
env_case("method_argv_wins",
         lambda s, o: {"HEALTHCHECK_URL": s.url(), "HEALTHCHECK_METHOD": "HEAD"},
         args=["-X", "GET"], check_req=req_has(b"GET / HTTP/1.1\r\n"))
env_case("header", lambda s, o: {"HEALTHCHECK_URL": s.url(), "HEALTHCHECK_HEADER": "X-Env: yes"},
         check_req=req_has(b"\r\nX-Env: yes\r\n"))
env_case("body_contains",
         lambda s, o: {"HEALTHCHECK_URL": s.url(), "HEALTHCHECK_BODY_CONTAINS": "ready"},
         script=respond(200, "OK", ["Content-Length: 8"], b"is ready"))
env_case("body_contains_no_match",
         lambda s, o: {"HEALTHCHECK_URL": s.url(), "HEALTHCHECK_BODY_CONTAINS": "ready"},
         expect=NO_TEXT, script=respond(200, "OK", ["Content-Length: 8"], b"not yet!"))
env_case("unix_socket",
         lambda s, o: {"HEALTHCHECK_UNIX_SOCKET": s.path, "HEALTHCHECK_URL": "http://app/x"},
         family="unix", check_req=req_has(b"GET /x HTTP/1.1\r\nHost: app\r\n"))
env_case("wait",
         lambda s, o: {"HEALTHCHECK_URL": s.url(), "HEALTHCHECK_WAIT": "3s"},
         script=lambda i: respond(503, "Starting") if i < 2 else respond())


# Only whole names count: a variable whose name starts like one of ours is
# someone else's.
env_case("similar_names_are_ignored",
         lambda s, o: {"PORT": str(s.port), "PORTAL": str(o), "PORT_": str(o),
                       "HEALTHCHECK_PORTS": str(o), "HEALTHCHECK_URLS": "ftp://x/",
                       "HEALTHCHECK_TIMEOUTX": "soon", "HEALTHCHECK_": "x",
                       "HEALTHCHECKS_URL": "ftp://x/", "HEALTH": "1", "healthcheck_url": "ftp://x/"},
         check_req=req_has(lambda s: b"GET / HTTP/1.1\r\nHost: localhost:%d\r\n" % s.port))


@scenario("env_argv_url_beats_env")
def _(t):
    s = t.server(respond())
    o = t.refused()
    healthy(t.run([s.url()], env={"HEALTHCHECK_URL": "http://127.0.0.1:%d/" % o,
                                  "HEALTHCHECK_PORT": str(o)}))
    one_request(s)


INVALID_ENV = [
    ("HEALTHCHECK_TIMEOUT", "soon"),
    ("HEALTHCHECK_TIMEOUT", "-1"),
    ("HEALTHCHECK_STATUS", "2x0"),
    ("HEALTHCHECK_METHOD", "POST"),
    ("HEALTHCHECK_HEADER", "X-Bad\r\nInjected: 1"),
    ("HEALTHCHECK_HEADER", "NoColon"),
    ("HEALTHCHECK_PORT", "eighty"),
    ("HEALTHCHECK_PORT", "70000"),
    ("PORT", "http"),
    ("HEALTHCHECK_URL", "ftp://127.0.0.1/"),
    ("HEALTHCHECK_WAIT", "forever"),
]


def invalid_env_case(var, value):
    def fn(t):
        s = t.server(respond())
        env = {var: value}
        if var != "HEALTHCHECK_URL":
            if var in ("HEALTHCHECK_PORT", "PORT"):
                pass  # no URL: the port variable is used
            else:
                env["HEALTHCHECK_URL"] = s.url()
        r = t.run([], env=env)
        usage(r, mentions=var)
        no_connection(s, r)
    return fn


for _i, (_v, _val) in enumerate(INVALID_ENV):
    add("env_invalid_%s_%d" % (_v.lower(), _i), invalid_env_case(_v, _val))


# ---- usage errors: exit 64, a usage message, and nothing sent ----

def usage_cases(port):
    hp = "127.0.0.1:%d" % port
    u = "http://%s/" % hp
    return [
        ("header_crlf", ["-H", b"X-A: a\r\nX-B: b", u]),
        ("header_lf", ["-H", b"X-A: a\nb", u]),
        ("header_cr", ["-H", b"X-A: a\rb", u]),
        ("header_cr_in_name", ["-H", b"X-A\r: b", u]),
        ("header_ctl", ["-H", b"X-A: a\x01b", u]),
        ("header_no_colon", ["-H", "NoColon", u]),
        ("header_empty_name", ["-H", ": value", u]),
        ("header_bad_name", ["-H", "Bad Name: v", u]),
        ("header_seventeen", sum((["-H", "X-%d: v" % i] for i in range(17)), []) + [u]),
        ("url_ftp", ["ftp://%s/" % hp]),
        ("url_no_scheme", [hp + "/"]),
        ("url_https", ["https://%s/" % hp]),
        ("url_port_too_big", ["http://127.0.0.1:99999/"]),
        ("url_port_not_digits", ["http://127.0.0.1:8o/"]),
        ("url_unclosed_v6", ["http://[::1:%d/" % port]),
        ("url_empty_host", ["http://:%d/" % port]),
        ("url_crlf_in_path", [b"http://" + hp.encode() + b"/a\r\nX-Injected: 1"]),
        ("url_space_in_path", ["http://%s/a b" % hp]),
        ("url_userinfo", ["http://user:pw@%s/" % hp]),
        ("tcp_no_port", ["tcp://127.0.0.1"]),
        ("unknown_long_flag", ["--frobnicate", u]),
        ("unknown_short_flag", ["-Z", u]),
        ("status_letters", ["-s", "2x0", u]),
        ("status_trailing_dash", ["-s", "200-", u]),
        ("status_leading_comma", ["-s", ",200", u]),
        ("status_four_digits", ["-s", "2000", u]),
        ("status_two_digits", ["-s", "99", u]),
        ("status_reversed_range", ["-s", "399-200", u]),
        ("status_empty", ["-s", "", u]),
        ("timeout_letters", ["-t", "abc", u]),
        ("timeout_negative", ["-t", "-1", u]),
        ("timeout_unit", ["-t", "5 parsecs", u]),
        ("timeout_empty", ["-t", "", u]),
        ("timeout_zero", ["-t", "0", u]),
        ("wait_letters", ["-w", "abc", u]),
        ("missing_timeout_value", [u, "-t"]),
        ("missing_header_value", [u, "--header"]),
        ("missing_status_value", [u, "-s"]),
        ("missing_unix_socket_value", [u, "--unix-socket"]),
        ("unix_socket_path_too_long", ["--unix-socket", "/tmp/" + "s" * 120, u]),
        ("two_urls", [u, u]),
        ("method_post", ["-X", "POST", u]),
        ("method_empty", ["-X", "", u]),
        ("head_with_body_contains", ["-X", "HEAD", "-b", "x", u]),
        ("tcp_with_body_contains", ["-b", "x", "tcp://%s" % hp]),
        ("body_contains_empty", ["-b", "", u]),
        ("body_contains_too_long", ["-b", "x" * 1025, u]),
    ]


USAGE_NAMES = [n for n, _ in usage_cases(1)]


# What some usage errors must say, by build: the plain build names the
# build that has https://; the TLS build has it, but an IP address gives
# no name to verify.
USAGE_SAYS = {
    "url_https": lambda: ("healthcheck: an IP address has no name to verify: give "
                          "--servername, --pin or -k" if hcrun.tls_build() else
                          "healthcheck: https:// and grpcs:// need healthcheck-tls"),
}


def usage_case(name):
    def fn(t):
        s = t.server(respond())
        args = dict(usage_cases(s.port))[name]
        r = t.run(args)
        usage(r)
        if name in USAGE_SAYS:
            first = r.err_lines()[0]
            check(first == USAGE_SAYS[name](), "usage message %r, want %r\n%s", first,
                  USAGE_SAYS[name](), r.describe())
        no_connection(s, r)
    return fn


for _n in USAGE_NAMES:
    add("usage_" + _n, usage_case(_n))


@scenario("help_and_version")
def _(t):
    s = t.server(respond())
    env = {"HEALTHCHECK_URL": s.url()}
    for flag in ("--help", "-h"):
        r = t.run([flag], env=env)
        check(r.rc == 0, "%s: exit %s\n%s", flag, r.rc, r.describe())
        text = r.out.decode("utf-8", "replace")
        opts = ["--timeout", "--header", "--status", "--body-contains", "--unix-socket",
                "--wait", "--quiet", "--verbose"]
        if hcrun.tls_build():
            opts += ["http[s]://", "grpc[s]://", "--cacert", "--servername", "--insecure", "--pin",
                     "--cert", "--key", "SSL_CERT_FILE"]
        for opt in opts:
            check(opt in text, "%s does not document %s\n%s", flag, opt, r.describe())
        check(r.err == b"", "%s wrote to stderr\n%s", flag, r.describe())
    for flag in ("--version", "-V"):
        r = t.run([flag], env=env)
        check(r.rc == 0 and r.out == hcrun.version_line().encode()
              and r.err == b"", "%s\n%s", flag, r.describe())
    no_connection(s)


@scenario("options_end_at_double_dash")
def _(t):
    s = t.server(respond())
    healthy(t.run(["-t", "2s", "--", s.url("/dd")]))
    line, _ = parse_head(one_request(s))
    check(line == "GET /dd HTTP/1.1", "request line %r", line)
    # after "--" a word starting with '-' is a URL, and a second word is one too many
    usage(t.run(["--", "-v"]), mentions="invalid URL: -v")
    usage(t.run(["--", "http://127.0.0.1:1/", "-q"]), mentions="more than one URL: -q")


@scenario("a_lone_dash_is_a_url")
def _(t):
    usage(t.run(["-"]), mentions="invalid URL: -")


@scenario("long_options_match_whole_names")
def _(t):
    # a prefix, a longer word, no name at all, names only the environment has
    s = t.server(respond())
    for a in ("--time", "--timeoutx", "--=2s", "--url", "--port"):
        usage(t.run([a, "2s", s.url()]), mentions="unknown option " + a)
    no_connection(s)


@scenario("quiet")
def _(t):
    ok = t.server(respond())
    bad = t.server(respond(503, "Unavailable"))
    port = t.refused()
    hcrun.quiet(t.run(["-q", ok.url()]), 0)
    hcrun.quiet(t.run(["--quiet", bad.url()]), 1)
    hcrun.quiet(t.run(["-q", "http://127.0.0.1:%d/" % port]), 1)
    # a usage error is still reported
    r = t.run(["-q", "-s", "bad", ok.url()])
    check(r.rc == 64 and r.err, "usage error with -q must still print\n%s", r.describe())


@scenario("verbose")
def _(t):
    s = t.server(respond(200, "OK", ["Content-Length: 0", "X-Resp: yes"]))
    r = t.run(["-v", "-H", "X-Req: 1", s.url("/v")])
    check(r.rc == 0, "exit %s\n%s", r.rc, r.describe())
    out = r.out_lines()
    check(len(out) == 1 and out[0].startswith("healthy: HTTP 200"), "stdout\n%s", r.describe())
    err = r.err_lines()
    # -v writes both heads as they were sent and received
    for want in ("GET /v HTTP/1.1", "Host: %s" % s.authority,
                 "User-Agent: healthcheck/" + hcrun.VERSION, "X-Req: 1",
                 "HTTP/1.1 200 OK", "X-Resp: yes"):
        check(want in [l.rstrip("\r") for l in err], "verbose output lacks %r\n%s", want,
              r.describe())


@scenario("verbose_long_request_whole_and_tab_kept")
def _(t):
    # the trace goes out in pieces of 256 bytes: a 608-byte line comes whole;
    # a TAB is text, not a control byte to hide
    s = t.server(respond(200, "OK", ["Content-Length: 0", "X-Tab: a\tb"]))
    long = "X-Long: " + "v" * 600
    r = t.run(["-v", "-H", long, s.url()])
    check(r.rc == 0, "exit %s\n%s", r.rc, r.describe())
    err = [l.rstrip("\r") for l in r.err_lines()]
    check(long in err, "-v does not show the long header line whole\n%s", r.describe())
    check("X-Tab: a\tb" in err, "-v does not show the TAB as it came\n%s", r.describe())


@scenario("verbose_unhealthy")
def _(t):
    s = t.server(respond(503, "Unavailable"))
    r = t.run(["--verbose", s.url()])
    check(r.rc == 1, "exit %s\n%s", r.rc, r.describe())
    err = [l.rstrip("\r") for l in r.err_lines()]
    check("GET / HTTP/1.1" in err and "HTTP/1.1 503 Unavailable" in err,
          "verbose heads missing\n%s", r.describe())
    check(err[-1] == "unhealthy: HTTP 503", "last line must be the verdict\n%s", r.describe())
    check(r.out == b"", "stdout must be empty\n%s", r.describe())


# ---- --wait ----

@scenario("wait_server_starts_late")
def _(t):
    s = t.server(respond(), listen_after=0.6)
    r = t.run(["-w", "3s", s.url()])
    healthy(r)
    elapsed(r, 0.5, 2.0)
    served(s)


@scenario("wait_long_option")
def _(t):
    s = t.server(respond(), listen_after=0.3)
    r = t.run(["--wait=3s", s.url()])
    healthy(r)
    elapsed(r, 0.2, 2.0)
    served(s)


@scenario("wait_refused_gives_up")
def _(t):
    port = t.refused()
    r = t.run(["--wait", "1s", "http://127.0.0.1:%d/" % port])
    unhealthy(r, "connection refused")
    elapsed(r, 0.9, 2.0)


@scenario("wait_until_status_ok")
def _(t):
    s = t.server(lambda i: respond(503, "Starting") if i < 2 else respond())
    r = t.run(["-w", "3s", s.url()])
    healthy(r)
    s.stop()
    check(s.connections == 3, "expected 3 probes (503, 503, 200), saw %d", s.connections)


@scenario("wait_timeouts_exit_as_last_probe")
def _(t):
    s = t.server(silent())
    r = t.run(["-t", "300ms", "-w", "1s", s.url()])
    unhealthy(r, "timed out after 300 ms")
    elapsed(r, 0.9, 2.2)


@scenario("wait_unix_socket_late")
def _(t):
    s = t.server(respond(), family="unix", listen_after=0.5)
    r = t.run(["-w", "3s", "--unix-socket", s.path, "http://localhost/"])
    healthy(r)
    elapsed(r, 0.4, 2.0)
    served(s)


# ---- proxies are never used ----

PROXY_VARS = ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
              "ALL_PROXY"]


@scenario("proxy_env_ignored")
def _(t):
    proxy = t.server(respond(503, "Proxy says no"))
    s = t.server(respond())
    env = {v: "http://127.0.0.1:%d" % proxy.port for v in PROXY_VARS}
    env.update({"no_proxy": "", "NO_PROXY": ""})
    healthy(t.run([s.url()], env=env))
    line, _ = parse_head(one_request(s))
    check(line == "GET / HTTP/1.1", "origin-form expected, got %r", line)
    no_connection(proxy)


@scenario("proxy_env_unreachable_ignored")
def _(t):
    s = t.server(respond(), reserve_other_family=True)
    env = {v: "http://127.0.0.1:1" for v in PROXY_VARS}
    healthy(t.run(["http://localhost:%d/" % s.port], env=env))
    served(s)


# ---- tcp:// ----

@scenario("tcp_healthy_sends_nothing")
def _(t):
    s = t.server([read_all(3.0)])
    r = t.run(["tcp://127.0.0.1:%d" % s.port])
    healthy(r, "TCP connect")
    req = one_request(s)
    check(req == b"", "tcp:// must send nothing, the server got %r", req)


@scenario("tcp_healthy_ipv6")
def _(t):
    s = t.server([read_all(3.0)], family="v6")
    healthy(t.run(["tcp://[::1]:%d" % s.port]), "TCP connect")
    check(one_request(s) == b"", "tcp:// must send nothing")


@scenario("tcp_localhost_ipv6_only")
def _(t):
    s = t.server([read_all(3.0)], family="v6", reserve_other_family=True)
    healthy(t.run(["tcp://localhost:%d" % s.port]), "TCP connect")
    check(one_request(s) == b"", "tcp:// must send nothing")


@scenario("tcp_refused")
def _(t):
    port = t.refused()
    r = t.run(["tcp://127.0.0.1:%d" % port])
    unhealthy(r, "connection refused")
    elapsed(r, 0, 0.5)


@scenario("tcp_over_unix_socket")
def _(t):
    # a unix socket connects at once: the second connect says EISCONN
    s = t.server([read_all(3.0)], family="unix")
    healthy(t.run(["--unix-socket", s.path, "tcp://app:1"]), "TCP connect")
    check(one_request(s) == b"", "tcp:// must send nothing")


@scenario("unix_socket_under_a_file_is_a_socket_error")
def _(t):
    # ENOTDIR is none of the errors with a name of their own
    f = os.path.join(t.tempdir("hcnotdir"), "file")
    open(f, "w").close()
    for url in ("http://app/", "tcp://app:1"):
        r = t.run(["--unix-socket", os.path.join(f, "s.sock"), url])
        unhealthy(r, r"socket error %d" % errno.ENOTDIR)


@scenario("tcp_env_url")
def _(t):
    s = t.server([read_all(3.0)])
    healthy(t.run([], env={"HEALTHCHECK_URL": "tcp://127.0.0.1:%d" % s.port}), "TCP connect")
    check(one_request(s) == b"", "tcp:// must send nothing")


# ---- names ----

@scenario("unknown_name_does_not_resolve")
def _(t):
    s = t.server(respond())
    r = t.run(["-t", "2s", "http://no-such-host.invalid:%d/" % s.port])
    unhealthy(r, "cannot resolve host")
    elapsed(r, 0, 1.0)
    no_connection(s)

