"""gRPC health checks (grpc://) against three independent real servers
(grpc-go, gRPC C-core through python3-grpcio, grpc-js) and against scripted
hostile HTTP/2 peers (tests/grpc/h2peer.py). The servers come from
`make grpc-servers`; the integration target builds them first."""

import os
import sys

import hcrun
from hcrun import check, elapsed, healthy, unhealthy, usage
from scenarios import add, no_connection, scenario

sys.path.insert(0, os.path.join(hcrun.ROOT, "tests", "grpc"))
import grpcservers  # noqa: E402
import h2peer as hp  # noqa: E402
from grpcservers import GrpcServer  # noqa: E402

MALFORMED = r"malformed response \(%s\)"


def serving(r):
    healthy(r, "SERVING")


class _Server:
    """A GrpcServer in a scenario's Ctx (stopped at cleanup)."""

    def __init__(self, t, *args, **kw):
        self.s = GrpcServer(*args, **kw)
        t.servers.append(self.s)


def real(t, name, **kw):
    why = grpcservers.missing(name)
    check(why is None, "%s cannot run: %s (make grpc-servers)" % (name, why))
    return _Server(t, name, **kw).s


def peer(t, script, family="v4"):
    s = hp.H2Server(script, family=family)
    t.servers.append(s)
    return s


# ---- every real server: each verdict, each transport, metadata, time ----

def real_cases(name):
    key = name.replace("-", "_")

    def case(label, fn):
        add("grpc_%s_%s" % (key, label), fn)

    def healthy_whole(t):
        s = real(t, name)
        r = t.run(["-t", "3s", s.url("")])
        serving(r)
        elapsed(r, 0, 2.0)
    case("serving", healthy_whole)

    def healthy_service(t):
        s = real(t, name, status={"my.pkg.Db": "SERVING"})
        serving(t.run(["-t", "3s", s.url("my.pkg.Db")]))
        check(s.wait_calls(1)[0]["service"] == "my.pkg.Db", "service sent: %r", s.calls)
    case("serving_service", healthy_service)

    def not_serving(t):
        s = real(t, name, status={"db": "NOT_SERVING"})
        unhealthy(t.run(["-t", "3s", s.url("db")]), "NOT_SERVING")
    case("not_serving", not_serving)

    def whole_not_serving(t):
        s = real(t, name, status={"": "NOT_SERVING"})
        unhealthy(t.run(["-t", "3s", s.url("")]), "NOT_SERVING")
    case("whole_not_serving", whole_not_serving)

    def unknown_status(t):
        s = real(t, name, status={"db": "UNKNOWN"})
        unhealthy(t.run(["-t", "3s", s.url("db")]), "UNKNOWN")
    case("unknown", unknown_status)

    def unknown_service(t):
        s = real(t, name)
        unhealthy(t.run(["-t", "3s", s.url("no.such.Service")]),
                  r"grpc-status 5 \(NOT_FOUND\)(: .+)?")
    case("unknown_service", unknown_service)

    def no_health(t):
        s = real(t, name, health=False)
        unhealthy(t.run(["-t", "3s", s.url("")]), r"grpc-status 12 \(UNIMPLEMENTED\)(: .+)?")
    case("no_health_service", no_health)

    def metadata(t):
        s = real(t, name)
        serving(t.run(["-t", "3s", "-H", "x-token: abc123", "-H", "x-tenant:blue",
                       s.url("")]))
        call = s.wait_calls(1)[0]
        md = call["metadata"]
        check(md.get("x-token") == ["abc123"] and md.get("x-tenant") == ["blue"],
              "metadata the server saw: %r", md)
        check(any("healthcheck/" in u for u in md.get("user-agent", [])),
              "user-agent the server saw: %r", md)
        d = call.get("deadline_ms")
        check(d is not None and 0 < d <= 3000, "the deadline the server saw: %r", d)
    case("metadata_and_deadline", metadata)

    def flips(t):
        s = real(t, name)
        serving(t.run(["-t", "3s", s.url("")]))
        s.set_status("", "NOT_SERVING")
        unhealthy(t.run(["-t", "3s", s.url("")]), "NOT_SERVING")
        s.set_status("", "SERVING")
        serving(t.run(["-t", "3s", s.url("")]))
    case("flips", flips)

    def slow(t):
        s = real(t, name, slow_ms=3000)
        r = t.run(["-t", "400ms", s.url("")])
        # the server got grpc-timeout: it may end the call itself first
        unhealthy(r, r"timed out after 400 ms|grpc-status 4 \(DEADLINE_EXCEEDED\)(: .+)?")
        elapsed(r, 0.35, 1.5)
    case("slow_past_the_deadline", slow)

    def ipv6(t):
        s = real(t, name, family="v6")
        serving(t.run(["-t", "3s", "grpc://[::1]:%d" % s.port]))
    case("ipv6", ipv6)

    def localhost(t):
        s = real(t, name, family="v6")
        serving(t.run(["-t", "3s", "grpc://localhost:%d/" % s.port]))
    case("localhost", localhost)

    def unix(t):
        s = real(t, name, family="unix")
        serving(t.run(["-t", "3s", "--unix-socket", s.path, "grpc://localhost:50051"]))
    case("unix_socket", unix)

    def env(t):
        s = real(t, name, status={"db": "NOT_SERVING"})
        serving(t.run([], env={"HEALTHCHECK_URL": s.url("")}))
        unhealthy(t.run([], env={"HEALTHCHECK_URL": s.url("db"), "HEALTHCHECK_TIMEOUT": "2s"}),
                  "NOT_SERVING")
    case("env", env)

    def quiet_verbose(t):
        s = real(t, name)
        hcrun.quiet(t.run(["-q", s.url("")]), 0)
        r = t.run(["-v", "-H", "x-token: v", s.url("")])
        check(r.rc == 0 and r.out.startswith(b"healthy: SERVING"), "-v\n%s", r.describe())
        for want in (b"> SETTINGS", b"> HEADERS", b":authority: ", b"x-token: v",
                     b"> DATA", b"< SETTINGS", b"< HEADERS", b":status: 200",
                     b"grpc-status: 0", b"< DATA"):
            check(want in r.err, "-v lacks %r\n%s", want, r.describe())
    case("quiet_and_verbose", quiet_verbose)


