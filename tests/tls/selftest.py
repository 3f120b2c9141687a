#!/usr/bin/python3
"""Self-test of the TLS test infrastructure: the test PKI is what
gencerts.sh says, every server (openssl s_server, nginx, stunnel4) and
hostile peer behaves as tlsservers.py claims, seen by clients that are not
ours (curl, openssl s_client, Python's ssl, grpcio); then the trimmed
BearSSL profile of the size study (build/tls/tlsmini) against each.

usage: /usr/bin/python3 tests/tls/selftest.py [-l] [-j N] [PATTERN...]

The last line is 'N passed, M failed'. A tool that is missing fails its
tests under CI=true and skips them otherwise, with the reason.
"""

import base64
import hashlib
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tlsservers as ts  # noqa: E402
from tlsservers import pki  # noqa: E402

ROOT = ts.ROOT
SLACK = ts.SLACK
MINI = os.path.join(ROOT, "build", "tls", "tlsmini")
MINI_STACK = os.path.join(ROOT, "build", "tls", "tlsmini-stack")
REGISTRY = []


class Failure(AssertionError):
    pass


class Skip(Exception):
    pass


def check(cond, msg, *args):
    if not cond:
        raise Failure(msg % args if args else msg)


def test(name):
    def deco(fn):
        assert all(n != name for n, _ in REGISTRY), name
        REGISTRY.append((name, fn))
        return fn
    return deco


class Ctx:
    """What one test starts; all of it is stopped when the test ends."""

    def __init__(self):
        self.owned = []

    def _own(self, kind, make):
        why = ts.missing(kind)
        if why:
            raise Skip(why)
        s = make()
        self.owned.append(s)
        return s

    def openssl(self, cert="rsa", **kw):
        return self._own("openssl", lambda: ts.OpenSSLServer(cert, **kw))

    def nginx(self, cert="rsa", **kw):
        return self._own("nginx", lambda: ts.NginxServer(cert, **kw))

    def stunnel(self, cert="rsa", **kw):
        return self._own("stunnel", lambda: ts.StunnelServer(cert, **kw))

    def service(self):
        return self._own("service", ts.PlainService)

    def peer(self, script, **kw):
        s = ts.TlsPeer(script, **kw)
        self.owned.append(s)
        return s

    def own(self, s):
        self.owned.append(s)
        return s

    def cleanup(self):
        for s in reversed(self.owned):
            s.stop()


# ---- independent clients -----------------------------------------------------------

class Run:
    def __init__(self, rc, out, err, took):
        self.rc, self.out, self.err, self.took = rc, out, err, took

    def __repr__(self):
        return "exit %d after %.2f s, out %r, err %r" % (self.rc, self.took, self.out[:300],
                                                         self.err[-300:])


def run(argv, timeout=20.0, stdin=b""):
    exe = shutil.which(argv[0])
    if exe is None:
        raise Skip("%s is not installed" % argv[0])
    t0 = time.monotonic()
    try:
        r = subprocess.run([exe] + argv[1:], input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout * SLACK)
    except subprocess.TimeoutExpired:
        raise Failure("%s did not finish within %.0f s" % (" ".join(argv), timeout * SLACK))
    return Run(r.returncode, r.stdout.decode("utf-8", "replace"),
               r.stderr.decode("utf-8", "replace"), time.monotonic() - t0)


def curl(s, path="/", *args, host="localhost", ca="ca", timeout=10):
    """curl with verification against PKI file ca (None: no --cacert), by
    name (--resolve to the server's address) unless host is None (the
    server's address itself)."""
    argv = ["curl", "-sS", "-m", str(timeout * SLACK)]
    if ca:
        argv += ["--cacert", pki().cert(ca)]
    if host:
        argv += ["--resolve", s.resolve(host), s.url(path, host=host)]
    else:
        argv.append(s.url(path))
    return run(argv + list(args), timeout=timeout + 10)


def curl_expect(s, rc, text=None, *args, **kw):
    r = curl(s, kw.pop("path", "/"), *args, **kw)
    check(r.rc == rc and (text is None or text in r.out + r.err),
          "curl %s: expected exit %d with %r, got %r", " ".join(args), rc, text, r)
    return r


def s_client(s, *args, name="localhost", ca="ca"):
    """openssl s_client, verifying against ca (with -verify_return_error):
    (Run, fields) where fields holds Protocol, Cipher, ALPN, Verify, Temp."""
    argv = ["openssl", "s_client", "-connect", s.authority, "-verify_return_error"]
    if name:
        argv += ["-servername", name, "-verify_hostname", name]
    if ca:
        argv += ["-CAfile", pki().cert(ca)]
    r = run(argv + list(args), timeout=15)
    f = {}
    for key, pat in (("Protocol", r"^\s*Protocol\s*: (\S+)"), ("Cipher", r"^\s*Cipher\s*: (\S+)"),
                     ("ALPN", r"^(ALPN protocol: \S+|No ALPN negotiated)"),
                     ("Verify", r"Verify return code: (\d+)"), ("Temp", r"Server Temp Key: (.*)"),
                     ("Depth", r"^ ?(\d+) s:")):
        m = re.findall(pat, r.out, re.M)
        f[key] = m[-1] if m else None
    return r, f


