"""Real TLS servers for the tests, started and stopped from Python.

    from tlsservers import pki, OpenSSLServer, NginxServer, StunnelServer

    p = pki()                                   # the test PKI (gencerts.sh), made once
    with OpenSSLServer("ec", tls="1.2") as s:   # openssl s_server -www
        s.url("/")                              # https://127.0.0.1:PORT/
        p.cert("ca-ec"), p.pin("ec")            # files and pins for the client
    with NginxServer("rsa", client_ca="client-ca", verify="on", http2=True) as s: ...
    with StunnelServer("chain") as s:           # in front of the C example service
        ...

Every server listens on loopback at a port the kernel picked (127.0.0.1
or ::1), runs in its own process group, is ready when its constructor
returns (a TLS handshake got an answer, polled against a bound of 30 s
times HC_TIME_SLACK) and is gone after stop() (also on `with` exit):
SIGTERM, then SIGKILL to the whole group, temporary files removed.
nginx and stunnel inherit a socket this module bound (nginx through
$NGINX, stunnel through systemd's socket activation), so no port is ever
guessed; s_server binds port 0 itself and says which port it got.

Hostile peers (TlsPeer: stall, garbage, plain HTTP, alerts) are scripted
tests/integration/hcserver.py servers that also parse the ClientHello they
read (parse_client_hello). TrickleProxy slows a real server down.

Environment: HC_TLS_PKI (a directory made by gencerts.sh: used as is,
never removed), HC_TIME_SLACK (multiplies every bound), HC_SERVICE (the
example service binary, default build/examples/service).
"""

import atexit
import os
import select
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# Appended, not prepended: tests/integration has modules (grpc.py) whose
# names would hide installed packages.
sys.path.append(os.path.join(ROOT, "tests", "integration"))
import hcserver  # noqa: E402
from hcserver import send, hold, close, reset  # noqa: E402

SLACK = float(os.environ.get("HC_TIME_SLACK") or "1")
START_S = 30.0          # a server must be ready within this (times SLACK)
STOP_S = 5.0            # and gone within this after SIGTERM, else SIGKILL
SERVICE = os.path.abspath(os.environ.get("HC_SERVICE") or
                          os.path.join(ROOT, "build", "examples", "service"))


class ServerError(RuntimeError):
    pass


def tool(name):
    """Path of a server program, or None. stunnel is stunnel4's binary;
    nginx lives in /usr/sbin, which a user's PATH may lack."""
    names = {"stunnel": ("stunnel", "stunnel4")}.get(name, (name,))
    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    for n in names:
        p = shutil.which(n, path=path)
        if p:
            return p
    return None


def missing(kind):
    """Why a server kind cannot run here (None: it can). kind: openssl,
    nginx, stunnel, service."""
    if kind == "service":
        return None if os.access(SERVICE, os.X_OK) else \
            "%s is not built (make)" % SERVICE
    if tool(kind) is None:
        pkg = {"openssl": "openssl", "nginx": "nginx-light", "stunnel": "stunnel4"}[kind]
        return "%s is not installed (Debian package %s)" % (kind, pkg)
    return None


# ---- the test PKI ------------------------------------------------------------

class Pki:
    """The certificates and keys of gencerts.sh, in a directory.

    cert(name) NAME.pem, key(name) NAME.key, pin(name) the sha256//BASE64
    of NAME.pem's key, file(name) any file there. Names: ca, ca-ec, int,
    cas, rsa, ec, ec-rsaca, ec384, chain, expired, notyet, wrongname,
    selfsigned, unknown-ca, unknown, client-ca, client-rsa, client-ec,
    ed25519, ed25519-rsaca, k1-rsaca (see gencerts.sh)."""

    def __init__(self, path=None):
        self.owned = path is None
        self.dir = path or tempfile.mkdtemp(prefix="hctls-pki")
        if self.owned:
            os.chmod(self.dir, 0o755)
            r = subprocess.run(["sh", os.path.join(HERE, "gencerts.sh"), self.dir],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=120 * SLACK)
            if r.returncode:
                self.cleanup()
                raise ServerError("gencerts.sh failed: %s" % r.stdout.decode(errors="replace")[-800:])
        if not os.path.exists(self.file("ca.pem")):
            raise ServerError("no test PKI in %s (tests/tls/gencerts.sh DIR makes one)" % self.dir)

    def file(self, name):
        return os.path.join(self.dir, name)

    def cert(self, name):
        return self.file(name + ".pem")

    def key(self, name):
        # a server certificate made for another certificate's key
        base = {"expired": "rsa", "notyet": "rsa", "wrongname": "rsa",
                "ec-rsaca": "ec", "ed25519-rsaca": "ed25519", "k1-rsaca": "k1"}.get(name, name)
        return self.file(base + ".key")

    def pin(self, name):
        with open(self.file(name + ".pin")) as f:
            return f.read().strip()

    def cleanup(self):
        if self.owned and self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


