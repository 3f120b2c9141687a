"""Regression tests for what a hostile server, an unlucky host or a careless
caller could do to 0.1: each scenario failed before the fix it is named for.

Some need tools beyond the probe: strace (to make a system call slow: its
fault injection delays one call), unshare and mount (to put another file,
FIFO or device in place of /etc/hosts for one run, in a mount namespace of
its own). The strace ones run where hcrun.faults() says the binary can run
under strace; the count of system calls is the static binary's alone. run.py
says which are left out.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

import hcrun
from hcrun import check, elapsed, healthy, unhealthy, usage
from hcserver import close_unread, hold, http, read_request, respond, send
from scenarios import (MALFORMED, chunk, field_values, head_then_hold,
                       no_connection, one_request, parse_head, scenario, served, silent,
                       timed_out)

BACKLOG_FULL = r"connection refused \(listen backlog full\)"


def tool(name):
    exe = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/bin:/bin")
    check(exe is not None, "%s is missing (make test installs it)" % name)
    return exe


def raw(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=None, timeout=10.0, preexec_fn=None, prefix=()):
    """Runs the probe with exactly these file descriptors: (rc, out, err,
    seconds). A hang is killed and fails."""
    argv = list(prefix) + hcrun.wrap() + [hcrun.binary()] + list(args)
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=stderr, env=env or {},
                         cwd="/", preexec_fn=preexec_fn)
    try:
        out, err = p.communicate(timeout=timeout * hcrun.SLACK)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise hcrun.Failure("the probe hung: %r" % argv)
    return p.returncode, out or b"", err or b"", time.monotonic() - t0


# ---- 3. a unix socket whose backlog is full ----

def full_unix_listener(t):
    """A unix socket that listens and never accepts, its queue full: a
    connect now gets EAGAIN. Returns its path."""
    d = tempfile.mkdtemp(prefix="hcfull")
    path = os.path.join(d, "s.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(0)
    t.socks.append(srv)
    t.socks.append(_Rmtree(d))
    for _ in range(64):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.setblocking(False)
        t.socks.append(c)
        try:
            c.connect(path)
        except BlockingIOError:
            return path
    raise hcrun.Failure("could not fill the backlog of a unix socket")


@scenario("unix_backlog_full_tcp")
def _(t):
    path = full_unix_listener(t)
    r = t.run(["-t", "2s", "--unix-socket", path, "tcp://localhost:1"])
    unhealthy(r, BACKLOG_FULL)
    elapsed(r, 0, 1.0)


@scenario("unix_backlog_full_http")
def _(t):
    path = full_unix_listener(t)
    r = t.run(["-t", "2s", "--unix-socket", path, "http://localhost/"])
    unhealthy(r, BACKLOG_FULL)
    elapsed(r, 0, 1.0)


# ---- TCP: the handshake is not done when the request is sent ----

def full_accept_queue(t):
    """A listener on 127.0.0.1 whose accept queue is full: it drops SYNs, so
    a connection stays in progress. Returns its port."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(0)
    t.socks.append(srv)
    port = srv.getsockname()[1]
    for _ in range(8):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        t.socks.append(c)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
    return port


@scenario("tcp_accept_queue_full_waits_for_the_handshake")
def _(t):
    # connect is in progress: send must wait (EAGAIN is no error), and the
    # deadline ends it
    port = full_accept_queue(t)
    r = t.run(["-t", "500ms", "http://127.0.0.1:%d/" % port])
    unhealthy(r, timed_out(500) + r"(?: \(connecting\))?")
    elapsed(r, 0.45, 1.5)


@scenario("tcp_accept_queue_full_tcp_url_times_out_connecting")
def _(t):
    # tcp:// sends nothing: it waits for the handshake, until the deadline
    port = full_accept_queue(t)
    r = t.run(["-t", "500ms", "tcp://127.0.0.1:%d" % port])
    unhealthy(r, timed_out(500) + r" \(connecting\)")
    elapsed(r, 0.45, 1.5)


# ---- 4. a reply that arrives before the request was read ----

@scenario("early_reply_unix_then_close")
def _(t):
    # the server answers and closes without reading: the answer decides,
    # every time (a send that fails with EPIPE must not hide it)
    s = t.server([send(http(200, "OK", ["Content-Length: 0"])), close_unread()], family="unix")
    for i in range(25):
        r = t.run(["-t", "2s", "--unix-socket", s.path, "http://localhost/"])
        healthy(r)


