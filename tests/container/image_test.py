#!/usr/bin/python3
"""image_test.py - `make image`, and a user's image that copies the probe
from it, on podman (a private store) and Docker Engine (the tests' dockerd).

  - `make image` runs twice (a second run replaces the first): podman holds
    healthcheck:VERSION as a manifest list with one image per platform that
    has a binary (build/healthcheck for this machine's, build/cross/linux-*/
    for the others), each with the right os/architecture/variant; Docker
    holds healthcheck:VERSION for this machine's platform, the same image;
  - every image holds /healthcheck and nothing else, the binary it was made
    from, with the OCI labels (version, licenses, source and revision when
    known); it runs (`--version`) on both engines;
  - a binary built for another machine is refused before anything is made,
    and with no Docker daemon answering the image is still made, and says so;
  - README.md's first Dockerfile (`COPY --from=healthcheck:VERSION ...`) is
    built with the example service on both engines: the probe in it is the
    image's, and the container becomes healthy, then unhealthy with the
    probe's line (Docker by its timers, podman by `podman healthcheck run`).

Usage: image_test.py   (from the repository root, after make).
"""
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engines  # noqa: E402
from engines import B, ROOT, Tally, poll, run  # noqa: E402
from dockerhealth import Scenario, run_all  # noqa: E402

PLATFORMS = ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/386", "linux/riscv64",
             "linux/ppc64le", "linux/s390x"]
NATIVE = {"x86_64": "linux/amd64", "aarch64": "linux/arm64", "armv7l": "linux/arm/v7",
          "i686": "linux/386", "riscv64": "linux/riscv64", "ppc64le": "linux/ppc64le",
          "s390x": "linux/s390x"}.get(os.uname().machine)
t = Tally("image-test")


def arch_dir(platform):
    return "linux-" + platform[len("linux/"):].replace("/", "-")


def expected_binaries():
    """{platform: binary} as `make image` should find them."""
    out = {}
    for p in PLATFORMS:
        b = os.path.join(B, "cross", arch_dir(p), "healthcheck")
        if not os.path.exists(b) and p == NATIVE:
            b = os.path.join(B, "healthcheck")
        if os.path.exists(b):
            out[p] = b
    return out


def read(path):
    with open(path, "rb") as f:
        return f.read()


def layer_files(archive):
    """{path: bytes} of every file in a docker-archive's layers."""
    outer = tarfile.open(fileobj=io.BytesIO(archive))
    manifest = json.load(outer.extractfile("manifest.json"))[0]
    files = {}
    for layer in manifest["Layers"]:
        inner = tarfile.open(fileobj=outer.extractfile(layer))
        for m in inner.getmembers():
            if not m.isdir():
                f = inner.extractfile(m)
                files["/" + m.name.lstrip("./")] = (f.read() if f else b"", m.mode)
    return files


def save(argv, env):
    r = subprocess.run(argv, env=env, capture_output=True, timeout=300)
    return r.stdout if r.returncode == 0 else None


def make_image(d, p, *extra):
    env = dict(p.env, DOCKER_HOST=d.host, DOCKER_CONFIG=d.client_dir)
    return run(["make", "--no-print-directory", "-s", "image", "PODMAN=podman",
                "DOCKER=" + engines.DOCKER] + list(extra), env=env, timeout=900)


def check_labels(where, labels, version):
    labels = labels or {}
    want = {"org.opencontainers.image.version": version,
            "org.opencontainers.image.title": "healthcheck"}
    t.check("%s: labels version %s, title, licenses%s" % (
        where, version, ", source, revision" if "org.opencontainers.image.source" in labels else
        ""), all(labels.get(k) == v for k, v in want.items())
        and labels.get("org.opencontainers.image.licenses")
        and ("org.opencontainers.image.revision" in labels
             or run(["git", "-C", ROOT, "rev-parse", "HEAD"]).rc != 0), repr(labels))