_pki = None
_pki_lock = threading.Lock()


def pki():
    """The process's test PKI: $HC_TLS_PKI, or one made on first use and
    removed when the process exits."""
    global _pki
    with _pki_lock:
        if _pki is None:
            _pki = Pki(os.environ.get("HC_TLS_PKI") or None)
            atexit.register(_pki.cleanup)
        return _pki


# ---- readiness -------------------------------------------------------------------

def tls_answers(host, port, timeout=2.0):
    """True when a TLS server answered a ClientHello on host:port: the
    handshake completed, or the server sent an alert (it asked for a
    client certificate, or wants another version). False when nothing
    answered in time or the connection was refused."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as t:
                t.settimeout(timeout)
                return True
    except ssl.SSLError:
        return True
    except (OSError, socket.timeout):
        return False


def _listen_socket(family):
    if family == "v4":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
    elif family == "v6":
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind(("::1", 0))
    else:
        raise ValueError("family must be v4 or v6: %r" % family)
    s.listen(64)
    return s


# ---- the server processes ---------------------------------------------------------

class TlsServer(hcserver.Stops):
    """What every server process shares: its group, output, readiness,
    address and stop(). Subclasses build argv in _start()."""

    kind = None

    def __init__(self, family="v4", name="localhost"):
        if family not in ("v4", "v6"):
            raise ValueError("family must be v4 or v6: %r" % family)
        why = missing(self.kind)
        if why:
            raise ServerError(why)
        self.family = family
        self.name = name            # the name the certificates are for
        self.port = None
        self.proc = None
        self.argv = None
        self.exit_code = None
        self.tmpdir = tempfile.mkdtemp(prefix="hctls-%s" % self.kind)
        os.chmod(self.tmpdir, 0o755)
        self.owned = []             # servers this one started and stops
        self._sock = None           # the listening socket handed over
        self._out = bytearray()
        self._cond = threading.Condition()
        self._threads = []
        try:
            self._start()
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        # The server holds the socket now: once it is gone, connections
        # are refused instead of queued.
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    # -- process --

    def _spawn(self, argv, env=None, cwd=None, pass_fds=()):
        self.argv = argv
        full = dict(os.environ)
        full.update(env or {})
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, env=full,
                                         cwd=cwd or self.tmpdir, pass_fds=pass_fds,
                                         start_new_session=True)
        except OSError as e:
            raise ServerError("%s: cannot start %s: %s" % (self.kind, argv[0], e))
        t = threading.Thread(target=self._read_output, daemon=True)
        self._threads.append(t)
        t.start()

    def _bind(self):
        """A listening socket of our own on a port the kernel picks; the
        server inherits it."""
        self._sock = _listen_socket(self.family)
        self.port = self._sock.getsockname()[1]
        return self._sock.fileno()

    def _spawn_activated(self, argv):
        """Starts argv as systemd's socket activation would: the socket of
        _bind() as fd 3, LISTEN_FDS=1, LISTEN_PID its own pid. A small
        Python step moves the descriptor (sh cannot name fds above 9) and
        then execs, keeping its pid."""
        fd = self._sock.fileno()
        step = ("import os, sys\n"
                "fd = int(sys.argv[1])\n"
                "if fd != 3:\n"
                "    os.dup2(fd, 3)\n"
                "    os.close(fd)\n"
                "os.environ.update(LISTEN_FDS='1', LISTEN_PID=str(os.getpid()))\n"
                "os.execv(sys.argv[2], sys.argv[2:])\n")
        self._spawn([sys.executable, "-c", step, str(fd)] + argv, pass_fds=(fd,))

    def _read_output(self):
        for line in self.proc.stdout:
            with self._cond:
                if len(self._out) < 1 << 16:
                    self._out += line
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    @property
    def output(self):
        """What the server wrote so far (stdout and stderr, capped)."""
        with self._cond:
            return bytes(self._out).decode("utf-8", "replace")

    def describe(self):
        rc = self.proc.poll() if self.proc else None
        return "%s; exit %s; output: %r" % (" ".join(self.argv or ["?"]), rc, self.output[-800:])

    def _wait_for_output(self, pred, what):
        end = time.monotonic() + START_S * SLACK
        with self._cond:
            while True:
                got = pred(bytes(self._out).decode("utf-8", "replace"))
                if got is not None:
                    return got
                if time.monotonic() > end or self.proc.poll() is not None:
                    raise ServerError("%s: %s (%s)" % (self.kind, what, self.describe()))
                self._cond.wait(0.1)

    def _wait_ready(self):
        end = time.monotonic() + START_S * SLACK
        delay = 0.01
        while not tls_answers(self.host, self.port, timeout=min(2.0, 2.0 * SLACK)):
            if time.monotonic() > end or self.proc.poll() is not None:
                raise ServerError("%s: no TLS answer on %s (%s)" %
                                  (self.kind, self.authority, self.describe()))
            time.sleep(delay)   # a poll interval, not a wait for readiness
            delay = min(delay * 2, 0.2)

    # -- address --

    @property
    def host(self):
        return "::1" if self.family == "v6" else "127.0.0.1"

    @property
    def authority(self):
        if self.family == "v6":
            return "[::1]:%d" % self.port
        return "127.0.0.1:%d" % self.port

    def url(self, path="/", host=None, scheme="https"):
        """https://127.0.0.1:PORT/path; host="localhost" (or any name)
        gives a URL by name, for curl --resolve or a name check."""
        return "%s://%s%s" % (scheme, "%s:%d" % (host, self.port) if host else self.authority, path)

    def resolve(self, host="localhost"):
        """curl's --resolve for a URL by name: HOST:PORT:ADDRESS."""
        return "%s:%d:%s" % (host, self.port, self.host)

    # -- the end --

    def stop(self):
        """SIGTERM, then SIGKILL to the process group after STOP_S; every
        server this one started goes too; temporary files are removed.
        Idempotent."""
        p = self.proc
        if p is not None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                p.wait(STOP_S * SLACK)
            except subprocess.TimeoutExpired:
                pass
            # The group may outlive its leader (an nginx worker): kill
            # what is left of it.
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            p.wait()
            for t in self._threads:
                t.join(5.0)
            p.stdout.close()
            self.exit_code = p.returncode
            self.proc = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        for s in self.owned:
            s.stop()
        self.owned = []
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None


