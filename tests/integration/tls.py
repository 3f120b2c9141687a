"""https:// and grpcs:// against real TLS servers (openssl s_server,
nginx, stunnel4, grpc-go, gRPC C-core, grpc-js, Python's ssl) and hostile
peers, with a test PKI made at test time (tests/tls/gencerts.sh).

Registered when the binary under test is the TLS build (its -V line says
"with TLS"); the plain build gets the scenarios that say it has no TLS.
Every verdict is checked whole: the exit code and the exact one line.
"""

import os
import re
import select
import shutil
import socket
import ssl
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

import hcrun
from hcrun import check, elapsed, healthy, unhealthy, usage
from hcserver import close, hold, http, read_request, reset, respond, send, trickle
from hcserver import sleep as hcserver_sleep
from scenarios import OK, add, no_connection, parse_head, field_values, scenario

# Appended: tests/tls and tests/grpc hold modules (selftest.py) whose
# names must not hide ours.
for _d in ("tls", "grpc"):
    _p = os.path.join(hcrun.ROOT, "tests", _d)
    if _p not in sys.path:
        sys.path.append(_p)
import tlsservers as ts  # noqa: E402
import grpcservers  # noqa: E402
import h2peer as hp  # noqa: E402

NOBODY = 65534
HANDSHAKE = " (in the TLS handshake)"
IP_NEEDS_NAME = ("an IP address has no name to verify: give --servername, --pin or -k")
NO_BUNDLE = ("no CA certificates here (no system bundle): give --cacert FILE, --pin or -k")
NEEDS_TLS_BUILD = "https:// and grpcs:// need healthcheck-tls"
TLS13 = "server requires TLS 1.3 (this build has TLS 1.2)"
NO_SUITE = "handshake failed: no common cipher suite"
ASKED = "server asked for a client certificate"
REFUSED_CERT = "server refused the client certificate"
SUITES = [0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8]   # what the probe offers


# The deadline of a probe whose verdict is not a timeout: long enough for
# the slowest build (valgrind's), short of the runner's hard limit.
LONG = "%dms" % int(5000 * hcrun.SLACK)


def run(t, args, env=None):
    """The probe with args and env, given LONG unless args set a deadline."""
    args = list(args)
    if "-t" not in args:
        args = ["-t", LONG] + args
    return t.run(args, env=env)


def pki():
    return ts.pki()


# ---- servers, owned by the scenario's Ctx ----

def own(t, s):
    t.servers.append(s)
    return s


def openssl(t, cert="rsa", **kw):
    return own(t, ts.OpenSSLServer(cert, **kw))


def nginx(t, cert="rsa", **kw):
    return own(t, ts.NginxServer(cert, **kw))


def stunnel(t, cert="rsa", **kw):
    return own(t, ts.StunnelServer(cert, **kw))


def peer(t, script, family="v4"):
    return own(t, ts.TlsPeer(script, family))


def server_context(cert="rsa", alpn=None):
    """A Python ssl server context with a PKI certificate (OpenSSL's TLS,
    driven by scripted steps)."""
    p = pki()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(p.cert(cert), p.key(cert))
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx


def scripted(t, script, cert="rsa", alpn=None, **kw):
    """A scripted server whose scripts may start TLS (hp.tls()) and go on
    with any hcserver or HTTP/2 step over it."""
    return own(t, hp.H2Server(script, tls_context=server_context(cert, alpn), **kw))


def close_notify():
    """A step: send TLS close_notify, then close the socket."""
    def fn(conn):
        try:
            conn.sock.settimeout(0.5)
            conn.sock = conn.sock.unwrap()
        except (ssl.SSLError, OSError):
            pass
        return [close()]
    return hp.dynamic(fn)


def raw(data):
    """A step: bytes straight onto the TCP stream, under the TLS layer."""
    def fn(conn):
        os.write(conn.sock.fileno(), data)
        return []
    return hp.dynamic(fn)


def server_hello(version, suite):
    """A ServerHello record choosing version and suite (RFC 5246 7.4.1.3),
    no session id, no extensions."""
    body = struct.pack(">H", version) + os.urandom(32) + b"\x00" + struct.pack(">HB", suite, 0)
    msg = b"\x02" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x03" + struct.pack(">H", len(msg)) + msg


