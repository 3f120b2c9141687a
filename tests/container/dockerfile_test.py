#!/usr/bin/python3
"""dockerfile_test.py - examples/Dockerfile built on Docker Engine the way a
user builds it in their own project, then run.

What a user has, made here without a registry:
  - the base image: debian:bookworm-slim cannot be pulled, so debootstrap
    makes a minimal bookworm root (cached in build/docker-base/, it takes a
    while), trimmed like the slim image (no docs, man pages, locales or apt
    lists), and `docker import` makes it a local image, passed as the BASE
    build argument; `docker build --network host` lets its apt-get reach the
    host's Debian mirror;
  - healthcheck's git repository: a bare repository of this working tree,
    with the tag the Dockerfile pins, served by `git daemon` on 127.0.0.1
    and passed as HEALTHCHECK_GIT;
  - their project: examples/service, which holds only service.c.

Then: a build without HEALTHCHECK_GIT stops with the message that asks for
it; `docker build` makes the default image, and compose.yaml's own build
section (docker-compose build) makes both, `--target embedded` the second,
from Docker's build cache by then; each image holds its binaries and nothing
else, and goes starting -> healthy -> unhealthy -> healthy on Docker's
timers (dockerhealth.py).

Usage: dockerfile_test.py   (from the repository root).
"""
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engines  # noqa: E402
from engines import B, ROOT, Tally, poll, run  # noqa: E402
from dockerhealth import Scenario, run_all  # noqa: E402

DOCKERFILE = os.path.join(ROOT, "examples", "Dockerfile")
SUITE = "bookworm"
# The recipe of the cached root: change it and the name changes.
ROOTFS_RECIPE = "minbase, trimmed like -slim, host's Debian sources, v2"
t = Tally("dockerfile-test")


# ---------------------------------------------------------------- the base image

def host_debian_sources():
    """The host's Debian sources (deb822) and its main archive URL."""
    path = "/etc/apt/sources.list.d/debian.sources"
    mirror = "http://deb.debian.org/debian"
    text = None
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
        for line in text.splitlines():
            if line.startswith("URIs:"):
                uri = line.split()[1]
                if uri.rstrip("/").endswith("/debian"):
                    mirror = uri
                    break
    elif os.path.exists("/etc/apt/sources.list"):
        with open("/etc/apt/sources.list") as f:
            for line in f:
                w = line.split()
                if len(w) >= 3 and w[0] == "deb" and w[1].rstrip("/").endswith("/debian"):
                    mirror = w[1]
                    break
    return text, mirror


SLIM_EXCLUDES = """\
# Like the debian:*-slim images: no documentation, manual pages or
# translations (this root was made by the tests, with debootstrap).
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
"""

# Like the Debian images, too: apt keeps neither the packages it installed
# nor its binary caches, so they do not end up in an image's layers.
APT_CLEAN = """\
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
"""


def make_rootfs(tarball):
    """debootstrap a minimal bookworm into a tarball (the cache)."""
    sources, mirror = host_debian_sources()
    work = tempfile.mkdtemp(prefix="hc-debootstrap.")
    root = os.path.join(work, "root")
    try:
        t0 = time.monotonic()
        r = run(["debootstrap", "--variant=minbase", SUITE, root, mirror],
                env=engines.clean_env(), timeout=1800)
        if not t.check("debootstrap --variant=minbase %s from %s (%d s)"
                       % (SUITE, mirror, time.monotonic() - t0), r, r.tail()):
            return False
        for sub in ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc",
                    "usr/share/man", "usr/share/info", "usr/share/locale"):
            d = os.path.join(root, sub)
            for name in os.listdir(d) if os.path.isdir(d) else []:
                p = os.path.join(d, name)
                if os.path.isdir(p) and not os.path.islink(p):
                    shutil.rmtree(p)
                elif name != "lock":
                    os.unlink(p)
        with open(os.path.join(root, "etc/dpkg/dpkg.cfg.d/slim-excludes"), "w") as f:
            f.write(SLIM_EXCLUDES)
        with open(os.path.join(root, "etc/apt/apt.conf.d/docker-clean"), "w") as f:
            f.write(APT_CLEAN)
        if sources:  # the host's own mirrors, updates and security included
            os.unlink(os.path.join(root, "etc/apt/sources.list"))
            with open(os.path.join(root, "etc/apt/sources.list.d/debian.sources"), "w") as f:
                f.write(sources)
        os.makedirs(os.path.dirname(tarball), exist_ok=True)
        r = run(["tar", "--numeric-owner", "-C", root, "-cf", tarball + ".tmp", "."], timeout=900)
        if not t.check("the root, as a tarball for docker import", r, r.tail()):
            return False
        os.rename(tarball + ".tmp", tarball)
        for old in os.listdir(os.path.dirname(tarball)):  # roots of older recipes
            if old != os.path.basename(tarball):
                os.unlink(os.path.join(os.path.dirname(tarball), old))
        return True
    finally:
        shutil.rmtree(work, ignore_errors=True)