def _cert_files(p, cert):
    """(certificate file, key file) for a PKI name or a (cert, key) pair."""
    if isinstance(cert, tuple):
        return cert
    return p.cert(cert), p.key(cert)


VERSIONS = ("1.2", "1.3", "any")


class OpenSSLServer(TlsServer):
    """openssl s_server.

    cert        PKI name (rsa, ec, ec384, chain, expired, ...) or (certfile, keyfile)
    tls         "1.2", "1.3" (that version only) or "any"
    client_cert None, "require" (fail the handshake without one) or
                "request" (ask, go on without); a certificate that does not
                chain to client_ca fails the handshake either way
    client_ca   PKI name of the CA client certificates must chain to
    alpn        protocols to accept, e.g. "h2" or "h2,http/1.1"
    ciphers     TLS 1.2 cipher list (openssl names), e.g. "ECDHE-RSA-CHACHA20-POLY1305"
    groups      key exchange groups, e.g. "P-256" or "X25519"
    sni         None, or (NAME, cert): a client that sends the server name
                NAME gets cert (a PKI name) instead (-servername, -cert2)
    pages       None: -www (a status page for any GET); {"health": bytes}:
                -HTTP, each page a whole HTTP response (GET /health; a page
                that is not there gets "HTTP/1.0 200 ok" and an error text,
                as s_server answers)

    One connection at a time, as s_server serves them."""

    kind = "openssl"

    def __init__(self, cert="rsa", tls="any", client_cert=None, client_ca="client-ca",
                 alpn=None, ciphers=None, groups=None, pages=None, family="v4", sni=None):
        if tls not in VERSIONS:
            raise ValueError("tls must be one of %s" % ", ".join(VERSIONS))
        if client_cert not in (None, "require", "request"):
            raise ValueError("client_cert: None, require or request")
        self.opts = dict(cert=cert, tls=tls, client_cert=client_cert, client_ca=client_ca,
                         alpn=alpn, ciphers=ciphers, groups=groups, pages=pages, sni=sni)
        super().__init__(family)

    def _start(self):
        o, p = self.opts, pki()
        crt, key = _cert_files(p, o["cert"])
        listen = "[::1]:0" if self.family == "v6" else "127.0.0.1:0"
        argv = [tool("openssl"), "s_server", "-accept", listen, "-cert", crt, "-key", key,
                "-no_dhe"]
        if o["cert"] == "chain":
            argv += ["-cert_chain", p.cert("int")]
        if o["tls"] != "any":
            argv.append("-tls1_2" if o["tls"] == "1.2" else "-tls1_3")
        if o["client_cert"]:
            argv += ["-Verify" if o["client_cert"] == "require" else "-verify", "4",
                     "-CAfile", p.cert(o["client_ca"]), "-verify_return_error"]
        if o["alpn"]:
            argv += ["-alpn", o["alpn"]]
        if o["ciphers"]:
            argv += ["-cipher", o["ciphers"]]
        if o["groups"]:
            argv += ["-groups", o["groups"]]
        if o["sni"]:
            crt2, key2 = _cert_files(p, o["sni"][1])
            argv += ["-servername", o["sni"][0], "-cert2", crt2, "-key2", key2]
        if o["pages"]:
            for name, body in o["pages"].items():
                if "/" in name or name.startswith("."):
                    raise ValueError("page names are plain file names: %r" % name)
                with open(os.path.join(self.tmpdir, name), "wb") as f:
                    f.write(body)
            argv.append("-HTTP")
        else:
            argv.append("-www")
        self._spawn(argv)

        def port(out):
            for line in out.splitlines():
                if line.startswith("ACCEPT "):
                    return int(line.rsplit(":", 1)[1])
            return None
        self.port = self._wait_for_output(port, "no ACCEPT line")


