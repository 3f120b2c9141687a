#!/usr/bin/python3
"""compose_test.py - examples/compose.yaml, as users have it, under Debian's
docker-compose (1.29, on the tests' own dockerd) and podman-compose (1.0.3,
on a private podman store).

The compose file is the one users copy.  An override file written here adds
what this machine needs and nothing about health: each image is built from
the binaries built here (examples/Containerfile.scratch for `service`,
Containerfile.embedded for `service-embedded`, whose HEALTHCHECKs are those of
examples/Dockerfile's two images), every container gets `network_mode: none`
(no bridge, no published port on a shared machine), and the checks run every
second instead of every ten.

docker-compose:
  - the file as it is: `up -d` waits for `service` to be healthy, then starts
    `service-embedded` (its start is after the first passing check); both
    turn (healthy); `kill -s USR1 service` turns `service` (unhealthy) in
    `ps`, with the probe's line in `docker inspect`;
  - `service` made to fail (listening elsewhere): `up -d` refuses to start
    `service-embedded` and says the dependency is unhealthy;
  - a compose `test: ["CMD", ...]` is run as written, in exec form.
podman-compose (where it differs, the output says so in `note -` lines):
  - it builds with BUILDAH_FORMAT=docker, as the file says (else no HEALTHCHECK);
  - it starts `service-embedded` at once: `service` is still `starting`,
    since podman runs no health check by itself here (no systemd timers);
  - `podman healthcheck run`, by hand, makes both healthy; SIGUSR1 and three
    more runs (the image's retries) make `service` (unhealthy) in `ps`;
  - a compose `test: ["CMD", ...]` becomes CMD-SHELL `/bin/sh -c ...`, which
    fails in a scratch image: why the file has no `test:`.
  podman-compose 1.0.3 adds its project network even with `network_mode:
  none`, which podman refuses; podman-netnone.sh (its --podman-path) drops it.

Usage: compose_test.py   (from the repository root, after make).
"""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engines  # noqa: E402
from engines import B, ROOT, Tally, poll  # noqa: E402

COMPOSE = os.path.join(ROOT, "examples", "compose.yaml")
BOUND = 120
t = Tally("compose-test")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def override(tmp, ctx):
    """Build from the binaries built here; no network; checks every second."""
    ex = os.path.join(ROOT, "examples")
    return write(os.path.join(tmp, "override.yaml"), """\
services:
  service:
    build:
      context: {ctx}
      dockerfile: {ex}/Containerfile.scratch
    network_mode: none
    healthcheck:
      interval: 1s
  service-embedded:
    build:
      context: {ctx}
      dockerfile: {ex}/Containerfile.embedded
    network_mode: none
    healthcheck:
      interval: 1s
""".format(ctx=ctx, ex=ex))


def broken(tmp):
    """`service` listens on 8090; its HEALTHCHECK probes 8080."""
    return write(os.path.join(tmp, "broken.yaml"), """\
services:
  service:
    environment:
      PORT: "8090"
    healthcheck:
      start_period: 1s
""")


def with_test(tmp):
    """A compose-level test in exec form, the same command as the image's."""
    return write(os.path.join(tmp, "test.yaml"), """\
services:
  service:
    healthcheck:
      test: ["CMD", "/healthcheck", "http://localhost:8080/healthz"]
""")


def timestamp(text):
    """Docker's RFC 3339 time with nanoseconds -> seconds (float)."""
    import calendar
    m = re.match(r"(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(\.\d+)?Z$", text or "")
    if not m:
        return None
    secs = calendar.timegm(tuple(int(x) for x in m.groups()[:6]))
    return secs + float(m.group(7) or 0)


# ---------------------------------------------------------------- docker-compose

class DockerCompose:
    def __init__(self, d, project, files):
        self.d, self.project, self.files = d, project, files
        self.env = dict(d.env, PATH=engines.SBIN_PATH)
        for k in list(self.env):
            if k.startswith("COMPOSE_"):
                del self.env[k]

    def __call__(self, *args, files=(), timeout=600):
        argv = ["docker-compose", "--no-ansi", "-p", self.project]
        for f in list(self.files) + list(files):
            argv += ["-f", f]
        return engines.run(argv + list(args), env=self.env, timeout=timeout)

    def name(self, service):
        return "%s_%s_1" % (self.project, service)

    def ps_line(self, service):
        for line in self("ps").out.splitlines():
            if line.startswith(self.name(service) + " "):
                return line
        return ""


