"""Hostile servers (issue 4): each must give the right verdict, in bounded
time, without a crash (exit 0 or 1 only; a death by signal fails)."""

from hcrun import elapsed, healthy, unhealthy
from hcserver import (close, flood_forever, hold, http, read_request, send, sleep,
                      trickle, trickle_forever)
from scenarios import (CHUNKED_HEAD, CLOSED, MALFORMED, NO_TEXT, OK, add, head_then_hold,
                       scenario, served, timed_out)

TIMED_OUT_500 = timed_out(500)


# A head of any size streams through fixed memory: the verdict is the
# status's, whatever the fields around it (kubelet and curl agree), and a
# head that never ends is bounded by the deadline alone.
@scenario("hostile_100k_of_headers")
def _(t):
    pad = b"".join(b"X-Pad-%05d: %s\r\n" % (i, b"p" * 80) for i in range(1100))
    assert len(pad) > 100 * 1024
    s = t.server(head_then_hold(b"HTTP/1.1 200 OK\r\n" + pad + b"Content-Length: 0\r\n\r\n"))
    r = t.run(["-t", "3s", s.url()])
    healthy(r)
    elapsed(r, 0, 1.5)
    served(s)


@scenario("hostile_100k_of_headers_503")
def _(t):
    pad = b"".join(b"Set-Cookie: c%05d=%s\r\n" % (i, b"v" * 90) for i in range(1100))
    s = t.server(head_then_hold(b"HTTP/1.1 503 Busy\r\n" + pad + b"\r\n"))
    r = t.run(["-t", "3s", s.url()])
    unhealthy(r, "HTTP 503")
    elapsed(r, 0, 1.5)


@scenario("hostile_one_huge_header_line")
def _(t):
    s = t.server(head_then_hold(b"HTTP/1.1 200 OK\r\nX-Long: " + b"L" * (256 * 1024)
                                + b"\r\n\r\n"))
    r = t.run(["-t", "3s", s.url()])
    healthy(r)
    elapsed(r, 0, 1.5)
    served(s)


@scenario("hostile_huge_line_then_bad_byte")
def _(t):
    # the fault is found wherever it is, however far into a line
    s = t.server(head_then_hold(b"HTTP/1.1 200 OK\r\nX-Long: " + b"L" * (256 * 1024)
                                + b"\x01\r\n\r\n"))
    r = t.run(["-t", "3s", s.url()])
    unhealthy(r, MALFORMED)
    elapsed(r, 0, 1.5)


@scenario("hostile_huge_status_line")
def _(t):
    s = t.server(head_then_hold(b"HTTP/1.1 200 " + b"R" * (64 * 1024) + b"\r\n\r\n"))
    r = t.run(["-t", "3s", s.url()])
    healthy(r)
    elapsed(r, 0, 1.5)
    served(s)


@scenario("hostile_long_content_length_line")
def _(t):
    # Content-Length and Transfer-Encoding are read from a line's start
    # (HC_LINE_KEEP bytes): one longer than that is malformed, not guessed
    s = t.server(head_then_hold(b"HTTP/1.1 200 OK\r\nContent-Length:" + b" " * 300
                                + b"0\r\n\r\n"))
    r = t.run(["-t", "3s", s.url()])
    unhealthy(r, MALFORMED)
    elapsed(r, 0, 1.5)


@scenario("hostile_headers_flood_forever")
def _(t):
    # a head that never ends, as fast as loopback carries it: the probe
    # never waits, so the clock it reads between full buffers must end it
    s = t.server([read_request(), send(b"HTTP/1.1 200 OK\r\n"),
                  flood_forever(b"X-More: yes\r\n" * 4096)])
    r = t.run(["-t", "500ms", s.url()])
    unhealthy(r, TIMED_OUT_500)
    elapsed(r, 0.45, 1.5)


@scenario("hostile_interim_flood_forever")
def _(t):
    s = t.server([read_request(), flood_forever(b"HTTP/1.1 100 Continue\r\n\r\n" * 1000)])
    r = t.run(["-t", "500ms", s.url()])
    unhealthy(r, TIMED_OUT_500)
    elapsed(r, 0.45, 1.5)


@scenario("hostile_headers_never_end")
def _(t):
    # valid header lines forever, no empty line: only the deadline ends it
    s = t.server([read_request(), send(b"HTTP/1.1 200 OK\r\n"),
                  trickle_forever(b"X-More: yes\r\n" * 100, 0.01)])
    r = t.run(["-t", "500ms", s.url()])
    unhealthy(r, TIMED_OUT_500)
    elapsed(r, 0.45, 1.5)


@scenario("hostile_status_line_tiny_writes")
def _(t):
    s = t.server([read_request(), trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                                          0.004), hold()])
    r = t.run(["-t", "3s", s.url()])
    healthy(r)
    elapsed(r, 0, 2.0)
    served(s)