@scenario("early_reply_unix_503_then_close")
def _(t):
    s = t.server([send(http(503, "Busy", ["Content-Length: 0"])), close_unread()], family="unix")
    for i in range(10):
        unhealthy(t.run(["-t", "2s", "--unix-socket", s.path, "http://localhost/"]), "HTTP 503")


# ---- 5. control bytes ----

CONTROL_HEADS = [(b, b"HTTP/1.1 200 OK\r\nX-A: a" + bytes([b]) + b"b\r\n\r\n")
                 for b in list(range(1, 9)) + list(range(11, 13)) + list(range(14, 32)) + [0x7f]]


def control_case(head):
    def fn(t):
        s = t.server(head_then_hold(head))
        r = t.run(["-t", "2s", s.url()])
        unhealthy(r, MALFORMED)
        elapsed(r, 0, 1.0)
    return fn


for _b, _h in CONTROL_HEADS:
    scenario("control_byte_0x%02x_in_a_field" % _b)(control_case(_h))


@scenario("control_byte_0x1b_in_the_status_line")
def _(t):
    s = t.server(head_then_hold(b"HTTP/1.1 200 O\x1b[2JK\r\n\r\n"))
    unhealthy(t.run(["-t", "2s", s.url()]), MALFORMED)


@scenario("verbose_never_passes_control_bytes")
def _(t):
    s = t.server(head_then_hold(b"HTTP/1.1 200 OK\r\nX-Evil: \x1b]0;owned\x07\x1b[2J\r\n\r\n"))
    r = t.run(["-v", "-t", "2s", s.url()])
    check(r.rc == 1, "exit %s\n%s", r.rc, r.describe())
    bad = [c for c in r.err if c < 0x20 and c not in (9, 10, 13) or c == 0x7f]
    check(not bad, "-v wrote control bytes %r to stderr\n%s", bytes(bad), r.describe())
    check(b"X-Evil: ." in r.err, "the bad head was not shown, escaped\n%s", r.describe())


@scenario("verbose_shows_the_head_that_failed")
def _(t):
    s = t.server(head_then_hold(b"HTTP/1.1 200 OK\r\nServer: x\r\nNo colon here\r\n\r\n"))
    r = t.run(["-v", "-t", "2s", s.url()])
    unhealthy_last = r.err_lines()[-1] if r.err_lines() else ""
    check(r.rc == 1 and unhealthy_last.startswith("unhealthy: malformed response"),
          "expected malformed\n%s", r.describe())
    for want in (b"HTTP/1.1 200 OK", b"Server: x", b"No colon here"):
        check(want in r.err, "-v does not show %r of the failed head\n%s", want, r.describe())


# ---- 7. closed standard descriptors ----

def stderr_closed_verbose(t):
    s = t.server(respond())
    rc, out, err, _ = raw(["-v", s.url("/x")], stderr=None,
                          preexec_fn=lambda: os.close(2))
    check(rc == 0 and out.startswith(b"healthy: HTTP 200"), "rc %s out %r", rc, out)
    req = one_request(s)
    line, _ = parse_head(req)
    check(line == "GET /x HTTP/1.1", "request line %r", line)
    check(b"HTTP/1.1 200" not in req, "the trace went into the socket: %r", req)


# valgrind itself cannot start with fd 2 closed (exit 127): the scenario
# is the probe's, not the wrapper's.
if not any("valgrind" in w for w in hcrun.wrap()):
    scenario("stderr_closed_verbose_writes_nothing_into_the_socket")(stderr_closed_verbose)


@scenario("stdout_closed_healthy_exit_code")
def _(t):
    s = t.server(respond())
    rc, out, err, _ = raw([s.url()], stdout=None, preexec_fn=lambda: os.close(1))
    check(rc == 0 and err == b"", "rc %s err %r", rc, err)
    served(s)


# ---- 8. output that cannot be written ----

@scenario("stdout_pipe_without_reader_healthy_is_0")
def _(t):
    s = t.server(respond())
    rfd, wfd = os.pipe()
    os.close(rfd)  # nobody will ever read
    try:
        rc, _, err, _ = raw([s.url()], stdout=wfd)
    finally:
        os.close(wfd)
    check(rc == 0, "a healthy probe whose stdout has no reader exited %s (err %r)", rc, err)