class NginxServer(TlsServer):
    """nginx (nginx-light) with a master and one worker, HTTPS on the port.

    cert        PKI name or (certfile, keyfile); the whole file is the chain
    tls         "1.2", "1.3" or "any"
    client_ca   with verify: the CA client certificates must chain to
    verify      None, "on" (a request without a valid client certificate
                gets 400; nginx finishes the handshake either way) or
                "optional"
    http2       HTTP/2 too (ALPN h2, then http/1.1)
    status, body   the answer to every request (default 200 "ok\\n")
    grpc        "HOST:PORT" of a plain gRPC server: every request goes
                there (grpc_pass), so grpcs:// reaches it through nginx
                (needs http2)
    """

    kind = "nginx"

    def __init__(self, cert="rsa", tls="any", client_ca="client-ca", verify=None, http2=False,
                 status=200, body="ok\n", grpc=None, family="v4"):
        if tls not in VERSIONS:
            raise ValueError("tls must be one of %s" % ", ".join(VERSIONS))
        if verify not in (None, "on", "optional"):
            raise ValueError("verify: None, on or optional")
        if grpc and not http2:
            raise ValueError("grpc needs http2")
        if '"' in body or "\\" in body or "$" in body:
            raise ValueError("body: no quotes, backslashes or $ (it goes into nginx.conf)")
        self.opts = dict(cert=cert, tls=tls, client_ca=client_ca, verify=verify, http2=http2,
                         status=int(status), body=body, grpc=grpc)
        super().__init__(family)

    def _start(self):
        o, p, d = self.opts, pki(), self.tmpdir
        crt, key = _cert_files(p, o["cert"])
        fd = self._bind()
        protocols = {"1.2": "TLSv1.2", "1.3": "TLSv1.3", "any": "TLSv1.2 TLSv1.3"}[o["tls"]]
        verify = ""
        if o["verify"]:
            verify = "ssl_client_certificate %s; ssl_verify_client %s; ssl_verify_depth 4;" % (
                p.cert(o["client_ca"]), o["verify"])
        if o["grpc"]:
            location = "location / { grpc_pass grpc://%s; }" % o["grpc"]
        else:
            location = 'location / { default_type text/plain; return %d "%s"; }' % (
                o["status"], o["body"].replace("\n", "\\n"))
        os.mkdir(os.path.join(d, "tmp"))
        conf = """
daemon off;
worker_processes 1;
pid %(d)s/nginx.pid;
error_log stderr notice;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %(d)s/tmp; proxy_temp_path %(d)s/tmp; fastcgi_temp_path %(d)s/tmp;
    uwsgi_temp_path %(d)s/tmp; scgi_temp_path %(d)s/tmp;
    server {
        listen %(listen)s ssl%(h2)s;
        ssl_certificate %(crt)s;
        ssl_certificate_key %(key)s;
        ssl_protocols %(protocols)s;
        %(verify)s
        %(location)s
    }
}
""" % dict(d=d, listen="[::1]:%d" % self.port if self.family == "v6" else "127.0.0.1:%d" % self.port,
           h2=" http2" if o["http2"] else "", crt=crt, key=key, protocols=protocols,
           verify=verify, location=location)
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(conf)
        # nginx takes listening sockets from $NGINX ("fd;fd;...") when
        # their address is the one a listen directive names.
        self._spawn([tool("nginx"), "-p", d, "-c", os.path.join(d, "nginx.conf"), "-e", "stderr"],
                    env={"NGINX": "%d;" % fd}, pass_fds=(fd,))