def py_handshake(s, name="localhost", alpn=None, version=None):
    """Python's ssl (OpenSSL underneath, but not the openssl command) with
    no verification: (negotiated version, cipher, alpn) or raises."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if alpn:
        ctx.set_alpn_protocols(alpn)
    if version:
        ctx.minimum_version = ctx.maximum_version = version
    with socket.create_connection((s.host, s.port), timeout=5 * SLACK) as raw:
        with ctx.wrap_socket(raw, server_hostname=name) as t:
            return t.version(), t.cipher()[0], t.selected_alpn_protocol()


def mini(s, *args, name="localhost", exe=None, timeout=20):
    """The size study's client (the trimmed BearSSL profile): its one line."""
    exe = exe or MINI
    if not os.access(exe, os.X_OK):
        raise Skip("%s is not built (make %s)" % (exe, os.path.relpath(exe, ROOT)))
    argv = [exe] + (["-n", name] if name else []) + list(args) + [s.host, str(s.port)]
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout * SLACK, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout.decode("utf-8", "replace").strip()


def mini_expect(s, want, *args, **kw):
    rc, line = mini(s, *args, **kw)
    ok = rc == 0 and line.startswith("ok") if want == "ok" else line.startswith(want)
    check(ok, "tlsmini %s: expected %r, got exit %d %r", " ".join(args), want, rc, line)
    return line


# ---- the PKI ---------------------------------------------------------------------------

def spki_sha256(pem_path):
    """sha256//BASE64 of a certificate's SubjectPublicKeyInfo, found by
    walking its DER here (not with openssl, which gencerts.sh used)."""
    with open(pem_path) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())

    def tlv(i):
        n, j = der[i + 1], i + 2
        if n & 0x80:
            k = n & 0x7F
            n, j = int.from_bytes(der[j:j + k], "big"), j + k
        return j, n        # content offset, content length

    i, _ = tlv(0)                       # Certificate
    i, _ = tlv(i)                       # tbsCertificate
    if der[i] == 0xA0:                  # version
        j, n = tlv(i)
        i = j + n
    for _ in range(5):                  # serial, signature, issuer, validity, subject
        j, n = tlv(i)
        i = j + n
    j, n = tlv(i)
    return "sha256//" + base64.b64encode(hashlib.sha256(der[i:j + n]).digest()).decode()


@test("pki_pins")
def _(t):
    p = pki()
    for name in ("rsa", "ec", "ec384", "chain", "selfsigned", "unknown"):
        got = spki_sha256(p.cert(name))
        check(got == p.pin(name), "%s.pin says %s, its SPKI hashes to %s", name, p.pin(name), got)
    check(len({p.pin(n) for n in ("rsa", "ec", "ec384", "chain", "selfsigned")}) == 5,
          "two server keys share a pin")
    # the variants reuse rsa.key: the same pin
    for name in ("expired", "notyet", "wrongname"):
        check(spki_sha256(p.cert(name)) == p.pin("rsa"), "%s does not carry rsa.key", name)


@test("pki_verify")
def _(t):
    p = pki()

    def verify(*args):
        return run(["openssl", "verify"] + list(args))
    for ca, certs in (("ca", ("rsa", "wrongname", "ec-rsaca", "int", "ed25519-rsaca")),
                      ("ca-ec", ("ec", "ec384")), ("client-ca", ("client-rsa", "client-ec")),
                      ("unknown-ca", ("unknown",)), ("selfsigned", ("selfsigned",))):
        for c in certs:
            r = verify("-CAfile", p.cert(ca), p.cert(c))
            check(r.rc == 0 and ": OK" in r.out, "%s by %s: %r", c, ca, r)
    r = verify("-CAfile", p.cert("ca"), "-untrusted", p.cert("int"), p.cert("chain"))
    check(r.rc == 0, "chain: %r", r)
    for c, code in (("expired", "error 10"), ("notyet", "error 9"), ("selfsigned", "error 18"),
                    ("unknown", "error 20")):
        r = verify("-CAfile", p.cert("ca"), p.cert(c))
        check(r.rc != 0 and code in r.out + r.err, "%s: expected %s, got %r", c, code, r)
    r = verify("-CAfile", p.cert("ca"), "-verify_hostname", "localhost", p.cert("wrongname"))
    check(r.rc != 0 and "error 62" in r.out + r.err, "wrongname: %r", r)
    for opt in (("-verify_hostname", "localhost"), ("-verify_ip", "127.0.0.1"), ("-verify_ip", "::1")):
        r = verify("-CAfile", p.cert("ca"), *opt, p.cert("rsa"))
        check(r.rc == 0, "rsa.pem %s: %r", " ".join(opt), r)
    r = verify("-CAfile", p.cert("ca"), "-verify_ip", "127.0.0.2", p.cert("rsa"))
    check(r.rc != 0, "rsa.pem must not be valid for 127.0.0.2")