def test_podman(p, version, binaries):
    name = "healthcheck:" + version
    r = p.podman("manifest", "inspect", name)
    try:
        lst = json.loads(r.out) or {}
    except ValueError:
        lst = {}
    got = {}
    for m in lst.get("manifests") or []:
        pl = m.get("platform", {})
        key = "%s/%s%s" % (pl.get("os"), pl.get("architecture"),
                           "/" + pl["variant"] if pl.get("variant") else "")
        got[key] = m.get("digest")
    t.check("podman: %s is a manifest list of %s (has %s)" % (name, sorted(binaries), sorted(got)),
            set(got) == set(binaries), r.tail())
    for platform, binary in sorted(binaries.items()):
        image = "localhost/healthcheck:%s-%s" % (version, arch_dir(platform))
        cfg = p.inspect(image, "{{json .}}", "image") or {}
        plat = "%s/%s%s" % (cfg.get("Os"), cfg.get("Architecture"),
                            "/" + cfg["Variant"] if cfg.get("Variant") else "")
        digest = p.inspect(image, "{{.Digest}}", "image")
        # podman 4.3 keeps no variant in an image's own config (arm/v7
        # is "arm" there): the list entry, which has it, says the rest
        base = platform.rsplit("/", 1)[0] if platform.count("/") == 2 else platform
        t.check("podman: %s is %s, and is the list's %s entry" % (image, plat, platform),
                plat in (platform, base) and got.get(platform) == digest,
                "%s vs %s" % (digest, got))
        archive = save(["podman", "save", "--format", "docker-archive", image], p.env)
        files = layer_files(archive) if archive else {}
        t.check("podman: %s holds /healthcheck (mode 755) and nothing else, the bytes of %s"
                % (image, os.path.relpath(binary, ROOT)),
                list(files) == ["/healthcheck"] and files["/healthcheck"][0] == read(binary)
                and files["/healthcheck"][1] & 0o777 == 0o755, repr(sorted(files)))
        check_labels("podman: " + image, (cfg.get("Config") or {}).get("Labels")
                     or cfg.get("Labels"), version)
        t.info("podman: %s is %s bytes" % (image, cfg.get("Size")))
    r = p.podman("run", "--rm", "--network", "none", name, "--version")
    t.check("podman run %s --version -> 0, '%s'" % (name, r.out.strip()),
            r.rc == 0 and version in r.out, r.tail())


def test_docker(d, version, binaries):
    name = "healthcheck:" + version
    cfg = d.inspect(name, "{{json .}}", "image") or {}
    plat = "%s/%s" % (cfg.get("Os"), cfg.get("Architecture"))
    t.check("docker: %s is loaded, for this machine's platform (%s)" % (name, plat),
            plat == NATIVE)
    archive = save([engines.DOCKER, "-H", d.host, "save", name], d.env)
    files = layer_files(archive) if archive else {}
    binary = binaries.get(NATIVE)
    t.check("docker: %s holds /healthcheck and nothing else, the bytes of %s"
            % (name, binary and os.path.relpath(binary, ROOT)),
            binary and list(files) == ["/healthcheck"] and files["/healthcheck"][0] == read(binary),
            repr(sorted(files)))
    check_labels("docker: " + name, (cfg.get("Config") or {}).get("Labels"), version)
    size = cfg.get("Size")
    t.info("docker: %s is %s bytes" % (name, size))
    r = d.docker("run", "--rm", "--network", "none", name, "--version")
    t.check("docker run %s --version -> 0, '%s'" % (name, r.out.strip()),
            r.rc == 0 and version in r.out, r.tail())
    return files.get("/healthcheck", (None,))[0]


def readme_dockerfile():
    """The first ```dockerfile block of README.md."""
    with open(os.path.join(ROOT, "README.md")) as f:
        m = re.search(r"```dockerfile\n(.*?)```", f.read(), re.S)
    return m.group(1) if m else ""


def user_image_docker(d, tmp, tag, version, probe_bytes):
    text = readme_dockerfile()
    t.check("README.md's first Dockerfile copies the probe from healthcheck:%s" % version,
            "COPY --from=healthcheck:%s /healthcheck /healthcheck" % version in text, text)
    ctx = engines.copy_files(os.path.join(tmp, "user"), os.path.join(B, "examples", "service"))
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write(text)
    image = tag + "-user"
    r = d.build(image, ctx)
    if not t.check("docker build README.md's Dockerfile (COPY --from=healthcheck:%s)" % version,
                   r, r.tail()):
        return ctx
    archive = save([engines.DOCKER, "-H", d.host, "save", image], d.env)
    files = layer_files(archive) if archive else {}
    t.check("docker: the user's image holds /service and the image's /healthcheck (%s)"
            % sorted(files), set(files) == {"/service", "/healthcheck"}
            and files["/healthcheck"][0] == probe_bytes)
    test = d.inspect(image, "{{json .Config.Healthcheck.Test}}", "image")
    run_all(d, t, [Scenario("user image on Docker", image, test[1:], "65534", "65534")], tag)
    return ctx


