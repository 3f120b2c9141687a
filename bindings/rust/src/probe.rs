//! One probe from Rust: [`Request`] in, [`Healthy`] or [`Unhealthy`] out.

use std::error::Error;
use std::fmt;
use std::ops::RangeInclusive;
use std::os::raw::{c_char, c_int, c_uint};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::time::Duration;

use crate::ffi;

/// The HTTP method of a probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Method {
    /// `GET` (the default).
    #[default]
    Get,
    /// `HEAD`: the status alone; no body is read, so no
    /// [`body_contains`](Request::body_contains).
    Head,
}

/// What to probe and how: the options of the `healthcheck` command, typed.
///
/// Built from a URL, then changed by the methods below, each of which takes
/// and returns the request. Nothing is checked until [`probe`] runs: an
/// option the library refuses makes it return [`ErrorKind::InvalidRequest`]
/// without sending anything.
///
/// ```
/// use std::time::Duration;
/// use healthcheck::{Method, Request};
///
/// let req = Request::new("http://127.0.0.1:8080/healthz")
///     .timeout(Duration::from_millis(500))
///     .header("Authorization", "Bearer s3cret")
///     .accept(200..=299)
///     .accept(503..=503)
///     .method(Method::Get)
///     .body_contains("ok");
/// assert_eq!(req.url(), "http://127.0.0.1:8080/healthz");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    url: String,
    timeout: Option<Duration>,
    headers: Vec<String>,
    accept: Vec<(u16, u16)>,
    body_contains: Option<String>,
    unix_socket: Option<PathBuf>,
    method: Method,
}

impl Request {
    /// A request for `url`: `http://HOST[:PORT][/PATH[?QUERY]]` (port 80
    /// when none is given), `tcp://HOST:PORT` (healthy once it connects) or
    /// `grpc://HOST:PORT[/SERVICE]` (grpc.health.v1 over HTTP/2); the crate
    /// links the library's plain build, which refuses `https://` and
    /// `grpcs://` as [`ErrorKind::InvalidRequest`]. HOST is an
    /// IP address, `[IPv6]`, or a name from `/etc/hosts` such as
    /// `localhost`: the probe does not use DNS.
    pub fn new(url: impl Into<String>) -> Request {
        Request {
            url: url.into(),
            timeout: None,
            headers: Vec::new(),
            accept: Vec::new(),
            body_contains: None,
            unix_socket: None,
            method: Method::Get,
        }
    }

    /// The one deadline for all of the probe: resolving, connecting,
    /// sending and reading. 1 ms to one day, rounded up to whole
    /// milliseconds; 900 ms unless set.
    pub fn timeout(mut self, timeout: Duration) -> Request {
        self.timeout = Some(timeout);
        self
    }

    /// Sends `Name: value` (up to 16 headers). A `Host`, `User-Agent` or
    /// `Connection` header replaces the probe's own. A name must be a token
    /// and a value must hold no control byte but TAB.
    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push(format!("{}: {}", name, value));
        self
    }

    /// Accepts the statuses in `statuses` (100..=999) as healthy; each call
    /// adds a range (up to 16). Without any, 200-399 are healthy.
    pub fn accept(mut self, statuses: RangeInclusive<u16>) -> Request {
        self.accept.push((*statuses.start(), *statuses.end()));
        self
    }

    /// Healthy only when the response body contains `text` (1 to 1024
    /// bytes; the first 64 KiB of the body are searched, de-chunked). GET
    /// over `http://` only.
    pub fn body_contains(mut self, text: impl Into<String>) -> Request {
        self.body_contains = Some(text.into());
        self
    }

    /// Connects to this unix socket instead of the URL's host and port;
    /// the URL still gives the path and the `Host` header.
    pub fn unix_socket(mut self, path: impl Into<PathBuf>) -> Request {
        self.unix_socket = Some(path.into());
        self
    }

    /// GET (the default) or HEAD.
    pub fn method(mut self, method: Method) -> Request {
        self.method = method;
        self
    }

    /// The URL as given.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// Whole milliseconds, rounded up, at most u32::MAX (the library refuses