@test("pki_keys")
def _(t):
    p = pki()
    for c in ("rsa", "ec", "ec384", "chain", "selfsigned", "unknown", "client-rsa", "client-ec",
              "expired", "ec-rsaca", "ed25519-rsaca", "k1-rsaca"):
        a = run(["openssl", "x509", "-in", p.cert(c), "-noout", "-pubkey"])
        b = run(["openssl", "pkey", "-in", p.key(c), "-pubout"])
        check(a.rc == 0 and a.out == b.out, "%s.pem and its key differ", c)
    for k, head in (("client-rsa.trad.key", "BEGIN RSA PRIVATE KEY"),
                    ("client-ec.trad.key", "BEGIN EC PRIVATE KEY"),
                    ("client-rsa.enc.key", "BEGIN ENCRYPTED PRIVATE KEY"),
                    ("client-rsa.trad-enc.key", "Proc-Type: 4,ENCRYPTED"),
                    ("client-rsa.key", "BEGIN PRIVATE KEY")):
        with open(p.file(k)) as f:
            check(head in f.read(), "%s lacks %r", k, head)
    r = run(["openssl", "pkey", "-in", p.file("client-rsa.enc.key"), "-passin", "pass:test",
             "-pubout"])
    check(r.rc == 0 and r.out == run(["openssl", "pkey", "-in", p.key("client-rsa"),
                                      "-pubout"]).out, "the encrypted key is not client-rsa's")


# ---- openssl s_server ------------------------------------------------------------------

@test("openssl_verified_rsa_ec")
def _(t):
    for cert, ca in (("rsa", "ca"), ("ec", "ca-ec"), ("ec-rsaca", "ca"), ("ec384", "ca-ec")):
        s = t.openssl(cert, tls="1.2")
        curl_expect(s, 0, "s_server", ca=ca)
        curl_expect(s, 0, "s_server", ca=ca, host=None)     # by IP: the IP SAN
        curl_expect(s, 60, None, ca="ca-ec" if ca == "ca" else "ca")
        r, f = s_client(s, ca=ca)
        check(f["Verify"] == "0" and f["Protocol"] == "TLSv1.2", "%s: %r", cert, f)
        want = "ECDSA" if cert != "rsa" else "RSA"
        check(want in (f["Cipher"] or ""), "%s: cipher %s is not ECDHE-%s", cert, f["Cipher"], want)


@test("openssl_v6_and_chain")
def _(t):
    s = t.openssl("rsa", family="v6")
    check(s.authority.startswith("[::1]:"), "authority %s", s.authority)
    curl_expect(s, 0, "s_server", host=None)
    s = t.openssl("chain")
    curl_expect(s, 0, "s_server")
    r, f = s_client(s)
    check(f["Verify"] == "0" and f["Depth"] == "1", "the intermediate is not sent: %r", f)


@test("openssl_bad_certificates")
def _(t):
    for cert, text in (("expired", "expired"), ("notyet", "not yet valid"),
                       ("wrongname", "subject name"), ("selfsigned", "self-signed"),
                       ("unknown", "local issuer")):
        s = t.openssl(cert)
        curl_expect(s, 60, text)
        curl_expect(s, 0, "s_server", "-k")
    s = t.openssl("wrongname")
    curl_expect(s, 0, "s_server", host="api.example.com")
    curl_expect(s, 60, "subject name matches", host=None)   # no IP in its SANs
    s = t.openssl("selfsigned")
    curl_expect(s, 0, "s_server", ca="selfsigned")


@test("openssl_pins")
def _(t):
    p = pki()
    s = t.openssl("rsa")
    curl_expect(s, 0, "s_server", "-k", "--pinnedpubkey", p.pin("rsa"))
    curl_expect(s, 0, "s_server", "--pinnedpubkey", p.pin("rsa"))
    curl_expect(s, 90, None, "-k", "--pinnedpubkey", p.pin("ec"))
    s = t.openssl("selfsigned")
    curl_expect(s, 0, "s_server", "-k", "--pinnedpubkey", p.pin("selfsigned"))
    curl_expect(s, 90, None, "-k", "--pinnedpubkey", p.pin("rsa"))


@test("openssl_versions")
def _(t):
    s = t.openssl("rsa", tls="1.3")
    r = curl_expect(s, 0, "s_server", "-v")
    check("TLSv1.3" in r.err, "not TLS 1.3: %r", r)
    curl_expect(s, 35, "protocol version", "--tls-max", "1.2")
    r, f = s_client(s, "-tls1_2")
    check(r.rc != 0 and "alert protocol version" in r.err, "s_client -tls1_2: %r", r)
    check(py_handshake(s)[0] == "TLSv1.3", "Python: not TLS 1.3")
    s = t.openssl("rsa", tls="1.2")
    r = curl_expect(s, 0, "s_server", "-v")
    check("TLSv1.2" in r.err, "not TLS 1.2: %r", r)
    curl_expect(s, 35, None, "--tlsv1.3")