def user_image_podman(p, ctx, tag, version):
    image = tag + "-user"
    r = p.podman("build", "--quiet", "--format", "docker", "-t", image, ctx, timeout=600)
    if not t.check("podman build --format docker README.md's Dockerfile (COPY --from the "
                   "manifest list healthcheck:%s)" % version, r, r.tail()):
        return
    archive = save(["podman", "save", "--format", "docker-archive", image], p.env)
    files = layer_files(archive) if archive else {}
    native = save(["podman", "save", "--format", "docker-archive",
                   "localhost/healthcheck:%s-%s" % (version, arch_dir(NATIVE))], p.env)
    probe = layer_files(native).get("/healthcheck", (None,))[0] if native else None
    t.check("podman: the user's image holds /service and the list's %s /healthcheck (%s)"
            % (NATIVE, sorted(files)), set(files) == {"/service", "/healthcheck"}
            and probe is not None and files["/healthcheck"][0] == probe)
    name = image + "-run"
    p.containers.append(name)
    r = p.podman("run", "-d", "--name", name, "--network", "none", "--read-only",
                 "--cap-drop", "ALL", image)
    if not t.check("podman run -d --network none --read-only --cap-drop ALL (user image)", r,
                   r.tail()):
        return
    ok = poll(lambda: p.podman("healthcheck", "run", name).rc == 0, 120, 0.5)
    st = p.inspect(name, "{{.State.Health.Status}}")
    t.check("podman: the user image turns healthy (`podman healthcheck run`; was %r)" % st,
            ok and st == "healthy")
    p.podman("kill", "--signal", "USR1", name)

    def unhealthy():
        p.podman("healthcheck", "run", name)
        return p.inspect(name, "{{.State.Health.Status}}") == "unhealthy"
    ok = poll(unhealthy, 120, 0.5)
    log = p.inspect(name, "{{json .State.Health.Log}}") or [{}]
    t.check("podman: then unhealthy, the log holding the probe's line (%r)"
            % log[-1].get("Output"), ok and log[-1].get("Output") == "unhealthy: HTTP 503")


def test_refusals(d, p, tmp):
    cross = os.path.join(tmp, "cross", "linux-arm64")
    os.makedirs(cross)
    shutil.copy2(os.path.join(B, "healthcheck"), cross)
    r = make_image(d, p, "IMAGE_CROSS_DIR=" + os.path.dirname(cross),
                   "IMAGE_PLATFORMS=linux/arm64", "IMAGE_NAME=hc-refused")
    made = p.podman("image", "exists", "localhost/hc-refused:" + engines.version()).rc == 0
    said = [line for line in r.err.splitlines() if line.startswith("image: ")]
    t.check("make image refuses an x86-64 binary as linux/arm64, and makes nothing (exit %s, %r)"
            % (r.rc, said[-1:]), r.rc not in (0, None) and said
            and said[-1].endswith("not built for linux/arm64") and not made, r.tail())
    env = dict(p.env, DOCKER_HOST="unix://" + os.path.join(tmp, "nobody.sock"),
               DOCKER_CONFIG=d.client_dir)
    r = run(["make", "--no-print-directory", "-s", "image", "PODMAN=podman",
             "DOCKER=" + engines.DOCKER, "IMAGE_NAME=hc-nodocker"], env=env, timeout=900)
    t.check("make image with no Docker daemon: made for podman, and says Docker was left out",
            r.rc == 0 and "not loaded into Docker" in r.out, r.tail())


def main():
    d = engines.Dockerd(t)
    p = engines.PodmanStore(t)
    tmp = tempfile.mkdtemp(prefix="hc-image-test.")
    tag = "hc-test-%d" % os.getpid()
    version = engines.version()
    try:
        why = d.start()
        if why:
            engines.unavailable("image-test", "no Docker Engine: " + why)
        why = p.start()
        if why:
            engines.unavailable("image-test", "no podman: " + why)
        d.images.append("healthcheck:" + version)
        binaries = expected_binaries()
        for n in (1, 2):
            r = make_image(d, p)
            t.check("make image (run %d) -> 0" % n, r, r.tail())
        print("\n".join("     " + line for line in r.out.splitlines()))
        t.section("podman", test_podman, p, version, binaries)
        probe = t.section("docker", test_docker, d, version, binaries)
        ctx = t.section("user image, Docker", user_image_docker, d, tmp, tag, version, probe)
        if ctx:
            t.section("user image, podman", user_image_podman, p, ctx, tag, version)
        t.section("refusals", test_refusals, d, p, tmp)
    finally:
        d.cleanup()
        p.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    return t.end()


if __name__ == "__main__":
    engines.main("image-test", main)