class PlainService(hcserver.Stops):
    """The C example service (build/examples/service), plain HTTP on
    [::] (and 0.0.0.0) at a port of its own choosing: GET /healthz
    answers 200 "ok". As a backend, or as a plain server on a TLS port."""

    kind = "service"

    def __init__(self):
        why = missing("service")
        if why:
            raise ServerError(why)
        self.argv = [SERVICE]
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env={"PORT": "0"}, cwd="/",
                                     start_new_session=True)
        self.port = None
        self.exit_code = None
        self._err = b""
        end = time.monotonic() + START_S * SLACK
        try:
            while self.port is None:
                left = end - time.monotonic()
                r, _, _ = select.select([self.proc.stderr], [], [], max(0.0, min(left, 0.5)))
                if r:
                    chunk = os.read(self.proc.stderr.fileno(), 4096)
                    if not chunk:
                        raise ServerError("service exited: %r" % self._err)
                    self._err += chunk
                    for line in self._err.decode(errors="replace").splitlines():
                        if "listening on port " in line:
                            self.port = int(line.split("listening on port ")[1].split()[0])
                if left <= 0 and self.port is None:
                    raise ServerError("service: no port line: %r" % self._err)
        except BaseException:
            self.stop()
            raise

    host = "127.0.0.1"

    @property
    def authority(self):
        return "127.0.0.1:%d" % self.port

    def url(self, path="/healthz", scheme="http"):
        return "%s://%s%s" % (scheme, self.authority, path)

    def stop(self):
        p = self.proc
        if p is None:
            return
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            p.wait(STOP_S * SLACK)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        p.stderr.close()
        self.exit_code = p.returncode
        self.proc = None