@test("openssl_client_certificates")
def _(t):
    p = pki()
    s = t.openssl("rsa", tls="1.2", client_cert="require")
    curl_expect(s, 35, "handshake failure")
    for c in ("client-rsa", "client-ec"):
        curl_expect(s, 0, "s_server", "--cert", p.cert(c), "--key", p.key(c))
    curl_expect(s, 0, "s_server", "--cert", p.cert("client-rsa"), "--key",
                p.file("client-rsa.trad.key"))
    curl_expect(s, 35, None, "--cert", p.cert("unknown"), "--key", p.key("unknown"))
    s = t.openssl("ec", client_cert="require")                  # TLS 1.3: after the handshake
    curl_expect(s, 56, "certificate required", ca="ca-ec")
    curl_expect(s, 0, "s_server", "--cert", p.cert("client-ec"), "--key", p.key("client-ec"),
                ca="ca-ec")
    s = t.openssl("rsa", client_cert="request")
    curl_expect(s, 0, "s_server")
    curl_expect(s, 0, "s_server", "--cert", p.cert("client-rsa"), "--key", p.key("client-rsa"))


@test("openssl_alpn_ciphers_groups")
def _(t):
    s = t.openssl("rsa", alpn="h2")
    r, f = s_client(s, "-alpn", "h2,http/1.1")
    check(f["ALPN"] == "ALPN protocol: h2", "ALPN %r", f)
    r, f = s_client(s, "-alpn", "http/1.1")
    check(f["ALPN"] == "No ALPN negotiated", "ALPN %r", f)
    check(py_handshake(s, alpn=["h2"])[2] == "h2", "Python: ALPN")
    s = t.openssl("rsa", tls="1.2", ciphers="ECDHE-RSA-CHACHA20-POLY1305", groups="P-384")
    r, f = s_client(s)
    check(f["Cipher"] == "ECDHE-RSA-CHACHA20-POLY1305", "cipher %r", f)
    check("secp384r1" in (f["Temp"] or ""), "group %r", f)
    curl_expect(s, 35, None, "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256")
    curl_expect(s, 35, None, "--curves", "X25519")
    curl_expect(s, 0, "s_server", "--curves", "P-384")


@test("openssl_pages")
def _(t):
    s = t.openssl("ec", pages={"health": b"HTTP/1.0 200 ok\r\nContent-Type: text/plain\r\n\r\nhealthy\n",
                               "down": b"HTTP/1.0 503 down\r\n\r\nunhealthy\n"})
    curl_expect(s, 0, "healthy", ca="ca-ec", path="/health")
    r = curl_expect(s, 0, "unhealthy", "-w", "%{http_code}", ca="ca-ec", path="/down")
    check(r.out.endswith("503"), "status %r", r.out)


# ---- nginx ------------------------------------------------------------------------------

@test("nginx_https")
def _(t):
    s = t.nginx("rsa")
    r = curl_expect(s, 0, "ok", "--http1.1", "-w", "%{http_version}")
    check(r.out == "ok\n1.1", "%r", r.out)
    curl_expect(s, 0, "ok", host=None)
    s = t.nginx("chain", status=503, body="down\n", family="v6")
    r = curl_expect(s, 0, "down", "-w", "%{http_code}", host=None)
    check(r.out.endswith("503"), "status %r", r.out)
    r, f = s_client(s, name="localhost")
    check(f["Verify"] == "0" and f["Depth"] == "1", "chain %r", f)


@test("nginx_http2_alpn")
def _(t):
    s = t.nginx("ec", http2=True)
    r = curl_expect(s, 0, "ok", "--http2", "-w", "%{http_version}", ca="ca-ec")
    check(r.out == "ok\n2", "%r", r.out)
    r, f = s_client(s, "-alpn", "h2", ca="ca-ec")
    check(f["ALPN"] == "ALPN protocol: h2", "ALPN %r", f)
    s = t.nginx("ec")
    r, f = s_client(s, "-alpn", "h2", ca="ca-ec")
    check(f["ALPN"] == "No ALPN negotiated", "h2 offered without http2: %r", f)


@test("nginx_client_verification")
def _(t):
    p = pki()
    s = t.nginx("rsa", verify="on")
    # nginx completes the handshake and answers 400 without a certificate
    r = curl_expect(s, 0, "No required SSL certificate", "-w", "%{http_code}")
    check(r.out.endswith("400"), "%r", r.out)
    for c in ("client-rsa", "client-ec"):
        curl_expect(s, 0, "ok", "--cert", p.cert(c), "--key", p.key(c))
    r = curl_expect(s, 0, "certificate error", "-w", "%{http_code}", "--cert", p.cert("unknown"),
                    "--key", p.key("unknown"))
    check(r.out.endswith("400"), "%r", r.out)
    s = t.nginx("rsa", verify="optional")
    curl_expect(s, 0, "ok")