class Tamper:
    """A relay to (host, port) that flips the last byte of the client's
    first application data record: the server sees a record that fails its
    MAC, after a finished handshake, and answers with an alert."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self):
        while not self.stopping.is_set():
            if not select.select([self.sock], [], [], 0.02)[0]:
                continue
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            th = threading.Thread(target=self._relay, args=(c,), daemon=True)
            self.threads.append(th)
            th.start()

    def _relay(self, c):
        u = socket.create_connection(self.upstream, timeout=5)
        pending, flipped = bytearray(), False
        end = time.monotonic() + 30
        try:
            while not self.stopping.is_set() and time.monotonic() < end:
                r = select.select([c, u], [], [], 0.02)[0]
                if c in r:
                    b = c.recv(65536)
                    if not b:
                        break
                    pending += b
                    while len(pending) >= 5:     # whole records only
                        n = 5 + struct.unpack(">H", bytes(pending[3:5]))[0]
                        if len(pending) < n:
                            break
                        rec = bytearray(pending[:n])
                        del pending[:n]
                        if rec[0] == 0x17 and not flipped:
                            rec[-1] ^= 0x01
                            flipped = True
                        u.sendall(rec)
                if u in r:
                    b = u.recv(65536)
                    if not b:
                        break
                    c.sendall(b)
        except OSError:
            pass
        finally:
            c.close()
            u.close()

    def stop(self):
        self.stopping.set()
        for th in self.threads:
            th.join(2.0)
        self.sock.close()


def https(s, path="/", host="localhost"):
    return "https://%s:%d%s" % (host, s.port, path)


def ca(name="ca"):
    return ["--cacert", pki().cert(name)]


def odd_cert(t, ext, cn="localhost", md="sha256", issuer="ca", key="rsa"):
    """(certfile, keyfile): a certificate for the PKI's key `key`, with the
    extensions in ext (openssl's extfile lines), signed by PKI name
    issuer; made in a directory of the scenario's."""
    p = pki()
    d = t.tempdir("hccert")
    os.chmod(d, 0o755)
    crt, csr, extf = (os.path.join(d, n) for n in ("c.pem", "c.csr", "ext"))
    with open(extf, "w") as f:
        f.write("".join(line + "\n" for line in ext))
    for argv in (["openssl", "req", "-new", "-key", p.key(key), "-subj", "/CN=" + cn, "-out", csr],
                 ["openssl", "x509", "-req", "-in", csr, "-CA", p.cert(issuer), "-CAkey",
                  p.key(issuer), "-set_serial", str(int.from_bytes(os.urandom(8), "big")),
                  "-days", "30", "-" + md, "-extfile", extf, "-out", crt]):
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        check(r.returncode == 0, "%s: %s", " ".join(argv[:2]), r.stdout.decode(errors="replace"))
    os.chmod(crt, 0o644)
    return crt, p.key(key)


# ---- checks ----

def says(r, reason):
    """Unhealthy with exactly this reason."""
    unhealthy(r, re.escape(reason))


def refused(r, message):
    """A usage error whose first line is exactly 'healthcheck: MESSAGE'."""
    usage(r)
    first = r.err_lines()[0]
    check(first == "healthcheck: " + message, "usage message %r, want %r\n%s", first,
          "healthcheck: " + message, r.describe())


def unsent(t, args, message, env=None):
    """A usage error with exactly message, and nothing reached the peer."""
    s = peer(t, ts.hang_up())
    port = str(s.port)
    r = run(t, [a.replace("PORT", port) for a in args],
              env={k: v.replace("PORT", port) for k, v in (env or {}).items()})
    refused(r, message)
    no_connection(s, r)


def hello(t, args, url="https://localhost:PORT/"):
    """What the probe sent: a peer that reads the ClientHello and hangs up."""
    s = peer(t, ts.hang_up())
    r = run(t, args + [url.replace("PORT", str(s.port))])
    says(r, "connection closed before a full response" + HANDSHAKE)
    s.stop()
    check(s.connections == 1, "expected one connection, saw %d", s.connections)
    h = s.hellos()[0]
    check(h.ok, "not a ClientHello: %s (%r)", h.error, s.requests[0][:64])
    return h


def tls_cases():
    # ---- valid servers, each kind of key and server ----

    def valid(name, cert, anchor, kind="openssl", path="/", **kw):
        def fn(t):
            s = {"openssl": openssl, "nginx": nginx, "stunnel": stunnel}[kind](t, cert, **kw)
            r = run(t, ca(anchor) + [https(s, path)])
            healthy(r)
            elapsed(r, 0, 2.0)
        add("tls_" + name, fn)

    valid("rsa_cacert", "rsa", "ca")
    valid("rsa_cacert_nginx", "rsa", "ca", "nginx")
    valid("rsa_cacert_stunnel", "rsa", "ca", "stunnel", "/healthz")
    valid("ecdsa_p256_cacert", "ec", "ca-ec")
    valid("ecdsa_p256_cacert_nginx", "ec", "ca-ec", "nginx")
    valid("ecdsa_p384_cacert", "ec384", "ca-ec")
    valid("ecdsa_key_under_rsa_ca", "ec-rsaca", "ca")
    valid("bundle_of_two_rsa", "rsa", "cas")
    valid("bundle_of_two_ecdsa", "ec", "cas")
    valid("chain_with_intermediate", "chain", "ca")
    valid("chain_with_intermediate_nginx", "chain", "ca", "nginx")
    valid("chain_with_intermediate_stunnel", "chain", "ca", "stunnel", "/healthz")
    valid("selfsigned_given_as_cacert", "selfsigned", "selfsigned")
    valid("ipv6_nginx", "rsa", "ca", "nginx", family="v6")

    # every suite and group the probe offers, one server each
    for suite in ("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                  "ECDHE-RSA-CHACHA20-POLY1305"):
        valid("suite_" + suite.lower().replace("-", "_"), "rsa", "ca", tls="1.2", ciphers=suite)
    for suite in ("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                  "ECDHE-ECDSA-CHACHA20-POLY1305"):
        valid("suite_" + suite.lower().replace("-", "_"), "ec", "ca-ec", tls="1.2", ciphers=suite)
    for group in ("P-256", "P-384", "P-521", "X25519"):
        valid("group_" + group.lower().replace("-", ""), "rsa", "ca", tls="1.2", groups=group)

    @scenario("tls_chain_without_its_intermediate")
    def _(t):
        # a server that sends only its leaf: the root cannot vouch for it,
        # the intermediate given as the CA can
        p = pki()
        d = t.tempdir("hcleaf")
        leaf = os.path.join(d, "leaf.pem")
        with open(p.cert("chain")) as f:
            text = f.read()
        with open(leaf, "w") as f:
            f.write(text[:text.index("-----END CERTIFICATE-----") + 26])
        s = nginx(t, (leaf, p.key("chain")))
        says(run(t, ca("ca") + [https(s)]), "unknown CA")
        healthy(run(t, ca("int") + [https(s)]))

    @scenario("tls_ipv6_address_with_servername")
    def _(t):
        s = nginx(t, "rsa", family="v6")
        healthy(run(t, ca() + ["--servername", "localhost", "https://[::1]:%d/" % s.port]))
        healthy(run(t, ["-k", "https://[::1]:%d/" % s.port]))

    # ---- certificates that must fail, each with its reason ----

    def bad_cert(name, cert, anchor, reason, args=(), host="localhost"):
        def fn(t):
            s = openssl(t, cert)
            r = run(t, ca(anchor) + list(args) + [https(s, host=host)])
            says(r, reason)
            elapsed(r, 0, 1.0)
        add("tls_" + name, fn)

    bad_cert("expired", "expired", "ca", "certificate expired")
    bad_cert("not_yet_valid", "notyet", "ca", "certificate not yet valid")
    bad_cert("wrong_name", "wrongname", "ca", "certificate name mismatch (got api.example.com)")
    bad_cert("wrong_name_servername_at_ip", "wrongname", "ca",
             "certificate name mismatch (got api.example.com)", ["--servername", "localhost"],
             "127.0.0.1")
    bad_cert("unknown_ca", "unknown", "ca", "unknown CA")
    bad_cert("unknown_ca_rsa_anchor_for_ecdsa_server", "ec", "ca", "unknown CA")
    bad_cert("selfsigned_not_given", "selfsigned", "ca", "unknown CA")
    bad_cert("chain_under_another_root", "chain", "ca-ec", "unknown CA")

    # ---- certificates made odd on purpose ----

    @scenario("tls_cert_san_without_dns_names")
    def _(t):
        # a SAN extension with an IP address only: BearSSL passes over the
        # CN (RFC 6125), so the CN is not what went wrong
        s = openssl(t, odd_cert(t, ["subjectAltName=IP:127.0.0.1"]))
        says(run(t, ca() + [https(s)]), "certificate name mismatch (its SAN has no DNS name)")
        says(run(t, ca() + ["--servername", "LocalHost", "https://127.0.0.1:%d/" % s.port]),
             "certificate name mismatch (its SAN has no DNS name)")
        says(run(t, ca() + ["--servername", "other", "https://127.0.0.1:%d/" % s.port]),
             "certificate name mismatch (got localhost)")
        healthy(run(t, ["--pin", pki().pin("rsa"), https(s)]))

    @scenario("tls_cert_common_name_only")
    def _(t):
        s = openssl(t, odd_cert(t, ["basicConstraints=CA:FALSE"]))
        healthy(run(t, ca() + [https(s)]))
        says(run(t, ca() + ["--servername", "other.example", "https://127.0.0.1:%d/" % s.port]),
             "certificate name mismatch (got localhost)")

    @scenario("tls_cert_wildcard")
    def _(t):
        s = openssl(t, odd_cert(t, ["subjectAltName=DNS:*.example.com"], cn="wild"))
        url = "https://127.0.0.1:%d/" % s.port
        healthy(run(t, ca() + ["--servername", "api.example.com", url]))
        for name in ("a.b.example.com", "example.com", "localhost"):
            says(run(t, ca() + ["--servername", name, url]),
                 "certificate name mismatch (got *.example.com)")

    @scenario("tls_cert_unknown_critical_extension")
    def _(t):
        s = openssl(t, odd_cert(t, ["subjectAltName=DNS:localhost",
                                    "1.3.6.1.4.1.99999.1=critical,ASN1:NULL"]))
        says(run(t, ca() + [https(s)]), "unknown critical extension in a certificate")

    @scenario("tls_cert_key_usage_key_encipherment_only")
    def _(t):
        # regression: "handshake failed" said nothing of why
        s = openssl(t, odd_cert(t, ["subjectAltName=DNS:localhost",
                                    "keyUsage=critical,keyEncipherment"]))
        says(run(t, ca() + [https(s)]), "certificate key usage does not allow signing (ECDHE)")
        healthy(run(t, ["-k", https(s)]))

    @scenario("tls_cert_signed_with_sha1")
    def _(t):
        s = openssl(t, odd_cert(t, ["subjectAltName=DNS:localhost"], md="sha1"),
                    ciphers="DEFAULT@SECLEVEL=0")
        says(run(t, ca() + [https(s)]), "certificate algorithm not supported")

    @scenario("tls_cert_issuer_not_a_ca")
    def _(t):
        # a leaf signed by a server certificate (CA:FALSE), sent with it
        crt, key = odd_cert(t, ["subjectAltName=DNS:localhost"], issuer="rsa", key="ec")
        both = os.path.join(os.path.dirname(crt), "chain.pem")
        with open(both, "w") as out:
            for f in (crt, pki().cert("rsa")):
                with open(f) as src:
                    out.write(src.read())
        os.chmod(both, 0o644)
        s = nginx(t, (both, key))
        says(run(t, ca() + [https(s)]), "certificate issuer is not a CA")

    @scenario("tls_servername")
    def _(t):
        # a certificate for api.example.com, probed at an address and at localhost
        s = nginx(t, "wrongname")
        for url in ("https://127.0.0.1:%d/", "https://localhost:%d/"):
            healthy(run(t, ca() + ["--servername", "api.example.com", url % s.port]))
        healthy(run(t, ca() + ["--servername", "API.Example.COM", "https://127.0.0.1:%d/" % s.port]))
        says(run(t, ca() + ["--servername", "other.example.com", "https://127.0.0.1:%d/" % s.port]),
             "certificate name mismatch (got api.example.com)")
        says(run(t, ca() + [https(s)]), "certificate name mismatch (got api.example.com)")

    @scenario("tls_system_bundle_does_not_know_the_test_ca")
    def _(t):
        # no option at all: the system's bundle is the trust, and it does
        # not hold the test CA
        bundle = "/etc/ssl/certs/ca-certificates.crt"
        s = nginx(t, "rsa")
        r = run(t, [https(s)])
        if os.path.exists(bundle):
            says(r, "unknown CA")
        else:
            check(os.environ.get("CI") != "true", "no %s (Debian package ca-certificates)", bundle)
            refused(r, NO_BUNDLE)

    @scenario("tls_ssl_cert_file_system_bundle_plus_ours")
    def _(t):
        bundle = "/etc/ssl/certs/ca-certificates.crt"
        check(os.path.exists(bundle), "no %s (Debian package ca-certificates)", bundle)
        f = os.path.join(t.tempdir("hcbundle"), "bundle.pem")
        with open(f, "w") as out:
            for part in (bundle, pki().cert("ca")):
                with open(part) as src:
                    out.write(src.read())
        s = nginx(t, "rsa")
        r = run(t, [https(s)], env={"SSL_CERT_FILE": f})
        healthy(r)
        elapsed(r, 0, 2.0)

    def bundle_with(t, names):
        f = os.path.join(t.tempdir("hcbundle"), "bundle.pem")
        with open(f, "w") as out:
            for name in names:
                with open(pki().cert(name)) as src:
                    out.write(src.read())
        return f

    @scenario("tls_ssl_cert_file_skips_what_it_cannot_use")
    def _(t):
        # a bundle in $SSL_CERT_FILE is read as the system's is: an Ed25519
        # root in it is skipped, the CA that signed the server is used
        s = nginx(t, "rsa")
        healthy(run(t, [https(s)], env={"SSL_CERT_FILE": bundle_with(t, ["ed25519", "ca"])}))

    @scenario("tls_ssl_cert_file_among_other_variables")
    def _(t):
        # only SSL_CERT_FILE itself names the bundle: its neighbours do not
        s = nginx(t, "rsa")
        healthy(run(t, [https(s)], env={"SHELL": "/bin/sh", "SSL_CERT_DIR": "/nonexistent-hc",
                                        "SSL_CERT_FILE": pki().cert("ca"),
                                        "SSL_CERT_FILE_X": "/nonexistent-hc/ca.pem"}))

    def hidden_etc_ssl(t, args, files=None):
        """The probe in a mount namespace whose /etc/ssl is an empty
        directory, or one with files {name: source} (/etc/pki is not on
        this machine): the system bundles are looked for in turn."""
        check(os.path.isdir("/etc/ssl") and not os.path.exists("/etc/pki"),
              "want /etc/ssl and no /etc/pki here")
        check(os.geteuid() == 0, "a mount namespace needs root")
        exe = shutil.which("unshare") or shutil.which("unshare", path="/usr/bin:/bin")
        check(exe is not None, "unshare is missing (util-linux)")
        d = t.tempdir("hcssl")
        os.chmod(d, 0o755)
        for name, src in (files or {}).items():
            shutil.copyfile(src, os.path.join(d, name))
            os.chmod(os.path.join(d, name), 0o644)
        script = 'mount --bind "$0" /etc/ssl && exec "$@"'
        return t.run([exe, "--mount", "--propagation", "private", "/bin/sh", "-c", script, d] +
                     hcrun.wrap() + [hcrun.binary()] + args,
                     env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}, direct=True)

    @scenario("tls_no_system_bundle_at_any_path")
    def _(t):
        s = peer(t, ts.hang_up())
        refused(hidden_etc_ssl(t, [https(s)]), NO_BUNDLE)
        no_connection(s)

    @scenario("tls_system_bundle_at_the_last_path")
    def _(t):
        # /etc/ssl/certs/ca-certificates.crt, /etc/pki/tls/certs/ca-bundle.crt
        # and /etc/ssl/ca-bundle.pem missing: /etc/ssl/cert.pem is read
        s = nginx(t, "rsa")
        healthy(hidden_etc_ssl(t, [https(s)], {"cert.pem": pki().cert("ca")}))
        r = hidden_etc_ssl(t, [https(s)], {"cert.pem": pki().cert("unknown-ca")})
        says(r, "unknown CA")

    @scenario("tls_name_not_resolved")
    def _(t):
        s = nginx(t, "rsa")
        says(run(t, ["-k", "https://no-such-host.invalid:%d/" % s.port]), "cannot resolve host")

    @scenario("tls_cacert_refuses_what_it_cannot_use")
    def _(t):
        # --cacert is the user's own file: a certificate in it that cannot be
        # used is said, and nothing is sent
        s = nginx(t, "rsa")
        r = run(t, ["--cacert", bundle_with(t, ["ed25519", "ca"]), https(s)])
        usage(r, mentions="a certificate whose key is not supported")

    # ---- keys, curves and versions the probe does not have ----

    def no_common(name, cert, args=(), **kw):
        def fn(t):
            s = openssl(t, cert, tls="1.2", **kw)
            says(run(t, list(args) + [https(s)]), NO_SUITE)
        add("tls_no_common_" + name, fn)

    no_common("cipher_suite", "rsa", ca(), ciphers="AES128-SHA")
    no_common("cipher_suite_cbc_only", "ec", ca("ca-ec"), ciphers="ECDHE-ECDSA-AES128-SHA256")
    no_common("group", "rsa", ca(), groups="X448")
    no_common("key_ed25519", "ed25519-rsaca", ["-k"])
    no_common("curve_secp256k1", "k1-rsaca", ["-k"])

    for kind in ("openssl", "nginx", "stunnel"):
        def tls13(t, kind=kind):
            s = {"openssl": openssl, "nginx": nginx, "stunnel": stunnel}[kind](t, "rsa", tls="1.3")
            r = run(t, ca() + [https(s)])
            says(r, TLS13)
            elapsed(r, 0, 1.0)
        add("tls_13_only_" + kind, tls13)

    # ---- pins ----

    @scenario("tls_pin_alone")
    def _(t):
        p = pki()
        for cert in ("rsa", "ec", "ec384", "chain", "selfsigned", "unknown"):
            s = openssl(t, cert)
            healthy(run(t, ["--pin", p.pin(cert), "https://127.0.0.1:%d/" % s.port]))
            healthy(run(t, ["--pin", p.pin(cert), https(s)]))
            s.stop()

    @scenario("tls_pin_wrong")
    def _(t):
        p = pki()
        s = openssl(t, "rsa")
        says(run(t, ["--pin", p.pin("ec"), "https://127.0.0.1:%d/" % s.port]), "pin mismatch")
        # a pin of the right length that no key has
        says(run(t, ["--pin", "sha256//" + "A" * 43 + "=", https(s)]), "pin mismatch")

    @scenario("tls_pin_with_a_ca")
    def _(t):
        p = pki()
        s = openssl(t, "rsa")
        healthy(run(t, ca() + ["--pin", p.pin("rsa"), https(s)]))
        healthy(run(t, ca() + ["--pin", p.pin("rsa"), "https://127.0.0.1:%d/" % s.port]))
        says(run(t, ca() + ["--pin", p.pin("ec"), https(s)]), "pin mismatch")
        # with a CA, the chain must hold as well as the pin
        says(run(t, ca("ca-ec") + ["--pin", p.pin("rsa"), https(s)]), "unknown CA")

    @scenario("tls_pin_several")
    def _(t):
        p = pki()
        s = openssl(t, "ec")
        url = "https://127.0.0.1:%d/" % s.port
        healthy(run(t, ["--pin", "%s;%s" % (p.pin("rsa"), p.pin("ec")), url]))
        healthy(run(t, ["--pin", ";".join([p.pin("rsa"), p.pin("chain"), p.pin("unknown"),
                                          p.pin("ec")]), url]))
        says(run(t, ["--pin", "%s;%s" % (p.pin("rsa"), p.pin("chain")), url]), "pin mismatch")

    @scenario("tls_pin_with_insecure")
    def _(t):
        p = pki()
        s = openssl(t, "unknown")
        healthy(run(t, ["-k", "--pin", p.pin("unknown"), https(s)]))
        says(run(t, ["-k", "--pin", p.pin("rsa"), https(s)]), "pin mismatch")

    for label, pin in (("five_pins", ";".join(["sha256//" + "A" * 43 + "="] * 5)),
                       ("short", "sha256//abc"), ("sha1", "sha1//" + "A" * 27 + "="),
                       ("trailing_semicolon", "sha256//" + "A" * 43 + "=;"),
                       ("no_prefix", "A" * 43 + "=")):
        add("tls_usage_pin_" + label,
            lambda t, pin=pin: unsent(t, ["--pin", pin, "https://127.0.0.1:PORT/"],
                                      "invalid --pin"))

    # ---- -k ----

    @scenario("tls_insecure_takes_any_certificate")
    def _(t):
        for cert in ("unknown", "expired", "notyet", "wrongname", "selfsigned"):
            s = openssl(t, cert)
            healthy(run(t, ["-k", https(s)]))
            healthy(run(t, ["--insecure", "https://127.0.0.1:%d/" % s.port]))
            s.stop()

    @scenario("tls_insecure_reads_no_ca_file")
    def _(t):
        s = openssl(t, "unknown")
        healthy(run(t, ["-k", "--cacert", "/nonexistent-hc/ca.pem", https(s)]))

    # ---- client certificates ----

    def client_case(name, server, args, verdict):
        def fn(t):
            p = pki()
            s = server(t)
            a = [x(p) if callable(x) else x for x in args]
            path = "/healthz" if isinstance(s, ts.StunnelServer) else "/"
            r = run(t, ca() + a + [https(s, path)])
            if verdict is None:
                healthy(r)
            elif verdict.startswith("HTTP "):
                unhealthy(r, verdict)
            else:
                says(r, verdict)
        add("tls_client_cert_" + name, fn)

    def cert_key(cert, key=None):
        """--cert and --key: PKI names (NAME.pem, its key), or file names."""
        def path(p, name, of):
            return p.file(name) if "." in name else of(name)
        key = key or cert
        return ["--cert", lambda p: path(p, cert, p.cert), "--key", lambda p: path(p, key, p.key)]

    def require(version="1.2"):
        return lambda t: openssl(t, "rsa", client_cert="require", tls=version)

    def request(t):
        return openssl(t, "rsa", client_cert="request", tls="1.2")

    client_case("required_none_given", require(), [], ASKED)
    client_case("required_none_given_any_version", require("any"), [], ASKED)
    client_case("required_rsa", require(), cert_key("client-rsa"), None)
    client_case("required_ec", require(), cert_key("client-ec"), None)
    client_case("required_rsa_traditional_key", require(),
                cert_key("client-rsa", "client-rsa.trad.key"), None)
    client_case("required_ec_traditional_key", require(),
                cert_key("client-ec", "client-ec.trad.key"), None)
    client_case("required_cert_and_key_in_one_file", require(),
                cert_key("client-rsa.full.pem", "client-rsa.full.pem"), None)
    client_case("required_ec_cert_and_key_in_one_file", require(),
                cert_key("client-ec.full.pem", "client-ec.full.pem"), None)
    # a key beside the chain gives way to the --key file's (curl's order)
    client_case("required_cert_file_with_a_key_and_its_key_file", require(),
                cert_key("client-rsa.full.pem", "client-rsa.key"), None)
    client_case("required_ec_cert_file_with_a_key_and_its_key_file", require(),
                cert_key("client-ec.full.pem", "client-ec.trad.key"), None)
    client_case("required_wrong_certificate", require(), cert_key("rsa"), REFUSED_CERT)
    client_case("required_wrong_certificate_any_version", require("any"), cert_key("ec"),
                REFUSED_CERT)
    client_case("required_by_a_tls13_only_server", require("1.3"), cert_key("client-rsa"), TLS13)
    client_case("requested_none_given", request, [], None)
    client_case("requested_rsa", request, cert_key("client-rsa"), None)
    client_case("stunnel_none_given", lambda t: stunnel(t, "rsa", verify=True), [], ASKED)
    client_case("stunnel_rsa", lambda t: stunnel(t, "rsa", verify=True), cert_key("client-rsa"),
                None)
    client_case("stunnel_wrong_certificate", lambda t: stunnel(t, "rsa", verify=True),
                cert_key("rsa"), REFUSED_CERT)
    # nginx finishes the handshake without one and answers 400
    client_case("nginx_none_given", lambda t: nginx(t, "rsa", verify="on"), [], "HTTP 400")
    client_case("nginx_ec", lambda t: nginx(t, "rsa", verify="on"), cert_key("client-ec"), None)
    client_case("nginx_rsa", lambda t: nginx(t, "rsa", verify="on"), cert_key("client-rsa"), None)

    @scenario("tls_client_cert_env")
    def _(t):
        p = pki()
        s = openssl(t, "rsa", client_cert="require", tls="1.2")
        env = {"HEALTHCHECK_URL": https(s), "HEALTHCHECK_CACERT": p.cert("ca"),
               "HEALTHCHECK_CERT": p.cert("client-ec"), "HEALTHCHECK_KEY": p.key("client-ec")}
        healthy(run(t, [], env=env))
        env.pop("HEALTHCHECK_KEY")
        unsent(t, [], "a client certificate needs its key, and a key its certificate",
               env=dict(env, HEALTHCHECK_URL="https://localhost:PORT/"))

    # ---- files that cannot be used: usage errors, and nothing is sent ----

    def file_case(name, make, args_of, message_of):
        """make(dir) -> path; args_of(path) -> argv; message_of(path)."""
        def fn(t):
            d = t.tempdir("hcpem")
            os.chmod(d, 0o755)
            path = make(d)
            unsent(t, args_of(path) + ["https://localhost:PORT/"], message_of(path))
        add("tls_usage_" + name, fn)

    def written(name, data, mode=0o644):
        def make(d):
            f = os.path.join(d, name)
            with open(f, "wb") as out:
                out.write(data() if callable(data) else data)
            os.chmod(f, mode)
            return f
        return make

    def pki_file(name):
        return lambda d: pki().file(name)

    def client(key_path):
        return ["--cert", pki().cert("client-rsa"), "--key", key_path]

    def der_cert():
        return subprocess.run(["openssl", "x509", "-in", pki().cert("ca"), "-outform", "DER"],
                              stdout=subprocess.PIPE, check=True, timeout=30).stdout

    def cut_pem():
        with open(pki().cert("ca"), "rb") as f:
            return f.read()[:600]

    def bad_base64():
        with open(pki().cert("ca"), "rb") as f:
            text = f.read()
        i = text.index(b"\n", 40) + 10
        return text[:i] + b"!*!" + text[i + 3:]

    def opened(p):
        return "cannot open the PEM file: " + p

    def no_cert(p):
        return "no certificate in the PEM file: " + p

    file_case("encrypted_key_pkcs8", pki_file("client-rsa.enc.key"), client,
              lambda p: "an encrypted private key (give it unencrypted): " + p)
    file_case("encrypted_key_traditional", pki_file("client-rsa.trad-enc.key"), client,
              lambda p: "an encrypted private key (give it unencrypted): " + p)
    file_case("key_of_another_type", pki_file("client-ec.key"), client,
              lambda p: "the key is not the certificate's key: " + p)
    file_case("key_of_another_certificate", pki_file("rsa.key"), client,
              lambda p: "the key is not the certificate's key: " + p)
    file_case("key_file_of_another_certificate_beside_a_full_chain", pki_file("client-ec.key"),
              lambda p: ["--cert", pki().file("client-rsa.full.pem"), "--key", p],
              lambda p: "the key is not the certificate's key: " + p)
    # res->message keeps HC_MESSAGE_MAX - 1 bytes of the file's name
    file_case("missing_cacert_long_path", lambda d: os.path.join(d, "n" * 200, "ca.pem"),
              lambda p: ["--cacert", p], lambda p: opened(p)[:len(opened("")) + 95])
    file_case("key_file_without_a_key", pki_file("client-rsa.pem"), client,
              lambda p: "no private key in the PEM file: " + p)
    file_case("cert_file_without_a_cert", pki_file("client-rsa.key"),
              lambda p: ["--cert", p, "--key", pki().key("client-rsa")], no_cert)
    file_case("missing_cacert", lambda d: os.path.join(d, "none.pem"),
              lambda p: ["--cacert", p], opened)
    file_case("missing_cert", lambda d: os.path.join(d, "none.pem"),
              lambda p: ["--cert", p, "--key", pki().key("client-rsa")], opened)
    file_case("missing_key", lambda d: os.path.join(d, "none.key"), client, opened)
    file_case("cacert_text_not_pem", written("hosts", b"127.0.0.1 localhost\n"),
              lambda p: ["--cacert", p], no_cert)
    file_case("cacert_empty", written("empty.pem", b""), lambda p: ["--cacert", p], no_cert)
    file_case("cacert_der_not_pem", written("ca.der", der_cert), lambda p: ["--cacert", p],
              no_cert)
    file_case("cacert_cut_short", written("cut.pem", cut_pem), lambda p: ["--cacert", p],
              lambda p: "not valid PEM: " + p)
    file_case("cacert_bad_base64", written("bad.pem", bad_base64), lambda p: ["--cacert", p],
              lambda p: "not valid PEM: " + p)
    file_case("cacert_a_key", pki_file("rsa.key"), lambda p: ["--cacert", p], no_cert)
    file_case("cacert_a_directory", lambda d: d, lambda p: ["--cacert", p],
              lambda p: "the PEM file is not a regular file: " + p)
    file_case("cacert_dev_null", lambda d: "/dev/null", lambda p: ["--cacert", p],
              lambda p: "the PEM file is not a regular file: " + p)
    file_case("cacert_a_fifo", lambda d: (os.mkfifo(os.path.join(d, "fifo")),
                                          os.path.join(d, "fifo"))[1],
              lambda p: ["--cacert", p], lambda p: "the PEM file is not a regular file: " + p)
    file_case("cacert_over_1_mib", written("big.pem", b"#" * (1 << 20) + b"\n"),
              lambda p: ["--cacert", p], lambda p: "the PEM file is over 1 MiB: " + p)
    file_case("cacert_key_ed25519", pki_file("ed25519.pem"), lambda p: ["--cacert", p],
              lambda p: "a certificate whose key is not supported (RSA to 4096 bits, "
                        "EC P-256 to P-521): " + p)
    file_case("cacert_key_rsa_4200_bits", pki_file("rsa4200-rsaca.pem"),
              lambda p: ["--cacert", p],
              lambda p: "a certificate whose key is not supported (RSA to 4096 bits, "
                        "EC P-256 to P-521): " + p)

    def joined(*names):
        def data():
            out = b""
            for n in names:
                with open(pki().file(n), "rb") as f:
                    out += f.read()
            return out
        return data

    file_case("key_file_with_two_keys", written("two.key", joined("client-rsa.key", "client-ec.key")),
              client, lambda p: "more than one private key: " + p)
    file_case("key_that_does_not_decode",
              written("bad.key", b"-----BEGIN PRIVATE KEY-----\nAAECAwQF\n-----END PRIVATE KEY-----\n"),
              client, lambda p: "a private key that does not decode: " + p)
    file_case("key_ed25519", pki_file("ed25519.key"), client,
              lambda p: "a private key of a type not supported: " + p)
    file_case("cert_ed25519", pki_file("ed25519.pem"),
              lambda p: ["--cert", p, "--key", pki().key("ed25519")],
              lambda p: "a certificate whose key is not supported (RSA to 4096 bits, "
                        "EC P-256 to P-521): " + p)
    file_case("cacert_257_certificates", written("many.pem", lambda: joined("ca.pem")() * 257),
              lambda p: ["--cacert", p], lambda p: "more than 256 certificates: " + p)

    @scenario("tls_cacert_256_certificates")
    def _(t):
        f = os.path.join(t.tempdir("hcmany"), "many.pem")
        with open(f, "wb") as out:
            for _ in range(85):
                for n in ("ca-ec.pem", "unknown-ca.pem", "client-ca.pem"):
                    with open(pki().file(n), "rb") as src:
                        out.write(src.read())
            with open(pki().cert("ca"), "rb") as src:
                out.write(src.read())
        s = openssl(t, "rsa")
        healthy(run(t, ["--cacert", f, https(s)]))

    @scenario("tls_client_cert_with_its_issuer")
    def _(t):
        # a chain of two in --cert: the leaf and the client CA, both sent
        p = pki()
        f = os.path.join(t.tempdir("hcchain"), "chain.pem")
        with open(f, "wb") as out:
            for n in ("client-rsa.pem", "client-ca.pem"):
                with open(p.file(n), "rb") as src:
                    out.write(src.read())
        s = openssl(t, "rsa", client_cert="require", tls="1.2")
        healthy(run(t, ca() + ["--cert", f, "--key", p.key("client-rsa"), https(s)]))

    @scenario("tls_usage_cert_and_key_go_together")
    def _(t):
        p = pki()
        msg = "a client certificate needs its key, and a key its certificate"
        unsent(t, ["--cert", p.cert("client-rsa"), "https://localhost:PORT/"], msg)
        unsent(t, ["--key", p.key("client-rsa"), "https://localhost:PORT/"], msg)

    @scenario("tls_usage_options_need_an_https_url")
    def _(t):
        p = pki()
        cases = [(["--cacert", p.cert("ca")], "--cacert"),
                 (["--servername", "localhost"], "--servername"),
                 (["--pin", p.pin("rsa")], "--pin"),
                 (["--cert", p.cert("client-rsa"), "--key", p.key("client-rsa")], "--cert"),
                 (["--key", p.key("client-rsa")], "--key"),
                 (["-k"], "--insecure"), (["--insecure"], "--insecure")]
        for args, name in cases:
            for url in ("http://127.0.0.1:PORT/", "tcp://127.0.0.1:PORT",
                        "grpc://127.0.0.1:PORT"):
                unsent(t, args + [url], "an https:// or grpcs:// URL is needed by " + name)
        for var, value in (("HEALTHCHECK_CACERT", p.cert("ca")), ("HEALTHCHECK_PIN", p.pin("rsa")),
                           ("HEALTHCHECK_INSECURE", "1"), ("HEALTHCHECK_SERVERNAME", "x")):
            unsent(t, ["http://127.0.0.1:PORT/"], "an https:// or grpcs:// URL is needed by " + var,
                   env={var: value})

    @scenario("tls_ssl_cert_file_is_not_an_option")
    def _(t):
        # $SSL_CERT_FILE is the system's, for any program: http:// ignores it
        s = t.server(respond())
        healthy(run(t, [s.url()], env={"SSL_CERT_FILE": "/nonexistent-hc/ca.pem"}))

    @scenario("tls_usage_ip_address_without_a_name")
    def _(t):
        for args, url in (([], "https://127.0.0.1:PORT/"), ([], "https://[::1]:PORT/"),
                          ([], "grpcs://127.0.0.1:PORT"),
                          (ca(), "https://127.0.0.1:PORT/"),
                          (["--cert", pki().cert("client-rsa"), "--key",
                            pki().key("client-rsa")], "https://127.0.0.1:PORT/")):
            unsent(t, args + [url], IP_NEEDS_NAME)

    @scenario("tls_usage_bad_servername")
    def _(t):
        for name in ("", "a b", "a\r\nb", "x" * 256, "a\x7fb"):
            unsent(t, ["--servername", name, "-k", "https://127.0.0.1:PORT/"], "bad server name")

    @scenario("tls_usage_insecure_takes_no_value")
    def _(t):
        unsent(t, ["--insecure=1", "https://localhost:PORT/"], "no value is taken by --insecure=1")

    # ---- what is not a TLS server, or not a well-behaved one ----

    def hostile(name, script, reason, t_opt=None, lo=0.0, hi=1.0, args=("-k",)):
        def fn(t):
            s = peer(t, script)
            host = "127.0.0.1" if "-k" in args else "localhost"
            r = run(t, (["-t", t_opt] if t_opt else []) + list(args) + [https(s, host=host)])
            says(r, reason)
            elapsed(r, lo, hi)
            s.stop()
            check(s.connections == 1, "expected one connection, saw %d", s.connections)
        add("tls_peer_" + name, fn)

    hostile("plain_http", ts.plain_http(), "not TLS: an HTTP server")
    hostile("plain_http_200", ts.plain_http(200, "OK"), "not TLS: an HTTP server")
    hostile("stall_mid_handshake", ts.stall(), "timed out after 500 ms" + HANDSHAKE, "500ms",
            0.45, 1.5)
    hostile("stall_default_timeout", ts.stall(), "timed out after 900 ms" + HANDSHAKE, "900ms",
            0.85, 1.6)
    hostile("silent", ts.silent(), "timed out after 500 ms" + HANDSHAKE, "500ms", 0.45, 1.5)
    hostile("hang_up", ts.hang_up(), "connection closed before a full response" + HANDSHAKE)
    hostile("reset", ts.hang_up(rst=True), "connection reset" + HANDSHAKE)
    hostile("alert_protocol_version", ts.alert(70), TLS13)
    hostile("alert_handshake_failure", ts.alert(40), NO_SUITE)
    hostile("alert_internal_error", ts.alert(80), "handshake failed (alert: internal error)")
    hostile("alert_access_denied", ts.alert(49), "handshake failed (alert: access denied)")
    hostile("garbage_ssh", ts.garbage("ssh"), "not TLS")
    hostile("garbage_zeros", ts.garbage("zeros"), "not TLS")
    hostile("garbage_ssh_then_close", ts.garbage("ssh", True), "not TLS")
    hostile("garbage_appdata", ts.garbage("appdata"), "handshake failed")
    hostile("garbage_not_server_hello", ts.garbage("not_server_hello"), "handshake failed")
    hostile("garbage_huge_record", ts.garbage("huge_record"), "handshake failed")
    hostile("garbage_truncated_then_close", ts.garbage("truncated", True),
            "connection closed before a full response" + HANDSHAKE)
    hostile("garbage_truncated_then_stall", ts.garbage("truncated"),
            "timed out after 500 ms" + HANDSHAKE, "500ms", 0.45, 1.5)
    hostile("plain_http_verified", ts.plain_http(), "not TLS: an HTTP server", args=ca())
    hostile("short_junk_then_close", ts.garbage(b"SSH\n", True), "not TLS")
    hostile("close_notify_in_the_handshake",
            [ts.read_hello(), send(ts.alert_record(0, level=1)), hold()],
            "connection closed before a full response" + HANDSHAKE)
    hostile("server_hello_suite_not_offered", ts.garbage(server_hello(0x0303, 0x002f)), NO_SUITE)
    hostile("server_hello_tls_1_0", ts.garbage(server_hello(0x0301, 0xc02f)),
            "server offers only TLS 1.1 or older")

    @scenario("tls_plain_http_service_waits_for_a_head")
    def _(t):
        # a real HTTP server waits for the end of a request head that a
        # ClientHello never brings: the deadline ends it
        s = own(t, ts.PlainService())
        r = run(t, ["-t", "500ms", "-k", "https://127.0.0.1:%d/healthz" % s.port])
        says(r, "timed out after 500 ms" + HANDSHAKE)
        elapsed(r, 0.45, 1.5)

    @scenario("tls_trickled_handshake_within_the_deadline")
    def _(t):
        s = nginx(t, "rsa")
        px = own(t, ts.TrickleProxy(("127.0.0.1", s.port), delay=0.002, chunk=64))
        healthy(run(t, ca() + ["--servername", "localhost", px.url("/")]))

    @scenario("tls_trickled_handshake_past_the_deadline")
    def _(t):
        # a byte every 10 ms: every read gets something, only a deadline ends it
        s = nginx(t, "rsa")
        px = own(t, ts.TrickleProxy(("127.0.0.1", s.port), delay=0.01, chunk=1))
        r = run(t, ["-t", "700ms"] + ca() + ["--servername", "localhost", px.url("/")])
        says(r, "timed out after 700 ms" + HANDSHAKE)
        elapsed(r, 0.65, 1.7)

    # scripted servers over Python's ssl: after the handshake
    def after(name, script, verdict, t_opt=None, lo=0.0, hi=1.0):
        def fn(t):
            s = scripted(t, [hp.tls()] + script)
            r = run(t, (["-t", t_opt] if t_opt else []) + ca() + [https(s)])
            if verdict is None:
                healthy(r)
            else:
                unhealthy(r, verdict)
            elapsed(r, lo, hi)
        add("tls_after_handshake_" + name, fn)

    after("response_then_close", [read_request(), send(OK), close()], None)
    after("response_then_close_notify", [read_request(), send(OK), close_notify()], None)
    after("silence", [read_request(), hold()], r"timed out after 500 ms", "500ms", 0.45, 1.5)
    after("close_notify_before_the_response", [read_request(), close_notify()],
          r"connection closed before a full response")
    after("close_before_the_response", [read_request(), close()],
          r"connection closed before a full response")
    after("reset_before_the_response", [read_request(), reset()], r"connection reset")
    after("half_a_head_then_close_notify",
          [read_request(), send(b"HTTP/1.1 200 OK\r\nContent-"), close_notify()],
          r"HTTP 200, connection closed before a full response|"
          r"connection closed before a full response")
    after("trickled_response", [read_request(), trickle(OK, 0.005), close()], None, None, 0, 2.0)
    after("http_503", [read_request(), send(http(503, "Unavailable", ["Content-Length: 0"])),
                       close()], "HTTP 503")
    # regression: a record that breaks the session after a finished
    # handshake was called a failed handshake, or an old TLS version
    broken = "TLS failed after the handshake"
    after("record_with_a_bad_mac", [read_request(), raw(b"\x17\x03\x03\x00\x20" + b"\x01" * 32),
                                     hold()], broken)
    after("plaintext_alert", [read_request(), raw(b"\x15\x03\x03\x00\x02\x02\x50"), hold()],
          broken)
    after("plaintext_http", [read_request(), raw(b"HTTP/1.1 200 OK\r\n\r\n"), hold()], broken)
    after("record_too_large", [read_request(), raw(b"\x17\x03\x03\xff\xff" + b"\x01" * 64),
                               hold()], broken)
    @scenario("tls_alert_after_the_handshake")
    def _(t):
        # the server's alert for a request that failed its MAC comes
        # encrypted, after the handshake: its name is the reason
        s = nginx(t, "rsa")
        px = own(t, Tamper(("127.0.0.1", s.port)))
        says(run(t, ca() + ["--servername", "localhost", "https://127.0.0.1:%d/" % px.port]),
             "TLS failed after the handshake (alert: bad record mac)")

    after("malformed_response", [read_request(), send(b"HTTP/1.1 2000 OK\r\n\r\n"), hold()],
          r"malformed response(?: \([^()]*\))?")

    # ---- what the probe sends ----

    @scenario("tls_hello_names_and_offers")
    def _(t):
        p = pki()
        h = hello(t, ca())
        check(h.sni == "localhost", "SNI %r", h.sni)
        check(h.version == 0x0303 and h.supported_versions is None,
              "version %#x, supported_versions %r", h.version, h.supported_versions)
        check(h.suites == SUITES, "suites %s", [hex(x) for x in h.suites])
        check(h.alpn is None, "ALPN %r for https://", h.alpn)
        check(h.groups and 23 in h.groups and 24 in h.groups and 29 in h.groups,
              "groups %r (P-256, P-384, X25519 expected)", h.groups)
        h = hello(t, ca() + ["--servername", "api.example.com"], "https://127.0.0.1:PORT/")
        check(h.sni == "api.example.com", "SNI with --servername: %r", h.sni)
        h = hello(t, ["-k"], "https://127.0.0.1:PORT/")
        check(h.sni is None, "SNI for an address: %r", h.sni)
        h = hello(t, ["--pin", p.pin("rsa")], "https://127.0.0.1:PORT/")
        check(h.sni is None, "SNI for an address with a pin: %r", h.sni)

    @scenario("tls_hello_sni_with_insecure_and_pin")
    def _(t):
        # regression: with -k or a pin alone the name was not sent, so a
        # server that picks its certificate (or a proxy its backend) by SNI
        # never saw it
        p = pki()
        for args, url, want in ((["-k"], "https://localhost:PORT/", "localhost"),
                                (["--pin", p.pin("rsa")], "https://localhost:PORT/", "localhost"),
                                (["-k", "--servername", "api.example.com"],
                                 "https://127.0.0.1:PORT/", "api.example.com"),
                                (["--pin", p.pin("rsa"), "--servername", "svc.internal"],
                                 "https://127.0.0.1:PORT/", "svc.internal")):
            h = hello(t, args, url)
            check(h.sni == want, "%s: SNI %r, want %r", " ".join(args[:1]), h.sni, want)

    @scenario("tls_sni_picks_the_certificate")
    def _(t):
        # localhost gets rsa.pem, anything else ec.pem: a pin tells which came
        p = pki()
        s = openssl(t, "ec", sni=("localhost", "rsa"))
        healthy(run(t, ["--pin", p.pin("rsa"), https(s)]))
        healthy(run(t, ["-k", "--pin", p.pin("rsa"), https(s)]))
        healthy(run(t, ["--pin", p.pin("ec"), "https://127.0.0.1:%d/" % s.port]))
        says(run(t, ["--pin", p.pin("rsa"), "https://127.0.0.1:%d/" % s.port]), "pin mismatch")
        healthy(run(t, ["--pin", p.pin("rsa"), "--servername", "localhost",
                       "https://127.0.0.1:%d/" % s.port]))
        healthy(run(t, ca() + [https(s)]))

    @scenario("tls_request_on_the_wire")
    def _(t):
        s = scripted(t, [hp.tls(), read_request(), send(OK), close()])
        healthy(run(t, ca() + ["-H", "X-Token: abc", https(s, "/health?x=1")]))
        s.stop()
        line, f = parse_head(s.requests[0])
        check(line == "GET /health?x=1 HTTP/1.1", "request line %r", line)
        check(field_values(f, "Host") == ["localhost:%d" % s.port], "Host: %r", f)
        check(field_values(f, "X-Token") == ["abc"], "X-Token: %r", f)

    @scenario("tls_request_near_4_kib")
    def _(t):
        # the largest request goes out whole, in one record
        s = scripted(t, [hp.tls(), read_request(), send(OK), close()])
        hs = sum((["-H", "X-%02d: %s" % (i, "v" * 240)] for i in range(16)), [])
        healthy(run(t, ca() + hs + [https(s)]))
        s.stop()
        req = s.requests[0]
        _, f = parse_head(req)
        check(len(req) > 4000 and len(field_values(f, "X-15")) == 1, "request of %d bytes", len(req))

    @scenario("tls_unix_socket")
    def _(t):
        s = scripted(t, [hp.tls(), read_request(), send(OK), close()], family="unix")
        healthy(run(t, ca() + ["--unix-socket", s.path, "https://localhost/x"]))
        s.stop()
        line, f = parse_head(s.requests[0])
        check(line == "GET /x HTTP/1.1" and field_values(f, "Host") == ["localhost"],
              "request %r %r", line, f)

    # ---- HTTP over TLS: statuses, methods, bodies ----

    @scenario("tls_status_and_method")
    def _(t):
        s = nginx(t, "rsa", status=503, body="down\n")
        unhealthy(run(t, ca() + [https(s)]), "HTTP 503")
        healthy(run(t, ca() + ["-s", "503", https(s)]), "HTTP 503")
        unhealthy(run(t, ca() + ["-X", "HEAD", https(s)]), "HTTP 503")
        s2 = nginx(t, "rsa", body="all good\n")
        healthy(run(t, ca() + ["-X", "HEAD", https(s2)]))
        healthy(run(t, ca() + ["-b", "all good", https(s2)]))
        unhealthy(run(t, ca() + ["-b", "missing", https(s2)]),
                  r"HTTP 200, body does not contain the text(?: \([^()]*\))?")

    @scenario("tls_body_across_records")
    def _(t):
        big = b"a" * 40000 + b"NEEDLE" + b"b" * 100
        chunked = b"".join(b"%x\r\n%s\r\n" % (1000, big[i:i + 1000]) for i in range(0, 40000, 1000))
        pages = {
            "length": b"HTTP/1.0 200 ok\r\nContent-Length: %d\r\n\r\n" % len(big) + big,
            "close": b"HTTP/1.0 200 ok\r\n\r\n" + big,
            "chunked": b"HTTP/1.1 200 ok\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked +
                       b"6\r\nNEEDLE\r\n0\r\n\r\n",
            "late": b"HTTP/1.0 200 ok\r\n\r\n" + b"c" * 70000 + b"NEEDLE",
        }
        s = openssl(t, "rsa", pages=pages)
        for name in ("length", "close", "chunked"):
            healthy(run(t, ca() + ["-b", "NEEDLE", https(s, "/" + name)]))
        unhealthy(run(t, ca() + ["-b", "NEEDLE", https(s, "/late")]),
                  r"HTTP 200, body does not contain the text \(not in the first 64 KiB\)")

    @scenario("tls_verbose")
    def _(t):
        s = nginx(t, "rsa")
        r = run(t, ca() + ["-v", "-H", "X-Req: 1", https(s, "/v")])
        check(r.rc == 0 and r.out_lines() and r.out_lines()[0].startswith("healthy: HTTP 200"),
              "-v over TLS\n%s", r.describe())
        err = [l.rstrip("\r") for l in r.err_lines()]
        for want in ("GET /v HTTP/1.1", "Host: localhost:%d" % s.port, "X-Req: 1",
                     "HTTP/1.1 200 OK", "Server: nginx"):
            check(any(l.startswith(want) for l in err), "-v lacks %r\n%s", want, r.describe())

    @scenario("tls_verbose_handshake_failure")
    def _(t):
        # nothing went over the connection but the handshake: the verdict alone
        s = openssl(t, "unknown")
        r = run(t, ca() + ["-v", https(s)])
        says(r, "unknown CA")

    @scenario("tls_quiet")
    def _(t):
        s = openssl(t, "unknown")
        hcrun.quiet(run(t, ["-q", "-k", https(s)]), 0)
        hcrun.quiet(run(t, ca() + ["-q", https(s)]), 1)
        r = run(t, ["-q", "--cacert", "/nonexistent-hc/ca.pem", https(s)])
        refused(r, "cannot open the PEM file: /nonexistent-hc/ca.pem")

    # ---- --wait ----

    @scenario("tls_wait_server_starts_late")
    def _(t):
        s = scripted(t, [hp.tls(), read_request(), send(OK), close()], listen_after=0.6)
        r = run(t, ca() + ["-w", "5s", https(s)])
        healthy(r)
        elapsed(r, 0.5, 3.0)

    @scenario("tls_wait_until_status_ok")
    def _(t):
        bad = http(503, "Starting", ["Content-Length: 0"])
        s = scripted(t, lambda i: [hp.tls(), read_request(), send(bad if i < 2 else OK), close()])
        healthy(run(t, ca() + ["-w", "5s", https(s)]))
        s.stop()
        check(s.connections == 3, "expected 3 probes (503, 503, 200), saw %d", s.connections)

    @scenario("tls_wait_gives_up_on_an_unknown_ca")
    def _(t):
        s = nginx(t, "unknown")
        r = run(t, ca() + ["-w", "1s", https(s)])
        unhealthy(r, r"unknown CA|timed out after \d+ ms \(in the TLS handshake\)")
        elapsed(r, 0.9, 2.5)

    @scenario("tls_wait_first_plain_http_then_an_unknown_ca")
    def _(t):
        # regression: what the first attempt's server sent ("not TLS: an
        # HTTP server") was kept by the next attempt, whose verdict it
        # then replaced
        plain = http(400, "Bad Request", ["Content-Length: 0", "Connection: close"])
        s = scripted(t, lambda i: [hcserver_sleep(0.05), send(plain), close()] if i == 0 else
                     [hp.tls(), read_request(), send(OK), close()], cert="unknown")
        r = run(t, ca() + ["-w", "%dms" % (1500 * hcrun.SLACK), https(s)])
        # the last attempt may be cut short by the end of the wait
        unhealthy(r, r"unknown CA|timed out after \d+ ms \(in the TLS handshake\)")
        s.stop()
        check(s.connections >= 2, "expected several attempts, saw %d", s.connections)

    @scenario("tls_wait_stalled_handshakes")
    def _(t):
        s = peer(t, ts.stall())
        r = run(t, ["-k", "-t", "300ms", "-w", "1s", https(s, host="127.0.0.1")])
        says(r, "timed out after 300 ms" + HANDSHAKE)
        elapsed(r, 0.9, 2.5)
        s.stop()
        check(s.connections >= 2, "expected several attempts, saw %d", s.connections)

    # ---- the environment ----

    def env_case(name, server, env_of, verdict=None, args=()):
        """args: a list, or a function of the PKI that gives one."""
        def fn(t):
            p = pki()
            s = server(t)
            r = run(t, args(p) if callable(args) else list(args), env=env_of(p, s))
            if verdict is None:
                healthy(r)
            else:
                says(r, verdict)
        add("tls_env_" + name, fn)

    def rsa_server(t):
        return openssl(t, "rsa")

    def url(s, host="localhost"):
        return https(s, host=host)

    env_case("cacert", rsa_server, lambda p, s: {"HEALTHCHECK_URL": url(s),
                                                  "HEALTHCHECK_CACERT": p.cert("ca")})
    env_case("cacert_wrong", rsa_server, lambda p, s: {"HEALTHCHECK_URL": url(s),
                                                        "HEALTHCHECK_CACERT": p.cert("ca-ec")},
             "unknown CA")
    env_case("cacert_argv_wins", rsa_server,
             lambda p, s: {"HEALTHCHECK_URL": url(s), "HEALTHCHECK_CACERT": p.cert("ca-ec")},
             args=ca())
    env_case("pin", rsa_server, lambda p, s: {"HEALTHCHECK_URL": url(s, "127.0.0.1"),
                                               "HEALTHCHECK_PIN": p.pin("rsa")})
    env_case("pin_wrong", rsa_server, lambda p, s: {"HEALTHCHECK_URL": url(s, "127.0.0.1"),
                                                     "HEALTHCHECK_PIN": p.pin("ec")}, "pin mismatch")
    env_case("pins_several", rsa_server,
             lambda p, s: {"HEALTHCHECK_URL": url(s, "127.0.0.1"),
                           "HEALTHCHECK_PIN": p.pin("ec") + ";" + p.pin("rsa")})
    env_case("servername", lambda t: openssl(t, "wrongname"),
             lambda p, s: {"HEALTHCHECK_URL": url(s, "127.0.0.1"), "HEALTHCHECK_CACERT": p.cert("ca"),
                           "HEALTHCHECK_SERVERNAME": "api.example.com"})
    env_case("servername_argv_wins", lambda t: openssl(t, "wrongname"),
             lambda p, s: {"HEALTHCHECK_URL": url(s, "127.0.0.1"), "HEALTHCHECK_CACERT": p.cert("ca"),
                           "HEALTHCHECK_SERVERNAME": "api.example.com"},
             "certificate name mismatch (got api.example.com)", ["--servername", "localhost"])
    for value in ("1", "true", "yes", "TRUE", "Yes"):
        env_case("insecure_" + value, lambda t: openssl(t, "unknown"),
                 lambda p, s, v=value: {"HEALTHCHECK_URL": url(s, "127.0.0.1"),
                                        "HEALTHCHECK_INSECURE": v})
    for value in ("0", "false", "no", "NO"):
        env_case("insecure_" + value, lambda t: openssl(t, "unknown"),
                 lambda p, s, v=value: {"HEALTHCHECK_URL": url(s), "HEALTHCHECK_CACERT": p.cert("ca"),
                                        "HEALTHCHECK_INSECURE": v}, "unknown CA")
    env_case("insecure_0_with_k", lambda t: openssl(t, "unknown"),
             lambda p, s: {"HEALTHCHECK_URL": url(s), "HEALTHCHECK_INSECURE": "0"}, args=["-k"])

    for i, value in enumerate(("on", "2", "y", " 1", "true!")):
        add("tls_env_invalid_insecure_%d" % i,
            lambda t, v=value: unsent(t, [], "invalid HEALTHCHECK_INSECURE",
                                      env={"HEALTHCHECK_URL": "https://localhost:PORT/",
                                           "HEALTHCHECK_INSECURE": v}))
    add("tls_env_invalid_pin",
        lambda t: unsent(t, [], "invalid HEALTHCHECK_PIN",
                         env={"HEALTHCHECK_URL": "https://localhost:PORT/",
                              "HEALTHCHECK_PIN": "sha256//abc"}))
    add("tls_env_insecure_0_ip_needs_a_name",
        lambda t: unsent(t, [], IP_NEEDS_NAME, env={"HEALTHCHECK_URL": "https://127.0.0.1:PORT/",
                                                    "HEALTHCHECK_INSECURE": "0"}))

    env_case("ssl_cert_file_is_the_bundle", rsa_server,
             lambda p, s: {"HEALTHCHECK_URL": url(s), "SSL_CERT_FILE": p.cert("ca")})
    env_case("ssl_cert_file_of_another_ca", rsa_server,
             lambda p, s: {"HEALTHCHECK_URL": url(s), "SSL_CERT_FILE": p.cert("ca-ec")},
             "unknown CA")
    env_case("ssl_cert_file_below_cacert", rsa_server,
             lambda p, s: {"HEALTHCHECK_URL": url(s), "SSL_CERT_FILE": "/nonexistent-hc/ca.pem"},
             args=ca())
    env_case("ssl_cert_file_below_env_cacert", rsa_server,
             lambda p, s: {"HEALTHCHECK_URL": url(s), "SSL_CERT_FILE": "/nonexistent-hc/ca.pem",
                           "HEALTHCHECK_CACERT": p.cert("ca")})
    env_case("ssl_cert_file_ignored_with_a_pin", rsa_server,
             lambda p, s: {"HEALTHCHECK_URL": url(s), "SSL_CERT_FILE": "/nonexistent-hc/ca.pem",
                           "HEALTHCHECK_PIN": p.pin("rsa")})
    env_case("ssl_cert_file_ignored_with_pin_argv", rsa_server,
             lambda p, s: {"HEALTHCHECK_URL": url(s), "SSL_CERT_FILE": "/nonexistent-hc/ca.pem"},
             args=lambda p: ["--pin", p.pin("rsa")])
    env_case("ssl_cert_file_ignored_with_insecure", lambda t: openssl(t, "unknown"),
             lambda p, s: {"HEALTHCHECK_URL": url(s), "SSL_CERT_FILE": "/nonexistent-hc/ca.pem",
                           "HEALTHCHECK_INSECURE": "yes"})
    env_case("ssl_cert_file_ignored_with_k", lambda t: openssl(t, "unknown"),
             lambda p, s: {"HEALTHCHECK_URL": url(s), "SSL_CERT_FILE": "/nonexistent-hc/ca.pem"},
             args=["-k"])
    add("tls_env_ssl_cert_file_missing",
        lambda t: unsent(t, [], "cannot open the PEM file: /nonexistent-hc/ca.pem",
                         env={"HEALTHCHECK_URL": "https://localhost:PORT/",
                              "SSL_CERT_FILE": "/nonexistent-hc/ca.pem"}))

    # ---- an empty root, as uid 65534: no bundle anywhere ----

    if static_binary():
        chroot_cases()

    # ---- grpcs:// ----

    grpcs_cases()

    # ---- system calls, times ----

    if hcrun.faults():
        fault_cases()

    if static_binary():
        scenario("tls_healthy_probe_system_calls")(system_calls)
        scenario("tls_handshake_times")(handshake_times)


# ---- system calls that fail or come back early (strace's fault injection) ----

def fault_cases():
    from robust import strace_inject

    def injected(t, spec, args, path=None, more=None):
        extra = ["-e", "inject=" + more] if more else []
        return t.run(strace_inject(spec, path) + extra + hcrun.wrap() + [hcrun.binary()] + args,
                     direct=True)

    # a handshake's waits, reads and sends interrupted or woken for nothing
    for label, spec in (("ppoll_interrupted", "ppoll:error=EINTR:when=2"),
                        ("recv_interrupted", "recvfrom:error=EINTR:when=3"),
                        ("recv_nothing_yet", "recvfrom:error=EAGAIN:when=2"),
                        ("send_interrupted", "sendto:error=EINTR:when=2"),
                        ("send_would_block", "sendto:error=EAGAIN:when=3")):
        def fn(t, spec=spec):
            s = nginx(t, "rsa")
            healthy(injected(t, spec, ["-t", LONG] + ca() + [https(s)]))
        add("tls_fault_" + label, fn)

    @scenario("tls_fault_socket_no_descriptors")
    def _(t):
        s = peer(t, ts.hang_up())
        says(injected(t, "socket:error=EMFILE", ["-k", https(s)]), "socket error 24")
        no_connection(s)

    @scenario("tls_fault_send_fails_in_the_handshake")
    def _(t):
        # the ClientHello went; the next flight cannot go
        s = openssl(t, "rsa")
        r = injected(t, "sendto:error=ENOBUFS:when=2", ["-t", LONG] + ca() + [https(s)])
        says(r, "socket error 105")

    # A peer gone in the handshake. The counts are openssl s_server's
    # records, read as a header and a body each: its first flight is four
    # records (five when it asks for a client certificate), so the 9th
    # (12th) read comes after our second flight has gone.
    @scenario("tls_fault_reset_in_the_handshake")
    def _(t):
        s = openssl(t, "rsa")
        r = injected(t, "sendto:error=ECONNRESET:when=2+", ["-t", LONG] + ca() + [https(s)],
                     more="recvfrom:error=ECONNRESET:when=9+")
        says(r, "connection reset (in the TLS handshake)")

    # our second flight cannot go, but the peer has not said a word: its
    # silence is judged at the deadline (only the send fails here, so the
    # count of reads does not matter)
    for label, err in (("reset", "ECONNRESET"), ("pipe", "EPIPE")):
        def gone(t, err=err):
            s = openssl(t, "rsa")
            r = injected(t, "sendto:error=%s:when=2+" % err, ["-t", "1s"] + ca() + [https(s)])
            says(r, "timed out after 1000 ms (in the TLS handshake)")
        add("tls_fault_send_%s_peer_still_there" % label, gone)

    for label, spec in (("reset", "recvfrom:error=ECONNRESET:when=12+"),
                        ("closed", "recvfrom:retval=0:when=12+")):
        def fn(t, spec=spec):
            # no alert: that it asked is why, all the same
            s = openssl(t, "rsa", client_cert="require", tls="1.2")
            says(injected(t, spec, ["-t", LONG] + ca() + [https(s)]), ASKED)
        add("tls_fault_asked_for_a_certificate_then_" + label, fn)

        def given(t, spec=spec, label=label):
            # ours was to go: the reset or the close is the reason
            s = openssl(t, "rsa", client_cert="require", tls="1.2")
            p = pki()
            r = injected(t, spec, ["-t", LONG] + ca() + ["--cert", p.cert("client-rsa"),
                                                       "--key", p.key("client-rsa"), https(s)])
            says(r, ("connection reset" if label == "reset" else
                     "connection closed before a full response") + " (in the TLS handshake)")
        add("tls_fault_asked_for_ours_then_" + label, given)

    @scenario("tls_fault_slow_pem_file")
    def _(t):
        # the time a CA file takes to read counts: the deadline ends it
        s = peer(t, ts.hang_up())
        f = pki().cert("ca")
        r = injected(t, "read:delay_exit=400000", ["-t", "300ms", "--cacert", f,
                                                   https(s)], path=f)
        says(r, "timed out after 300 ms (reading a PEM file)")
        elapsed(r, 0.35, 1.5)
        no_connection(s, r)

    @scenario("tls_fault_no_random_bytes")
    def _(t):
        s = peer(t, ts.hang_up())
        r = injected(t, "getrandom:error=ENOSYS", ["-k", https(s)])
        says(r, "no random bytes from the kernel")
        no_connection(s, r)


# ---- the static binary alone in an empty root ----

def static_binary():
    """The binary runs by itself (no wrapper) and is a static executable:
    it can be copied into an empty root."""
    if hcrun.wrap():
        return False
    try:
        with open(hcrun.binary(), "rb") as f:
            head = f.read(64)
            if head[:4] != b"\x7fELF" or head[4] != 2:
                return False
            phoff, = struct.unpack_from("<Q", head, 32)
            phentsize, phnum = struct.unpack_from("<HH", head, 54)
            f.seek(phoff)
            table = f.read(phentsize * phnum)
    except OSError:
        return False
    types = [struct.unpack_from("<I", table, i * phentsize)[0] for i in range(phnum)]
    return 3 not in types and 2 not in types     # no PT_INTERP, no PT_DYNAMIC


class _Rmtree:
    def __init__(self, path):
        self.path = path

    def close(self):
        shutil.rmtree(self.path, ignore_errors=True)


def root_with(t, files=None, mode=0o644):
    """An empty root with the probe as /healthcheck and files {path: src}."""
    check(os.geteuid() == 0, "the chroot scenarios need root")
    d = tempfile.mkdtemp(prefix="hctlsroot")
    t.socks.append(_Rmtree(d))
    os.chmod(d, 0o755)
    shutil.copyfile(hcrun.binary(), os.path.join(d, "healthcheck"))
    os.chmod(os.path.join(d, "healthcheck"), 0o755)
    for path, src in (files or {}).items():
        dst = os.path.join(d, path.lstrip("/"))
        os.makedirs(os.path.dirname(dst), mode=0o755, exist_ok=True)
        shutil.copyfile(src, dst)
        os.chmod(dst, mode)
    return d


def in_root(t, d, args, env=None):
    exe = shutil.which("chroot") or shutil.which("chroot", path="/usr/sbin:/sbin")
    check(exe is not None, "chroot is missing (coreutils)")
    return t.run([exe, "--userspec=%d:%d" % (NOBODY, NOBODY), d, "/healthcheck"] + args,
                 env=env, direct=True)


def chroot_cases():
    @scenario("tls_chroot_no_bundle")
    def _(t):
        s = peer(t, ts.hang_up())
        d = root_with(t)
        check(os.listdir(d) == ["healthcheck"], "the root is not empty: %r", os.listdir(d))
        refused(in_root(t, d, ["https://localhost:%d/" % s.port]), NO_BUNDLE)
        refused(in_root(t, d, ["grpcs://localhost:%d" % s.port]), NO_BUNDLE)
        no_connection(s)

    @scenario("tls_chroot_cacert_inside")
    def _(t):
        p = pki()
        s = nginx(t, "rsa")
        d = root_with(t, {"/ca.pem": p.cert("ca")})
        healthy(in_root(t, d, ["--cacert", "/ca.pem", https(s)]))
        healthy(in_root(t, d, [https(s)], env={"SSL_CERT_FILE": "/ca.pem"}))
        healthy(in_root(t, d, [https(s)], env={"HEALTHCHECK_CACERT": "/ca.pem"}))
        healthy(in_root(t, d, ["-k", https(s)]))
        healthy(in_root(t, d, ["--pin", p.pin("rsa"), https(s)]))
        refused(in_root(t, d, ["--cacert", "/none.pem", https(s)]),
                "cannot open the PEM file: /none.pem")

    @scenario("tls_chroot_client_cert_inside")
    def _(t):
        p = pki()
        s = openssl(t, "rsa", client_cert="require", tls="1.2")
        d = root_with(t, {"/ca.pem": p.cert("ca"), "/c.pem": p.cert("client-ec"),
                          "/c.key": p.key("client-ec")})
        healthy(in_root(t, d, ["--cacert", "/ca.pem", "--cert", "/c.pem", "--key", "/c.key",
                               https(s)]))

    @scenario("tls_chroot_unreadable_cacert")
    def _(t):
        s = peer(t, ts.hang_up())
        d = root_with(t, {"/ca.pem": pki().cert("ca")}, mode=0o600)
        refused(in_root(t, d, ["--cacert", "/ca.pem", "https://localhost:%d/" % s.port]),
                "cannot open the PEM file: /ca.pem")
        no_connection(s)

    for path in ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                 "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"):
        def bundle_at(t, path=path):
            s = nginx(t, "rsa")
            d = root_with(t, {path: pki().cert("ca")})
            healthy(in_root(t, d, [https(s)]))
            d = root_with(t, {path: pki().cert("ca-ec")})
            says(in_root(t, d, [https(s)]), "unknown CA")
        add("tls_chroot_bundle_" + path.strip("/").replace("/", "_").replace("-", "_")
            .replace(".", "_"), bundle_at)

    @scenario("tls_chroot_bundle_with_a_certificate_it_cannot_use")
    def _(t):
        # a system bundle is read leniently: an Ed25519 root is passed over
        f = os.path.join(t.tempdir("hcbundle"), "bundle.pem")
        with open(f, "wb") as out:
            for n in ("ed25519.pem", "rsa4200-rsaca.pem", "ca.pem"):
                with open(pki().file(n), "rb") as src:
                    out.write(src.read())
        s = nginx(t, "rsa")
        d = root_with(t, {"/etc/ssl/certs/ca-certificates.crt": f})
        healthy(in_root(t, d, [https(s)]))

    @scenario("tls_chroot_first_bundle_wins")
    def _(t):
        s = nginx(t, "rsa")
        d = root_with(t, {"/etc/ssl/certs/ca-certificates.crt": pki().cert("ca-ec"),
                          "/etc/ssl/cert.pem": pki().cert("ca")})
        says(in_root(t, d, [https(s)]), "unknown CA")

    def readelf(*args):
        exe = shutil.which("readelf")
        check(exe is not None, "readelf is missing (binutils)")
        p = subprocess.run([exe] + list(args) + [hcrun.binary()], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=30)
        check(p.returncode == 0, "readelf %s: %s", " ".join(args), p.stderr)
        return p.stdout

    @scenario("tls_static_binary")
    def _(t):
        h = readelf("-hW")
        check("EXEC" in h.split("Type:")[1].splitlines()[0], "not a static EXEC:\n%s", h)
        progs = readelf("-lW")
        check("INTERP" not in progs and " DYNAMIC " not in progs, "not static:\n%s", progs)
        check(".symtab" not in readelf("-SW"), "not stripped")

    @scenario("tls_static_binary_size")
    def _(t):
        size = os.path.getsize(hcrun.binary())
        budget = int(os.environ.get("HC_TLS_SIZE_BUDGET") or 98304)
        t.note("%s is %d bytes (budget %d, %d left)" % (os.path.basename(hcrun.binary()), size,
                                                        budget, budget - size))
        check(size <= budget, "%d bytes, over the %d byte budget", size, budget)


# ---- grpcs:// ----

def grpc_real(t, name, **kw):
    why = grpcservers.missing(name)
    check(why is None, "%s cannot run: %s (make grpc-servers)", name, why)
    return own(t, grpcservers.GrpcServer(name, **kw))


def grpcs_cases():
    p_ec = lambda: (pki().cert("ec"), pki().key("ec"))  # noqa: E731

    for name in grpcservers.NAMES:
        key = name.replace("-", "_")

        def serving(t, name=name):
            s = grpc_real(t, name, status={"db": "NOT_SERVING"}, tls=p_ec())
            r = run(t, ca("ca-ec") + [s.url("", host="localhost")])
            healthy(r, "SERVING")
            elapsed(r, 0, 2.0)
            unhealthy(run(t, ca("ca-ec") + [s.url("db", host="localhost")]),
                      "NOT_SERVING")
            unhealthy(run(t, ca("ca-ec") + [s.url("nope", host="localhost")]),
                      r"grpc-status 5 \(NOT_FOUND\)(: .+)?")
        add("tls_grpcs_%s_serving_and_not" % key, serving)

        def trust(t, name=name):
            s = grpc_real(t, name, tls=p_ec())
            says(run(t, ca("ca") + [s.url("", host="localhost")]), "unknown CA")
            healthy(run(t, ["--pin", pki().pin("ec"), s.url("")]), "SERVING")
            healthy(run(t, ["-k", s.url("")]), "SERVING")
            says(run(t, ["--pin", pki().pin("rsa"), s.url("")]), "pin mismatch")
        add("tls_grpcs_%s_trust" % key, trust)

        def metadata(t, name=name):
            s = grpc_real(t, name, tls=p_ec())
            healthy(run(t, ["-t", "3s", "-H", "x-token: abc"] + ca("ca-ec") +
                          [s.url("", host="localhost")]), "SERVING")
            call = s.wait_calls(1)[0]
            check(call["metadata"].get("x-token") == ["abc"], "metadata: %r", call["metadata"])
            d = call.get("deadline_ms")
            check(d is not None and 0 < d <= 3000, "deadline the server saw: %r", d)
        add("tls_grpcs_%s_metadata" % key, metadata)

    @scenario("tls_grpcs_nginx_grpc_pass")
    def _(t):
        g = grpc_real(t, "grpc-go", status={"db": "NOT_SERVING"})
        s = nginx(t, "rsa", http2=True, grpc=g.authority)
        healthy(run(t, ca() + ["grpcs://localhost:%d" % s.port]), "SERVING")
        unhealthy(run(t, ca() + ["grpcs://localhost:%d/db" % s.port]), "NOT_SERVING")

    @scenario("tls_grpcs_stunnel_without_alpn")
    def _(t):
        # stunnel negotiates no ALPN at all; the gRPC server behind it
        # speaks HTTP/2: the probe does not insist on ALPN
        g = grpc_real(t, "grpc-go", status={"db": "NOT_SERVING"})
        s = stunnel(t, "rsa", backend=g.authority)
        healthy(run(t, ca() + ["grpcs://localhost:%d" % s.port]), "SERVING")
        unhealthy(run(t, ca() + ["grpcs://localhost:%d/db" % s.port]), "NOT_SERVING")

    @scenario("tls_grpcs_nginx_without_http2")
    def _(t):
        # an HTTPS server without HTTP/2 refuses ALPN h2 (alert 120)
        s = nginx(t, "rsa")
        says(run(t, ca() + ["grpcs://localhost:%d" % s.port]),
             "server does not speak HTTP/2 (ALPN h2)")

    @scenario("tls_grpcs_nginx_http2_not_grpc")
    def _(t):
        s = nginx(t, "rsa", http2=True)
        unhealthy(run(t, ca() + ["grpcs://localhost:%d" % s.port]),
                  r"malformed response \(not a gRPC response\)")

    for label, alpn in (("no_alpn", None), ("alpn_http11_only", ["http/1.1"]), ("alpn_h2", ["h2"])):
        def no_alpn(t, alpn=alpn):
            s = scripted(t, hp.tls_server(), cert="ec", alpn=alpn)
            healthy(run(t, ca("ca-ec") + ["grpcs://localhost:%d/svc" % s.port]), "SERVING")
            s.stop()
            v = hp.parse_client(s.requests[0])
            check(v.preface_ok and v.service == "svc", "the call over TLS: %r", v)
            check(v.header(":scheme") == ["https"], ":scheme %r", v.header(":scheme"))
            check(s.conns[0].alpn == (alpn and "h2" in alpn and "h2" or None),
                  "ALPN the server chose: %r", s.conns[0].alpn)
        add("tls_grpcs_peer_" + label, no_alpn)

    def grpcs_peer(name, then, verdict, t_opt=None, hi=1.5):
        def fn(t):
            s = scripted(t, hp.tls_server(then), cert="ec", alpn=["h2"])
            r = run(t, (["-t", t_opt] if t_opt else []) + ca("ca-ec") +
                    ["grpcs://localhost:%d" % s.port])
            if verdict == "SERVING":
                healthy(r, "SERVING")
            else:
                unhealthy(r, verdict)
            elapsed(r, 0, hi)
        add("tls_grpcs_peer_" + name, fn)

    grpcs_peer("not_serving", hp.good("NOT_SERVING"), "NOT_SERVING")
    grpcs_peer("trickled", hp.trickled("SERVING", 0.002), "SERVING", None, 2.5)
    grpcs_peer("noisy", hp.noisy(), "SERVING")
    grpcs_peer("trailers_only", hp.trailers_only(14, "going away"),
               r"grpc-status 14 \(UNAVAILABLE\): going away")
    grpcs_peer("goaway", hp.goaway_now(11), r"connection reset \(GOAWAY ENHANCE_YOUR_CALM\)")
    grpcs_peer("no_settings", hp.no_settings(), r"timed out after 1000 ms", "1s", 2.0)
    grpcs_peer("http11", hp.http11(), r"malformed response \(not HTTP/2: an HTTP/1 server\)")
    grpcs_peer("oversized_frame", hp.oversized_frame(), r"malformed response \(bad frame\)")

    @scenario("tls_grpcs_hello_offers_h2")
    def _(t):
        h = hello(t, ca(), "grpcs://localhost:PORT")
        check(h.alpn == ["h2"], "ALPN for grpcs://: %r", h.alpn)
        check(h.sni == "localhost", "SNI %r", h.sni)

    @scenario("tls_grpcs_verbose")
    def _(t):
        s = grpc_real(t, "grpc-go", tls=(pki().cert("rsa"), pki().key("rsa")))
        r = run(t, ["-v", "-H", "x-token: v"] + ca() + [s.url("", host="localhost")])
        check(r.rc == 0 and r.out.startswith(b"healthy: SERVING"), "-v\n%s", r.describe())
        for want in (b"> SETTINGS", b"> HEADERS", b":authority: localhost:%d" % s.port,
                     b"x-token: v", b"< HEADERS", b"grpc-status: 0"):
            check(want in r.err, "-v lacks %r\n%s", want, r.describe())

    @scenario("tls_grpcs_wait_server_starts_late")
    def _(t):
        s = scripted(t, hp.tls_server(), cert="ec", alpn=["h2"], listen_after=0.6)
        r = run(t, ["-w", "5s"] + ca("ca-ec") + ["grpcs://localhost:%d" % s.port])
        healthy(r, "SERVING")
        elapsed(r, 0.5, 3.0)

    @scenario("tls_grpcs_wait_until_serving")
    def _(t):
        s = grpc_real(t, "grpc-go", status={"": "NOT_SERVING"}, tls=p_ec())
        timer = threading.Timer(0.6, lambda: s.set_status("", "SERVING"))
        timer.start()
        try:
            r = run(t, ["-w", "5s"] + ca("ca-ec") + [s.url("", host="localhost")])
        finally:
            timer.cancel()
        healthy(r, "SERVING")
        elapsed(r, 0.5, 4.0)

    @scenario("tls_grpcs_env")
    def _(t):
        s = grpc_real(t, "grpc-core", status={"db": "NOT_SERVING"}, tls=p_ec())
        env = {"HEALTHCHECK_URL": s.url("db", host="localhost"),
               "HEALTHCHECK_CACERT": pki().cert("ca-ec")}
        unhealthy(run(t, [], env=env), "NOT_SERVING")
        env = {"HEALTHCHECK_URL": s.url(""), "HEALTHCHECK_PIN": pki().pin("ec")}
        healthy(run(t, [], env=env), "SERVING")

    @scenario("tls_grpcs_over_https_server")
    def _(t):
        # the gRPC server over https://: its HTTP/2 answer is not HTTP/1
        s = grpc_real(t, "grpc-go", tls=p_ec())
        unhealthy(run(t, ca("ca-ec") + [s.url("", host="localhost").replace("grpcs:", "https:")]),
                  r"malformed response(?: \([^()]*\))?|connection closed before a full response")


# ---- measurements ----

def system_calls(t):
    """The system calls of a healthy HTTPS probe: with a pin, no file is
    opened; with --cacert, that one file."""
    exe = shutil.which("strace") or shutil.which("strace", path="/usr/bin:/bin")
    check(exe is not None, "strace is missing")
    p = pki()
    s = nginx(t, "rsa")
    d = t.tempdir("hcstrace")
    allowed = {"rt_sigaction", "clock_gettime", "getrandom", "socket", "setsockopt", "connect",
               "sendto", "ppoll", "recvfrom", "close", "write", "exit_group", "openat", "statx",
               "read"}
    for label, args, files in (("pin", ["--pin", p.pin("rsa")], 0), ("cacert", ca(), 1)):
        log = os.path.join(d, label)
        r = t.run([exe, "-qq", "-o", log, hcrun.binary()] + args + [https(s)], direct=True)
        check(r.rc == 0, "not healthy under strace\n%s", r.describe())
        with open(log) as f:
            calls = [re.match(r"([a-z0-9_]+)\(", l).group(1) for l in f if re.match(r"[a-z]", l)]
        calls = [c for c in calls if c != "execve"]
        t.note("%s: %d system calls (%s)" % (label, len(calls), ", ".join(
            "%s %d" % (c, calls.count(c)) for c in sorted(set(calls)))))
        check(set(calls) <= allowed, "unexpected calls: %s", sorted(set(calls) - allowed))
        check(calls.count("openat") == files, "%s: %d files opened", label, calls.count("openat"))
        check(calls.count("socket") == 1 and calls.count("getrandom") == 1,
              "%s: sockets %d, getrandom %d", label, calls.count("socket"), calls.count("getrandom"))
        # a read that got all the engine asked for is followed by the next
        # at once: a wait only where the peer has not answered yet
        check(calls.count("ppoll") <= 4, "%s: %d waits", label, calls.count("ppoll"))
        check(len(calls) <= 60, "%s: %d system calls", label, len(calls))


def handshake_times(t):
    """Wall time of a healthy probe per server key (the binary's start, the
    handshake, one request): the median of 10 against nginx, noted."""
    for cert, anchor in (("rsa", "ca"), ("ec", "ca-ec"), ("ec384", "ca-ec"), ("chain", "ca")):
        s = nginx(t, cert)
        times = []
        for _ in range(10):
            r = run(t, ca(anchor) + [https(s)])
            healthy(r)
            times.append(r.elapsed)
        med = statistics.median(times)
        t.note("%s: median %.1f ms, best %.1f ms" % (cert, med * 1000, min(times) * 1000))
        check(med <= 0.5 * hcrun.SLACK, "%s: median %.3f s", cert, med)
        s.stop()


# ---- the plain build: no TLS, and it says so ----

def plain_cases():
    @scenario("plain_build_https_and_grpcs_name_healthcheck_tls")
    def _(t):
        for url in ("https://localhost:PORT/", "grpcs://localhost:PORT", "https://127.0.0.1:PORT/x"):
            unsent(t, [url], NEEDS_TLS_BUILD)
        unsent(t, [], NEEDS_TLS_BUILD, env={"HEALTHCHECK_URL": "https://localhost:PORT/"})

    @scenario("plain_build_has_no_tls_options")
    def _(t):
        for args, name in ((["--cacert", "/x"], "--cacert"), (["-k"], "-k"),
                           (["--pin", "sha256//x"], "--pin"), (["--insecure"], "--insecure")):
            unsent(t, args + ["http://127.0.0.1:PORT/"], "unknown option " + name)

    @scenario("plain_build_ignores_tls_environment")
    def _(t):
        s = t.server(respond())
        healthy(run(t, [s.url()], env={"HEALTHCHECK_CACERT": "/nonexistent-hc/ca.pem",
                                      "HEALTHCHECK_INSECURE": "maybe", "HEALTHCHECK_PIN": "x",
                                      "SSL_CERT_FILE": "/nonexistent-hc/ca.pem"}))


if hcrun.tls_build():
    tls_cases()
else:
    plain_cases()
