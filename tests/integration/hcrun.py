"""Runs build/healthcheck as a black box and checks what it did.

Environment knobs (all optional):
  HC_BIN         the binary to test (default: build/healthcheck of this tree)
  HC_WRAP        a command prefix, e.g. "valgrind --error-exitcode=99 -q"
  HC_TIME_SLACK  multiplies every upper time bound and hard timeout
                 (default 1; use ~5 under valgrind)
  HC_JOBS        scenarios run at once (default: two per CPU)
  HC_FAULTS      1: run the strace fault-injection scenarios, 0: leave them
                 out (default: only for build/healthcheck itself)

The probe always runs with an EMPTY environment plus what the scenario sets,
so HEALTHCHECK_*, PORT or proxy variables of the caller never leak in.
"""

import os
import re
import shlex
import shutil
import signal
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VERSION = re.search(r'#define HC_VERSION "([^"]+)"', open(os.path.join(ROOT, "lib", "healthcheck.h")).read()).group(1)
EXIT_USAGE = 64


def binary():
    b = os.environ.get("HC_BIN") or os.path.join(ROOT, "build", "healthcheck")
    return os.path.abspath(b)


def default_binary():
    """True when the suite tests the static build/healthcheck itself (the
    static-binary and chroot checks only make sense for that one)."""
    return not os.environ.get("HC_BIN") and not os.environ.get("HC_WRAP")


def faults():
    """True when the scenarios that inject faults with strace run. They need
    the binary run directly under strace: not under HC_WRAP (valgrind, qemu)
    and not a sanitizer build (LeakSanitizer cannot work under ptrace). The
    static build and the coverage build (HC_FAULTS=1) can."""
    v = os.environ.get("HC_FAULTS")
    return v == "1" if v else default_binary()


def wrap():
    w = shlex.split(os.environ.get("HC_WRAP", ""))
    if w:
        # The probe's environment is empty, so resolve the wrapper here.
        w[0] = shutil.which(w[0]) or w[0]
    return w


SLACK = float(os.environ.get("HC_TIME_SLACK") or "1")

_tls_build = None


def tls_build():
    """True when the binary under test is the TLS build: its -V line says
    "with TLS". Asked once per process."""
    global _tls_build
    if _tls_build is None:
        try:
            p = subprocess.run(wrap() + [binary(), "-V"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env={}, timeout=60 * SLACK)
            _tls_build = p.returncode == 0 and b" with TLS" in p.stdout
        except (OSError, subprocess.TimeoutExpired):
            _tls_build = False
    return _tls_build


def version_line():
    """What -V prints, whole: the TLS build names its TLS library."""
    if tls_build():
        return "healthcheck %s with TLS 1.2 (BearSSL)\n" % VERSION
    return "healthcheck %s\n" % VERSION


class Failure(AssertionError):
    pass


def check(cond, msg, *args):
    if not cond:
        raise Failure(msg % args if args else msg)


class Result:
    def __init__(self, argv, env, rc, out, err, elapsed, hung):
        self.argv = argv
        self.env = env
        self.rc = rc            # exit code, or -N for a death by signal N
        self.out = out          # bytes
        self.err = err          # bytes
        self.elapsed = elapsed  # seconds, wall clock
        self.hung = hung        # killed by the hard timeout

    @property
    def signal(self):
        return -self.rc if self.rc is not None and self.rc < 0 else 0

    def out_lines(self):
        return self.out.decode("utf-8", "replace").splitlines()

    def err_lines(self):
        return self.err.decode("utf-8", "replace").splitlines()

    def describe(self):
        def show(a):
            return repr(a) if isinstance(a, bytes) else shlex.quote(str(a))
        if self.signal:
            sig = signal.Signals(self.signal).name if self.signal in signal.valid_signals() else self.signal
            how = "killed by signal %s" % sig
        else:
            how = "exit %s" % self.rc
        env = " ".join("%s=%s" % (k, show(v)) for k, v in sorted(self.env.items()))
        return "\n".join([
            "    command: %s%s" % (env + " " if env else "", " ".join(show(a) for a in self.argv)),
            "    %s in %.3f s%s" % (how, self.elapsed, " (HUNG, killed)" if self.hung else ""),
            "    stdout: %r" % self.out[:600],
            "    stderr: %r" % self.err[:600],
        ])


def run(args, env=None, timeout=10.0, direct=False):
    """Run the probe with args (str or bytes each) and exactly env.
    direct=True runs args as the whole command (no binary, no wrapper)."""
    env = dict(env or {})
    argv = list(args) if direct else wrap() + [binary()] + list(args)
    t0 = time.monotonic()
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd="/", close_fds=True)
    hung = False
    try:
        out, err = p.communicate(timeout=timeout * SLACK)
    except subprocess.TimeoutExpired:
        hung = True
        p.kill()
        out, err = p.communicate()
    elapsed = time.monotonic() - t0
    return Result(argv, env, p.returncode, out, err, elapsed, hung)