@scenario("stderr_pipe_without_reader_unhealthy_is_1")
def _(t):
    s = t.server(respond(503, "Busy"))
    rfd, wfd = os.pipe()
    os.close(rfd)
    try:
        rc, out, _, _ = raw(["-v", s.url()], stderr=wfd)
    finally:
        os.close(wfd)
    check(rc == 1, "an unhealthy probe whose stderr has no reader exited %s", rc)


@scenario("stderr_pipe_full_verbose_ends_by_the_deadline")
def _(t):
    # -v into a pipe that is full and never read: the trace is dropped when
    # the pipe has no room by the deadline; the verdict is the exit code
    s = t.server(respond())
    rfd, wfd = os.pipe()
    os.set_blocking(wfd, False)
    try:
        while True:
            os.write(wfd, b"x" * 4096)
    except BlockingIOError:
        pass
    os.set_blocking(wfd, True)
    try:
        rc, out, _, secs = raw(["-v", "-t", "500ms", s.url()], stderr=wfd)
    finally:
        os.close(wfd)
        os.close(rfd)
    check(rc == 0 and out.startswith(b"healthy: "), "rc %s out %r", rc, out)
    check(secs < 1.5 * hcrun.SLACK, "the probe took %.2f s with a full stderr" % secs)


# ---- 9. --wait shorter than -t ----

@scenario("wait_shorter_than_timeout_is_one_deadline")
def _(t):
    s = t.server(silent())
    r = t.run(["-w", "300ms", "-t", "900ms", s.url()])
    unhealthy(r, timed_out(300))
    elapsed(r, 0.25, 0.8)


@scenario("wait_clamps_the_last_attempt")
def _(t):
    # 900 ms, a pause, then what is left of 1.5 s: not another 900 ms
    s = t.server(silent())
    r = t.run(["-w", "1.5s", "-t", "900ms", s.url()])
    unhealthy(r, r"timed out after ([1-8]\d\d|\d\d|\d) ms")
    elapsed(r, 1.35, 1.9)


# ---- 10. a request too large is a usage error, before any socket ----

@scenario("oversized_path_is_usage")
def _(t):
    s = t.server(respond())
    r = t.run([s.url("/" + "p" * 5000)])
    usage(r, mentions="request over 4 KiB")
    no_connection(s, r)


@scenario("oversized_headers_are_usage")
def _(t):
    s = t.server(respond())
    args = []
    for i in range(16):
        args += ["-H", "X-Long-%02d: %s" % (i, "v" * 300)]
    r = t.run(args + [s.url()])
    usage(r, mentions="request over 4 KiB")
    no_connection(s, r)


@scenario("largest_request_that_fits_is_sent")
def _(t):
    s = t.server(respond())
    base = len(b"GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: healthcheck/%s\r\n"
               b"Connection: close\r\n\r\n" % (s.authority.encode(), hcrun.VERSION.encode()))
    r = t.run([s.url("/" + "p" * (4096 - base))])
    healthy(r)
    req = one_request(s)
    check(len(req) == 4096, "request of %d bytes, want 4096" % len(req))


# ---- 11. an empty duplicate Transfer-Encoding ----

@scenario("te_empty_duplicate_keeps_chunked")
def _(t):
    head = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
            b"Transfer-Encoding:\r\n\r\n")
    s = t.server(head_then_hold(head + chunk(b"all ok") + b"0\r\n\r\n"))
    r = t.run(["-t", "2s", "-b", "all ok", s.url()])
    healthy(r)
    s2 = t.server(head_then_hold(head + chunk(b"zzz") + b"0\r\n\r\nall ok"))
    r = t.run(["-t", "2s", "-b", "all ok", s2.url()])
    unhealthy(r, r"HTTP 200, body does not contain the text")


@scenario("te_other_than_chunked_is_malformed")
def _(t):
    for te in (b"gzip, chunked", b"chunked, chunked", b"gzip", b","):
        s = t.server(head_then_hold(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: " + te +
                                    b"\r\n\r\n"))
        unhealthy(t.run(["-t", "2s", s.url()]), MALFORMED)


# ---- 13. the smaller ones ----

