#!/usr/bin/python3
"""gRPC C-core health server for the healthcheck tests (Debian's python3-grpcio).

The transport is C-core's (chttp2: its HTTP/2 framing, HPACK encoder and flow
control); grpc.health.v1.Health is served through grpcio's generic handlers
with the messages of healthpb.py (Debian has no grpcio-health-checking), and
answers as the stock health services do: Check on a name never set is
NOT_FOUND, Watch on it sends SERVICE_UNKNOWN.

    pyserver.py [--listen ADDR] [--status NAME=STATUS]... [--no-health] [--slow MS]
                [--tls-cert FILE --tls-key FILE]

With --tls-cert and --tls-key the port serves TLS (grpcio's
ssl_server_credentials: ALPN h2).

The command line and the stdout/stdin protocol are those of every test server
(tests/grpc/README.md).
"""

import base64
import json
import os
import sys
import threading
import time
from concurrent import futures

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grpc  # noqa: E402
import healthpb  # noqa: E402

USAGE = ("usage: pyserver.py [--listen ADDR] [--status NAME=STATUS]... [--no-health] [--slow MS]"
         " [--tls-cert FILE --tls-key FILE]")
STATUSES = ("SERVING", "NOT_SERVING", "UNKNOWN")

_out = threading.Lock()


def say(line):
    with _out:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def usage(msg):
    sys.stderr.write("pyserver: %s\n%s\n" % (msg, USAGE))
    sys.exit(64)


class Health:
    """The status table and its watchers, behind one condition."""

    def __init__(self, statuses, slow_ms):
        self.cond = threading.Condition()
        self.status = {"": healthpb.SERVING}
        self.status.update(statuses)
        self.version = 0
        self.slow_ms = slow_ms

    def set(self, name, status):
        with self.cond:
            self.status[name] = status
            self.version += 1
            self.cond.notify_all()

    def report(self, context, call, service):
        md = {}
        for k, v in context.invocation_metadata():
            if isinstance(v, bytes):
                v = base64.b64encode(v).decode()
            md.setdefault(k, []).append(v)
        left = context.time_remaining()
        # No deadline reads as a time centuries away.
        ms = None if left is None or left > 1e8 else int(left * 1000)
        say(json.dumps({"call": call, "service": service, "metadata": md, "deadline_ms": ms}))

    def check(self, request, context):
        self.report(context, "Check", request.service)
        if self.slow_ms:
            time.sleep(self.slow_ms / 1000.0)
        with self.cond:
            st = self.status.get(request.service)
        if st is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
        return healthpb.HealthCheckResponse(status=st)

    def watch(self, request, context):
        self.report(context, "Watch", request.service)
        ended = threading.Event()

        def wake():
            ended.set()
            with self.cond:
                self.cond.notify_all()
        context.add_callback(wake)
        last = None
        while not ended.is_set() and context.is_active():
            with self.cond:
                st = self.status.get(request.service, healthpb.SERVICE_UNKNOWN)
                if st == last:
                    self.cond.wait(1.0)
                    continue
            last = st
            yield healthpb.HealthCheckResponse(status=st)

    def handler(self):
        req = healthpb.HealthCheckRequest.FromString
        resp = healthpb.HealthCheckResponse.SerializeToString
        return grpc.method_handlers_generic_handler(healthpb.SERVICE, {
            "Check": grpc.unary_unary_rpc_method_handler(self.check, req, resp),
            "Watch": grpc.unary_stream_rpc_method_handler(self.watch, req, resp),
        })


def parse(argv):
    opt = {"listen": "127.0.0.1:0", "status": {}, "health": True, "slow": 0,
           "tls-cert": None, "tls-key": None}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--no-health":
            opt["health"] = False
            i += 1
            continue
        if i + 1 >= len(argv):
            usage("unknown or incomplete option " + a)
        v = argv[i + 1]
        i += 2
        if a == "--listen":
            opt["listen"] = v
        elif a in ("--tls-cert", "--tls-key"):
            opt[a[2:]] = v
        elif a == "--slow":
            if not v.isdigit():
                usage("bad --slow " + v)
            opt["slow"] = int(v)
        elif a == "--status":
            name, eq, st = v.partition("=")
            if not eq or st not in STATUSES:
                usage("--status wants NAME=STATUS, STATUS one of " + " ".join(STATUSES))
            opt["status"][name] = healthpb.STATUS[st]
        else:
            usage("unknown option " + a)
    if (opt["tls-cert"] is None) != (opt["tls-key"] is None):
        usage("--tls-cert and --tls-key go together")
    return opt


def command(health, line):
    f = line.split()
    if f[:1] == ["set"] and len(f) in (2, 3):
        name = f[1] if len(f) == 3 and f[1] != '""' else ""
        if f[-1] not in STATUSES:
            return "error: bad status " + f[-1]
        if health is None:
            return "error: no health service"
        health.set(name, healthpb.STATUS[f[-1]])
        return "ok"
    if f[:1] == ["slow"] and len(f) == 2:
        if not f[1].isdigit():
            return "error: bad delay " + f[1]
        if health is not None:
            health.slow_ms = int(f[1])
        return "ok"
    return "error: unknown command"


def main(argv):
    opt = parse(argv)
    health = Health(opt["status"], opt["slow"]) if opt["health"] else None
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16),
                         handlers=[health.handler()] if health else None)
    addr = opt["listen"]
    if opt["tls-cert"]:
        with open(opt["tls-cert"], "rb") as c, open(opt["tls-key"], "rb") as k:
            creds = grpc.ssl_server_credentials([(k.read(), c.read())])
        port = server.add_secure_port(addr, creds)
    else:
        port = server.add_insecure_port(addr)
    if not port:
        sys.stderr.write("pyserver: cannot listen on %s\n" % addr)
        return 1
    server.start()
    say("0" if addr.startswith("unix:") else str(port))
    for line in sys.stdin:
        say(command(health, line))
    server.stop(0).wait(5)
    if addr.startswith("unix:"):
        try:
            os.unlink(addr[5:])
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
