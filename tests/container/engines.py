"""engines.py - what the container-engine tests share: a Docker daemon of
their own, a private podman store, bounded polling, and the pass/fail tally.

Docker.  The tests talk to the daemon on their own socket, build/docker.sock
(HC_DOCKER_SOCK overrides it), with Debian's client (/usr/bin/docker), never
another daemon.  When nothing answers there, they start dockerd with its own
directories under a temporary directory:

    dockerd --data-root T/data --exec-root T/exec -H unix://SOCK --pidfile T/dockerd.pid
            --config-file T/daemon.json --bridge=none --iptables=false --ip6tables=false
            --storage-driver=vfs

and at the end, pass or fail, stop it by its PID and remove T.  A daemon that
answers on the socket is used as it is and left running (start one there to
keep images and build caches between runs), unless build/docker.sock.owner
says a test run that has since died started it: that one is adopted and
stopped.

podman.  The engine tests that use fixed names (the image `make image` tags,
a compose project) run podman on a store of their own: a storage.conf and a
containers.conf in a temporary directory, named by CONTAINERS_STORAGE_CONF
and CONTAINERS_CONF, so nothing they do reaches the machine's own podman
images or containers.  The flags this kind of machine needs (vfs, cgroupfs,
runc, rlimits no higher than the sandbox's) are in those two files.

No engine (not root, no dockerd, a daemon that cannot start): under CI=true
that is a failure; otherwise the test says why and skips.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.environ.get("HC_ROOT", "."))
B = os.path.join(ROOT, "build")
CI = os.environ.get("CI") == "true"
DOCKER = "/usr/bin/docker"  # Debian's docker.io client: not whatever is first on PATH
SBIN_PATH = os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"


# ---------------------------------------------------------------- the tally

class Tally:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, what, cond, info=""):
        if cond:
            self.passed += 1
            print("ok   - " + what, flush=True)
        else:
            self.failed += 1
            print("FAIL - " + what + (": " + info if info else ""), flush=True)
        return bool(cond)

    @staticmethod
    def info(text):
        print("info - " + text, flush=True)

    @staticmethod
    def note(text):
        """A difference between Docker and podman, said where it shows."""
        print("note - " + text, flush=True)

    def section(self, name, fn, *args):
        """Runs one part of a test; a crash in it is a failure, not the end."""
        try:
            return fn(*args)
        except Exception as e:  # noqa: BLE001 - reported, and the rest still runs
            self.check("%s: ran to the end" % name, False, "%s: %s" % (type(e).__name__, e))
            return None

    def end(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed), flush=True)
        return 1 if self.failed else 0


def unavailable(name, reason):
    """No engine here: a failure under CI=true, else a skip that says why."""
    if CI:
        print("%s: FAILED: %s (CI=true requires it)" % (name, reason), flush=True)
        sys.exit(1)
    print("%s: SKIPPED: %s" % (name, reason), flush=True)
    sys.exit(0)


def main(name, fn):
    """Runs a test's main(): SIGTERM and SIGHUP end it like ^C, through its
    `finally` clauses (which stop and remove what it started), and then
    exit 130."""
    def on_signal(sig, _frame):
        raise KeyboardInterrupt("signal %d" % sig)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    try:
        sys.exit(fn())
    except KeyboardInterrupt as e:
        print("%s: interrupted (%s); what it started is stopped and removed" % (name, e or "^C"),
              flush=True)
        sys.exit(130)


# ---------------------------------------------------------------- processes

class Result:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    def __bool__(self):
        return self.rc == 0

    def text(self):
        return (self.out + self.err).strip()

    def tail(self, n=12):
        return "\n".join(self.text().splitlines()[-n:])


def run(argv, env=None, timeout=300, stdin=None, cwd=None):
    """Runs argv; rc None when it did not end within `timeout` seconds."""
    try:
        p = subprocess.run(argv, env=env, cwd=cwd, input=stdin, capture_output=True,
                           timeout=timeout)
        return Result(p.returncode, p.stdout.decode(errors="replace"),
                      p.stderr.decode(errors="replace"))
    except subprocess.TimeoutExpired as e:
        return Result(None, (e.stdout or b"").decode(errors="replace"),
                      (e.stderr or b"").decode(errors="replace") +
                      "\n(killed: still running after %d s)" % timeout)
    except OSError as e:
        return Result(127, "", str(e))


def poll(fn, bound, step=0.25):
    """Calls fn() until it returns something true or `bound` seconds pass;
    returns the last value.  Bounds are generous: the machine may be busy."""
    deadline = time.monotonic() + bound
    while True:
        v = fn()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)


def have_root():
    return os.geteuid() == 0


def deps(*packages):
    """tests/deps.sh: installs missing Debian packages (as root)."""
    return run(["sh", os.path.join(ROOT, "tests", "deps.sh")] + list(packages), timeout=1800)


def proc_status(pid):
    """Fields of /proc/PID/status as a dict (empty when it is gone)."""
    try:
        with open("/proc/%s/status" % pid) as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    except OSError:
        return {}


def proc_facts(pid):
    """What the kernel says about a container's PID 1: uid, gid, effective
    capabilities, no_new_privs, network interfaces, and the root mount's options."""
    st = proc_status(pid)
    facts = {"uid": st.get("Uid", "").split("\t")[0], "gid": st.get("Gid", "").split("\t")[0],
             "capeff": st.get("CapEff", ""), "capbnd": st.get("CapBnd", ""),
             "nonewprivs": st.get("NoNewPrivs", "")}
    try:
        with open("/proc/%s/net/dev" % pid) as f:
            facts["ifaces"] = sorted(line.split(":")[0].strip() for line in f.readlines()[2:])
    except OSError:
        facts["ifaces"] = None
    facts["root_ro"] = None
    try:
        with open("/proc/%s/mountinfo" % pid) as f:
            for line in f:
                parts = line.split()
                if parts[4] == "/":
                    facts["root_ro"] = "ro" in parts[5].split(",")
    except (OSError, IndexError):
        pass
    return facts


