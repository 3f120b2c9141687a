#!/usr/bin/env python3
"""tests/lib/stack_tls.py STACK... - the TLS cases of tests/lib/stack.c:
each STACK binary (built with -DHC_TLS) probes an openssl s_server with a
certificate of the test PKI, verified against its CA, and with a system CA
bundle loaded. Passes their output on; exits 1 when one fails."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tls"))
import tlsservers as ts  # noqa: E402

BUNDLE = os.environ.get("HC_TLS_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")


def main():
    if not os.path.exists(BUNDLE):
        sys.exit("stack-tls: no system CA bundle at %s (Debian: ca-certificates)" % BUNDLE)
    p = ts.pki()
    bad = 0
    with ts.OpenSSLServer("rsa") as s:
        for exe in sys.argv[1:]:
            print("stack: %s" % os.path.basename(exe), flush=True)
            r = subprocess.run([exe, s.url("/", host="localhost"), p.cert("ca"), BUNDLE],
                               timeout=120)
            bad += r.returncode != 0
    sys.exit(1 if bad else 0)


main()