@test("nginx_versions")
def _(t):
    s = t.nginx("rsa", tls="1.3")
    curl_expect(s, 35, None, "--tls-max", "1.2")
    check(py_handshake(s)[0] == "TLSv1.3", "not TLS 1.3")
    s = t.nginx("rsa", tls="1.2")
    curl_expect(s, 35, None, "--tlsv1.3")
    check(py_handshake(s)[0] == "TLSv1.2", "not TLS 1.2")


@test("nginx_grpcs")
def _(t):
    if os.path.join(ROOT, "tests", "grpc") not in sys.path:
        sys.path.append(os.path.join(ROOT, "tests", "grpc"))
    try:
        import grpc
        import grpcservers
        import healthpb
    except ImportError as e:
        raise Skip("gRPC for Python is not installed: %s" % e)
    why = grpcservers.missing("grpc-core")
    if why:
        raise Skip(why)
    back = t.own(grpcservers.GrpcServer("grpc-core", status={"db": "NOT_SERVING"}))
    s = t.nginx("rsa", http2=True, grpc=back.target)
    with open(pki().cert("ca"), "rb") as f:
        creds = grpc.ssl_channel_credentials(f.read())
    ch = grpc.secure_channel(s.authority, creds,
                             options=[("grpc.ssl_target_name_override", "localhost")])
    try:
        check_ = ch.unary_unary(healthpb.CHECK,
                                request_serializer=healthpb.HealthCheckRequest.SerializeToString,
                                response_deserializer=healthpb.HealthCheckResponse.FromString)
        for svc, want in (("", healthpb.SERVING), ("db", healthpb.NOT_SERVING)):
            got = check_(healthpb.HealthCheckRequest(service=svc), timeout=10 * SLACK).status
            check(got == want, "grpcs Check(%r): %r, want %r", svc, got, want)
    finally:
        ch.close()
    check([c["service"] for c in back.wait_calls(2)] == ["", "db"], "calls %r", back.calls)


# ---- stunnel ----------------------------------------------------------------------------

@test("stunnel_service")
def _(t):
    s = t.stunnel("rsa")
    curl_expect(s, 0, "ok", path="/healthz")
    s = t.stunnel("ec", family="v6")
    curl_expect(s, 0, "ok", ca="ca-ec", path="/healthz", host=None)


@test("stunnel_backend_sees_plaintext")
def _(t):
    back = t.own(ts.hcserver.Server(ts.hcserver.respond(200, "OK", ("Content-Length: 6",), b"plain\n")))
    s = t.stunnel("chain", backend=back.authority)
    curl_expect(s, 0, "plain", path="/x")
    # stunnel connects to the backend for every client, the readiness
    # handshake too (which sends nothing)
    got = [r for r in back.requests if r]
    check(len(got) == 1 and got[0].startswith(b"GET /x HTTP/1.1\r\n"),
          "the backend got %r", back.requests)


@test("stunnel_verify_and_versions")
def _(t):
    p = pki()
    s = t.stunnel("rsa", verify=True, tls="1.2")
    r = curl(s, "/healthz")
    check(r.rc in (35, 56), "no client certificate: %r", r)
    curl_expect(s, 0, "ok", "--cert", p.cert("client-ec"), "--key", p.key("client-ec"),
                path="/healthz")
    curl_expect(s, 35, None, "--tlsv1.3", path="/healthz")
    s = t.stunnel("rsa", tls="1.3")
    curl_expect(s, 35, None, "--tls-max", "1.2", path="/healthz")


# ---- hostile peers ----------------------------------------------------------------------

@test("peer_stall")
def _(t):
    s = t.peer(ts.stall())
    r = curl(s, "/", "-m", "1", timeout=1)
    check(r.rc == 28 and 0.9 <= r.took < 8 * SLACK, "curl against a stall: %r", r)
    h = s.hellos()[0]
    check(h.ok and h.sni == "localhost", "ClientHello %s %r", h.error, h.sni)


@test("peer_garbage")
def _(t):
    for kind in sorted(ts.GARBAGE):
        s = t.peer(ts.garbage(kind, then_close=kind == "truncated"))
        r = curl(s, "/", host=None)
        check(r.rc == 35 and r.took < 5 * SLACK, "garbage %s: %r", kind, r)
        try:
            py_handshake(s)
        except (ssl.SSLError, OSError):
            pass
        else:
            raise Failure("Python's ssl accepted garbage %s" % kind)


