#!/usr/bin/python3
"""docker_test.py - the examples' FROM scratch images on Docker Engine, run
the way users run them, with Docker's own health timers doing the probing.

Images (each built with `docker build` from a context holding only the
binaries built on this machine):
  scratch    examples/Containerfile.scratch    C service + /healthcheck
  embedded   examples/Containerfile.embedded   C service, `service healthcheck`
  rust       examples/Containerfile.rust       Rust service, probe through FFI
  seed       the pattern users bring: the Rust service as /app, USER 1000,
             HEALTHCHECK CMD ["/app", "healthcheck"]; run as uid 1000 (its
             USER) and again as uid 65534 (--user)

Every container runs with --network none, --read-only, --cap-drop ALL,
no-new-privileges and a non-root user, and must go `starting` -> `healthy`
-> `unhealthy` in `docker inspect`, with the probe's one line in the health
log; SIGUSR1 is what turns the service's answers to 503.  The kernel's view
of PID 1 (/proc) confirms the user, the capabilities, the lone loopback and
the read-only root.

Where Docker and podman (tests/container/run.sh) differ, the output says so
in `note -` lines:
  - Docker runs the health checks on its own timers; podman 4.3 relies on
    systemd timers, which these machines lack, so run.sh calls
    `podman healthcheck run` itself.
  - Docker applies --health-interval/--health-retries on their own; podman
    4.3 applies them only together with --health-cmd.
  - `docker build` keeps HEALTHCHECK; podman needs `--format docker`.
  - Docker's health log keeps the probe's newline ("unhealthy: HTTP 503\\n");
    podman's drops it.

Usage: docker_test.py   (from the repository root, after make and make
rust-example).  Ends with 'N passed, M failed'.
"""
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engines  # noqa: E402
from engines import B, ROOT, Tally, poll  # noqa: E402

SCRATCH_IMAGE_MAX = int(os.environ.get("SCRATCH_IMAGE_MAX", "100000"))
# Docker's probe interval here.  The first check runs one interval after the
# start, so this is also how long `starting` lasts: long enough to see it
# on a busy machine, short enough for the whole run to take seconds.
INTERVAL = 5
BOUND = 120  # seconds any one state may take to show, at most

SEED_DOCKERFILE = """\
# The pattern users bring: a Rust API in a scratch image, its own
# `healthcheck` subcommand as the HEALTHCHECK, a non-root USER.
FROM scratch
COPY rust-service /app
USER 1000
HEALTHCHECK CMD ["/app", "healthcheck"]
ENTRYPOINT ["/app"]
"""

t = Tally("docker-test")


class Scenario:
    def __init__(self, label, image, probe, uid, gid, run_args=()):
        self.label, self.image, self.probe = label, image, probe
        self.uid, self.gid = uid, gid
        self.run_args = list(run_args)
        self.name = None
        self.alive = False