def docker_compose(d, tmp, ctx):
    project = "hc%d" % os.getpid()
    c = DockerCompose(d, project, [COMPOSE, override(tmp, ctx)])
    d.images += ["healthcheck-example:latest", "healthcheck-example-embedded:latest"]
    try:
        # 1. service never healthy: service-embedded must not start.
        r = c("up", "-d", files=[broken(tmp)])
        says = "unhealthy" in r.text()
        t.check("docker-compose: `service` failing, `up -d` fails and says it is unhealthy "
                "(exit %s)" % r.rc, r.rc not in (0, None) and says, r.tail())
        st = d.health(c.name("service"))
        out = (st.get("Log") or [{}])[-1].get("Output")
        t.check("docker-compose: its health log says why: %r" % out,
                st.get("Status") == "unhealthy" and out == "unhealthy: connection refused\n")
        gone = d.inspect(c.name("service-embedded"), "{{.State.Status}}")
        t.check("docker-compose: service-embedded was never started (%s)" % gone, gone is None)
        c("down", "-t", "2", files=[broken(tmp)])

        # 2. as it is: service-embedded starts once service is healthy.
        r = c("up", "-d")
        t.check("docker-compose up -d (exit %s)" % r.rc, r.rc == 0, r.tail())
        first = d.health(c.name("service"))
        passed = [x for x in first.get("Log") or [] if x.get("ExitCode") == 0]
        started = d.inspect(c.name("service-embedded"), "{{.State.StartedAt}}")
        t0, t1 = timestamp(passed[0]["End"]) if passed else None, timestamp(started)
        t.check("docker-compose: service-embedded started after service's first passing check "
                "(%s after %s)" % (started, passed[0]["End"] if passed else None),
                t0 is not None and t1 is not None and t1 >= t0)
        for svc in ("service", "service-embedded"):
            line = poll(lambda: "(healthy)" in c.ps_line(svc) and c.ps_line(svc), BOUND)
            t.check("docker-compose ps: %s (healthy) (%r)" % (svc, line), bool(line))
        test = d.inspect(c.name("service-embedded"), "{{json .Config.Healthcheck.Test}}")
        t.check("docker-compose: with no `test:`, the image's HEALTHCHECK runs (%s)" % test,
                test == ["CMD", "/service", "healthcheck"])

        # 3. break the first.
        r = c("kill", "-s", "USR1", "service")
        t.check("docker-compose kill -s USR1 service", r.rc == 0, r.tail())
        line = poll(lambda: "(unhealthy)" in c.ps_line("service") and c.ps_line("service"), BOUND)
        t.check("docker-compose ps: service (unhealthy) (%r)" % line, bool(line))
        log = d.health(c.name("service")).get("Log") or [{}]
        t.check("docker-compose: docker inspect shows the probe's line (%r)"
                % log[-1].get("Output"),
                log[-1].get("ExitCode") == 1 and log[-1].get("Output") == "unhealthy: HTTP 503\n")
        r = c("down", "-t", "5")
        t.check("docker-compose down", r.rc == 0, r.tail())
        left = d.docker("ps", "-aq", "--filter", "label=com.docker.compose.project=" + project)
        t.check("docker-compose down: none of the project's containers is left",
                left.out.strip() == "")

        # 4. a compose `test:` in exec form runs as written on Docker.
        r = c("up", "-d", "service", files=[with_test(tmp)])
        test = d.inspect(c.name("service"), "{{json .Config.Healthcheck.Test}}")
        st = poll(lambda: d.health(c.name("service")).get("Status") == "healthy", BOUND)
        t.check("docker-compose: a `test: [\"CMD\", ...]` stays exec form (%s) and passes" % test,
                r.rc == 0 and st
                and test == ["CMD", "/healthcheck", "http://localhost:8080/healthz"])
    finally:
        c("down", "-t", "2", files=[with_test(tmp)], timeout=300)


# ---------------------------------------------------------------- podman-compose

class PodmanCompose:
    def __init__(self, p, project, files):
        self.p, self.project, self.files = p, project, files
        self.env = dict(p.env, BUILDAH_FORMAT="docker")
        for k in list(self.env):
            if k.startswith("COMPOSE_") or k.startswith("PODMAN_"):
                del self.env[k]
        self.wrapper = os.path.join(ROOT, "tests", "container", "podman-netnone.sh")

    def __call__(self, *args, files=(), timeout=600):
        argv = ["podman-compose", "--podman-path", self.wrapper, "-p", self.project]
        for f in list(self.files) + list(files):
            argv += ["-f", f]
        return engines.run(argv + list(args), env=self.env, timeout=timeout)

    def name(self, service):
        return "%s_%s_1" % (self.project, service)

    def ps_line(self, service):
        for line in self("ps").out.splitlines():
            if line.rstrip().endswith(" " + self.name(service)):
                return line
        return ""


def podman_health(p, name):
    h = p.inspect(name, "{{json .State.Health}}")
    return h if isinstance(h, dict) else {}