@test("peer_plain_http_and_alerts")
def _(t):
    s = t.peer(ts.plain_http())
    curl_expect(s, 35, "wrong version number", host=None)
    h = s.hellos()[0]
    check(h.ok and h.sni is None, "a ClientHello to an IP carries no SNI: %r", h.sni)
    for desc, text in ((40, "handshake failure"), (70, "protocol version"), (80, "internal error")):
        s = t.peer(ts.alert(desc))
        curl_expect(s, 35, text)
    for rst in (False, True):
        s = t.peer(ts.hang_up(rst))
        r = curl(s, "/")
        check(r.rc == 35, "hang up (rst=%s): %r", rst, r)


@test("service_plain_on_tls_port")
def _(t):
    svc = t.service()
    r = run(["curl", "-sS", "-m", str(5 * SLACK), svc.url()])
    check(r.rc == 0 and r.out == "ok\n", "plain: %r", r)
    # The service waits for the end of a request head (CRLF CRLF, or 5 s),
    # which a ClientHello never sends: a TLS client hears nothing.
    r = run(["curl", "-sS", "-m", "1", "--cacert", pki().cert("ca"), svc.url(scheme="https")])
    check(r.rc == 28, "https to a plain service: %r", r)


@test("peer_silent")
def _(t):
    s = t.peer(ts.silent())
    r = curl(s, "/", "-m", "1", timeout=1)
    check(r.rc == 28, "curl against a silent peer: %r", r)


@test("client_hello_parser")
def _(t):
    s = t.peer(ts.hang_up())
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection((s.host, s.port), timeout=5) as raw:
        try:
            ctx.wrap_socket(raw, server_hostname="svc.example")
        except (ssl.SSLError, OSError):
            pass
    deadline = time.monotonic() + 5 * SLACK
    while not s.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    h = s.hellos()[0]
    check(h.ok, "not parsed: %s", h.error)
    check(h.sni == "svc.example" and h.alpn == ["h2", "http/1.1"], "sni %r alpn %r", h.sni, h.alpn)
    check(0x0304 in (h.supported_versions or []) and h.version == 0x0303, "versions %r", h)
    check(0x1301 in h.suites and "key_share" in h.ext_names(), "suites/extensions %r", h.ext_names())
    check(not ts.parse_client_hello(b"GET / HTTP/1.1\r\n\r\n").ok, "HTTP parsed as a ClientHello")
    check(not ts.parse_client_hello(b"\x16\x03\x01\x00\x10\x01").ok, "a truncated hello parsed")


@test("trickle_proxy")
def _(t):
    s = t.openssl("ec")
    fast = curl(s, "/", ca="ca-ec")
    check(fast.rc == 0, "direct: %r", fast)
    px = t.own(ts.TrickleProxy((s.host, s.port), delay=0.005, chunk=16))
    r = run(["curl", "-sS", "-m", str(30 * SLACK), "--cacert", pki().cert("ca-ec"),
             "--resolve", "localhost:%d:127.0.0.1" % px.port,
             "https://localhost:%d/" % px.port])
    check(r.rc == 0 and "s_server" in r.out and r.took > 0.5, "trickled: %r", r)
    r = run(["curl", "-sS", "-m", "0.3", "-k", px.url()])
    check(r.rc == 28, "a short deadline through the trickle: %r", r)


@test("stop_leaves_nothing")
def _(t):
    for kind, make in (("openssl", lambda: ts.OpenSSLServer("rsa")),
                       ("nginx", lambda: ts.NginxServer("rsa")),
                       ("stunnel", lambda: ts.StunnelServer("rsa"))):
        why = ts.missing(kind) or (ts.missing("service") if kind == "stunnel" else None)
        if why:
            raise Skip(why)
        s = make()
        pid, port, tmp = s.proc.pid, s.port, s.tmpdir
        backend = s.owned[0] if s.owned else None
        s.stop()
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            pass
        else:
            raise Failure("%s: process group %d still has members" % (kind, pid))
        check(s.proc is None and not os.path.exists(tmp), "%s left %s", kind, tmp)
        check(backend is None or backend.proc is None, "the backend service is still running")
        with socket.socket() as c:
            c.settimeout(2)
            check(c.connect_ex(("127.0.0.1", port)) != 0, "%s: port %d still accepts", kind, port)


# ---- the trimmed BearSSL profile (the size study's client) --------------------------------

@test("mini_certificates")
def _(t):
    for cert, ca in (("rsa", "ca"), ("ec", "ca-ec"), ("ec-rsaca", "ca"), ("ec384", "ca-ec"),
                     ("chain", "ca")):
        s = t.openssl(cert, tls="1.2")
        mini_expect(s, "ok HTTP/1.0 200 ok", "-c", pki().cert(ca))
        mini_expect(s, "ok", "-c", pki().cert("cas"), name=None)    # no SNI, no name check
    s = t.openssl("rsa", tls="1.2")
    mini_expect(s, "fail tls 62", "-c", pki().cert("ca-ec"))