@scenario("status_099_and_bare_2000_are_malformed")
def _(t):
    for line in (b"HTTP/1.1 099 Odd\r\n\r\n", b"HTTP/1.1 2000\r\n\r\n", b"HTTP/1.1 2000 OK\r\n\r\n"):
        s = t.server(head_then_hold(line))
        unhealthy(t.run(["-t", "2s", s.url()]), MALFORMED)


@scenario("garbage_without_line_feed_then_silence_is_malformed")
def _(t):
    # 0.1 said "timed out" when the bytes came at once, "malformed" when
    # they came apart: the verdict now depends on the bytes alone
    for script in ([read_request(), send(b"garbage!"), hold()],
                   [read_request(), send(b"g"), send(b"arbage!"), hold()]):
        s = t.server(script)
        r = t.run(["-t", "2s", s.url()])
        unhealthy(r, MALFORMED)
        elapsed(r, 0, 1.0)


@scenario("body_text_on_204_has_no_body")
def _(t):
    s = t.server(respond(204, "No Content", []))
    r = t.run(["-b", "x", s.url()])
    unhealthy(r, r"HTTP 204, body does not contain the text \(no body\)")


@scenario("timeout_of_a_day_against_a_live_server")
def _(t):
    s = t.server(respond())
    healthy(t.run(["-t", "24h", s.url()]))
    r = t.run(["-t", "25h", s.url()])
    usage(r, mentions="--timeout")


@scenario("header_env_and_argv_argv_wins")
def _(t):
    s = t.server(respond())
    healthy(t.run(["-H", "X-Argv: 1", s.url()], env={"HEALTHCHECK_HEADER": "X-Env: 1"}))
    _, f = parse_head(one_request(s))
    check(field_values(f, "X-Argv") == ["1"] and not field_values(f, "X-Env"),
          "-H must replace HEALTHCHECK_HEADER: %r", f)


@scenario("flag_with_a_value_is_usage")
def _(t):
    s = t.server(respond())
    for a in ("--quiet=yes", "--verbose=1", "--help=x"):
        r = t.run([a, s.url()])
        usage(r, mentions=a)
    no_connection(s)


@scenario("default_url_is_localhost_8080")
def _(t):
    s = t.server(respond(), family="unix")
    healthy(t.run(["--unix-socket", s.path]))
    line, f = parse_head(one_request(s))
    check(line == "GET / HTTP/1.1" and field_values(f, "Host") == ["localhost:8080"],
          "default URL: %r %r", line, f)


@scenario("usage_line_survives_a_long_argument")
def _(t):
    r = t.run(["--" + "x" * 2000])
    usage(r)
    check(len(r.err) < 1000, "the message is not cut: %d bytes" % len(r.err))


@scenario("usage_shows_an_argument_with_equals_whole")
def _(t):
    r = t.run(["http://exa mple/?a=b"])
    usage(r, mentions="invalid URL: http://exa mple/?a=b")


@scenario("quiet_beats_verbose")
def _(t):
    ok = t.server(respond())
    bad = t.server(respond(503, "Busy"))
    hcrun.quiet(t.run(["-qv", ok.url()]), 0)
    hcrun.quiet(t.run(["-v", "-q", bad.url()]), 1)


@scenario("ipv4_with_leading_zeros_is_no_host")
def _(t):
    s = t.server(respond())
    for host in ("127.0.0.01", "127.000.0.1", "10.1", "1234"):
        r = t.run(["http://%s:%d/" % (host, s.port)])
        usage(r, mentions="invalid URL")
    no_connection(s)


@scenario("port_of_six_characters_is_usage")
def _(t):
    s = t.server(respond())
    r = t.run(["http://127.0.0.1:0%05d/" % s.port])
    usage(r, mentions="invalid URL")
    no_connection(s)


class _Rmtree:
    def __init__(self, path):
        self.path = path

    def close(self):
        shutil.rmtree(self.path, ignore_errors=True)


# ---- the hosts file (1, 6, and every address) ----

def with_hosts(t, make_hosts, args, timeout=10.0, prefix=()):
    """Runs the probe with make_hosts(path) at /etc/hosts, in a mount
    namespace of its own (the machine's /etc/hosts is never touched);
    prefix: a command the probe runs under (strace)."""
    d = tempfile.mkdtemp(prefix="hchosts")
    t.socks.append(_Rmtree(d))
    src = os.path.join(d, "hosts")
    make_hosts(src)
    script = 'mount --bind "$1" /etc/hosts && shift && exec "$@"'
    argv = [tool("unshare"), "--mount", "--propagation", "private", "sh", "-c", script,
            "sh", src] + list(prefix) + hcrun.wrap() + [hcrun.binary()] + list(args)
    return t.run(argv, timeout=timeout, direct=True)