def umount_under(path):
    """Unmounts whatever is still mounted below `path` (deepest first): what a
    daemon that was killed may leave behind.  Only paths under `path`."""
    path = os.path.realpath(path) + "/"
    try:
        with open("/proc/self/mountinfo") as f:
            points = [line.split()[4] for line in f]
    except OSError:
        return
    for m in sorted((p for p in points if p.startswith(path)), key=len, reverse=True):
        run(["umount", "-l", m], timeout=30)


def remove_tree(path):
    if path and os.path.isdir(path):
        umount_under(path)
        shutil.rmtree(path, ignore_errors=True)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except (OSError, TypeError):
        return False


def read_int(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def stop_pid(pid, must_mention, bound=60):
    """SIGTERM, then SIGKILL after `bound` seconds, to pid; only when its
    command line mentions `must_mention` (never a process we did not start)."""
    if not pid or must_mention not in cmdline(pid):
        return True
    os.kill(pid, signal.SIGTERM)

    def gone():
        return not pid_alive(pid) or "zombie" in proc_status(pid).get("State", "")
    if poll(gone, bound, 0.2):
        return True
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    return poll(lambda: not pid_alive(pid), 10, 0.2)


# ---------------------------------------------------------------- Docker

def clean_env(extra=None):
    """The environment without the caller's DOCKER_* settings (a context, TLS,
    BuildKit, another host): the tests say what they mean."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["PATH"] = SBIN_PATH
    env.update(extra or {})
    return env


class Dockerd:
    """Our own Docker daemon (see the top of this file)."""

    def __init__(self, tally):
        self.t = tally
        self.sock = os.environ.get("HC_DOCKER_SOCK") or os.path.join(B, "docker.sock")
        if len(self.sock) > 100:  # sun_path holds 108 bytes
            self.sock = os.path.join(tempfile.gettempdir(), "hc-docker-%d.sock" % os.getuid())
        self.owner = self.sock + ".owner"  # who started the daemon there, and its state
        self.host = "unix://" + self.sock
        self.state = None   # our temporary directory, when we started the daemon
        self.proc = None
        self.pid = None
        self.ours = False
        self.client_dir = tempfile.mkdtemp(prefix="hc-docker-client.")
        with open(os.path.join(self.client_dir, "config.json"), "w") as f:
            f.write("{}\n")  # podman reads it too when DOCKER_CONFIG names it
        self.env = clean_env({"DOCKER_HOST": self.host, "DOCKER_CONFIG": self.client_dir,
                              # The classic builder: what Debian's Docker 20.10 uses by default.
                              "DOCKER_BUILDKIT": "0"})
        self.containers = []
        self.images = []

    def docker(self, *args, timeout=300, stdin=None):
        return run([DOCKER, "-H", self.host] + [str(a) for a in args], env=self.env,
                   timeout=timeout, stdin=stdin)

    def answers(self):
        return bool(self.docker("version", "--format", "{{.Server.Version}}", timeout=30))

    def start(self):
        """Finds or starts the daemon; returns None, or why there is none."""
        if not os.path.exists(DOCKER):
            r = deps("docker.io")
            if not r or not os.path.exists(DOCKER):
                return "Debian's docker.io is not installed and could not be: " + r.tail(3)
        if os.path.exists(self.sock) and self.answers():
            self.adopt_leftover()
            what = "a test run's leftover daemon, adopted" if self.ours \
                else "left running at the end"
            self.t.info("Docker: the daemon on %s answers (%s)" % (self.sock, what))
            return None
        if not have_root():
            return "dockerd needs root here (uid %d)" % os.getuid()
        dockerd = shutil.which("dockerd", path=SBIN_PATH)
        if not dockerd:
            return "no dockerd (Debian's docker.io)"
        if os.path.lexists(self.sock):
            os.unlink(self.sock)  # nothing answers there: a stale socket
        os.makedirs(os.path.dirname(self.sock), exist_ok=True)
        self.state = tempfile.mkdtemp(prefix="hc-dockerd.")
        with open(os.path.join(self.state, "daemon.json"), "w") as f:
            f.write("{}\n")  # not /etc/docker/daemon.json: nothing of the machine's
        tag = "hc-test-%d" % os.getpid()
        argv = [dockerd, "--data-root", self.state + "/data", "--exec-root", self.state + "/exec",
                "-H", self.host, "--pidfile", self.state + "/dockerd.pid",
                "--config-file", self.state + "/daemon.json",
                "--bridge=none", "--iptables=false", "--ip6tables=false",
                "--storage-driver=vfs",
                # When the machine's own containerd runs, share it only in a namespace of ours.
                "--containerd-namespace", tag, "--containerd-plugins-namespace", tag + "-plugins"]
        self.ours = True
        log = open(os.path.join(self.state, "dockerd.log"), "wb")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     env=clean_env(), start_new_session=True)
        log.close()
        self.pid = self.proc.pid
        with open(self.owner, "w") as f:
            f.write("%d %d %s\n" % (os.getpid(), self.pid, self.state))
        ready = poll(lambda: self.proc.poll() is not None or self.answers(), 180, 0.2)
        if self.proc.poll() is not None or not ready:
            why = "exited with %s" % self.proc.returncode if self.proc.poll() is not None \
                else "did not answer within 180 s"
            return "dockerd %s; its log ends:\n%s" % (why, self.log_tail())
        self.t.info("Docker: started dockerd (pid %d) on %s in %.1f s, state in %s"
                    % (self.pid, self.sock, time.monotonic() - t0, self.state))
        return None

    def adopt_leftover(self):
        """A daemon started by a test run that has died is ours to stop."""
        try:
            with open(self.owner) as f:
                runner, pid, state = f.read().split()
        except (OSError, ValueError):
            return
        if pid_alive(int(runner)) or state not in cmdline(int(pid)):
            return
        self.ours, self.pid, self.state = True, int(pid), state

    def log_tail(self, n=15):
        try:
            with open(os.path.join(self.state, "dockerd.log"), errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except (OSError, TypeError):
            return "(no log)"

    def cleanup(self):
        """Removes what this run created; stops and removes the daemon if
        ours (and with it, at once, everything in it)."""
        if not self.ours:
            for c in reversed(self.containers):
                self.docker("rm", "-f", "-v", c, timeout=120)
            for i in reversed(self.images):
                self.docker("rmi", "-f", i, timeout=120)
        else:
            containerd = read_int(os.path.join(self.state, "exec", "containerd", "containerd.pid"))
            stop_pid(self.pid, self.state)
            if self.proc:
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            stop_pid(containerd, self.state)  # dockerd stops it; unless dockerd was killed
            remove_tree(self.state)
            for p in (self.sock, self.owner):
                if os.path.lexists(p):
                    os.unlink(p)
        shutil.rmtree(self.client_dir, ignore_errors=True)

    # -- what the tests ask of it

    def build(self, tag, context, dockerfile=None, args=(), timeout=900):
        self.images.append(tag)
        argv = ["build", "-q", "-t", tag] + list(args)
        if dockerfile:
            argv += ["-f", dockerfile]
        return self.docker(*(argv + [context]), timeout=timeout)

    def inspect(self, name, fmt="{{json .}}", kind="container"):
        r = self.docker(kind, "inspect", "--format", fmt, name, timeout=60)
        if not r:
            return None
        try:
            return json.loads(r.out)
        except ValueError:
            return r.out.strip()

    def health(self, name):
        h = self.inspect(name, "{{json .State.Health}}")
        return h if isinstance(h, dict) else {}


# ---------------------------------------------------------------- podman

class PodmanStore:
    """podman on a store of its own (see the top of this file)."""

    def __init__(self, tally):
        self.t = tally
        self.dir = tempfile.mkdtemp(prefix="hc-podman.")  # short: conmon's socket paths
        d = self.dir
        for sub in ("storage", "run", "tmp", "networks"):
            os.makedirs(os.path.join(d, sub))
        with open(os.path.join(d, "storage.conf"), "w") as f:
            f.write('[storage]\ndriver = "vfs"\ngraphroot = "%s/storage"\nrunroot = "%s/run"\n'
                    % (d, d))
        with open(os.path.join(d, "containers.conf"), "w") as f:
            f.write('[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n'
                    '[engine]\ncgroup_manager = "cgroupfs"\nruntime = "runc"\n'
                    'tmp_dir = "%s/tmp"\nevents_logger = "file"\n'
                    '[network]\nnetwork_config_dir = "%s/networks"\n' % (d, d))
        self.env = clean_env({"CONTAINERS_CONF": d + "/containers.conf",
                              "CONTAINERS_STORAGE_CONF": d + "/storage.conf"})
        self.containers = []

    def start(self):
        """Returns None, or why podman cannot run here."""
        if not have_root():
            return "these tests run podman as root (uid %d)" % os.getuid()
        if not shutil.which("podman", path=SBIN_PATH) or not shutil.which("runc", path=SBIN_PATH):
            r = deps("podman", "runc")
            if not r:
                return "podman and runc are not installed and could not be: " + r.tail(3)
        r = self.podman("info", "--format", "{{.Store.GraphRoot}}", timeout=120)
        if not r or r.out.strip() != self.dir + "/storage":
            return "podman info failed on a private store: " + r.tail(5)
        return None

    def podman(self, *args, timeout=300, stdin=None):
        return run(["podman"] + [str(a) for a in args], env=self.env, timeout=timeout,
                   stdin=stdin)

    def inspect(self, name, fmt="{{json .}}", kind="container"):
        r = self.podman(kind, "inspect", "--format", fmt, name, timeout=60)
        if not r:
            return None
        try:
            v = json.loads(r.out)
        except ValueError:
            return r.out.strip()
        # `image inspect --format '{{json .}}'` gives a list of one
        return v[0] if fmt == "{{json .}}" and isinstance(v, list) and len(v) == 1 else v

    def cleanup(self):
        for c in reversed(self.containers):
            self.podman("rm", "-f", "-t", "0", c, timeout=120)
        remove_tree(self.dir)


def copy_files(dest, *paths):
    os.makedirs(dest, exist_ok=True)
    for p in paths:
        shutil.copy2(p, dest)
    return dest


def version():
    """HC_VERSION from lib/healthcheck.h (the Makefile's VERSION)."""
    with open(os.path.join(ROOT, "lib", "healthcheck.h")) as f:
        for line in f:
            if line.startswith("#define HC_VERSION "):
                return line.split('"')[1]
    raise RuntimeError("no HC_VERSION in lib/healthcheck.h")
