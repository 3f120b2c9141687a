#!/usr/bin/python3
"""examples_test.py - checks that keep examples/ from rotting.

  1. Embedding budget: build/examples/service minus build/examples/service-nohc.
  2. The example services (C, and Rust when built) over real sockets on
     127.0.0.1 and ::1: routes, the admin path, SIGUSR1, SIGTERM, and their
     embedded `healthcheck` subcommand's verdicts and exit codes.
  3. The manifests: examples/kubernetes/deployment.yaml, examples/compose.yaml
     and the Containerfiles parse and have the fields they promise; every probe
     command line in them is run with the real binaries against a real service
     (healthy -> exit 0, made unhealthy -> exit 1 "HTTP 503"; never 64).

Usage: examples_test.py ROOT   (ROOT: the repository; binaries under ROOT/build)
Ends with 'N passed, M failed'; exits 1 on any failure.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import yaml

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
B = os.path.join(ROOT, "build")
SERVICE = os.path.join(B, "examples", "service")
SERVICE_NOHC = os.path.join(B, "examples", "service-nohc")
RUST = os.path.join(B, "examples", "rust-service")
PROBE = os.path.join(B, "healthcheck")
EMBED_BUDGET = int(os.environ.get("EMBED_BUDGET", "8192"))
CI = os.environ.get("CI") == "true"

# Paths inside the images -> the binaries built here.
IMAGE_BINARIES = {"/service": SERVICE, "/healthcheck": PROBE, "/rust-service": RUST}

passed = 0
failed = 0


def check(name, cond, info=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   - " + name)
    else:
        failed += 1
        print("FAIL - " + name + (": " + info if info else ""))
    return cond


# ---------------------------------------------------------------- helpers

class Service:
    """A service binary started with PORT=0; .port is the port it bound."""

    def __init__(self, binary):
        self.binary = binary
        self.proc = subprocess.Popen([binary], env={"PORT": "0"},
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.port = None
        deadline = time.monotonic() + 3
        line = b""
        os.set_blocking(self.proc.stderr.fileno(), False)
        while time.monotonic() < deadline and self.port is None:
            chunk = self.proc.stderr.read() or b""
            line += chunk
            m = re.search(rb"listening on port (\d+)", line)
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None:
                break
            else:
                time.sleep(0.02)
        if self.port is None:
            self.stop()
            raise RuntimeError("%s did not say which port it listens on: %r" % (binary, line))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)


def http(port, method, path, host="127.0.0.1", body=b"", raw=None, timeout=3):
    """One request on a new connection; returns (status, headers dict, body)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((host, port))
        if raw is None:
            raw = ("%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                   % (method, path, len(body))).encode() + body
        s.sendall(raw)
        data = b""
        while len(data) < 65536:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1]) if lines and lines[0].startswith("HTTP/1.") else 0
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, rest