def text_hosts(text):
    def make(path):
        with open(path, "wb") as f:
            f.write(text)
    return make


def hosts_case(name, text, resolves):
    def fn(t):
        s = t.server(respond())
        r = with_hosts(t, text_hosts(text), ["-t", "2s", "http://svc:%d/" % s.port])
        if resolves:
            healthy(r)
            served(s)
        else:
            unhealthy(r, r"cannot resolve host.*")
            no_connection(s, r)
    scenario("hosts_" + name)(fn)


HOSTS_CASES = [
    ("crlf_lines", b"127.0.0.1 other\r\n127.0.0.1 svc\r\n", True),
    ("last_line_without_newline", b"127.0.0.1 other\n127.0.0.1 svc", True),
    ("name_in_a_long_comment", b"# " + b"x" * 5000 + b" 127.0.0.1 svc\n", False),
    ("name_after_a_long_comment_line", b"#" + b"y" * 3000 + b"\n127.0.0.1 svc\n", True),
    ("long_alias_line", b"127.0.0.1 " + b" ".join(b"a%d" % i for i in range(1500)) +
     b" svc\n", True),
    ("name_cut_by_nul", b"127.0.0.1 other\x00 svc\n", False),
    ("vertical_tab_separates", b"127.0.0.1\x0bsvc\n", True),
    ("address_with_leading_zero", b"127.0.0.01 svc\n", False),
    ("uppercase_name", b"127.0.0.1 SVC\n", True),
]

for _n, _text, _ok in HOSTS_CASES:
    hosts_case(_n, _text, _ok)


@scenario("hosts_eight_addresses_only_the_last_listens")
def _(t):
    s = t.server(respond(), addr="127.0.0.8")
    text = b"".join(b"127.0.0.%d svc\n" % i for i in range(1, 9))
    r = with_hosts(t, text_hosts(text), ["-t", "3s", "http://svc:%d/" % s.port])
    healthy(r)
    served(s)


@scenario("hosts_48_addresses_are_tried_and_no_more")
def _(t):
    s = t.server(respond(), addr="127.0.1.48")
    text = b"".join(b"127.0.1.%d svc\n" % i for i in range(1, 49))
    r = with_hosts(t, text_hosts(text), ["-t", "5s", "http://svc:%d/" % s.port])
    healthy(r)
    served(s)
    s2 = t.server(respond(), addr="127.0.1.49")
    text = b"".join(b"127.0.1.%d svc\n" % i for i in range(1, 50))
    r = with_hosts(t, text_hosts(text), ["-t", "5s", "http://svc:%d/" % s2.port])
    unhealthy(r, "connection refused")
    no_connection(s2, r)


def fifo_hosts(path):
    os.mkfifo(path)


def zero_hosts(path):
    os.mknod(path, 0o644 | 0o020000, os.makedev(1, 5))  # like /dev/zero


def huge_hosts(path):
    with open(path, "wb") as f:
        f.truncate(64 << 20)  # 64 MiB of NULs
        f.seek(64 << 20)
        f.write(b"\n127.0.0.1 svc\n")


def hosts_of_size(size):
    def make(path):
        line = b"127.0.0.1 svc\n"
        with open(path, "wb") as f:
            f.write(b"#" * (size - len(line) - 1) + b"\n" + line)
    return make


@scenario("hosts_of_exactly_1_mib_is_read")
def _(t):
    s = t.server(respond())
    healthy(with_hosts(t, hosts_of_size(1 << 20), ["-t", "2s", "http://svc:%d/" % s.port]))


@scenario("hosts_one_byte_over_1_mib_is_not")
def _(t):
    s = t.server(respond())
    r = with_hosts(t, hosts_of_size((1 << 20) + 1), ["-t", "2s", "http://svc:%d/" % s.port])
    unhealthy(r, r"cannot resolve host \(hosts file over 1 MiB\)")
    no_connection(s, r)


@scenario("hosts_is_a_fifo")
def _(t):
    s = t.server(respond())
    r = with_hosts(t, fifo_hosts, ["-t", "500ms", "http://svc:%d/" % s.port])
    unhealthy(r, r"cannot resolve host \(hosts file not a regular file\)")
    elapsed(r, 0, 1.0)