/// anything over a day, and 0).
pub(crate) fn millis(d: Duration) -> c_uint {
    let ms = d.as_nanos() / 1_000_000 + u128::from(d.as_nanos() % 1_000_000 != 0);
    ms.min(u128::from(c_uint::MAX)) as c_uint
}

/// bytes followed by a NUL, for the C side (which also gets the length, so
/// a NUL inside is seen and refused).
pub(crate) fn with_nul(bytes: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(bytes.len() + 1);
    v.extend_from_slice(bytes);
    v.push(0);
    v
}

/// Why a probe failed: one value per verdict the library gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A final status outside the accepted ones.
    Status,
    /// The body did not contain the text.
    Body,
    /// The host name is not in `/etc/hosts` (the probe does not use DNS).
    Resolve,
    /// Connection refused: nothing listens there.
    Refused,
    /// The deadline passed.
    Timeout,
    /// The peer reset the connection.
    Reset,
    /// The peer closed before a full response.
    Closed,
    /// No route, network down, or no such socket file.
    Unreachable,
    /// Another socket error; see [`Unhealthy::raw_os_error`].
    Network,
    /// The response breaks its protocol's grammar.
    Malformed,
    /// A part of the response is over its fixed cap.
    TooLarge,
    /// A bad Content-Length, Transfer-Encoding or chunk.
    Framing,
    /// An option the library refuses; nothing was sent.
    InvalidRequest,
    /// The TLS handshake failed (`https://` and `grpcs://`, in a build of
    /// the library with TLS).
    Tls,
    /// A verdict this version of the crate does not name yet.
    Other,
}

impl ErrorKind {
    fn from_c(kind: c_int) -> ErrorKind {
        match kind {
            ffi::HCR_STATUS => ErrorKind::Status,
            ffi::HCR_BODY => ErrorKind::Body,
            ffi::HCR_RESOLVE => ErrorKind::Resolve,
            ffi::HCR_REFUSED => ErrorKind::Refused,
            ffi::HCR_TIMEOUT => ErrorKind::Timeout,
            ffi::HCR_RESET => ErrorKind::Reset,
            ffi::HCR_CLOSED => ErrorKind::Closed,
            ffi::HCR_UNREACHABLE => ErrorKind::Unreachable,
            ffi::HCR_NETWORK => ErrorKind::Network,
            ffi::HCR_MALFORMED => ErrorKind::Malformed,
            ffi::HCR_TOO_LARGE => ErrorKind::TooLarge,
            ffi::HCR_FRAMING => ErrorKind::Framing,
            ffi::HCR_REQUEST => ErrorKind::InvalidRequest,
            ffi::HCR_TLS => ErrorKind::Tls,
            _ => ErrorKind::Other,
        }
    }
}

/// A healthy verdict. Its `Display` is the command's line, e.g.
/// `healthy: HTTP 200 in 3 ms`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Healthy {
    status: Option<u16>,
    elapsed: Duration,
    line: String,
}

impl Healthy {
    /// The HTTP status; `None` for `tcp://`.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// From the start of the probe to the verdict, in whole milliseconds.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

impl fmt::Display for Healthy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line)
    }
}

/// An unhealthy verdict, or a request that could not be sent. Its
/// `Display` is the line the `healthcheck` command prints, e.g.
/// `unhealthy: HTTP 503`, `unhealthy: connection refused`,
/// `unhealthy: timed out after 900 ms`, `unhealthy: invalid request (bad URL)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unhealthy {
    kind: ErrorKind,
    status: Option<u16>,
    os_error: Option<i32>,
    elapsed: Duration,
    line: String,
}

impl Unhealthy {
    /// Why, as a value to match on.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The final HTTP status when one was read (the unaccepted status, or
    /// the status of a body that lacked the text).
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The reason, without `unhealthy: `: `HTTP 503`, `connection refused`.
    pub fn reason(&self) -> &str {
        self.line.strip_prefix("unhealthy: ").unwrap_or(&self.line)
    }

    /// The errno behind a socket error, for `std::io::Error::from_raw_os_error`.
    pub fn raw_os_error(&self) -> Option<i32> {
        self.os_error
    }

    /// From the start of the probe to the verdict, in whole milliseconds.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

impl fmt::Display for Unhealthy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line)
    }
}

impl Error for Unhealthy {}