def run(argv, env=None, timeout=10):
    p = subprocess.run(argv, env=env if env is not None else {}, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def ipv6_loopback():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


def one_line(text):
    return len(text.splitlines()) == 1


# ---------------------------------------------------------------- 1. size

def test_embed_size():
    with_hc = os.path.getsize(SERVICE)
    without = os.path.getsize(SERVICE_NOHC)
    added = with_hc - without
    print("info - service %d bytes, without the subcommand %d: embedding adds %d bytes"
          % (with_hc, without, added))
    check("embedding the probe adds < %d bytes to the static service (adds %d)"
          % (EMBED_BUDGET, added), 0 < added < EMBED_BUDGET)
    for path in (SERVICE, PROBE):
        out = subprocess.run(["readelf", "-lW", path], capture_output=True, text=True,
                             env={"LC_ALL": "C", "PATH": os.environ.get("PATH", "")})
        check("%s is static (no INTERP)" % os.path.relpath(path, ROOT),
              out.returncode == 0 and "INTERP" not in out.stdout)


# ---------------------------------------------------------------- 2. services

def test_service(binary):
    name = os.path.basename(binary)
    svc = Service(binary)
    port = svc.port
    env = {"PORT": str(port)}
    try:
        st, hd, body = http(port, "GET", "/healthz")
        check("%s: GET /healthz -> 200 ok" % name, st == 200 and body == b"ok\n", repr((st, body)))
        check("%s: response says Connection: close and a Content-Length" % name,
              hd.get("connection") == "close" and hd.get("content-length") == "3", repr(hd))
        st, hd, body = http(port, "HEAD", "/readyz?probe=1")
        check("%s: HEAD /readyz?query -> 200, no body" % name, st == 200 and body == b"",
              repr((st, body)))
        if ipv6_loopback():
            st, _, body = http(port, "GET", "/healthz", host="::1")
            check("%s: GET /healthz over ::1 -> 200" % name, st == 200, repr((st, body)))
        else:
            print("info - no IPv6 loopback on this machine: ::1 not checked")
        st, _, _ = http(port, "GET", "/nope")
        check("%s: GET /nope -> 404" % name, st == 404, str(st))
        st, hd, _ = http(port, "GET", "/admin/fail")
        check("%s: GET /admin/fail -> 405 Allow: POST (a GET changes nothing)" % name,
              st == 405 and hd.get("allow") == "POST", repr((st, hd)))
        st, _, _ = http(port, "DELETE", "/healthz")
        check("%s: DELETE /healthz -> 405" % name, st == 405, str(st))
        st, _, _ = http(port, None, None, raw=b"garbage\r\n\r\n")
        check("%s: a malformed request line -> 400" % name, st == 400, str(st))

        code, out, err = run([binary, "healthcheck"], env)
        check("%s healthcheck (defaults: $PORT, /healthz) -> 0, one line 'healthy: HTTP 200'"
              % name, code == 0 and out.startswith("healthy: HTTP 200 in ") and one_line(out)
              and err == "", repr((code, out, err)))
        code, out, err = run([binary, "healthcheck", "-q"], env)
        check("%s healthcheck -q -> 0, silent" % name, code == 0 and out == err == "",
              repr((code, out, err)))
        code, out, err = run([binary, "healthcheck", "--no-such-option"], env)
        check("%s healthcheck --no-such-option -> 64, names the service" % name,
              code == 64 and (name + " healthcheck") in err, repr((code, err)))
        code, _, err = run([binary, "nonsense"], env)
        check("%s nonsense -> 64 with usage" % name, code == 64 and "usage" in err,
              repr((code, err)))

        # Turn it unhealthy with the admin path (a body that must be read).
        st, _, body = http(port, "POST", "/admin/fail", body=b'{"reason": "test"}')
        check("%s: POST /admin/fail -> 200" % name, st == 200, repr((st, body)))
        st, _, body = http(port, "GET", "/healthz")
        check("%s: then GET /healthz -> 503 unhealthy" % name,
              st == 503 and body == b"unhealthy\n", repr((st, body)))
        code, out, err = run([binary, "healthcheck"], env)
        check("%s healthcheck -> 1, 'unhealthy: HTTP 503' on stderr" % name,
              code == 1 and err == "unhealthy: HTTP 503\n" and out == "", repr((code, out, err)))
        code, out, err = run([binary, "healthcheck", "-s", "200,503"], env)
        check("%s healthcheck -s 200,503 -> 0 (its flags pass through)" % name,
              code == 0, repr((code, out, err)))
        st, _, _ = http(port, "POST", "/admin/recover")
        code, _, _ = run([binary, "healthcheck"], env)
        check("%s: POST /admin/recover -> healthy again" % name, st == 200 and code == 0,
              repr((st, code)))

        # SIGUSR1 toggles.
        svc.proc.send_signal(signal.SIGUSR1)
        st = 0
        for _ in range(50):
            st, _, _ = http(port, "GET", "/healthz")
            if st == 503:
                break
            time.sleep(0.02)
        check("%s: SIGUSR1 -> 503" % name, st == 503, str(st))
        svc.proc.send_signal(signal.SIGUSR1)
        for _ in range(50):
            st, _, _ = http(port, "GET", "/healthz")
            if st == 200:
                break
            time.sleep(0.02)
        check("%s: SIGUSR1 again -> 200" % name, st == 200, str(st))

        # A client that sends nothing does not block a probe.
        idle = socket.create_connection(("127.0.0.1", port), timeout=3)
        try:
            code, out, err = run([binary, "healthcheck", "-t", "500ms"], env)
            check("%s: a probe is answered while another client sends nothing" % name,
                  code == 0, repr((code, out, err)))
        finally:
            idle.close()

        code, out, err = run([binary, "healthcheck", "http://localhost:%d/healthz" % port,
                              "--timeout=1s"], env)
        check("%s healthcheck URL --timeout=1s -> 0" % name, code == 0, repr((code, out, err)))

        # SIGTERM: exit 0, promptly.
        t0 = time.monotonic()
        svc.proc.send_signal(signal.SIGTERM)
        try:
            rc = svc.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            rc = None
        check("%s: SIGTERM -> exit 0 within 1 s" % name,
              rc == 0 and time.monotonic() - t0 < 1.0, repr(rc))
        code, out, err = run([binary, "healthcheck", "-t", "300ms"], env)
        check("%s healthcheck after it stopped -> 1 'unhealthy: connection refused'" % name,
              code == 1 and err == "unhealthy: connection refused\n", repr((code, err)))
    finally:
        svc.stop()

    code, _, err = run([binary], {"PORT": "http"})
    check("%s with PORT=http -> 64, says why" % name, code == 64 and "PORT" in err,
          repr((code, err)))


# ---------------------------------------------------------------- 3. manifests

def duration_ms(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)?", text)
    if not m:
        return None
    v = float(m.group(1))
    return int(v * {"ms": 1, "s": 1000, "m": 60000, None: 1000}[m.group(2)])


def probe_timeout_ms(argv):
    """The --timeout an image's probe command gives (900 ms by default)."""
    for i, a in enumerate(argv):
        if a in ("-t", "--timeout") and i + 1 < len(argv):
            return duration_ms(argv[i + 1])
        if a.startswith("--timeout="):
            return duration_ms(a.split("=", 1)[1])
        if a.startswith("-t") and len(a) > 2:
            return duration_ms(a[2:])
    return 900


def run_probe_command(where, argv, env_list, target):
    """Runs an image's probe command with the real binaries against a real
    service (target: the binary serving in that image)."""
    binary = IMAGE_BINARIES.get(argv[0])
    if not check("%s: %s names a binary of the image" % (where, argv[0]), binary is not None):
        return
    if not os.path.exists(binary) or not os.path.exists(target):
        if CI:
            check("%s: %s is built" % (where, binary), False)
        else:
            print("info - %s: %s not built (no cargo): its command was not run" % (where, binary))
        return
    svc = Service(target)
    try:
        env = dict(env_list)
        env["PORT"] = str(svc.port)
        # The manifests say 8080; the service here runs on a free port.
        args = [a.replace(":8080", ":%d" % svc.port) for a in argv[1:]]
        code, out, err = run([binary] + args, env)
        check("%s: `%s` -> 0 healthy against the service" % (where, " ".join(argv)),
              code == 0 and out.startswith("healthy: HTTP 200"), repr((code, out, err)))
        http(svc.port, "POST", "/admin/fail")
        code, out, err = run([binary] + args, env)
        check("%s: `%s` -> 1 'unhealthy: HTTP 503' once the service fails"
              % (where, " ".join(argv)), code == 1 and "unhealthy: HTTP 503" in err,
              repr((code, out, err)))
    finally:
        svc.stop()


def security_ok(pod_sc, sc):
    return (pod_sc.get("runAsNonRoot") is True or sc.get("runAsNonRoot") is True) and \
        sc.get("readOnlyRootFilesystem") is True and \
        sc.get("allowPrivilegeEscalation") is False and \
        sc.get("capabilities", {}).get("drop") == ["ALL"]


def test_kubernetes():
    path = os.path.join(ROOT, "examples", "kubernetes", "deployment.yaml")
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    check("deployment.yaml: parses, holds Deployments",
          docs and all(d.get("kind") == "Deployment" and d.get("apiVersion") == "apps/v1"
                       for d in docs), repr([d.get("kind") for d in docs]))
    seen = set()
    for d in docs:
        spec = d["spec"]
        tmpl = spec["template"]
        dn = d["metadata"]["name"]
        check("%s: selector matches the pod labels" % dn,
              spec["selector"]["matchLabels"].items() <= tmpl["metadata"]["labels"].items())
        pod = tmpl["spec"]
        for c in pod["containers"]:
            where = "%s/%s" % (dn, c["name"])
            check("%s: runAsNonRoot, readOnlyRootFilesystem, no privilege escalation, "
                  "capabilities drop ALL" % where,
                  security_ok(pod.get("securityContext", {}), c.get("securityContext", {})))
            serving = "/rust-service" if "rust" in c["name"] else "/service"
            env = [(e["name"], e["value"]) for e in c.get("env", [])]
            for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
                p = c.get(kind)
                if not check("%s: has an exec %s" % (where, kind),
                             p and isinstance(p.get("exec", {}).get("command"), list)):
                    continue
                argv = p["exec"]["command"]
                seen.add(argv[0] if argv[1:2] != ["healthcheck"] else "embedded")
                limit = 1000 * p.get("timeoutSeconds", 1)
                t = probe_timeout_ms(argv)
                check("%s %s: the probe's own timeout (%s ms) ends before timeoutSeconds"
                      % (where, kind, t), t is not None and t < limit)
                run_probe_command("%s %s" % (where, kind), argv, env, IMAGE_BINARIES[serving])
    check("deployment.yaml uses both the embedded subcommand and /healthcheck",
          {"embedded", "/healthcheck"} <= seen, repr(seen))


def stages(path):
    """The stages of a Dockerfile: [{"name", "base", "ins": [(KEYWORD, text)]}],
    continuations joined; the instructions before the first FROM under
    "base" None (the ARGs that FROM may use)."""
    out = [{"name": None, "base": None, "ins": []}]
    with open(path) as f:
        text = re.sub(r"\\\n", " ", f.read())
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kw, _, rest = line.partition(" ")
        kw, rest = kw.upper(), rest.strip()
        if kw == "FROM":
            words = rest.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            out.append({"name": name, "base": words[0], "ins": []})
        out[-1]["ins"].append((kw, rest))
    return out


def stage_healthcheck(st):
    """(the HEALTHCHECK line, its argv) of a stage, or (None, None)."""
    hcs = [r for k, r in st["ins"] if k == "HEALTHCHECK"]
    m = re.search(r"\bCMD\s+(\[.*\])\s*$", hcs[0]) if len(hcs) == 1 else None
    return (hcs[0], json.loads(m.group(1))) if m else (None, None)


def test_compose():
    path = os.path.join(ROOT, "examples", "compose.yaml")
    with open(path) as f:
        doc = yaml.safe_load(f)
    services = doc.get("services", {}) if isinstance(doc, dict) else {}
    check("compose.yaml: parses, has services", bool(services))
    waits = []
    for name, s in services.items():
        hc = s.get("healthcheck", {})
        test = hc.get("test")
        build = s.get("build") or {}
        where = "compose %s" % name
        if test is None:
            # No test: the image's HEALTHCHECK applies; find it in the
            # Dockerfile stage the service builds.
            dockerfile = os.path.normpath(os.path.join(
                ROOT, "examples", build.get("context", "."), build.get("dockerfile", "Dockerfile")))
            runtime = [st for st in stages(dockerfile) if st["base"]]
            target = build.get("target")
            st = [x for x in runtime if x["name"] == target] if target else runtime[-1:]
            line, argv = stage_healthcheck(st[0]) if st else (None, None)
            if not check("%s: no test, and its image (%s, target %s) has a HEALTHCHECK in exec form"
                         % (where, os.path.relpath(dockerfile, ROOT), target), argv is not None):
                continue
        else:
            if not check("%s: healthcheck test in exec form [\"CMD\", ...]" % where,
                         isinstance(test, list) and test[:1] == ["CMD"] and len(test) > 1):
                continue
            argv = test[1:]
        check("%s: interval, timeout, retries given" % where,
              all(k in hc for k in ("interval", "timeout", "retries")))
        check("%s: non-root, read-only, capabilities dropped" % where,
              s.get("user") == "65534:65534" and s.get("read_only") is True
              and s.get("cap_drop") == ["ALL"])
        env = list((s.get("environment") or {}).items())
        t = probe_timeout_ms(argv)
        check("%s: the probe's timeout ends before the healthcheck's" % where,
              t is not None and t < duration_ms(hc["timeout"]))
        run_probe_command(where, argv, env, SERVICE)
        for dep, cond in (s.get("depends_on") or {}).items():
            waits.append((name, dep, (cond or {}).get("condition")))
    check("compose.yaml: a service waits for another's service_healthy (%s)" % waits,
          any(c == "service_healthy" and d in services for _, d, c in waits))


def test_containerfiles():
    files = {"Containerfile.scratch": "/service", "Containerfile.embedded": "/service",
             "Containerfile.rust": "/rust-service", "Dockerfile": "/service"}
    for fname, serving in files.items():
        all_stages = stages(os.path.join(ROOT, "examples", fname))
        runtime = [st for st in all_stages if st["base"] == "scratch"]
        check("%s: the last stage is FROM scratch" % fname,
              all_stages[-1]["base"] == "scratch", repr(all_stages[-1]["base"]))
        for st in runtime:
            where = fname + (" (stage %s)" % st["name"] if st["name"] else "")
            last = st["ins"]
            allowed = {"FROM", "COPY", "USER", "EXPOSE", "HEALTHCHECK", "ENTRYPOINT", "ENV"}
            check("%s: the runtime stage holds nothing but the binaries" % where,
                  all(k in allowed for k, _ in last), repr([k for k, _ in last]))
            check("%s: USER 65534:65534" % where, ("USER", "65534:65534") in last)
            line, argv = stage_healthcheck(st)
            if not check("%s: one HEALTHCHECK in exec form" % where, argv is not None):
                continue
            tm = re.search(r"--timeout=(\S+)", line)
            t = probe_timeout_ms(argv)
            check("%s: the probe's timeout ends before HEALTHCHECK --timeout" % where,
                  tm is not None and t is not None and t < duration_ms(tm.group(1)))
            ep = [r for k, r in last if k == "ENTRYPOINT"]
            check("%s: ENTRYPOINT [\"%s\"] in exec form" % (where, serving),
                  ep and json.loads(ep[0]) == [serving], repr(ep))
            run_probe_command(where, argv, [], IMAGE_BINARIES[serving])


def version():
    with open(os.path.join(ROOT, "lib", "healthcheck.h")) as f:
        m = re.search(r'^#define HC_VERSION "([^"]*)"', f.read(), re.M)
    return m.group(1)


def test_pinned_versions():
    """Where users read a release, it is this one: a version bump that
    leaves one behind fails here, naming the file."""
    v = version()
    path = os.path.join(ROOT, "examples", "Dockerfile")
    with open(path) as f:
        text = f.read()
    tags = re.findall(r"^ARG HEALTHCHECK_TAG=(\S+)", text, re.M)
    check("examples/Dockerfile: HEALTHCHECK_TAG defaults to v%s (is %s)" % (v, tags),
          tags == ["v" + v])
    for fname in ("examples/Dockerfile", "README.md"):
        with open(os.path.join(ROOT, fname)) as f:
            refs = re.findall(r"COPY --from=healthcheck:(\S+)", f.read())
        check("%s: COPY --from=healthcheck:%s (found %s)" % (fname, v, refs),
              refs and all(r == v for r in refs))


def main():
    steps = [("embedding size", test_embed_size),
             ("C service", lambda: test_service(SERVICE))]
    if os.path.exists(RUST):
        steps.append(("Rust service", lambda: test_service(RUST)))
    elif CI:
        steps.append(("Rust service", lambda: check("build/examples/rust-service exists", False)))
    else:
        print("info - build/examples/rust-service not built (no cargo): not tested")
    steps += [("kubernetes", test_kubernetes), ("compose", test_compose),
              ("containerfiles", test_containerfiles), ("pinned versions", test_pinned_versions)]
    for name, fn in steps:
        try:
            fn()
        except Exception as e:  # a crash in one area is a failure, not the end
            check("%s: ran to the end" % name, False, "%s: %s" % (type(e).__name__, e))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