class StunnelServer(TlsServer):
    """stunnel4 terminating TLS in front of a plain TCP server.

    cert        PKI name or (certfile, keyfile); the whole file is the chain
    backend     "HOST:PORT" of the plain server; None starts the C example
                service (PlainService, GET /healthz) and stops it with this
    tls         "1.2", "1.3" or "any"
    client_ca   with verify: the CA client certificates must chain to
    verify      False, or True: no handshake without a valid client
                certificate
    """

    kind = "stunnel"

    def __init__(self, cert="rsa", backend=None, tls="any", client_ca="client-ca", verify=False,
                 family="v4"):
        if tls not in VERSIONS:
            raise ValueError("tls must be one of %s" % ", ".join(VERSIONS))
        self.opts = dict(cert=cert, backend=backend, tls=tls, client_ca=client_ca, verify=verify)
        self.backend = None
        super().__init__(family)

    def _start(self):
        o, p = self.opts, pki()
        crt, key = _cert_files(p, o["cert"])
        if o["backend"]:
            self.backend = o["backend"]
        else:
            svc = PlainService()
            self.owned.append(svc)
            self.backend = svc.authority
        lo, hi = {"1.2": ("TLSv1.2", "TLSv1.2"), "1.3": ("TLSv1.3", "TLSv1.3"),
                  "any": ("TLSv1.2", "TLSv1.3")}[o["tls"]]
        self._bind()
        lines = ["foreground = yes", "pid =", "debug = notice", "syslog = no",
                 "[tls]", "accept = %s:%d" % (self.host, self.port),   # ::1:PORT for IPv6
                 "connect = %s" % self.backend, "cert = %s" % crt, "key = %s" % key,
                 "sslVersionMin = %s" % lo, "sslVersionMax = %s" % hi]
        if o["verify"]:
            lines += ["CAfile = %s" % p.cert(o["client_ca"]), "verifyChain = yes"]
        conf = os.path.join(self.tmpdir, "stunnel.conf")
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        # stunnel takes a socket from systemd's socket activation for its
        # one service
        self._spawn_activated([tool("stunnel"), conf])


# ---- hostile peers: scripted, no TLS of their own -------------------------------

def read_hello(max_s=5.0):
    """Read one whole TLS record (the ClientHello), EOF or max_s; the bytes
    are recorded."""
    return ("read_hello", float(max_s))


def alert_record(description, level=2, version=b"\x03\x03"):
    """One TLS alert record: fatal (level 2) handshake_failure is 40,
    protocol_version 70, internal_error 80."""
    return bytes([0x15]) + version + struct.pack(">HBB", 2, level, description)


GARBAGE = {
    # an SSH server on the port
    "ssh": b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
    # zeros: record type 0, not a TLS record
    "zeros": b"\x00" * 64,
    # application data before any handshake: a record of the wrong type
    "appdata": b"\x17\x03\x03\x00\x10" + b"\x41" * 16,
    # a handshake record whose message is not a ServerHello (type 0x63)
    "not_server_hello": b"\x16\x03\x03\x00\x08\x63\x00\x00\x04\x00\x00\x00\x00",
    # a record longer than TLS allows (2^14 + 2048 is the most)
    "huge_record": b"\x16\x03\x03\xff\xff" + b"\x02" * 64,
    # a truncated ServerHello, then EOF
    "truncated": b"\x16\x03\x03\x00\x4a\x02\x00\x00\x46\x03\x03",
}


def stall():
    """Read the ClientHello, then never answer (until stopped)."""
    return [read_hello(), hold()]


def garbage(kind="ssh", then_close=False):
    """Read the ClientHello, answer with GARBAGE[kind] (or bytes), then
    wait (or close)."""
    data = GARBAGE[kind] if isinstance(kind, str) else bytes(kind)
    return [read_hello(), send(data)] + ([close()] if then_close else [hold()])