for _name in grpcservers.NAMES:
    real_cases(_name)


@scenario("grpc_wait_until_serving")
def _(t):
    s = real(t, "grpc-go", status={"": "NOT_SERVING"})
    import threading
    timer = threading.Timer(0.6, lambda: s.set_status("", "SERVING"))
    timer.start()
    try:
        r = t.run(["-w", "5s", "-t", "1s", s.url("")])
    finally:
        timer.cancel()
    serving(r)
    elapsed(r, 0.5, 4.0)


@scenario("grpc_refused")
def _(t):
    port = t.refused()
    r = t.run(["grpc://127.0.0.1:%d" % port])
    unhealthy(r, "connection refused")


# ---- usage: what makes no sense for gRPC, bad metadata, bad URLs ----

GRPC_USAGE = [
    ("method", ["-X", "HEAD"]),
    ("status", ["-s", "200"]),
    ("body", ["-b", "SERVING"]),
    ("metadata_uppercase", ["-H", "X-Token: a"]),
    ("metadata_te", ["-H", "te: trailers"]),
    ("metadata_content_type", ["-H", "content-type: text/plain"]),
    ("metadata_grpc_reserved", ["-H", "grpc-timeout: 1S"]),
    ("metadata_connection", ["-H", "connection: close"]),
    ("metadata_crlf", ["-H", "x-a: b\r\nx-c: d"]),
]


def grpc_usage(args):
    def fn(t):
        s = peer(t, hp.good())
        r = t.run(args + [s.url("")])
        usage(r)
        no_connection(s, r)
    return fn


for _n, _a in GRPC_USAGE:
    add("grpc_usage_" + _n, grpc_usage(_a))


@scenario("grpc_usage_urls")
def _(t):
    for url in ("grpc://127.0.0.1", "grpc://127.0.0.1:50051?x=1", "grpc://:50051",
                "grpc://127.0.0.1:50051/a b"):
        usage(t.run([url]))


# ---- hostile and odd peers (raw bytes) ----

def peer_case(name, script, args, check_fn, family="v4"):
    def fn(t):
        s = peer(t, script, family)
        r = t.run(["-t", "2s"] + args + [s.url("")])
        check_fn(r)
        return s
    add("grpc_peer_" + name, fn)


def verdict(reason, hi=1.5):
    def c(r):
        unhealthy(r, reason)
        elapsed(r, 0, hi)
    return c