@scenario("hostile_status_503_tiny_writes")
def _(t):
    s = t.server([read_request(), trickle(b"HTTP/1.1 503 Nope\r\n\r\n", 0.004), hold()])
    unhealthy(t.run(["-t", "3s", s.url()]), "HTTP 503")


@scenario("hostile_crlf_split_between_writes")
def _(t):
    s = t.server([read_request(), send(b"HTTP/1.1 200 OK\r"), sleep(0.05), send(b"\nX-A: b\r"),
                  sleep(0.05), send(b"\n\r"), sleep(0.05), send(b"\n"), hold()])
    r = t.run(["-t", "3s", s.url()])
    healthy(r)
    elapsed(r, 0, 1.5)
    served(s)


NUL_HEADS = [
    ("value", b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\n\r\n"),
    ("name", b"HTTP/1.1 200 OK\r\nX-\x00A: ab\r\n\r\n"),
    ("status_line", b"HTTP/1.1 200 O\x00K\r\n\r\n"),
    ("status_code", b"HTTP/1.1 2\x000 OK\r\n\r\n"),
    ("alone_line", b"HTTP/1.1 200 OK\r\n\x00\r\n\r\n"),
]


def nul_case(head):
    def fn(t):
        s = t.server(head_then_hold(head))
        r = t.run(["-t", "3s", s.url()])
        unhealthy(r, MALFORMED)
        elapsed(r, 0, 1.0)
    return fn


for _n, _h in NUL_HEADS:
    add("hostile_nul_in_" + _n, nul_case(_h))


@scenario("hostile_chunk_size_ffffffffffffffff")
def _(t):
    s = t.server(head_then_hold(CHUNKED_HEAD + b"ffffffffffffffff\r\nneedle needle\r\n"))
    r = t.run(["-t", "3s", "-b", "needle", s.url()])
    unhealthy(r, MALFORMED)
    elapsed(r, 0, 1.0)


@scenario("hostile_chunk_size_many_digits")
def _(t):
    s = t.server(head_then_hold(CHUNKED_HEAD + b"1" + b"0" * 40 + b"\r\nneedle\r\n"))
    r = t.run(["-t", "3s", "-b", "needle", s.url()])
    unhealthy(r, MALFORMED)
    elapsed(r, 0, 1.0)


@scenario("hostile_chunk_size_15_f_digits_is_just_big")
def _(t):
    # within the limit: a huge chunk whose first bytes hold the text
    s = t.server(head_then_hold(CHUNKED_HEAD + b"fffffffffffffff\r\nxx needle xx"))
    r = t.run(["-t", "3s", "-b", "needle", s.url()])
    healthy(r)
    elapsed(r, 0, 1.0)
    served(s)


@scenario("hostile_chunk_size_negative")
def _(t):
    s = t.server(head_then_hold(CHUNKED_HEAD + b"-1\r\nneedle\r\n"))
    r = t.run(["-t", "3s", "-b", "needle", s.url()])
    unhealthy(r, MALFORMED)
    elapsed(r, 0, 1.0)


@scenario("hostile_chunk_size_not_hex")
def _(t):
    s = t.server(head_then_hold(CHUNKED_HEAD + b"zz\r\nneedle\r\n"))
    r = t.run(["-t", "3s", "-b", "needle", s.url()])
    unhealthy(r, MALFORMED)
    elapsed(r, 0, 1.0)


@scenario("hostile_chunk_data_longer_than_size")
def _(t):
    s = t.server(head_then_hold(CHUNKED_HEAD + b"3\r\nabcdef\r\n0\r\n\r\n"))
    r = t.run(["-t", "3s", "-b", "needle", s.url()])
    unhealthy(r, MALFORMED)
    elapsed(r, 0, 1.0)


BAD_LENGTHS = [
    ("negative", [b"Content-Length: -1"]),
    ("non_numeric", [b"Content-Length: abc"]),
    ("hex", [b"Content-Length: 0x10"]),
    ("overflow", [b"Content-Length: 99999999999999999999999999"]),
    ("empty", [b"Content-Length:"]),
    ("conflicting", [b"Content-Length: 5", b"Content-Length: 6"]),
    ("conflicting_list", [b"Content-Length: 5, 6"]),
]


def bad_length_case(lines, with_b):
    head = b"HTTP/1.1 200 OK\r\n" + b"".join(l + b"\r\n" for l in lines) + b"\r\nneedle"

    def fn(t):
        s = t.server(head_then_hold(head))
        r = t.run(["-t", "3s"] + (["-b", "needle"] if with_b else []) + [s.url()])
        unhealthy(r, MALFORMED)
        elapsed(r, 0, 1.0)
    return fn


for _n, _l in BAD_LENGTHS:
    add("hostile_content_length_%s" % _n, bad_length_case(_l, False))
    add("hostile_content_length_%s_with_b" % _n, bad_length_case(_l, True))


@scenario("hostile_accept_never_read")
def _(t):
    s = t.server([hold()])
    r = t.run(["-t", "500ms", s.url()])
    unhealthy(r, TIMED_OUT_500)
    elapsed(r, 0.45, 1.5)


@scenario("hostile_never_accept")
def _(t):
    s = t.server(accept=False)
    r = t.run(["-t", "500ms", s.url()])
    unhealthy(r, TIMED_OUT_500)
    elapsed(r, 0.45, 1.5)


@scenario("hostile_close_mid_chunk")
def _(t):
    s = t.server([read_request(), send(CHUNKED_HEAD + b"10\r\nabc"), sleep(0.05), close()])
    r = t.run(["-t", "3s", "-b", "needle", s.url()])
    unhealthy(r, CLOSED)
    elapsed(r, 0, 1.0)


@scenario("hostile_close_after_chunk_size")
def _(t):
    s = t.server([read_request(), send(CHUNKED_HEAD + b"5\r\nabcde\r\n8"), close()])
    r = t.run(["-t", "3s", "-b", "needle", s.url()])
    unhealthy(r, CLOSED)
    elapsed(r, 0, 1.0)


@scenario("hostile_only_crlf_crlf")
def _(t):
    s = t.server(head_then_hold(b"\r\n\r\n"))
    r = t.run(["-t", "2s", s.url()])
    unhealthy(r, MALFORMED)
    elapsed(r, 0, 1.0)


@scenario("hostile_only_crlf_crlf_then_close")
def _(t):
    s = t.server([read_request(), send(b"\r\n\r\n"), close()])
    r = t.run(["-t", "2s", s.url()])
    unhealthy(r, MALFORMED + "|" + CLOSED)
    elapsed(r, 0, 1.0)


@scenario("hostile_endless_interim_responses")
def _(t):
    s = t.server([read_request(), send(b"HTTP/1.1 100 Continue\r\n\r\n" * 200),
                  trickle_forever(b"HTTP/1.1 100 Continue\r\n\r\n", 0.002)])
    r = t.run(["-t", "500ms", s.url()])
    unhealthy(r, TIMED_OUT_500)
    elapsed(r, 0.45, 1.5)


@scenario("hostile_huge_body_until_close")
def _(t):
    s = t.server([read_request(), send(b"HTTP/1.1 200 OK\r\n\r\n" + b"z" * (8 << 20)), hold()])
    r = t.run(["-t", "3s", "-b", "needle", s.url()])
    unhealthy(r, NO_TEXT)
    elapsed(r, 0, 1.5)


@scenario("hostile_response_before_request")
def _(t):
    # answers at once, before reading; then reads what the probe sent
    s = t.server([send(OK), read_request(), close()])
    healthy(t.run(["-t", "3s", s.url()]))
    served(s)


@scenario("hostile_head_with_body_bytes_glued")
def _(t):
    # 1xx, final head and body all in one write
    s = t.server(head_then_hold(b"HTTP/1.1 100 Continue\r\n\r\n" +
                                http(200, "OK", ["Content-Length: 6"], b"needle")))
    healthy(t.run(["-t", "3s", "-b", "needle", s.url()]))
    served(s)


# Regressions found by tests/hardening/replay: the verdict must not depend
# on how the same bytes are split into reads.

@scenario("regress_garbage_without_newline_then_close")
def _(t):
    # one write, no line feed, then close: malformed, not "closed"
    for how in ([send(b"<html>oops</html>")], [trickle(b"<html>oops</html>", 0.002)]):
        s = t.server([read_request()] + how + [close()])
        r = t.run(["-t", "3s", s.url()])
        unhealthy(r, MALFORMED)


@scenario("regress_bad_byte_in_unfinished_header_then_close")
def _(t):
    for how in ([send(b"X-A: b\x01c")], [trickle(b"X-A: b\x01c", 0.002)]):
        s = t.server([read_request(), send(b"HTTP/1.1 200 OK\r\n")] + how + [close()])
        r = t.run(["-t", "3s", s.url()])
        unhealthy(r, MALFORMED)


@scenario("regress_text_found_before_a_chunk_fault")
def _(t):
    # the decoded "ready" counts however the bytes arrive; the fault after it
    # comes too late to matter
    body = b"5\r\nreadyXX"
    for how in ([send(body)], [trickle(body, 0.002)]):
        s = t.server([read_request(), send(CHUNKED_HEAD)] + how + [close()])
        r = t.run(["-t", "3s", "-b", "ready", s.url()])
        healthy(r)