def plain_http(status=400, reason="Bad Request"):
    """What a plain HTTP/1.1 server answers to a ClientHello: an error
    response, then it closes."""
    body = b"<html>plain HTTP on this port</html>\n"
    return [read_hello(), send(hcserver.http(status, reason, ("Content-Type: text/html",
                                                              "Content-Length: %d" % len(body),
                                                              "Connection: close"), body)),
            close()]


def alert(description=40):
    """Read the ClientHello, answer with a fatal alert, close."""
    return [read_hello(), send(alert_record(description)), close()]


def hang_up(rst=False):
    """Read the ClientHello and close (FIN), or reset (RST)."""
    return [read_hello(), reset() if rst else close()]


def silent():
    """Accept, never read, never write (until stopped)."""
    return [hold()]


class TlsPeer(hcserver.Server):
    """hcserver.Server plus read_hello(); scripts from stall(), garbage(),
    plain_http(), alert(), hang_up(), silent() or any hcserver steps.
    .hellos(): each connection's ClientHello, parsed."""

    def __init__(self, script=None, family="v4", **kw):
        super().__init__(stall() if script is None else script, family, **kw)

    def url(self, path="/", host=None, scheme="https"):
        return "%s://%s%s" % (scheme, "%s:%d" % (host, self.port) if host else self.authority, path)

    def resolve(self, host="localhost"):
        return "%s:%d:%s" % (host, self.port, self.host)

    def _step(self, conn, step):
        if step[0] == "read_hello":
            self._read_record(conn, step[1])
            return None
        return super()._step(conn, step)

    def _read_record(self, conn, max_s):
        s = conn.sock
        s.settimeout(hcserver.SLICE_S)
        end = time.monotonic() + max_s
        while not self.stopping.is_set() and time.monotonic() < end:
            r = conn.received
            if len(r) >= 5 and len(r) >= 5 + struct.unpack(">H", bytes(r[3:5]))[0]:
                return
            if len(r) >= hcserver.REQUEST_MAX:
                return
            if not self._recv(s, conn, 4096):
                return

    def hellos(self):
        """parse_client_hello() of what each connection received."""
        return [parse_client_hello(r) for r in self.requests]


# ---- ClientHello ------------------------------------------------------------------

EXT_NAMES = {0: "server_name", 1: "max_fragment_length", 5: "status_request",
             10: "supported_groups", 11: "ec_point_formats", 13: "signature_algorithms",
             16: "alpn", 22: "encrypt_then_mac", 23: "extended_master_secret",
             35: "session_ticket", 43: "supported_versions", 45: "psk_key_exchange_modes",
             51: "key_share", 0xff01: "renegotiation_info"}


class ClientHello:
    """What a ClientHello says. ok is False (and error set) when the bytes
    are not one; sni is None without a server_name extension."""

    def __init__(self):
        self.ok = False
        self.error = None
        self.record_version = None
        self.version = None             # legacy_version, e.g. 0x0303
        self.suites = []
        self.extensions = []            # type numbers, in order
        self.sni = None
        self.alpn = None                # list of protocol names
        self.groups = None
        self.supported_versions = None
        self.max_fragment_length = None
        self.sig_algs = None

    def ext_names(self):
        return [EXT_NAMES.get(t, str(t)) for t in self.extensions]