peer_case("good", hp.good(), [], serving)
peer_case("huffman", hp.huffman_good(), [], serving)
peer_case("trickled", hp.trickled("SERVING", 0.002), [], serving)
peer_case("noisy", hp.noisy(), [], serving)
peer_case("not_serving", hp.good("NOT_SERVING"), [], verdict("NOT_SERVING"))
peer_case("service_unknown", hp.good("SERVICE_UNKNOWN"), [], verdict("SERVICE_UNKNOWN"))
peer_case("trailers_only", hp.trailers_only(14, "going away"), [],
          verdict(r"grpc-status 14 \(UNAVAILABLE\): going away"))
peer_case("trailers_only_unknown_code", hp.trailers_only(99, "odd"), [],
          verdict(r"grpc-status 99 \(\?\): odd"))
peer_case("no_settings", hp.no_settings(), [], verdict(r"timed out after 2000 ms", 3.0))
peer_case("settings_then_silence", hp.settings_then_silence(), [],
          verdict(r"timed out after 2000 ms", 3.0))
peer_case("goaway_now", hp.goaway_now(11), [],
          verdict(r"connection reset \(GOAWAY ENHANCE_YOUR_CALM\)"))
peer_case("goaway_no_error_before_the_stream", hp.goaway_now(0, last_stream=0), [],
          verdict(r"connection reset \(GOAWAY NO_ERROR\)"))
peer_case("rst_stream", hp.rst_now(8), [], verdict(r"connection reset \(RST_STREAM CANCEL\)"))
peer_case("oversized_frame", hp.oversized_frame(), [], verdict(MALFORMED % "bad frame"))
peer_case("continuation_flood", hp.continuation_flood(), [],
          verdict(r"(response too large \(header block\)|malformed response \(bad frame\))"))
peer_case("continuation_flood_empty", hp.continuation_flood(empty=True), [],
          verdict(MALFORMED % "bad frame"))
peer_case("http11", hp.http11(), [], verdict(MALFORMED % "not HTTP/2: an HTTP/1 server"))
peer_case("tls_server", hp.tls_server(), [],
          verdict(r"(malformed response \(not HTTP/2: a TLS server\)|connection closed before a full response|connection reset)"))
peer_case("tls_alert", hp.tls_alert(70), [], verdict(MALFORMED % "not HTTP/2: a TLS server"))

for _kind in hp.HPACK_BOMBS:
    peer_case("hpack_" + _kind, hp.hpack_bomb(_kind), [],
              verdict(r"(malformed response \(.+\)|response too large \(header block\))"))


@scenario("grpc_peer_request_on_the_wire")
def _(t):
    s = peer(t, hp.good())
    serving(t.run(["-t", "2s", "-H", "x-tenant: blue", s.url("my.Svc")]))
    s.stop()
    v = hp.parse_client(s.requests[0])
    check(v.preface_ok, "no client preface: %r", s.requests[0][:40])
    check(v.settings.get(hp.HEADER_TABLE_SIZE) == 0, "HEADER_TABLE_SIZE: %r", v.settings)
    check(v.header(":method") == ["POST"] and v.header(":scheme") == ["http"] and
          v.header(":path") == ["/grpc.health.v1.Health/Check"] and
          v.header("content-type") == ["application/grpc"] and v.header("te") == ["trailers"],
          "request fields: %r", v)
    check(v.header("grpc-timeout") == ["2000m"], "grpc-timeout: %r", v.header("grpc-timeout"))
    check(v.header("x-tenant") == ["blue"] and v.service == "my.Svc", "metadata/service")


@scenario("grpc_peer_acks_settings_and_ping")
def _(t):
    # this peer answers only once its PING was acknowledged
    s = peer(t, hp.opening() + [hp.send(hp.ping(b"12345678")), hp.read_until(hp.ping_acked),
                                hp.answer("SERVING"), hp.read_all(5)])
    serving(t.run(["-t", "3s", s.url("")]))
    s.stop()
    v = hp.parse_client(s.requests[0])
    check(v.settings_acks >= 1, "no SETTINGS acknowledgment: %r", v.frame_names())
    acks = [p for ty, fl, _, p in v.frames if ty == hp.PING and fl & hp.ACK]
    check(acks == [b"12345678"], "PING acknowledgments: %r", acks)
