"""Real gRPC health servers for the tests, started and stopped from Python.

Three independent implementations share one command line (README.md here):

    grpc-go    build/grpc/goserver    grpc-go's stock health service
    grpc-core  tests/grpc/pyserver.py C-core (python3-grpcio) transport
    grpc-js    tests/grpc/jsserver.js @grpc/grpc-js + grpc-health-check

    with GrpcServer("grpc-go", status={"": "SERVING", "db": "NOT_SERVING"}) as s:
        s.url("db")                  # grpc://127.0.0.1:PORT/db
        s.set_status("db", "SERVING")
        s.wait_calls(1)[0]["metadata"]

Each server runs in its own process group, is ready when the constructor
returns (its port line came and a connection succeeds, both bounded), and
stop() ends it (EOF on its stdin, then SIGKILL to its group) and removes
its unix socket directory. Nothing here sleeps for a fixed time: every wait
polls against a deadline.

Environment: HC_GRPC_BUILD (default build/grpc of this tree) holds goserver,
goclient and js/node_modules; HC_TIME_SLACK multiplies every bound.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.abspath(os.environ.get("HC_GRPC_BUILD") or os.path.join(ROOT, "build", "grpc"))
PYTHON = "/usr/bin/python3"
SLACK = float(os.environ.get("HC_TIME_SLACK") or "1")

NAMES = ("grpc-go", "grpc-core", "grpc-js")
STATUSES = ("SERVING", "NOT_SERVING", "UNKNOWN")
START_S = 30.0      # a server must be ready within this (times SLACK)
COMMAND_S = 10.0    # and answer a command within this


def command(name):
    """argv prefix and extra environment for one implementation."""
    if name == "grpc-go":
        return [os.path.join(BUILD, "goserver")], {}
    if name == "grpc-core":
        return [PYTHON, "-B", os.path.join(HERE, "pyserver.py")], {}
    if name == "grpc-js":
        node = shutil.which("node") or shutil.which("nodejs") or "node"
        return [node, os.path.join(HERE, "jsserver.js")], \
            {"NODE_PATH": os.path.join(BUILD, "js", "node_modules")}
    raise ValueError("unknown gRPC server %r (one of %s)" % (name, ", ".join(NAMES)))


def missing(name):
    """Why this implementation cannot run here (None: it can)."""
    argv, env = command(name)
    if name == "grpc-go" and not os.access(argv[0], os.X_OK):
        return "%s is not built (make grpc-servers)" % argv[0]
    if name == "grpc-core":
        r = subprocess.run([PYTHON, "-c", "import grpc, google.protobuf"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if r.returncode:
            return "python3-grpcio or python3-protobuf is not installed"
    if name == "grpc-js":
        if not shutil.which(argv[0]):
            return "node is not installed"
        for mod in ("@grpc/grpc-js", "grpc-health-check"):
            if not os.path.isdir(os.path.join(env["NODE_PATH"], mod)):
                return "%s is not installed under %s (make grpc-servers)" % (mod, env["NODE_PATH"])
    return None


class ServerError(RuntimeError):
    pass


class GrpcServer:
    """One real gRPC server process.

    name       'grpc-go', 'grpc-core' or 'grpc-js'
    family     'v4' (127.0.0.1), 'v6' (::1) or 'unix' (a socket in a new
               temporary directory, reachable by any uid)
    status     initial statuses {service: STATUS}; '' is the server as a
               whole and is SERVING unless given; names not set answer
               NOT_FOUND
    health     False: no health service at all (calls are UNIMPLEMENTED)
    slow_ms    each Check is answered this many ms after it arrives
    tls        (certfile, keyfile): the port serves TLS with that
               certificate (ALPN h2); url() then says grpcs://

    .port .host .authority .path, url(service), set_status(), set_slow(),
    calls (a copy of the call reports so far), wait_calls(n), stop().
    """

    def __init__(self, name, family="v4", status=None, health=True, slow_ms=0, path=None,
                 tls=None):
        self.name = name
        self.tls = tls
        self.family = family
        self.port = None
        self.tmpdir = None
        self.path = path
        self._calls = []
        self._answers = []
        self._stderr = bytearray()
        self._cond = threading.Condition()
        self._cmd_lock = threading.Lock()
        self._eof = False
        self.proc = None
        self.exit_code = None   # set by stop()
        argv, env = command(name)
        if family == "v4":
            listen = "127.0.0.1:0"
        elif family == "v6":
            listen = "[::1]:0"
        elif family == "unix":
            if self.path is None:
                self.tmpdir = tempfile.mkdtemp(prefix="hcgrpc")
                os.chmod(self.tmpdir, 0o755)
                self.path = os.path.join(self.tmpdir, "grpc.sock")
            listen = "unix:" + self.path
        else:
            raise ValueError("family must be v4, v6 or unix: %r" % family)
        argv = argv + ["--listen", listen]
        for svc, st in sorted((status or {}).items()):
            argv += ["--status", "%s=%s" % (svc, st)]
        if not health:
            argv.append("--no-health")
        if slow_ms:
            argv += ["--slow", str(int(slow_ms))]
        if tls:
            argv += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        self.argv = argv
        full_env = dict(os.environ)
        full_env.update(env)
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, env=full_env, cwd="/",
                                         start_new_session=True)
        except OSError as e:
            self._cleanup_dir()
            raise ServerError("%s: cannot start %s: %s" % (name, argv[0], e))
        self._threads = [threading.Thread(target=self._read_stdout, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]
        for t in self._threads:
            t.start()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    # -- process output --

    def _read_stdout(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._cond:
                if self.port is None:
                    self.port = int(line) if line.isdigit() else -1
                elif line.startswith("{"):
                    self._calls.append(json.loads(line))
                else:
                    self._answers.append(line)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _read_stderr(self):
        for raw in self.proc.stderr:
            with self._cond:
                if len(self._stderr) < 65536:
                    self._stderr += raw

    def _wait_for(self, pred, seconds, what):
        end = time.monotonic() + seconds * SLACK
        with self._cond:
            while not pred():
                left = end - time.monotonic()
                if left <= 0 or self._eof:
                    raise ServerError("%s: %s (%s)" % (self.name, what, self.describe()))
                self._cond.wait(min(left, 0.1))

    def _wait_ready(self):
        self._wait_for(lambda: self.port is not None, START_S, "no port line")
        if self.port < 0:
            raise ServerError("%s: bad port line (%s)" % (self.name, self.describe()))
        end = time.monotonic() + START_S * SLACK
        delay = 0.005
        while True:     # listening is not always accepting yet: poll a connect
            try:
                with self._socket() as s:
                    s.settimeout(2.0)
                    s.connect(self._address())
                break
            except OSError as e:
                if time.monotonic() > end or self.proc.poll() is not None:
                    raise ServerError("%s: not accepting: %s (%s)" % (self.name, e, self.describe()))
                time.sleep(delay)   # a poll interval, not a wait for readiness
                delay = min(delay * 2, 0.1)
        if self.family == "unix":
            os.chmod(self.path, 0o777)

    def _socket(self):
        if self.family == "unix":
            return socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        return socket.socket(socket.AF_INET6 if self.family == "v6" else socket.AF_INET,
                             socket.SOCK_STREAM)

    def _address(self):
        return self.path if self.family == "unix" else (self.host, self.port)

    def describe(self):
        rc = self.proc.poll() if self.proc else None
        return "%s; exit %s; stderr: %r" % (" ".join(self.argv), rc,
                                           bytes(self._stderr[-600:]).decode("utf-8", "replace"))

    # -- addresses --

    @property
    def host(self):
        return "::1" if self.family == "v6" else "127.0.0.1"

    @property
    def authority(self):
        """host:port as a URL writes it ([::1]:port for v6)."""
        if self.family == "v6":
            return "[::1]:%d" % self.port
        return "127.0.0.1:%d" % self.port

    @property
    def target(self):
        """The address as the Go client (-addr) and grpcio take it."""
        return "unix:" + self.path if self.family == "unix" else self.authority

    def url(self, service="", host=None):
        """grpc://HOST:PORT[/SERVICE] (a unix socket's path is .path);
        grpcs:// with tls. host: a name in place of the address (e.g.
        localhost, the name a certificate has)."""
        return "%s://%s%s" % ("grpcs" if self.tls else "grpc",
                              "%s:%d" % (host, self.port) if host else self.authority,
                              "/" + service if service else "")

    # -- control --

    def _command(self, line):
        with self._cmd_lock:
            with self._cond:
                n = len(self._answers)
            try:
                self.proc.stdin.write((line + "\n").encode())
                self.proc.stdin.flush()
            except OSError as e:
                raise ServerError("%s: %s: %s (%s)" % (self.name, line, e, self.describe()))
            self._wait_for(lambda: len(self._answers) > n, COMMAND_S, "no answer to " + line)
            with self._cond:
                answer = self._answers[n]
        if answer != "ok":
            raise ServerError("%s: %s: %s" % (self.name, line, answer))

    def set_status(self, service, status):
        """Change one service's status while the server runs ('' is the
        server as a whole). Returns once the server says it is done."""
        if status not in STATUSES:
            raise ValueError("status must be one of %s" % ", ".join(STATUSES))
        if " " in service or not service.isprintable():
            raise ValueError("service names here have no spaces: %r" % service)
        self._command("set %s %s" % (service, status) if service else "set " + status)

    def set_slow(self, ms):
        """Answer each later Check ms milliseconds after it arrives."""
        self._command("slow %d" % int(ms))

    @property
    def calls(self):
        """Each health call received so far: {"call": "Check"|"Watch",
        "service": str, "metadata": {name: [values]}, "deadline_ms": int
        or None}, in arrival order."""
        with self._cond:
            return [dict(c) for c in self._calls]

    def wait_calls(self, n, seconds=10.0):
        """The call reports once at least n have arrived (bounded)."""
        self._wait_for(lambda: len(self._calls) >= n, seconds, "fewer than %d calls" % n)
        return self.calls

    # -- the end --

    def stop(self):
        """EOF on stdin (the server exits by itself), then SIGKILL to its
        process group if it has not within a few seconds. Idempotent."""
        p = self.proc
        if p is not None:
            try:
                p.stdin.close()
            except OSError:
                pass
            try:
                p.wait(3.0 * SLACK)
            except subprocess.TimeoutExpired:
                # Not reaped yet, so the group id is still ours to kill.
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                p.wait()
            for t in self._threads:
                t.join(5.0)
            p.stdout.close()
            p.stderr.close()
            self.exit_code = p.returncode
            self.proc = None
        self._cleanup_dir()

    def _cleanup_dir(self):
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False
