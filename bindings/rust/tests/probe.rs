//! healthcheck::probe against real servers on loopback: each verdict, its
//! line, and the bytes the server saw.

mod common;

use std::time::{Duration, Instant};

use common::{chunked, http, refused_port, Answer, Server};
use healthcheck::{probe, ErrorKind, Method, Request, Unhealthy};

/// Generous: the machine may be busy. No test waits this long when it passes.
const LONG: Duration = Duration::from_secs(10);

fn unhealthy(req: &Request) -> Unhealthy {
    match probe(req) {
        Ok(h) => panic!("expected unhealthy, got {}", h),
        Err(e) => e,
    }
}

#[test]
fn healthy_200() {
    let s = Server::start(http("200 OK", "ok\n"));
    let h = probe(&Request::new(s.url("/healthz")).timeout(LONG)).expect("healthy");
    assert_eq!(h.status(), Some(200));
    let line = h.to_string();
    assert!(line.starts_with("healthy: HTTP 200 in ") && line.ends_with(" ms"), "{}", line);
    assert!(h.elapsed() < LONG);
    let heads = s.heads();
    assert_eq!(heads.len(), 1);
    assert!(heads[0].starts_with("GET /healthz HTTP/1.1\r\n"), "{:?}", heads[0]);
    assert!(heads[0].contains(&format!("\r\nHost: 127.0.0.1:{}\r\n", s.port())), "{:?}", heads[0]);
}

#[test]
fn status_503_is_unhealthy_with_the_commands_line() {
    let s = Server::start(http("503 Service Unavailable", "down\n"));
    let e = unhealthy(&Request::new(s.url("/healthz")).timeout(LONG));
    assert_eq!(e.kind(), ErrorKind::Status);
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.to_string(), "unhealthy: HTTP 503");
    assert_eq!(e.reason(), "HTTP 503");
    assert_eq!(e.raw_os_error(), None);
    // It is a std error, so `?` takes it into Box<dyn Error>.
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert_eq!(boxed.to_string(), "unhealthy: HTTP 503");
}

#[test]
fn accepted_statuses_decide() {
    let s = Server::start(http("503 Service Unavailable", ""));
    let h = probe(&Request::new(s.url("/")).timeout(LONG).accept(200..=200).accept(500..=503))
        .expect("503 accepted");
    assert_eq!(h.status(), Some(503));
    let s = Server::start(http("204 No Content", ""));
    let e = unhealthy(&Request::new(s.url("/")).timeout(LONG).accept(200..=200));
    assert_eq!((e.kind(), e.status()), (ErrorKind::Status, Some(204)));
    // Without a range, 200-399 are healthy.
    let s = Server::start(http("399 Whatever", ""));
    assert!(probe(&Request::new(s.url("/")).timeout(LONG)).is_ok());
    let s = Server::start(http("400 Bad Request", ""));
    assert_eq!(unhealthy(&Request::new(s.url("/")).timeout(LONG)).status(), Some(400));
}

#[test]
fn refused() {
    let port = refused_port();
    let e = unhealthy(&Request::new(format!("http://127.0.0.1:{}/", port)).timeout(LONG));
    assert_eq!(e.kind(), ErrorKind::Refused);
    assert_eq!(e.to_string(), "unhealthy: connection refused");
    assert_eq!(e.status(), None);
}

#[test]
fn timeout_is_the_one_deadline() {
    let s = Server::start(Answer::Silent);
    let t0 = Instant::now();
    let e = unhealthy(&Request::new(s.url("/")).timeout(Duration::from_millis(300)));
    let took = t0.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(e.to_string(), "unhealthy: timed out after 300 ms");
    assert!(took >= Duration::from_millis(300), "returned after {:?}", took);
    assert!(took < LONG, "returned after {:?}", took);
    assert!(e.elapsed() >= Duration::from_millis(300), "{:?}", e.elapsed());
    assert_eq!(s.accepted(), 1);
}

#[test]
fn a_sub_millisecond_timeout_rounds_up_not_to_zero() {
    let s = Server::start(Answer::Silent);
    let e = unhealthy(&Request::new(s.url("/")).timeout(Duration::from_micros(1500)));
    assert_eq!(e.to_string(), "unhealthy: timed out after 2 ms");
}

#[test]
fn the_default_timeout_is_900_ms() {
    let s = Server::start(Answer::Silent);
    let e = unhealthy(&Request::new(s.url("/")));
    assert_eq!(e.to_string(), "unhealthy: timed out after 900 ms");
}