def podman_compose(p, tmp, ctx):
    project = "hc%d" % os.getpid()
    c = PodmanCompose(p, project, [COMPOSE, override(tmp, ctx)])
    p.containers += [c.name("service"), c.name("service-embedded")]
    try:
        r = c("up", "-d")
        states = [p.inspect(c.name(s), "{{.State.Status}}")
                  for s in ("service", "service-embedded")]
        t.check("podman-compose up -d: both containers run (%s)" % states,
                states == ["running", "running"], r.tail())
        tests = [p.inspect(c.name(s), "{{json .Config.Healthcheck.Test}}")
                 for s in ("service", "service-embedded")]
        t.check("podman-compose: built with BUILDAH_FORMAT=docker, each image's HEALTHCHECK "
                "is there, in exec form (%s)" % tests,
                tests == [["CMD", "/healthcheck", "http://localhost:8080/healthz"],
                          ["CMD", "/service", "healthcheck"]])
        st = podman_health(p, c.name("service")).get("Status")
        t.check("podman-compose: service-embedded runs while service is still `%s`" % st,
                st == "starting")
        t.note("podman-compose 1.0.3 does not wait for service_healthy: it started "
               "service-embedded at once (docker-compose waited for the first passing check)")
        t.note("podman runs no health check by itself here (no systemd timers): "
               "the test runs `podman healthcheck run` (docker-compose: Docker's own timers)")
        for svc in ("service", "service-embedded"):
            ok = poll(lambda: p.podman("healthcheck", "run", c.name(svc)).rc == 0, BOUND, 0.5)
            line = c.ps_line(svc)
            t.check("podman-compose ps: %s (healthy) after `podman healthcheck run` (%r)"
                    % (svc, line), ok and "(healthy)" in line)
        # podman-compose 1.0.3 has no `kill`: podman's own.
        p.podman("kill", "--signal", "USR1", c.name("service"))

        def unhealthy():
            p.podman("healthcheck", "run", c.name("service"))
            return podman_health(p, c.name("service")).get("Status") == "unhealthy"
        ok = poll(unhealthy, BOUND, 0.5)
        line = c.ps_line("service")
        t.check("podman-compose ps: service (unhealthy) once SIGUSR1 and the image's 3 retries "
                "have run (%r)" % line, ok and "(unhealthy)" in line)
        log = podman_health(p, c.name("service")).get("Log") or [{}]
        t.check("podman-compose: podman inspect shows the probe's line (%r)"
                % log[-1].get("Output"),
                log[-1].get("ExitCode") == 1 and log[-1].get("Output") == "unhealthy: HTTP 503")
        r = c("down", "-t", "5")
        left = p.podman("ps", "-aq", "--filter", "label=io.podman.compose.project=" + project)
        t.check("podman-compose down: none of the project's containers is left",
                left.rc == 0 and left.out.strip() == "", r.tail())

        # A compose `test:` in exec form: podman-compose 1.0.3 hands it to /bin/sh.
        c("up", "-d", files=[with_test(tmp)])
        test = p.inspect(c.name("service"), "{{json .Config.Healthcheck.Test}}")
        r = p.podman("healthcheck", "run", c.name("service"))
        log = podman_health(p, c.name("service")).get("Log") or [{}]
        t.check("podman-compose: a `test: [\"CMD\", ...]` becomes %s, and fails in a scratch "
                "image (exit %s, %r)" % (test, r.rc, log[-1].get("Output", "")[:80]),
                isinstance(test, list) and test[:1] == ["CMD-SHELL"] and "/bin/sh" in test[1]
                and r.rc != 0)
        t.note("podman-compose 1.0.3 runs a compose `test: [\"CMD\", ...]` through /bin/sh -c; "
               "Docker Compose runs it as written: compose.yaml leaves `test:` to the images")
    finally:
        c("down", "-t", "2", files=[with_test(tmp)], timeout=300)


def main():
    tmp = tempfile.mkdtemp(prefix="hc-compose-test.")
    ctx = engines.copy_files(os.path.join(tmp, "ctx"), os.path.join(B, "examples", "service"),
                             os.path.join(B, "healthcheck"))
    d = engines.Dockerd(t)
    p = engines.PodmanStore(t)
    try:
        r = engines.deps("docker-compose", "podman-compose") if engines.have_root() else None
        if r is not None and not r:
            t.check("docker-compose and podman-compose are installed", False, r.tail())
        why = d.start()
        if why:
            engines.unavailable("compose-test", "no Docker Engine: " + why)
        why = p.start()
        if why:
            engines.unavailable("compose-test", "no podman: " + why)
        t.info("docker-compose %s, podman-compose %s" % (
            engines.run(["docker-compose", "version", "--short"]).out.strip(),
            engines.run(["dpkg-query", "-W", "-f", "${Version}", "podman-compose"]).out.strip()))
        docker_compose(d, tmp, ctx)
        podman_compose(p, tmp, ctx)
    finally:
        d.cleanup()
        p.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    return t.end()


if __name__ == "__main__":
    engines.main("compose-test", main)
