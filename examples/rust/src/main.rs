//! rust-service: a small HTTP/1.1 service whose `healthcheck` subcommand
//! comes from the healthcheck crate (bindings/rust): one line in main.
//!
//!   rust-service                     serve on $PORT (default 8080; 0: any free port)
//!   rust-service healthcheck [ARGS]  probe it (port $PORT/8080, path /healthz)
//!
//! Routes: GET|HEAD /healthz and /readyz answer 200 "ok" or 503 "unhealthy";
//! POST /admin/fail and /admin/recover switch the verdict. SIGUSR1 toggles it,
//! SIGTERM and SIGINT exit 0 at once (it can be PID 1 in a scratch image).
//! std and the healthcheck crate only. The `unsafe` blocks here are the
//! service's own signal handling, which std has no API for.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::os::raw::c_int;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const DEFAULT_PORT: u16 = 8080;
const REQ_MAX: usize = 2048;
const BODY_MAX: usize = 1024;

// Linux signal numbers (x86_64 and aarch64 agree on these).
const SIGINT: c_int = 2;
const SIGUSR1: c_int = 10;
const SIGTERM: c_int = 15;

extern "C" {
    // libc, which std links anyway.
    fn signal(sig: c_int, handler: extern "C" fn(c_int)) -> usize;
    fn write(fd: c_int, buf: *const u8, n: usize) -> isize;
    fn _exit(code: c_int) -> !;
}

static HEALTHY: AtomicBool = AtomicBool::new(true);

extern "C" fn on_term(_sig: c_int) {
    // Only async-signal-safe calls here: write(2) and _exit(2).
    let msg = b"rust-service: terminating, exiting\n";
    // SAFETY: msg is a valid buffer of msg.len() bytes; write and _exit are
    // async-signal-safe.
    unsafe {
        write(2, msg.as_ptr(), msg.len());
        _exit(0);
    }
}

extern "C" fn on_usr1(_sig: c_int) {
    let was = HEALTHY.fetch_xor(true, Ordering::SeqCst);
    let msg: &[u8] = if was {
        b"rust-service: now unhealthy (SIGUSR1)\n"
    } else {
        b"rust-service: now healthy (SIGUSR1)\n"
    };
    // SAFETY: msg is a valid buffer of msg.len() bytes; write is
    // async-signal-safe.
    unsafe {
        write(2, msg.as_ptr(), msg.len());
    }
}

fn respond(s: &mut TcpStream, head_only: bool, status: &str, extra: &str, body: &str) {
    let mut out = format!(
        "HTTP/1.1 {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n{}\r\n",
        status, body.len(), extra);
    if !head_only {
        out.push_str(body);
    }
    let _ = s.write_all(out.as_bytes());
}

fn head_end(b: &[u8]) -> Option<usize> {
    (0..b.len().saturating_sub(1)).find_map(|i| {
        if b[i] != b'\n' {
            None
        } else if b[i + 1] == b'\n' {
            Some(i + 2)
        } else if b[i + 1] == b'\r' && b.get(i + 2) == Some(&b'\n') {
            Some(i + 3)
        } else {
            None
        }
    })
}

/// The body's length from Content-Length, or the status to refuse with.
fn body_length(head: &str) -> Result<usize, &'static str> {
    let mut len = 0;
    for line in head.lines().skip(1) {
        let (name, value) = match line.split_once(':') {
            Some(nv) => nv,
            None => continue,
        };
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err("501 Not Implemented");
        }
        if name.eq_ignore_ascii_case("content-length") {
            len = value.trim().parse::<usize>().map_err(|_| "400 Bad Request")?;
            if len > BODY_MAX {
                return Err("413 Content Too Large");
            }
        }
    }
    Ok(len)
}