def build_images(d, tmp, tag):
    """Builds the images; returns the scenarios whose image was built."""
    svc = os.path.join(B, "examples", "service")
    probe = os.path.join(B, "healthcheck")
    rust = os.path.join(B, "examples", "rust-service")
    out = []
    builds = [("scratch", "Containerfile.scratch", [svc, probe],
               [Scenario("scratch", None, ["/healthcheck", "http://localhost:8080/healthz"],
                         "65534", "65534")]),
              ("embedded", "Containerfile.embedded", [svc],
               [Scenario("embedded", None, ["/service", "healthcheck"], "65534", "65534")])]
    if os.path.exists(rust):
        builds += [("rust", "Containerfile.rust", [rust],
                    [Scenario("rust", None, ["/rust-service", "healthcheck"], "65534", "65534")]),
                   ("seed", None, [rust],
                    # `USER 1000` names no group, and a scratch image has no
                    # /etc/passwd to find one in: the group is 0, root's.
                    [Scenario("seed as uid 1000", None, ["/app", "healthcheck"], "1000", "0"),
                     Scenario("seed as uid 65534", None, ["/app", "healthcheck"], "65534", "65534",
                              ["--user", "65534:65534"])])]
    elif engines.CI:
        t.check("build/examples/rust-service exists (make rust-example)", False)
    else:
        t.info("build/examples/rust-service not built (no cargo): the Rust images are not tested")
    for label, cfile, bins, scenarios in builds:
        ctx = engines.copy_files(os.path.join(tmp, label), *bins)
        if cfile:
            dockerfile = os.path.join(ROOT, "examples", cfile)
        else:
            dockerfile = os.path.join(ctx, "Dockerfile")
            with open(dockerfile, "w") as f:
                f.write(SEED_DOCKERFILE)
        image = "%s-%s" % (tag, label)
        r = d.build(image, ctx, dockerfile)
        if not t.check("docker build %s (%s)" % (label, cfile or "the seed's Dockerfile"), r, r.tail()):
            continue
        test = d.inspect(image, "{{json .Config.Healthcheck.Test}}", "image")
        want = ["CMD"] + scenarios[0].probe
        t.check("%s: docker build keeps the HEALTHCHECK, in exec form (%s)" % (label, test),
                test == want, "want %s" % want)
        size = d.inspect(image, "{{.Size}}", "image")
        t.info("%s: image size %s bytes on Docker" % (label, size))
        if label == "scratch":
            t.check("scratch: the service + probe image is < %d bytes (is %s)"
                    % (SCRATCH_IMAGE_MAX, size), isinstance(size, int) and size < SCRATCH_IMAGE_MAX)
        for s in scenarios:
            s.image = image
            out.append(s)
    t.note("docker build keeps HEALTHCHECK as it is; podman build needs --format docker "
           "(the OCI format has no HEALTHCHECK)")
    return out


def status(d, s):
    return d.health(s.name).get("Status")


def wait_leave(d, s, state):
    """Polls until the health status is no longer `state`; returns it."""
    seen = {}

    def changed():
        seen["st"] = status(d, s)
        return seen["st"] != state
    poll(changed, BOUND)
    return seen["st"]


def last_log(d, s):
    log = d.health(s.name).get("Log") or []
    return log[-1] if log else {}


def ps_status(d, s):
    r = d.docker("ps", "-a", "--filter", "name=^/%s$" % s.name, "--format", "{{.Status}}")
    return r.out.strip()


def start(d, s, tag):
    s.name = "%s-%s" % (tag, re.sub(r"[^a-z0-9]+", "-", s.label))
    d.containers.append(s.name)
    r = d.docker("run", "-d", "--name", s.name, "--network", "none", "--read-only",
                 "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                 "--health-interval", "%ds" % INTERVAL, "--health-retries", "1",
                 *s.run_args, s.image)
    t0 = time.monotonic()
    if not t.check("%s: docker run -d --network none --read-only --cap-drop ALL" % s.label,
                   r, r.tail()):
        return
    st = status(d, s)
    ms = int((time.monotonic() - t0) * 1000)
    s.alive = True
    t.check("%s: state is `starting` before the first check (was %r, %d ms after the start)"
            % (s.label, st, ms), st == "starting",
            "the first check runs %d s after the start: this machine took longer" % INTERVAL)


def healthy_phase(d, s):
    st = wait_leave(d, s, "starting")
    t.check("%s: Docker's own timer makes it `healthy` (was %r)" % (s.label, st), st == "healthy",
            str(d.health(s.name))[:400])
    entry = last_log(d, s)
    out = entry.get("Output", "")
    t.check("%s: the health log holds exit 0 and 'healthy: HTTP 200 in N ms' (%r)"
            % (s.label, out), entry.get("ExitCode") == 0
            and re.fullmatch(r"healthy: HTTP 200 in \d+ ms\n", out) is not None)
    ps = ps_status(d, s)
    t.check("%s: docker ps says (healthy) (%r)" % (s.label, ps), ps.endswith("(healthy)"))
    pid = d.inspect(s.name, "{{.State.Pid}}")
    f = engines.proc_facts(pid)
    t.check("%s: PID 1 runs as uid %s, gid %s (uid %s, gid %s)"
            % (s.label, s.uid, s.gid, f["uid"], f["gid"]), (f["uid"], f["gid"]) == (s.uid, s.gid))
    if s.gid == "0":
        t.info("%s: `USER %s` alone leaves the group 0 (root's) in a scratch image: "
               "write `USER %s:%s`" % (s.label, s.uid, s.uid, s.uid))
    t.check("%s: PID 1 has no capabilities, none in its bounding set, no_new_privs (%s/%s/%s)"
            % (s.label, f["capeff"], f["capbnd"], f["nonewprivs"]),
            f["capeff"] == f["capbnd"] == "0000000000000000" and f["nonewprivs"] == "1")
    t.check("%s: its network namespace holds only lo (%s)" % (s.label, f["ifaces"]),
            f["ifaces"] == ["lo"])
    t.check("%s: its root file system is read-only" % s.label, f["root_ro"] is True)
    r = d.docker("exec", s.name, *s.probe)
    t.check("%s: docker exec %s -> 0 '%s' (an exec probe, as the kubelet runs it)"
            % (s.label, " ".join(s.probe), r.out.strip()),
            r.rc == 0 and r.out.startswith("healthy: HTTP 200 in "), r.text())
    r = d.docker("exec", s.name, *s.probe, "--no-such-flag")
    t.check("%s: docker exec ... --no-such-flag -> 64 (was %s)" % (s.label, r.rc), r.rc == 64)