@test("mini_suites_and_groups")
def _(t):
    p = pki()
    for cert, ca, ciphers in (("rsa", "ca", "ECDHE-RSA-AES128-GCM-SHA256"),
                              ("rsa", "ca", "ECDHE-RSA-AES256-GCM-SHA384"),
                              ("rsa", "ca", "ECDHE-RSA-CHACHA20-POLY1305"),
                              ("ec", "ca-ec", "ECDHE-ECDSA-AES128-GCM-SHA256"),
                              ("ec", "ca-ec", "ECDHE-ECDSA-AES256-GCM-SHA384"),
                              ("ec", "ca-ec", "ECDHE-ECDSA-CHACHA20-POLY1305")):
        s = t.openssl(cert, tls="1.2", ciphers=ciphers)
        mini_expect(s, "ok", "-c", p.cert(ca))
    for ciphers in ("AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA256"):     # RSA key exchange, CBC
        s = t.openssl("rsa", tls="1.2", ciphers=ciphers)
        mini_expect(s, "fail tls 296", "-c", p.cert("ca"))
    for groups in ("X25519", "P-256", "P-384", "P-521"):
        s = t.openssl("ec", tls="1.2", groups=groups)
        mini_expect(s, "ok", "-c", p.cert("ca-ec"))
    s = t.openssl("ec", tls="1.2", groups="X448")
    mini_expect(s, "fail tls 296", "-c", p.cert("ca-ec"))


@test("mini_bad_certificates")
def _(t):
    p = pki()
    for cert, want in (("expired", "fail tls 54"), ("notyet", "fail tls 54"),
                       ("wrongname", "fail tls 56"), ("selfsigned", "fail tls 62"),
                       ("unknown", "fail tls 62")):
        s = t.openssl(cert, tls="1.2")
        mini_expect(s, want, "-c", p.cert("ca"))
        mini_expect(s, "ok", "-k")
    s = t.openssl("wrongname", tls="1.2")
    mini_expect(s, "ok", "-c", p.cert("ca"), name="api.example.com")
    s = t.openssl("selfsigned", tls="1.2")
    mini_expect(s, "ok", "-c", p.cert("selfsigned"))


@test("mini_pins")
def _(t):
    p = pki()
    s = t.openssl("rsa", tls="1.2")
    mini_expect(s, "ok", "-p", p.pin("rsa"))
    mini_expect(s, "fail pin", "-p", p.pin("ec"))
    mini_expect(s, "ok", "-p", p.pin("rsa"), "-c", p.cert("ca"))
    mini_expect(s, "fail tls 62", "-p", p.pin("rsa"), "-c", p.cert("ca-ec"))
    for cert in ("ec", "selfsigned", "chain"):
        s = t.openssl(cert, tls="1.2")
        mini_expect(s, "ok", "-p", p.pin(cert))
        mini_expect(s, "fail pin", "-p", p.pin("rsa"))


@test("mini_client_certificates")
def _(t):
    p = pki()
    s = t.openssl("rsa", tls="1.2", client_cert="require")
    mini_expect(s, "fail tls 296", "-c", p.cert("ca"))
    for c, key in (("client-rsa", "client-rsa.key"), ("client-ec", "client-ec.key"),
                   ("client-rsa", "client-rsa.trad.key"), ("client-ec", "client-ec.trad.key")):
        mini_expect(s, "ok", "-c", p.cert("ca"), "-C", p.cert(c), "-K", p.file(key))
    mini_expect(s, "fail key", "-c", p.cert("ca"), "-C", p.cert("client-rsa"), "-K",
                p.key("client-ec"))
    mini_expect(s, "fail key 10", "-c", p.cert("ca"), "-C", p.cert("client-rsa"), "-K",
                p.file("client-rsa.enc.key"))
    mini_expect(s, "fail tls", "-c", p.cert("ca"), "-C", p.cert("unknown"), "-K", p.key("unknown"))


@test("mini_versions_and_others")
def _(t):
    p = pki()
    s = t.openssl("rsa", tls="1.3")
    mini_expect(s, "fail tls 326", "-c", p.cert("ca"))          # alert 70: protocol_version
    s = t.openssl("rsa", alpn="h2")
    mini_expect(s, "ok alpn=h2", "-c", p.cert("ca"), "-a", "h2")
    s = t.nginx("rsa", http2=True)
    mini_expect(s, "ok alpn=http/1.1 HTTP/1.1 200 OK", "-c", p.cert("ca"), "-a", "http/1.1")
    mini_expect(s, "ok HTTP/1.1 200 OK", "-c", p.cert("ca"))
    s = t.stunnel("ec")
    mini_expect(s, "ok HTTP/1.1 200 OK", "-c", p.cert("ca-ec"))
    s = t.nginx("rsa", verify="on")
    mini_expect(s, "ok HTTP/1.1 400", "-c", p.cert("ca"))
    mini_expect(s, "ok HTTP/1.1 200 OK", "-c", p.cert("ca"), "-C", p.cert("client-ec"), "-K",
                p.key("client-ec"))


