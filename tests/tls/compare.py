#!/usr/bin/python3
"""The HTTPS comparison, for the benchmark: Debian's curl (verifying the
certificate) and the TLS probe side by side against one real HTTPS server
(nginx from tlsservers.py, RSA 2048 or ECDSA P-256 certificate), with the
project's bench tools (build/bench/timer: alternated timing and peak RSS).

usage: /usr/bin/python3 tests/tls/compare.py [--rounds N] [--cert rsa|ec] [NAME=COMMAND]...

Clients: curl -fsS --cacert; build/tls/tlsmini (the size study's client
in the recommended BearSSL profile: the stand-in until the probe has
TLS); build/healthcheck-tls when it exists, as
`healthcheck-tls --cacert CA https://localhost:PORT/` (the issue's
options; give NAME=COMMAND to override). A COMMAND is split on spaces and
may use {url} {ca} {host} {port} {name}. microcheck's httpscheck is not
measured: it is in neither Debian nor npm.

Prints a Markdown table: size (curl: binary and its shared libraries),
median and p90 time, the ratio to the fastest, system calls (strace -f -c),
instructions (callgrind) and peak RSS (VmHWM).
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tlsservers as ts  # noqa: E402

ROOT = ts.ROOT
TIMER = os.path.join(ROOT, "build", "bench", "timer")


def sh(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def size_with_libs(path):
    """Bytes of the binary plus every shared library ldd names."""
    total = os.path.getsize(os.path.realpath(path))
    r = sh(["ldd", path])
    for lib in re.findall(r"=> (/\S+)|^\s*(/\S+) \(", r.stdout.decode(), re.M):
        p = lib[0] or lib[1]
        if os.path.exists(p):
            total += os.path.getsize(os.path.realpath(p))
    return total


def syscalls(argv):
    with tempfile.NamedTemporaryFile() as f:
        r = sh(["strace", "-f", "-c", "-o", f.name] + argv)
        text = open(f.name).read()
    m = re.search(r"^\S+\s+\S+\s+\S+\s+(\d+)\s+(?:\d+\s+)?total$", text, re.M)
    return (int(m.group(1)) if m else None), r.returncode


def instructions(argv):
    r = sh(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + argv)
    m = re.search(r"Collected : (\d+)", r.stderr.decode())
    return int(m.group(1)) if m else None


def peak_kb(argv):
    r = sh([TIMER, "peak"] + argv)
    f = r.stdout.decode().split()
    return int(f[0]) if len(f) >= 5 else None


def main(argv):
    rounds, cert, extra = 200, "rsa", []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--rounds" and args:
            rounds = int(args.pop(0))
        elif a == "--cert" and args:
            cert = args.pop(0)
        elif "=" in a and not a.startswith("-"):
            extra.append(a.split("=", 1))
        else:
            print(__doc__, file=sys.stderr)
            return 64
    for tool in (TIMER, "/usr/bin/curl"):
        if not os.access(tool, os.X_OK):
            print("compare: %s is missing (make %s)" % (tool, "build/bench/timer"), file=sys.stderr)
            return 1
    p = ts.pki()
    ca = p.cert("ca" if cert == "rsa" else "ca-ec")
    with ts.NginxServer(cert) as s:
        v = dict(url=s.url("/", host="localhost"), ca=ca, host=s.host, port=s.port, name="localhost")
        clients = [("curl", ["/usr/bin/curl", "-fsS", "-o", "/dev/null", "--cacert", ca,
                             "--resolve", s.resolve(), v["url"]], "/usr/bin/curl")]
        mini = os.path.join(ROOT, "build", "tls", "tlsmini")
        if os.access(mini, os.X_OK):
            clients.append(("tlsmini", [mini, "-c", ca, "-n", "localhost", s.host, str(s.port)], mini))
        probe = os.path.join(ROOT, "build", "healthcheck-tls")
        if os.access(probe, os.X_OK) and not extra:
            extra.append(("healthcheck-tls", probe + " --cacert {ca} https://{name}:{port}/"))
        for name, cmd in extra:
            argv_ = [w.format(**v) for w in cmd.split()]
            clients.append((name, argv_, argv_[0]))
        # healthcheck-tls by name needs localhost to resolve: it does here.
        for name, cmd, _ in clients:
            r = sh(cmd)
            if r.returncode:
                print("compare: %s fails: %s" % (name, r.stderr.decode()[-300:]), file=sys.stderr)
                return 1
        with tempfile.NamedTemporaryFile(mode="r") as out:
            argv_ = [TIMER, "run", str(rounds), "20", "ok", out.name]
            for name, cmd, _ in clients:
                argv_ += ["--", name] + cmd
            r = sh(argv_)
            if r.returncode:
                print("compare: timer run failed: %s" % r.stderr.decode(), file=sys.stderr)
                return 1
            times = {}
            for line in out.read().splitlines():
                n, _, ns = line.split("\t")
                times.setdefault(n, []).append(int(ns) / 1e6)
        rows = []
        for name, cmd, binary in clients:
            t = sorted(times[name])
            rows.append(dict(name=name, size=size_with_libs(binary), median=statistics.median(t),
                             p90=t[int(len(t) * 0.9) - 1], sys=syscalls(cmd)[0],
                             ins=instructions(cmd), rss=peak_kb(cmd)))
    fastest = min(r["median"] for r in rows)
    print("HTTPS against nginx (%s certificate, TLS as negotiated), %d alternated rounds\n" %
          ("RSA 2048" if cert == "rsa" else "ECDSA P-256", rounds))
    print("| client | size (bytes) | median ms | p90 ms | time ratio | syscalls | instructions | peak RSS KiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print("| %s | %s | %.2f | %.2f | %.2f | %s | %s | %s |" % (
            r["name"], "{:,}".format(r["size"]), r["median"], r["p90"], r["median"] / fastest,
            r["sys"], "{:,}".format(r["ins"]) if r["ins"] else "?", r["rss"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