fn route(s: &mut TcpStream, method: &str, path: &str) {
    let (get, head, post) = (method == "GET", method == "HEAD", method == "POST");
    match path {
        "/healthz" | "/readyz" | "/" => {
            if !get && !head {
                respond(s, false, "405 Method Not Allowed", "Allow: GET, HEAD\r\n", "method not allowed\n")
            } else if path == "/" {
                respond(s, head, "200 OK", "", "rust-service: probe /healthz or /readyz\n")
            } else if HEALTHY.load(Ordering::SeqCst) {
                respond(s, head, "200 OK", "", "ok\n")
            } else {
                respond(s, head, "503 Service Unavailable", "", "unhealthy\n")
            }
        }
        "/admin/fail" | "/admin/recover" if post => {
            let ok = path == "/admin/recover";
            HEALTHY.store(ok, Ordering::SeqCst);
            eprintln!("rust-service: now {} (admin)", if ok { "healthy" } else { "unhealthy" });
            respond(s, false, "200 OK", "", if ok { "now healthy\n" } else { "now unhealthy\n" })
        }
        "/admin/fail" | "/admin/recover" => {
            respond(s, head, "405 Method Not Allowed", "Allow: POST\r\n", "method not allowed\n")
        }
        _ => respond(s, head, "404 Not Found", "", "not found\n"),
    }
}

fn serve(mut s: TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
    let mut buf = vec![0u8; REQ_MAX];
    let mut len = 0;
    let hlen = loop {
        if let Some(h) = head_end(&buf[..len]) {
            break h;
        }
        if len == buf.len() {
            return respond(&mut s, false, "431 Request Header Fields Too Large", "", "too large\n");
        }
        match s.read(&mut buf[len..]) {
            Ok(0) | Err(_) => return, // closed or timed out before a full request
            Ok(n) => len += n,
        }
    };
    let head = String::from_utf8_lossy(&buf[..hlen]).into_owned();
    let mut words = head.lines().next().unwrap_or("").split(' ');
    let (method, target, version) = (words.next(), words.next(), words.next());
    let (method, target, version) = match (method, target, version) {
        (Some(m), Some(t), Some(v)) => (m, t, v),
        _ => return respond(&mut s, false, "400 Bad Request", "", "bad request\n"),
    };
    if !target.starts_with('/') || !version.starts_with("HTTP/1.") || words.next().is_some() {
        return respond(&mut s, false, "400 Bad Request", "", "bad request\n");
    }
    let blen = match body_length(&head) {
        Ok(n) => n,
        Err(status) => return respond(&mut s, false, status, "", "request body not accepted\n"),
    };
    // Read the (ignored) body so that closing sends no RST over our answer.
    let mut rest = (hlen + blen).saturating_sub(len);
    let mut sink = [0u8; 512];
    while rest > 0 {
        match s.read(&mut sink[..rest.min(512)]) {
            Ok(0) | Err(_) => return,
            Ok(n) => rest -= n.min(rest),
        }
    }
    let path = target.split('?').next().unwrap_or(target);
    route(&mut s, method, path);
}

fn listen(port: u16) -> std::io::Result<TcpListener> {
    // [::] takes IPv4 too where the system is dual-stack (Linux's default).
    TcpListener::bind(SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)))
        .or_else(|_| TcpListener::bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, port))))
}

fn main() {
    // `rust-service healthcheck [OPTIONS] [URL]` probes and exits here.
    healthcheck::Subcommand::new()
        .prog("rust-service healthcheck")
        .port(DEFAULT_PORT) // $HEALTHCHECK_PORT and $PORT win
        .path("/healthz")
        .dispatch();
    if std::env::args_os().nth(1).is_some() {
        eprintln!("usage: rust-service [healthcheck [OPTIONS] [URL]]");
        std::process::exit(64);
    }
    let port = match std::env::var("PORT") {
        Ok(p) if !p.is_empty() => match p.parse::<u16>() {
            Ok(n) => n,
            Err(_) => {
                eprintln!("rust-service: $PORT is not a port number (0..65535): {}", p);
                std::process::exit(64);
            }
        },
        _ => DEFAULT_PORT,
    };
    // SAFETY: the handlers make only async-signal-safe calls (write,
    // _exit) and touch only an atomic; signal() itself has no precondition.
    unsafe {
        signal(SIGTERM, on_term);
        signal(SIGINT, on_term);
        signal(SIGUSR1, on_usr1);
    }
    let listener = match listen(port) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("rust-service: cannot listen: {}", e);
            std::process::exit(1);
        }
    };
    let actual = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    eprintln!("rust-service: listening on port {}", actual);
    for conn in listener.incoming() {
        match conn {
            Ok(s) => {
                if std::thread::Builder::new().spawn(move || serve(s)).is_err() {
                    eprintln!("rust-service: cannot start a thread; connection dropped");
                }
            }
            Err(e) => eprintln!("rust-service: accept: {}", e),
        }
    }
}