#[test]
fn body_contains() {
    let s = Server::start(http("200 OK", "{\"status\": \"ready\"}"));
    let h =
        probe(&Request::new(s.url("/")).timeout(LONG).body_contains("\"ready\"")).expect("found");
    assert_eq!(h.status(), Some(200));
    let e = unhealthy(&Request::new(s.url("/")).timeout(LONG).body_contains("starting"));
    assert_eq!(e.kind(), ErrorKind::Body);
    assert_eq!(e.status(), Some(200));
    assert_eq!(e.to_string(), "unhealthy: HTTP 200, body does not contain the text");
}

#[test]
fn body_contains_across_chunks() {
    let s = Server::start(chunked(&["status: rea", "dy", "\n"]));
    assert!(probe(&Request::new(s.url("/")).timeout(LONG).body_contains("ready")).is_ok());
    let e = unhealthy(&Request::new(s.url("/")).timeout(LONG).body_contains("readyz"));
    assert_eq!(e.kind(), ErrorKind::Body);
}

#[test]
fn headers_and_head_are_sent() {
    let s = Server::start(http("200 OK", ""));
    let req = Request::new(s.url("/ready?deep=1"))
        .timeout(LONG)
        .method(Method::Head)
        .header("X-Probe", "rust")
        .header("Host", "svc.internal");
    assert!(probe(&req).is_ok());
    let head = &s.heads()[0];
    assert!(head.starts_with("HEAD /ready?deep=1 HTTP/1.1\r\n"), "{:?}", head);
    assert!(head.contains("\r\nX-Probe: rust\r\n"), "{:?}", head);
    assert!(head.contains("\r\nHost: svc.internal\r\n"), "{:?}", head);
    assert_eq!(head.matches("Host:").count(), 1, "{:?}", head);
}

#[test]
fn tcp_connect() {
    let s = Server::start(Answer::Close);
    let h = probe(&Request::new(format!("tcp://127.0.0.1:{}", s.port())).timeout(LONG))
        .expect("healthy");
    assert_eq!(h.status(), None);
    assert!(h.to_string().starts_with("healthy: TCP connect in "), "{}", h);
}

#[test]
fn unix_socket() {
    let s = Server::start_unix(http("200 OK", "ok"));
    let path = s.socket.clone().unwrap();
    let h = probe(&Request::new("http://localhost/healthz").unix_socket(&path).timeout(LONG))
        .expect("healthy");
    assert_eq!(h.status(), Some(200));
    assert!(
        s.heads()[0].starts_with("GET /healthz HTTP/1.1\r\nHost: localhost\r\n"),
        "{:?}",
        s.heads()
    );
    let e =
        unhealthy(&Request::new("http://localhost/").unix_socket(path.with_file_name("none.sock")));
    assert_eq!(e.kind(), ErrorKind::Unreachable, "{}", e);
}

#[test]
fn ipv6_loopback() {
    if !common::have_ipv6() {
        eprintln!("no IPv6 loopback here: ::1 not probed");
        return;
    }
    let s = Server::start_on("::1", http("200 OK", "")).expect("bind ::1");
    assert!(s.url("/").starts_with("http://[::1]:"));
    assert!(probe(&Request::new(s.url("/")).timeout(LONG)).is_ok());
}

#[test]
fn names_come_from_etc_hosts_only() {
    let e = unhealthy(&Request::new("http://no-such-host.invalid/").timeout(LONG));
    assert_eq!(e.kind(), ErrorKind::Resolve);
    assert_eq!(e.to_string(), "unhealthy: cannot resolve host");
    let s = Server::start(http("200 OK", ""));
    assert!(
        probe(&Request::new(format!("http://localhost:{}/", s.port())).timeout(LONG)).is_ok()
            || !common::have_ipv6(),
        "localhost from /etc/hosts"
    );
}

