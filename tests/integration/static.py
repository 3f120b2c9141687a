"""Checks of the static build/healthcheck itself: no interpreter, no dynamic
section, stripped, within its size ceiling, and it works alone in an empty
root as uid 65534 (chroot). Registered only when the suite tests the default
static binary (not with HC_BIN / HC_WRAP)."""

import os
import re
import shutil
import subprocess
import tempfile

import hcrun
from hcrun import check, healthy, unhealthy
from hcserver import respond
from scenarios import scenario, served

NOBODY = 65534


def make_value(name):
    """A size the Makefile exports (make passes it on); without make, it is
    read from the Makefiles."""
    v = os.environ.get(name)
    if not v:
        for mk in ("Makefile", os.path.join("lib", "tls.mk")):
            with open(os.path.join(hcrun.ROOT, mk)) as f:
                m = re.search(r"^(?:export\s+)?%s\s*:?=\s*(\d+)" % name, f.read(), re.M)
            if m:
                v = m.group(1)
                break
        check(v is not None, "no %s in the Makefiles", name)
    return int(v)


def readelf(*args):
    exe = shutil.which("readelf")
    check(exe is not None, "readelf is missing (tests/deps.sh binutils)")
    p = subprocess.run([exe] + list(args) + [hcrun.binary()], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=30)
    check(p.returncode == 0, "readelf %s failed: %s", " ".join(args), p.stderr)
    return p.stdout


def static_checks():
    @scenario("binary_is_elf_executable")
    def _(t):
        out = readelf("-hW")
        check("Type:" in out and ("EXEC" in out or "DYN" in out),
              "not an ELF executable:\n%s", out)
        check("EXEC" in out.split("Type:")[1].splitlines()[0],
              "ELF type is not EXEC (a static PIE?):\n%s", out)

    @scenario("binary_no_interpreter")
    def _(t):
        out = readelf("-lW")
        check("INTERP" not in out and "Requesting program interpreter" not in out,
              "build/healthcheck has a program interpreter:\n%s", out)

    @scenario("binary_no_dynamic_section")
    def _(t):
        out = readelf("-dW")
        check("There is no dynamic section" in out,
              "build/healthcheck has a dynamic section:\n%s", out)
        check(" DYNAMIC " not in readelf("-lW"), "build/healthcheck has a DYNAMIC segment")

    @scenario("binary_stripped")
    def _(t):
        out = readelf("-SW")
        check(".symtab" not in out, "build/healthcheck is not stripped (.symtab):\n%s", out)

    @scenario("binary_size_ceiling")
    def _(t):
        size, ceiling = os.path.getsize(hcrun.binary()), make_value("HC_SIZE_CEILING")
        budget = make_value("HC_SIZE_BUDGET")
        t.note("build/healthcheck is %d bytes (ceiling %d, %d left; budget %d, %+d)"
               % (size, ceiling, ceiling - size, budget, size - budget))
        check(size <= ceiling, "build/healthcheck is %d bytes, over its %d byte ceiling",
              size, ceiling)

    @scenario("tls_binary_size_budget")
    def _(t):
        path = os.path.join(os.path.dirname(hcrun.binary()), "healthcheck-tls")
        check(os.path.exists(path), "%s is missing (make builds it)", path)
        size, budget = os.path.getsize(path), make_value("HC_TLS_SIZE_BUDGET")
        t.note("build/healthcheck-tls is %d bytes (budget %d, %d left)" % (size, budget,
                                                                          budget - size))
        check(size <= budget, "build/healthcheck-tls is %d bytes, over its %d byte budget",
              size, budget)

    def chroot_dir(t, files=None):
        check(os.geteuid() == 0, "the chroot test needs root")
        d = tempfile.mkdtemp(prefix="hcroot")
        t.socks.append(_Rmtree(d))
        os.chmod(d, 0o755)
        shutil.copyfile(hcrun.binary(), os.path.join(d, "healthcheck"))
        os.chmod(os.path.join(d, "healthcheck"), 0o755)
        for name, text in (files or {}).items():
            p = os.path.join(d, name)
            os.makedirs(os.path.dirname(p), mode=0o755, exist_ok=True)
            with open(p, "w") as f:
                f.write(text)
            os.chmod(p, 0o644)
        return d

    def in_chroot(t, d, args):
        exe = shutil.which("chroot")
        check(exe is not None, "chroot is missing (coreutils)")
        listing = sorted(os.listdir(d))
        return t.run([exe, "--userspec=%d:%d" % (NOBODY, NOBODY), d, "/healthcheck"] + args,
                     direct=True), listing

    @scenario("chroot_alone_localhost_ipv4")
    def _(t):
        s = t.server(respond(), family="v4", reserve_other_family=True)
        d = chroot_dir(t)
        r, listing = in_chroot(t, d, ["http://localhost:%d/" % s.port])
        check(listing == ["healthcheck"], "the root is not empty: %r", listing)
        healthy(r)
        served(s)

    @scenario("chroot_alone_localhost_ipv6")
    def _(t):
        s = t.server(respond(), family="v6", reserve_other_family=True)
        d = chroot_dir(t)
        r, _ = in_chroot(t, d, ["http://localhost:%d/" % s.port])
        healthy(r)
        served(s)

    @scenario("chroot_alone_refused")
    def _(t):
        s = t.server(family="v4", listen=False, reserve_other_family=True)
        d = chroot_dir(t)
        r, _ = in_chroot(t, d, ["http://localhost:%d/" % s.port])
        unhealthy(r, "connection refused")

    @scenario("chroot_alone_other_name_unresolved")
    def _(t):
        s = t.server(respond())
        d = chroot_dir(t)
        r, _ = in_chroot(t, d, ["-t", "2s", "http://myservice:%d/" % s.port])
        unhealthy(r, "cannot resolve host")

    @scenario("chroot_etc_hosts_name")
    def _(t):
        s = t.server(respond(), family="v6")
        d = chroot_dir(t, {"etc/hosts": "# test\n127.0.0.2 other\n::1\tmyservice  alias\n"})
        r, _ = in_chroot(t, d, ["http://alias:%d/" % s.port])
        healthy(r)
        served(s)

    @scenario("chroot_etc_hosts_every_address_tried")
    def _(t):
        # the first address refuses; the second one must still be tried
        s = t.server(respond(), family="v6", reserve_other_family=True)
        d = chroot_dir(t, {"etc/hosts": "127.0.0.1 svc\n::1 svc\n"})
        r, _ = in_chroot(t, d, ["http://svc:%d/" % s.port])
        healthy(r)
        served(s)

    @scenario("chroot_unix_socket_as_nobody")
    def _(t):
        d = chroot_dir(t)
        s = t.server(respond(), family="unix", path=os.path.join(d, "app.sock"))
        r, _ = in_chroot(t, d, ["--unix-socket", "/app.sock", "http://localhost/"])
        healthy(r)
        s.stop()
        check(s.connections == 1, "expected one connection, saw %d", s.connections)
        uid = s.conns[0].peer_uid
        check(uid == NOBODY, "the probe ran as uid %r, not %d", uid, NOBODY)


class _Rmtree:
    """Removes a directory at cleanup (a Ctx calls close() on its socks)."""

    def __init__(self, path):
        self.path = path

    def close(self):
        shutil.rmtree(self.path, ignore_errors=True)


if hcrun.default_binary():
    static_checks()