# ---- Checks. Each raises Failure with the whole run described. ----

def _fail(r, msg):
    raise Failure(msg + "\n" + r.describe())


def sane(r):
    """What holds for every run: it ended by itself, it was not killed by a
    signal, and it never exits 2 (Docker reserves it)."""
    if r.hung:
        _fail(r, "the probe did not finish within its hard timeout")
    if r.signal:
        _fail(r, "the probe died of a signal")
    if r.rc == 2:
        _fail(r, "exit status 2 is reserved by Docker and must never be used")


def healthy(r, what=r"HTTP 200"):
    """Exit 0, stdout exactly one line 'healthy: WHAT in N ms', stderr empty.
    what is a regex."""
    sane(r)
    if r.rc != 0:
        _fail(r, "expected healthy (exit 0)")
    lines = r.out_lines()
    if len(lines) != 1 or not r.out.endswith(b"\n"):
        _fail(r, "expected exactly one line on stdout")
    if not re.fullmatch(r"healthy: %s in \d+ ms" % what, lines[0]):
        _fail(r, "stdout line does not match 'healthy: %s in N ms'" % what)
    if r.err:
        _fail(r, "expected nothing on stderr")


def unhealthy(r, reason):
    """Exit 1, stderr exactly one line 'unhealthy: REASON', stdout empty.
    reason is a regex matched against the whole of REASON."""
    sane(r)
    if r.rc != 1:
        _fail(r, "expected unhealthy (exit 1)")
    lines = r.err_lines()
    if len(lines) != 1 or not r.err.endswith(b"\n"):
        _fail(r, "expected exactly one line on stderr")
    if not re.fullmatch(r"unhealthy: (?:%s)" % reason, lines[0]):
        _fail(r, "stderr line does not match 'unhealthy: %s'" % reason)
    if r.out:
        _fail(r, "expected nothing on stdout")


def usage(r, mentions=None):
    """Exit 64, stdout empty, stderr 'healthcheck: MESSAGE' then a usage
    line. mentions: a string the message must contain (e.g. a variable)."""
    sane(r)
    if r.rc != EXIT_USAGE:
        _fail(r, "expected a usage error (exit %d)" % EXIT_USAGE)
    if r.out:
        _fail(r, "expected nothing on stdout")
    lines = r.err_lines()
    if not lines or not lines[0].startswith("healthcheck: "):
        _fail(r, "expected stderr to start with 'healthcheck: MESSAGE'")
    if not any(l.startswith("usage: healthcheck") for l in lines):
        _fail(r, "expected a 'usage: healthcheck ...' line on stderr")
    if mentions is not None and mentions not in r.err.decode("utf-8", "replace"):
        _fail(r, "expected the usage message to mention %r" % mentions)


def quiet(r, rc):
    sane(r)
    if r.rc != rc:
        _fail(r, "expected exit %d" % rc)
    if r.out or r.err:
        _fail(r, "expected no output at all")


def elapsed(r, lo, hi):
    """lo <= elapsed <= hi * HC_TIME_SLACK (seconds)."""
    if r.elapsed < lo or r.elapsed > hi * SLACK:
        _fail(r, "elapsed %.3f s is outside [%.2f, %.2f] s" % (r.elapsed, lo, hi * SLACK))