/// Runs one probe, all of it within the request's timeout, and returns the
/// verdict: what `healthcheck URL [OPTIONS]` would say, as a value.
///
/// It blocks the calling thread for the timeout at most: the one deadline
/// covers reading `/etc/hosts`, connecting, sending and reading. It
/// allocates only to pass the options to the C library, which allocates
/// nothing; threads may probe at once. It raises no signal: a peer that has
/// gone cannot cause SIGPIPE.
///
/// ```
/// use std::time::Duration;
/// use healthcheck::{probe, ErrorKind, Request};
/// # use std::io::{Read, Write};
/// # let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # let port = server.local_addr().unwrap().port();
/// # std::thread::spawn(move || {
/// #     let (mut s, _) = server.accept().unwrap();
/// #     let (mut head, mut buf) = (Vec::new(), [0u8; 512]);
/// #     while !head.windows(4).any(|w| w == b"\r\n\r\n") {
/// #         let n = s.read(&mut buf).unwrap();
/// #         if n == 0 { break }
/// #         head.extend_from_slice(&buf[..n]);
/// #     }
/// #     s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n").unwrap();
/// # });
///
/// // A service answering 200 "ok" on /healthz:
/// let req = Request::new(format!("http://127.0.0.1:{}/healthz", port))
///     .timeout(Duration::from_secs(5))
///     .body_contains("ok");
/// let healthy = probe(&req).expect("healthy");
/// assert_eq!(healthy.status(), Some(200));
/// assert!(healthy.to_string().starts_with("healthy: HTTP 200 in "));
///
/// // A port nothing listens on:
/// # let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
/// let err = probe(&Request::new(format!("http://127.0.0.1:{}/", closed))).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Refused);
/// assert_eq!(err.to_string(), "unhealthy: connection refused");
/// ```
pub fn probe(req: &Request) -> Result<Healthy, Unhealthy> {
    let headers: Vec<Vec<u8>> = req.headers.iter().map(|h| with_nul(h.as_bytes())).collect();
    let header_ptrs: Vec<*const c_char> =
        headers.iter().map(|h| h.as_ptr() as *const c_char).collect();
    let header_lens: Vec<usize> = req.headers.iter().map(|h| h.len()).collect();
    let ranges: Vec<u16> = req.accept.iter().flat_map(|&(lo, hi)| [lo, hi]).collect();
    let unix = req.unix_socket.as_ref().map(|p| with_nul(p.as_os_str().as_bytes()));
    let (unix_ptr, unix_len) = match &unix {
        Some(u) => (u.as_ptr() as *const c_char, u.len() - 1),
        None => (std::ptr::null(), 0),
    };
    let (body_ptr, body_len) = match &req.body_contains {
        Some(b) => (b.as_ptr() as *const c_char, b.len()),
        None => (std::ptr::null(), 0),
    };
    // SAFETY: hcr_default_timeout_ms only returns a constant.
    let default_ms = unsafe { ffi::hcr_default_timeout_ms() };
    let timeout_ms = req.timeout.map_or(default_ms, millis);
    let (mut status, mut errno, mut elapsed_ms): (c_int, c_int, c_uint) = (0, 0, 0);
    let mut line = [0u8; ffi::LINE_BYTES];
    // SAFETY: every pointer is valid for the length passed with it, for the
    // whole call: the URL and the body are borrowed from req; the
    // NUL-terminated copies (headers, unix), the ranges and the pointer and
    // length arrays live in this frame until after the call (an empty one
    // comes with a count of 0, so it is never read); null pointers go only
    // where hcr_probe takes "none" (unix socket, body). The outputs are
    // local variables and a buffer of line.len() bytes. The library keeps
    // no pointer past the call.
    let kind = unsafe {
        ffi::hcr_probe(
            req.url.as_ptr() as *const c_char,
            req.url.len(),
            unix_ptr,
            unix_len,
            c_int::from(req.method == Method::Head),
            header_ptrs.as_ptr(),
            header_lens.as_ptr(),
            header_ptrs.len(),
            ranges.as_ptr(),
            req.accept.len(),
            body_ptr,
            body_len,
            timeout_ms,
            &mut status,
            &mut errno,
            &mut elapsed_ms,
            line.as_mut_ptr() as *mut c_char,
            line.len(),
        )
    };
    let end = line.iter().position(|&b| b == 0).unwrap_or(line.len());
    let line = String::from_utf8_lossy(&line[..end]).into_owned();
    let status = u16::try_from(status).ok().filter(|&s| s != 0);
    let elapsed = Duration::from_millis(u64::from(elapsed_ms));
    if kind == ffi::HCR_HEALTHY {
        return Ok(Healthy { status, elapsed, line });
    }
    Err(Unhealthy {
        kind: ErrorKind::from_c(kind),
        status,
        os_error: Some(errno).filter(|&e| e != 0),
        elapsed,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_rounds_up_and_saturates() {
        assert_eq!(millis(Duration::ZERO), 0);
        assert_eq!(millis(Duration::from_nanos(1)), 1);
        assert_eq!(millis(Duration::from_micros(1500)), 2);
        assert_eq!(millis(Duration::from_millis(900)), 900);
        assert_eq!(millis(Duration::from_secs(86_400)), 86_400_000);
        assert_eq!(millis(Duration::from_secs(u64::MAX)), u32::MAX);
    }

    #[test]
    fn with_nul_appends_one_nul() {
        assert_eq!(with_nul(b"ab"), b"ab\0");
        assert_eq!(with_nul(b""), b"\0");
    }

    #[test]
    fn builder_keeps_every_option() {
        let r = Request::new("http://[::1]:81/x")
            .timeout(Duration::from_millis(5))
            .header("X-A", "1")
            .header("X-B", "two words")
            .accept(200..=204)
            .accept(301..=301)
            .body_contains("ok")
            .unix_socket("/run/s.sock")
            .method(Method::Head);
        assert_eq!(r.url(), "http://[::1]:81/x");
        assert_eq!(r.timeout, Some(Duration::from_millis(5)));
        assert_eq!(r.headers, ["X-A: 1", "X-B: two words"]);
        assert_eq!(r.accept, [(200, 204), (301, 301)]);
        assert_eq!(r.body_contains.as_deref(), Some("ok"));
        assert_eq!(r.unix_socket, Some(PathBuf::from("/run/s.sock")));
        assert_eq!(r.method, Method::Head);
        assert_eq!(Method::default(), Method::Get);
    }

    #[test]
    fn every_kind_maps_to_its_own_variant() {
        let all = [
            (ffi::HCR_STATUS, ErrorKind::Status),
            (ffi::HCR_BODY, ErrorKind::Body),
            (ffi::HCR_RESOLVE, ErrorKind::Resolve),
            (ffi::HCR_REFUSED, ErrorKind::Refused),
            (ffi::HCR_TIMEOUT, ErrorKind::Timeout),
            (ffi::HCR_RESET, ErrorKind::Reset),
            (ffi::HCR_CLOSED, ErrorKind::Closed),
            (ffi::HCR_UNREACHABLE, ErrorKind::Unreachable),
            (ffi::HCR_NETWORK, ErrorKind::Network),
            (ffi::HCR_MALFORMED, ErrorKind::Malformed),
            (ffi::HCR_TOO_LARGE, ErrorKind::TooLarge),
            (ffi::HCR_FRAMING, ErrorKind::Framing),
            (ffi::HCR_REQUEST, ErrorKind::InvalidRequest),
            (ffi::HCR_TLS, ErrorKind::Tls),
        ];
        for (i, &(c, k)) in all.iter().enumerate() {
            assert_eq!(c, i as c_int + 1, "HCR_ values are 1.. in order");
            assert_eq!(ErrorKind::from_c(c), k);
        }
        assert_eq!(ErrorKind::from_c(ffi::HCR_TLS + 1), ErrorKind::Other);
        assert_eq!(ErrorKind::from_c(-1), ErrorKind::Other);
    }

    #[test]
    fn reason_drops_the_prefix() {
        let e = Unhealthy {
            kind: ErrorKind::Status,
            status: Some(503),
            os_error: None,
            elapsed: Duration::ZERO,
            line: "unhealthy: HTTP 503".to_string(),
        };
        assert_eq!(e.reason(), "HTTP 503");
        assert_eq!(e.to_string(), "unhealthy: HTTP 503");
    }
}