#[test]
fn broken_responses() {
    let s = Server::start(Answer::Close);
    let e = unhealthy(&Request::new(s.url("/")).timeout(LONG));
    assert_eq!(e.kind(), ErrorKind::Closed);
    assert_eq!(e.to_string(), "unhealthy: connection closed before a full response");
    let s = Server::start(Answer::Bytes(b"SSH-2.0-OpenSSH\r\n\r\n".to_vec()));
    assert_eq!(unhealthy(&Request::new(s.url("/")).timeout(LONG)).kind(), ErrorKind::Malformed);
    let s = Server::start(Answer::Bytes(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n".to_vec()));
    let e = unhealthy(&Request::new(s.url("/")).timeout(LONG));
    assert!(matches!(e.kind(), ErrorKind::Framing | ErrorKind::Malformed), "{:?}", e);
}

/// Every option the library refuses: InvalidRequest, the library's reason,
/// and not one connection.
#[test]
#[allow(clippy::reversed_empty_ranges)] // one of the cases
fn invalid_requests_send_nothing() {
    let s = Server::start(http("200 OK", ""));
    let url = s.url("/");
    let many_headers =
        (0..17).fold(Request::new(url.clone()), |r, i| r.header(&format!("X-{}", i), "1"));
    let many_ranges = (0..17).fold(Request::new(url.clone()), |r, i| r.accept(200 + i..=200 + i));
    let cases: Vec<(Request, &str)> = vec![
        (Request::new("http://"), "bad URL"),
        (Request::new("ftp://127.0.0.1/"), "bad URL"),
        (Request::new(format!("{} x", url)), "bad URL"),
        (Request::new(url.clone()).header("X-A", "a\r\nX-Injected: 1"), "bad header"),
        (Request::new(url.clone()).header("X-A", "a\0b"), "bad header"),
        (Request::new(url.clone()).header("Bad Name", "1"), "bad header"),
        (many_headers, "bad header"),
        (Request::new(url.clone()).accept(99..=200), "bad status list"),
        (Request::new(url.clone()).accept(300..=200), "bad status list"),
        (many_ranges, "bad status list"),
        (Request::new(url.clone()).body_contains(""), "bad body text"),
        (Request::new(url.clone()).body_contains("x".repeat(1025)), "bad body text"),
        (Request::new(url.clone()).method(Method::Head).body_contains("ok"), "body text needs GET"),
        (Request::new(url.clone()).timeout(Duration::ZERO), "bad timeout"),
        (Request::new(url.clone()).timeout(Duration::from_secs(86_401)), "bad timeout"),
        (Request::new(url.clone()).unix_socket("/tmp/a\0b"), "bad unix socket"),
        (Request::new(url.clone()).unix_socket("/".repeat(108)), "bad unix socket"),
        // The library's plain build (this crate's) has no TLS.
        (
            Request::new(format!("https://127.0.0.1:{}/", s.port())),
            "https:// and grpcs:// need healthcheck-tls",
        ),
        (
            Request::new(format!("grpcs://127.0.0.1:{}", s.port())),
            "https:// and grpcs:// need healthcheck-tls",
        ),
    ];
    for (req, why) in cases {
        let e = unhealthy(&req);
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{:?}: {}", req, e);
        assert_eq!(e.to_string(), format!("unhealthy: invalid request ({})", why), "{:?}", req);
    }
    // Just under each limit is fine (and reaches the server).
    let ok = (0..16).fold(Request::new(url.clone()), |r, i| r.header(&format!("X-{}", i), "1"));
    let ok = (0..16).fold(ok, |r, i| r.accept(200 + i..=200 + i)).body_contains("x".repeat(1024));
    assert_eq!(unhealthy(&ok.timeout(LONG)).kind(), ErrorKind::Body);
    assert_eq!(s.accepted(), 1, "only the valid request reached the server");
}

#[test]
fn threads_probe_at_once_each_with_its_own_verdict() {
    let up = Server::start(http("200 OK", "ok"));
    let down = Server::start(http("503 Service Unavailable", ""));
    let refused = refused_port();
    let (up_url, down_url) = (up.url("/"), down.url("/"));
    std::thread::scope(|sc| {
        let mut handles = Vec::new();
        for i in 0..12 {
            let (u, d) = (&up_url, &down_url);
            handles.push(sc.spawn(move || {
                for _ in 0..5 {
                    match i % 3 {
                        0 => assert!(probe(&Request::new(u.as_str()).timeout(LONG)).is_ok()),
                        1 => assert_eq!(
                            unhealthy(&Request::new(d.as_str()).timeout(LONG)).status(),
                            Some(503)
                        ),
                        _ => assert_eq!(
                            unhealthy(
                                &Request::new(format!("http://127.0.0.1:{}/", refused))
                                    .timeout(LONG)
                            )
                            .kind(),
                            ErrorKind::Refused
                        ),
                    }
                }
            }));
        }
        for h in handles {
            h.join().expect("probe thread");
        }
    });
    assert_eq!(up.accepted(), 20);
    assert_eq!(down.accepted(), 20);
}

#[test]
fn the_crate_and_the_library_agree_on_the_version() {
    assert_eq!(
        healthcheck::library_version(),
        env!("CARGO_PKG_VERSION"),
        "bindings/rust/Cargo.toml's version must be lib/healthcheck.h's HC_VERSION"
    );
}
