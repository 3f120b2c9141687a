"""System calls that fail or come back early, as they may on a loaded or an
odd host: strace's fault injection makes one call of the probe give an
error (the call is then not made), and the probe must still reach the right
verdict, or name the error. Registered where hcrun.faults() says the binary
can run under strace.
"""

import errno

import hcrun
from hcrun import check, healthy, unhealthy
from hcserver import hold, respond, send
from robust import strace_inject, text_hosts, with_hosts
from scenarios import OK, no_connection, one_request, parse_head, scenario, served


def injected(t, spec, args, path=None):
    """Runs the probe with spec injected (see robust.strace_inject)."""
    argv = strace_inject(spec, path) + hcrun.wrap() + [hcrun.binary()] + list(args)
    return t.run(argv, direct=True)


def one_head(s):
    """The server got exactly one request head, sent once."""
    line, _ = parse_head(one_request(s))
    check(line == "GET / HTTP/1.1", "request line %r", line)


# ---- waits and reads interrupted: the probe goes on ----

def healthy_despite(spec):
    def fn(t):
        s = t.server(respond())
        healthy(injected(t, spec, ["-t", "2s", s.url()]))
        one_head(s)
    return fn


# A signal the program handles (an embedding service's) interrupts a wait,
# a read or a send: it is made again, and the deadline is still the one.
# A wait that fails for lack of memory lets the next read tell how it is.
# A read with nothing there yet (a wake-up for nothing) waits again.
FAULTS_HEALTHY = [
    ("ppoll_interrupted", "ppoll:error=EINTR:when=1"),
    ("ppoll_out_of_memory", "ppoll:error=ENOMEM:when=1"),
    ("recv_interrupted", "recvfrom:error=EINTR:when=1"),
    ("recv_nothing_yet", "recvfrom:error=EAGAIN:when=1"),
    ("send_interrupted_sends_once", "sendto:error=EINTR:when=1"),
]

# ---- the request cannot go: the answer that came decides ----

def send_reset_reply_decides(t):
    # the peer answered and reset before the request went: the 200 waiting
    # in the receive queue is the verdict
    s = t.server([send(OK), hold()])
    healthy(injected(t, "sendto:error=ECONNRESET:when=1", ["-t", "2s", s.url()]))
    check(one_request(s) == b"", "the request was sent after all")


def send_pipe_reply_decides(t):
    # the peer answered and closed its side: EPIPE, and the 200 decides
    s = t.server([send(OK), hold()])
    healthy(injected(t, "sendto:error=EPIPE:when=1", ["-t", "2s", s.url()]))
    check(one_request(s) == b"", "the request was sent after all")


def hosts_statx_other_error(t):
    # statx failing for another reason than its absence: the file is not
    # known to be a regular one, so it is not read
    s = t.server(respond())
    r = with_hosts(t, text_hosts(b"127.0.0.1 svc\n"), ["-t", "2s", "http://svc:%d/" % s.port],
                   prefix=strace_inject("statx:error=EACCES", "/etc/hosts"))
    unhealthy(r, r"cannot resolve host \(hosts file not a regular file\)")
    no_connection(s, r)


# ---- errors without a name of their own: "socket error N" ----

def errno_case(spec, url_of, err):
    def fn(t):
        s = t.server(respond())
        r = injected(t, spec, ["-t", "2s", url_of(s)])
        unhealthy(r, "socket error %d" % err)
        no_connection(s, r)
    return fn


def refused_beats_unreachable(t):
    # localhost on a host without IPv6: 127.0.0.1 refuses, ::1 is
    # unreachable; the service is down, not the network
    port = t.refused()
    r = injected(t, "connect:error=ENETUNREACH:when=2", ["-t", "2s", "http://localhost:%d/" % port])
    unhealthy(r, "connection refused")


# ---- the hosts file ----

def hosts_despite(spec):
    def fn(t):
        s = t.server(respond())
        r = with_hosts(t, text_hosts(b"127.0.0.1 svc\n"), ["-t", "2s", "http://svc:%d/" % s.port],
                       prefix=strace_inject(spec, "/etc/hosts"))
        healthy(r)
        served(s)
    return fn


def hosts_unreadable(t):
    # a read error (a disk that fails) ends the file: the name is not in it
    s = t.server(respond())
    r = with_hosts(t, text_hosts(b"127.0.0.1 svc\n"), ["-t", "2s", "http://svc:%d/" % s.port],
                   prefix=strace_inject("read:error=EIO", "/etc/hosts"))
    unhealthy(r, "cannot resolve host")
    no_connection(s, r)


def register():
    for name, spec in FAULTS_HEALTHY:
        scenario("fault_" + name)(healthy_despite(spec))
    scenario("fault_send_reset_the_reply_decides")(send_reset_reply_decides)
    scenario("fault_send_pipe_the_reply_decides")(send_pipe_reply_decides)
    scenario("fault_socket_no_descriptors")(
        errno_case("socket:error=EMFILE", lambda s: s.url(), errno.EMFILE))
    # on TCP, EAGAIN from connect means no local port was free (on a unix
    # socket it is a full backlog, robust.py)
    scenario("fault_connect_no_local_port")(
        errno_case("connect:error=EAGAIN", lambda s: s.url(), errno.EAGAIN))
    scenario("fault_connect_no_local_port_tcp")(
        errno_case("connect:error=EAGAIN", lambda s: "tcp://127.0.0.1:%d" % s.port, errno.EAGAIN))
    scenario("fault_refused_beats_unreachable")(refused_beats_unreachable)
    # a kernel before 4.11 has no statx: the hosts file is read all the same
    scenario("fault_hosts_no_statx")(hosts_despite("statx:error=ENOSYS"))
    # older container engines' seccomp profiles refuse statx with EPERM
    scenario("fault_hosts_statx_refused")(hosts_despite("statx:error=EPERM"))
    scenario("fault_hosts_statx_failed")(hosts_statx_other_error)
    scenario("fault_hosts_read_interrupted")(hosts_despite("read:error=EINTR:when=1"))
    scenario("fault_hosts_unreadable")(hosts_unreadable)


if hcrun.faults():
    register()