def parse_client_hello(data):
    """Parses the first TLS record of data as a ClientHello (one record;
    the probe's fits in one)."""
    h = ClientHello()
    d = bytes(data)
    try:
        if len(d) < 5 or d[0] != 0x16:
            raise ValueError("not a handshake record")
        h.record_version = struct.unpack(">H", d[1:3])[0]
        n = struct.unpack(">H", d[3:5])[0]
        m = d[5:5 + n]
        if len(m) < n or m[0] != 1:
            raise ValueError("not a (whole) ClientHello")
        body = m[4:4 + int.from_bytes(m[1:4], "big")]
        h.version = struct.unpack(">H", body[0:2])[0]
        i = 34
        i += 1 + body[i]                                    # session id
        ns = struct.unpack(">H", body[i:i + 2])[0]
        h.suites = list(struct.unpack(">%dH" % (ns // 2), body[i + 2:i + 2 + ns]))
        i += 2 + ns
        i += 1 + body[i]                                    # compression methods
        end = i + 2 + struct.unpack(">H", body[i:i + 2])[0] if i < len(body) else i
        i += 2
        while i + 4 <= end:
            t, ln = struct.unpack(">HH", body[i:i + 4])
            e = body[i + 4:i + 4 + ln]
            h.extensions.append(t)
            if t == 0 and len(e) >= 5:                      # server_name: host_name
                h.sni = e[5:5 + struct.unpack(">H", e[3:5])[0]].decode("ascii", "replace")
            elif t == 16:
                names, j = [], 2
                while j < len(e):
                    names.append(e[j + 1:j + 1 + e[j]].decode("ascii", "replace"))
                    j += 1 + e[j]
                h.alpn = names
            elif t == 10:
                h.groups = list(struct.unpack(">%dH" % ((len(e) - 2) // 2), e[2:]))
            elif t == 43:
                h.supported_versions = list(struct.unpack(">%dH" % ((len(e) - 1) // 2), e[1:]))
            elif t == 1 and e:
                h.max_fragment_length = e[0]
            elif t == 13:
                h.sig_algs = list(struct.unpack(">%dH" % ((len(e) - 2) // 2), e[2:]))
            i += 4 + ln
        h.ok = True
    except (ValueError, IndexError, struct.error) as e:
        h.error = str(e) or e.__class__.__name__
    return h


# ---- a slow path to a real server -------------------------------------------------

class TrickleProxy(hcserver.Stops):
    """Relays 127.0.0.1:PORT to a real server: what the client sends goes
    on at once, what the server answers comes back chunk bytes (default 1)
    every delay seconds (delay_first: before the first). The handshake of a real
    server, trickled: a deadline must cover it, a per-read timeout does
    not. Every loop is bounded (hcserver.STEP_MAX_S)."""

    def __init__(self, upstream, delay=0.01, delay_first=0.0, chunk=1):
        self.upstream = upstream          # (host, port)
        self.delay = delay
        self.chunk = chunk
        self.delay_first = delay_first
        self.stopping = threading.Event()
        self.sock = _listen_socket("v4")
        self.port = self.sock.getsockname()[1]
        self.host = "127.0.0.1"
        self.authority = "127.0.0.1:%d" % self.port
        self.threads = []
        self.conns = []
        self.lock = threading.Lock()
        t = threading.Thread(target=self._accept, daemon=True)
        self.threads.append(t)
        t.start()

    def url(self, path="/", scheme="https"):
        return "%s://%s%s" % (scheme, self.authority, path)

    def _accept(self):
        while not self.stopping.is_set():
            r, _, _ = select.select([self.sock], [], [], hcserver.SLICE_S)
            if not r:
                continue
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            t = threading.Thread(target=self._relay, args=(c,), daemon=True)
            with self.lock:
                self.conns.append(c)
                self.threads.append(t)
            t.start()

    def _relay(self, c):
        try:
            u = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            c.close()
            return
        with self.lock:
            self.conns.append(u)
        end = time.monotonic() + hcserver.STEP_MAX_S
        pending = bytearray()
        first = True
        try:
            while not self.stopping.is_set() and time.monotonic() < end:
                r, _, _ = select.select([c, u], [], [], hcserver.SLICE_S)
                if c in r:
                    b = c.recv(65536)
                    if not b:
                        break
                    u.sendall(b)
                if u in r:
                    b = u.recv(65536)
                    if not b and not pending:
                        break
                    pending += b
                while pending and not self.stopping.is_set():
                    self.stopping.wait(self.delay_first if first else self.delay)
                    first = False
                    c.sendall(pending[:self.chunk])
                    del pending[:self.chunk]
                    if select.select([c, u], [], [], 0)[0]:
                        break
        except OSError:
            pass
        finally:
            for s in (c, u):
                try:
                    s.close()
                except OSError:
                    pass

    def stop(self):
        self.stopping.set()
        with self.lock:
            conns = list(self.conns)
            threads = list(self.threads)
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in threads:
            t.join(2.0)
        self.sock.close()
