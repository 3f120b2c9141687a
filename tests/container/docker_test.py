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
  tls        examples/Containerfile.tls        C service behind TLS (tls-front),
             /healthcheck-tls --cacert /ca.pem https://localhost:8443/healthz
  tls-pin    tests/container/Containerfile.tls-pin   the same with a self-signed
             certificate, /healthcheck-tls --pin sha256//..., USER 1000:1000
(the TLS images' certificates: tests/tls/gencerts.sh, made for the run)

Every container runs with --network none, --read-only, --cap-drop ALL,
no-new-privileges and a non-root user, and must go `starting` -> `healthy`
-> `unhealthy` in `docker inspect`, with the probe's one line in the health
log; SIGUSR1 is what turns the service's answers to 503.  The kernel's view
of PID 1 (/proc) confirms the user, the capabilities, the lone loopback and
the read-only root.

Where Docker and podman (tests/container/run.sh) differ, the output says so
in `note -` lines:
  - Docker runs the health checks on its own timers; podman 4.3 relies on
    systemd timers, which a machine without systemd lacks, so run.sh calls
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
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engines  # noqa: E402
from engines import B, ROOT, Tally  # noqa: E402
from dockerhealth import INTERVAL, Scenario, run_all  # noqa: E402

SCRATCH_IMAGE_MAX = int(os.environ.get("SCRATCH_IMAGE_MAX", "100000"))

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


TLS_URL = "https://localhost:8443/healthz"


def tls_builds(tmp):
    """The TLS images' builds: a test PKI, and a context of files for each."""
    pki = os.path.join(tmp, "pki")
    r = engines.deps("openssl")
    if r:
        r = engines.run(["sh", os.path.join(ROOT, "tests", "tls", "gencerts.sh"), pki])
    if not t.check("tls: a test PKI (tests/tls/gencerts.sh)", r, r.tail()):
        return []
    bins = [os.path.join(B, "examples", "service"), os.path.join(B, "container", "tls-front"),
            os.path.join(B, "healthcheck-tls")]
    if not t.check("tls: build/container/tls-front and build/healthcheck-tls exist",
                   all(os.path.exists(b) for b in bins)):
        return []
    files = {}
    for label, names in (("tls", {"ca.pem": "ca.pem", "server.pem": "rsa.pem",
                                  "server.key": "rsa.key"}),
                         ("tls-pin", {"server.pem": "selfsigned.pem",
                                      "server.key": "selfsigned.key"})):
        d = os.path.join(tmp, "files-" + label)
        os.makedirs(d)
        for dst, src in names.items():
            shutil.copyfile(os.path.join(pki, src), os.path.join(d, dst))
            os.chmod(os.path.join(d, dst), 0o644)
        files[label] = [os.path.join(d, n) for n in sorted(names)]
    with open(os.path.join(pki, "selfsigned.pin")) as f:
        pin = f.read().strip()
    with open(os.path.join(ROOT, "tests", "container", "Containerfile.tls-pin")) as f:
        pinned = f.read().replace("@PIN@", pin)
    return [("tls", "Containerfile.tls", bins + files["tls"],
             [Scenario("tls", None, ["/healthcheck-tls", "--cacert", "/ca.pem", TLS_URL],
                       "65534", "65534")]),
            ("tls-pin", ("tests/container/Containerfile.tls-pin", pinned), bins + files["tls-pin"],
             [Scenario("tls-pin as uid 1000", None, ["/healthcheck-tls", "--pin", pin, TLS_URL],
                       "1000", "1000")])]


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
                   ("seed", ("the seed's Dockerfile", SEED_DOCKERFILE), [rust],
                    # `USER 1000` names no group, and a scratch image has no
                    # /etc/passwd to find one in: the group is 0, root's.
                    [Scenario("seed as uid 1000", None, ["/app", "healthcheck"], "1000", "0"),
                     Scenario("seed as uid 65534", None, ["/app", "healthcheck"], "65534", "65534",
                              ["--user", "65534:65534"])])]
    elif engines.CI:
        t.check("build/examples/rust-service exists (make rust-example)", False)
    else:
        t.info("build/examples/rust-service not built (no cargo): the Rust images are not tested")
    builds += tls_builds(tmp)
    for label, cfile, bins, scenarios in builds:
        ctx = engines.copy_files(os.path.join(tmp, label), *bins)
        if isinstance(cfile, str):  # a file of examples/
            what, dockerfile = cfile, os.path.join(ROOT, "examples", cfile)
        else:  # (what, the text of a Dockerfile the test writes)
            what, dockerfile = cfile[0], os.path.join(ctx, "Dockerfile")
            with open(dockerfile, "w") as f:
                f.write(cfile[1])
        image = "%s-%s" % (tag, label)
        r = d.build(image, ctx, dockerfile)
        if not t.check("docker build %s (%s)" % (label, what), r, r.tail()):
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


def main():
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
        run_all(d, t, scenarios, tag)
        t.note("Docker ran every health check above on its own timer (--health-interval %ds); "
               "podman 4.3 needs systemd for that, so run.sh calls `podman healthcheck run` itself"
               % INTERVAL)
        t.note("Docker applied --health-interval and --health-retries without --health-cmd; "
               "podman 4.3 needs the image's command passed again with them")
        t.note("Docker's health log keeps the probe's newline ('unhealthy: HTTP 503\\n'); "
               "podman's drops it")
    finally:
        d.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    return t.end()


if __name__ == "__main__":
    engines.main("docker-test", main)