def base_image(d, name):
    digest = hashlib.sha256((ROOTFS_RECIPE + repr(host_debian_sources())).encode()).hexdigest()
    tarball = os.path.join(B, "docker-base", "%s-%s.tar" % (SUITE, digest[:12]))
    if os.path.exists(tarball):
        t.info("base: %s (cached; `rm` it to debootstrap again)" % os.path.relpath(tarball, ROOT))
    elif not make_rootfs(tarball):
        return False
    t.info("base: the root is %d MB" % (os.path.getsize(tarball) >> 20))
    d.images.append(name)
    t0 = time.monotonic()
    r = d.docker("import", tarball, name, timeout=900)
    return t.check("docker import %s as %s (%.1f s)"
                   % (os.path.basename(tarball), name, time.monotonic() - t0), r, r.tail())


# ---------------------------------------------------------------- the git server

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def dockerfile_default(arg):
    with open(DOCKERFILE) as f:
        for line in f:
            if line.startswith("ARG %s=" % arg):
                return line.split("=", 1)[1].strip()
    return None


def serve_repository(tmp, tag):
    """A bare repository of this working tree as it is (tracked and new
    files, what .gitignore leaves out left out), tagged `tag`, served
    read-only by git daemon on 127.0.0.1.  Returns (url, process)."""
    base = os.path.join(tmp, "git")
    repo = os.path.join(base, "healthcheck.git")
    git = ["git", "-c", "user.name=healthcheck tests", "-c", "user.email=tests@localhost",
           "--git-dir", repo, "--work-tree", ROOT]
    env = engines.clean_env({"GIT_CONFIG_NOSYSTEM": "1", "HOME": tmp})
    steps = [["git", "init", "--quiet", "--bare", repo], git + ["add", "--all"],
             git + ["commit", "--quiet", "-m", "the working tree under test"],
             git + ["tag", tag]]
    for argv in steps:
        r = run(argv, env=env, timeout=300)
        if not r:
            t.check("a bare repository of the working tree: " + " ".join(argv[-2:]), False,
                    r.tail())
            return None, None
    files = run(git + ["ls-files"], env=env).out.count("\n")
    port = free_port()
    log = open(os.path.join(tmp, "git-daemon.log"), "wb")
    proc = subprocess.Popen(["git", "daemon", "--reuseaddr", "--listen=127.0.0.1",
                             "--port=%d" % port, "--base-path=" + base, "--export-all",
                             "--informative-errors", base],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
    log.close()

    def listening():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return True
        except OSError:
            return proc.poll() is not None
    poll(listening, 60, 0.1)
    url = "git://127.0.0.1:%d/healthcheck.git" % port
    t.check("git daemon serves the working tree (%d files) at %s, tag %s" % (files, url, tag),
            proc.poll() is None, open(os.path.join(tmp, "git-daemon.log")).read()[-500:])
    return url, proc


# ---------------------------------------------------------------- checks

def image_files(d, image):
    """Every path in an image's layers, with its size: from `docker save`."""
    r = subprocess.run([engines.DOCKER, "-H", d.host, "save", image], env=d.env,
                       capture_output=True, timeout=300)
    if r.returncode:
        return None
    outer = tarfile.open(fileobj=io.BytesIO(r.stdout))
    manifest = json.load(outer.extractfile("manifest.json"))[0]
    files = {}
    for layer in manifest["Layers"]:
        inner = tarfile.open(fileobj=outer.extractfile(layer))
        for m in inner.getmembers():
            if not m.isdir():
                files["/" + m.name.lstrip("./")] = m.size
    return files


def user_project():
    """A user's project: examples/service, their service's source and nothing
    of this repository (the same context compose.yaml builds)."""
    project = os.path.join(ROOT, "examples", "service")
    files = sorted(os.listdir(project))
    t.check("the build context, examples/service, holds only the service's source (%s)" % files,
            files == ["service.c"])
    return project


def compose_build(d, tmp, base, url):
    """compose.yaml's own build section, plus what this machine needs:
    the local base image and the host's network for apt-get and git."""
    over = os.path.join(tmp, "compose-build.yaml")
    with open(over, "w") as f:
        f.write("services:\n")
        for svc in ("service", "service-embedded"):
            f.write("  %s:\n    build:\n      network: host\n      args:\n"
                    "        BASE: %s\n" % (svc, base))
    # COMPOSE_DOCKER_CLI_BUILD: docker-compose hands the build to the docker
    # client, which sends the context as `docker build` did, so the build
    # stage comes from the cache (docker-compose's own builder would run it
    # again). The client it runs is `docker` on PATH: Debian's.
    bindir = os.path.join(tmp, "bin")
    os.makedirs(bindir, exist_ok=True)
    os.symlink(engines.DOCKER, os.path.join(bindir, "docker"))
    env = {k: v for k, v in d.env.items() if not k.startswith("COMPOSE_")}
    env.update(PATH=bindir + ":" + engines.SBIN_PATH, HEALTHCHECK_GIT=url,
               COMPOSE_DOCKER_CLI_BUILD="1")
    d.images += ["healthcheck-example:latest", "healthcheck-example-embedded:latest"]
    t0 = time.monotonic()
    r = run(["docker-compose", "--no-ansi", "-p", "hc%d" % os.getpid(), "-f",
             os.path.join(ROOT, "examples", "compose.yaml"), "-f", over, "build"],
            env=env, timeout=1800)
    t.check("docker-compose build: compose.yaml's build section (%.0f s)"
            % (time.monotonic() - t0), r, r.tail())
    for image, want in (("healthcheck-example:latest",
                         ["CMD", "/healthcheck", "http://localhost:8080/healthz"]),
                        ("healthcheck-example-embedded:latest",
                         ["CMD", "/service", "healthcheck"])):
        test = d.inspect(image, "{{json .Config.Healthcheck.Test}}", "image")
        t.check("docker-compose build: %s has HEALTHCHECK %s" % (image, test), test == want)
    return "healthcheck-example-embedded:latest"


def main():
    d = engines.Dockerd(t)
    tmp = tempfile.mkdtemp(prefix="hc-dockerfile-test.")
    tag = "hc-test-%d" % os.getpid()
    git_daemon = None
    try:
        if engines.have_root():
            r = engines.deps("debootstrap", "git", "docker-compose")
            if not r:
                engines.unavailable("dockerfile-test", "debootstrap and git: " + r.tail(3))
        why = d.start()
        if why:
            engines.unavailable("dockerfile-test", "no Docker Engine: " + why)
        base = tag + "-bookworm:local"
        if not base_image(d, base):
            return t.end()
        git_tag = dockerfile_default("HEALTHCHECK_TAG")
        url, git_daemon = serve_repository(tmp, git_tag)
        if not url:
            return t.end()
        project = user_project()
        common = ["--network", "host", "--build-arg", "BASE=" + base]

        # The first build: apt-get runs here, and the builds after it take
        # that step from the cache.
        t0 = time.monotonic()
        r = d.build(tag + "-nogit", project, DOCKERFILE, common, timeout=1800)
        t.check("docker build without HEALTHCHECK_GIT stops, and asks for it (exit %s, %.0f s)"
                % (r.rc, time.monotonic() - t0),
                not r and "give --build-arg HEALTHCHECK_GIT=" in r.text(), r.tail())
        image = tag + "-default"
        t0 = time.monotonic()
        r = d.build(image, project, DOCKERFILE,
                    common + ["--build-arg", "HEALTHCHECK_GIT=" + url], timeout=1800)
        if not t.check("docker build --network host -f examples/Dockerfile PROJECT (%.0f s)"
                       % (time.monotonic() - t0), r, r.tail(20)):
            return t.end()
        # compose.yaml builds both images, the second with --target embedded.
        embedded = compose_build(d, tmp, base, url)
        scenarios = []
        for what, img, probe, want in (
                ("default", image, ["/healthcheck", "http://localhost:8080/healthz"],
                 {"/service", "/healthcheck"}),
                ("embedded", embedded, ["/service", "healthcheck"], {"/service"})):
            files = image_files(d, img) or {}
            size = d.inspect(img, "{{.Size}}", "image")
            t.check("%s image: holds %s and nothing else (%s), %s bytes"
                    % (what, sorted(want), sorted(files), size), set(files) == want)
            scenarios.append(Scenario("Dockerfile " + what, img, probe, "65534", "65534"))
            if "/healthcheck" in files and os.path.exists(os.path.join(B, "healthcheck")):
                t.info("the image's /healthcheck is %d bytes, build/healthcheck %d"
                       % (files["/healthcheck"], os.path.getsize(os.path.join(B, "healthcheck"))))
        run_all(d, t, scenarios, tag)
    finally:
        if git_daemon:
            git_daemon.terminate()
            git_daemon.wait(timeout=30)
        d.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    return t.end()


if __name__ == "__main__":
    engines.main("dockerfile-test", main)