def unhealthy_phase(d, s):
    st = wait_leave(d, s, "healthy")
    t.check("%s: after SIGUSR1 the next timed check makes it `unhealthy` (was %r)"
            % (s.label, st), st == "unhealthy")
    entry = last_log(d, s)
    t.check("%s: the health log holds exit 1 and the probe's line 'unhealthy: HTTP 503' (%r)"
            % (s.label, entry.get("Output")),
            entry.get("ExitCode") == 1 and entry.get("Output") == "unhealthy: HTTP 503\n")
    ps = ps_status(d, s)
    t.check("%s: docker ps says (unhealthy) (%r)" % (s.label, ps), ps.endswith("(unhealthy)"))
    r = d.docker("exec", s.name, *s.probe)
    t.check("%s: docker exec %s -> 1 '%s'" % (s.label, " ".join(s.probe), r.err.strip()),
            r.rc == 1 and r.err == "unhealthy: HTTP 503\n", r.text())


def recover_and_stop(d, s):
    st = wait_leave(d, s, "unhealthy")
    t.check("%s: SIGUSR1 again -> `healthy` again (was %r)" % (s.label, st), st == "healthy")
    t0 = time.monotonic()
    d.docker("stop", "-t", "10", s.name, timeout=120)
    ms = int((time.monotonic() - t0) * 1000)
    code = d.inspect(s.name, "{{.State.ExitCode}}")
    t.check("%s: docker stop: SIGTERM to PID 1 -> exit 0 in %d ms (was %s)" % (s.label, ms, code),
            code == 0 and ms < 5000)


def main():
    engines.signals_to_exit()
    d = engines.Dockerd(t)
    tmp = tempfile.mkdtemp(prefix="hc-docker-test.")
    tag = "hc-test-%d" % os.getpid()
    try:
        why = d.start()
        if why:
            d.cleanup()
            engines.unavailable("docker-test", "no Docker Engine: " + why)
        ver = d.docker("version", "--format", "{{.Server.Version}}").out.strip()
        t.info("Docker Engine %s, client %s" % (ver, engines.DOCKER))
        scenarios = build_images(d, tmp, tag)
        for s in scenarios:
            start(d, s, tag)
        live = [s for s in scenarios if s.alive]
        for s in live:
            healthy_phase(d, s)
        t.note("Docker ran every check above on its own timer (--health-interval %ds); podman 4.3 "
               "needs systemd for that, so run.sh calls `podman healthcheck run` itself" % INTERVAL)
        t.note("Docker applied --health-interval and --health-retries without --health-cmd; "
               "podman 4.3 needs the image's command passed again with them")
        for s in live:
            d.docker("kill", "--signal", "USR1", s.name)
        for s in live:
            unhealthy_phase(d, s)
        t.note("Docker's health log keeps the probe's newline ('unhealthy: HTTP 503\\n'); "
               "podman's drops it")
        for s in live:
            d.docker("kill", "--signal", "USR1", s.name)
        for s in live:
            recover_and_stop(d, s)
    finally:
        d.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    return t.end()


if __name__ == "__main__":
    sys.exit(main())