@scenario("hosts_is_a_device")
def _(t):
    s = t.server(respond())
    r = with_hosts(t, zero_hosts, ["-t", "500ms", "http://svc:%d/" % s.port])
    unhealthy(r, r"cannot resolve host \(hosts file not a regular file\)")
    elapsed(r, 0, 1.0)


@scenario("hosts_is_huge")
def _(t):
    s = t.server(respond())
    r = with_hosts(t, huge_hosts, ["-t", "2s", "http://svc:%d/" % s.port])
    unhealthy(r, r"cannot resolve host \(hosts file over 1 MiB\)")
    elapsed(r, 0, 1.5)
    no_connection(s, r)


# ---- 2. time spent before the first wait counts ----

def strace_inject(spec, path=None):
    """strace as a command prefix that injects spec (its inject= syntax:
    CALL:error=E, CALL:retval=N, CALL:delay_exit=US, :when=N) into the
    probe's system calls; with path, only into calls on that file (a
    dynamically linked build reads its libraries, and writes its coverage
    data, with calls of the same names)."""
    return ([tool("strace"), "-f", "-o", "/dev/null", "-e", "inject=" + spec] +
            (["-P", path] if path else []))


def slow_call(call, ms, path=None):
    return strace_inject("%s:delay_exit=%d" % (call, ms * 1000), path)


def slow_case(call, tcp=False, hosts=None, want=None):
    def fn(t):
        s = t.server([read_request(), hold()] if tcp else respond())
        url = ("tcp://127.0.0.1:%d" % s.port if tcp else
               "http://svc:%d/" % s.port if hosts else s.url())
        argv = slow_call(call, 400, "/etc/hosts" if hosts else None) + hcrun.wrap() + [
            hcrun.binary(), "-t", "300ms", url]
        if hosts:
            d = tempfile.mkdtemp(prefix="hchosts")
            t.socks.append(_Rmtree(d))
            src = os.path.join(d, "hosts")
            text_hosts(hosts)(src)
            argv = [tool("unshare"), "--mount", "--propagation", "private", "sh", "-c",
                    'mount --bind "$1" /etc/hosts && shift && exec "$@"', "sh", src] + argv
        r = t.run(argv, direct=True)
        unhealthy(r, want or timed_out(300) + r"(?: \([a-z ]+\))?")
        elapsed(r, 0.35, 1.5)
    return fn


# ---- 3. the system calls of a healthy probe ----

# What a healthy HTTP probe asks of the kernel, in order: nothing for the
# start (no thread-local storage, no stdio), SIGPIPE ignored, the clock at
# the start and at the first wait, one socket, one send, one wait, one
# read, the verdict.
HEALTHY_CALLS = ["rt_sigaction", "clock_gettime", "socket", "connect", "sendto",
                 "clock_gettime", "ppoll", "recvfrom", "close", "write", "exit_group"]


def healthy_calls(t):
    s = t.server(respond())
    d = tempfile.mkdtemp(prefix="hcstrace")
    t.socks.append(_Rmtree(d))
    log = os.path.join(d, "log")
    r = t.run([tool("strace"), "-qq", "-o", log, hcrun.binary(), s.url()], direct=True)
    check(r.rc == 0, "not healthy under strace\n%s", r.describe())
    with open(log) as f:
        calls = [re.match(r"([a-z0-9_]+)\(", l).group(1) for l in f if re.match(r"[a-z]", l)]
    calls = [c for c in calls if c != "execve"]
    t.note("%d system calls: %s" % (len(calls), " ".join(calls)))
    check(calls == HEALTHY_CALLS, "system calls %s, want %s", calls, HEALTHY_CALLS)


def robust_tools():
    scenario("slow_connect_tcp_is_timed_out")(slow_case("connect", tcp=True))
    scenario("slow_connect_http_is_timed_out")(slow_case("connect"))
    scenario("slow_send_http_is_timed_out")(slow_case("sendto"))
    scenario("slow_hosts_read_is_timed_out")(
        slow_case("read", hosts=b"127.0.0.1 svc\n",
                  want=timed_out(300) + r" \(in the hosts file\)"))


if hcrun.default_binary():
    scenario("healthy_probe_system_calls")(healthy_calls)
if hcrun.faults():
    robust_tools()