@test("mini_client_hello")
def _(t):
    s = t.peer(ts.hang_up())
    mini(s, "-k", "-a", "h2")
    mini(s, "-k", name=None)
    deadline = time.monotonic() + 5 * SLACK
    while len(s.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    a, b = s.hellos()[:2]
    check(a.ok and b.ok, "not parsed: %s %s", a.error, b.error)
    check(a.sni == "localhost" and b.sni is None, "SNI %r %r", a.sni, b.sni)
    check(a.alpn == ["h2"] and b.alpn is None, "ALPN %r %r", a.alpn, b.alpn)
    check(a.version == 0x0303 and a.supported_versions is None, "versions %r", a.supported_versions)
    check(a.max_fragment_length is None, "a mono buffer sends no max_fragment_length")
    want = {0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA8, 0xCCA9}
    got = set(a.suites) - {0x00FF}          # the renegotiation SCSV may be there
    check(got == want, "suites %s", sorted("%04x" % x for x in got))
    check({29, 23, 24, 25} <= set(a.groups or []), "groups %r", a.groups)


@test("mini_hostile_peers")
def _(t):
    for script, want in ((ts.garbage("ssh", then_close=True), "fail tls"),
                         (ts.garbage("zeros", then_close=True), "fail tls"),
                         (ts.garbage("huge_record", then_close=True), "fail tls"),
                         (ts.plain_http(), "fail tls"),
                         (ts.alert(70), "fail tls 326"),
                         (ts.alert(40), "fail tls 296"),
                         (ts.hang_up(), "fail tls")):
        s = t.peer(script)
        mini_expect(s, want, "-k")


@test("mini_stack")
def _(t):
    p = pki()
    s = t.openssl("rsa", tls="1.2", client_cert="require")
    e = t.openssl("ec384", tls="1.2", groups="P-384")
    worst, line = 0, ""
    for srv, args in ((s, ("-c", p.cert("ca"), "-C", p.cert("client-rsa"), "-K", p.key("client-rsa"))),
                      (s, ("-c", p.cert("ca"), "-C", p.cert("client-ec"), "-K", p.key("client-ec"))),
                      (e, ("-c", p.cert("ca-ec"))), (e, ("-k",))):
        rc, out = mini(srv, *args, exe=MINI_STACK)
        m = re.search(r"stack (\d+) ctx (\d+)", out)
        check(rc == 0 and m, "tlsmini-stack %s: %r", " ".join(args), out)
        if int(m.group(1)) >= worst:
            worst, line = int(m.group(1)), out.splitlines()[-1]
    print("# tlsmini-stack, the deepest run: %s" % line, flush=True)
    check(worst < 16384, "the TLS calls took %d bytes of stack", worst)


# ---- running -------------------------------------------------------------------------------

def run_one(name, fn):
    t0 = time.monotonic()
    ctx = Ctx()
    try:
        fn(ctx)
        res, msg = "ok", ""
    except Skip as e:
        res, msg = "skip", str(e)
    except Failure as e:
        res, msg = "FAIL", str(e)
    except Exception:
        res, msg = "FAIL", "error in the test:\n" + traceback.format_exc()
    finally:
        try:
            ctx.cleanup()
        except Exception:
            res, msg = "FAIL", msg + "\ncleanup failed:\n" + traceback.format_exc()
    return name, res, msg, time.monotonic() - t0


def main(argv):
    jobs = int(os.environ.get("HC_JOBS") or "4")
    pats, listing = [], False
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "-l":
            listing = True
        elif a == "-j" and args:
            jobs = int(args.pop(0))
        elif a.startswith("-"):
            print(__doc__, file=sys.stderr)
            return 64
        else:
            pats.append(a)
    todo = [(n, f) for n, f in REGISTRY if not pats or any(p in n for p in pats)]
    if listing:
        print("\n".join(n for n, _ in todo))
        return 0
    ci = os.environ.get("CI") == "true"
    t0 = time.monotonic()
    pki()       # made once, before the tests share it
    passed = failed = skipped = 0
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        for name, res, msg, took in ex.map(lambda nf: run_one(*nf), todo):
            if res == "skip" and ci:
                res, msg = "FAIL", "missing under CI=true: " + msg
            if res == "ok":
                passed += 1
                print("ok    %-36s %6.2f s" % (name, took), flush=True)
            elif res == "skip":
                skipped += 1
                print("skip  %-36s (%s)" % (name, msg), flush=True)
            else:
                failed += 1
                print("FAIL  %-36s %6.2f s\n%s" % (name, took, msg), flush=True)
    print("tls-fixtures-check: %d tests in %.1f s" % (len(todo), time.monotonic() - t0))
    print("%d passed, %d failed%s" % (passed, failed, ", %d skipped" % skipped if skipped else ""))
    return 1 if failed or not todo else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
