//! Real servers on loopback for the tests, std only: each accepts on its
//! own thread, records the request heads it read, and answers every
//! connection the same way. Dropping one stops it and closes everything.
#![allow(dead_code)] // each test file uses a part

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What a server does with each connection, once it has read the head.
#[derive(Clone)]
pub enum Answer {
    /// Writes these bytes, then closes.
    Bytes(Vec<u8>),
    /// Says nothing and keeps the connection open until the server stops.
    Silent,
    /// Closes without a word.
    Close,
}

/// `HTTP/1.1 STATUS` with a Content-Length body.
pub fn http(status: &str, body: &str) -> Answer {
    Answer::Bytes(
        format!(
            "HTTP/1.1 {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            status,
            body.len(),
            body
        )
        .into_bytes(),
    )
}

/// A 200 whose body comes in chunks of the given texts.
pub fn chunked(parts: &[&str]) -> Answer {
    let mut s =
        String::from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    for p in parts {
        s.push_str(&format!("{:x}\r\n{}\r\n", p.len(), p));
    }
    s.push_str("0\r\n\r\n");
    Answer::Bytes(s.into_bytes())
}

trait Conn: Read + Write + Send + 'static {
    fn close(&self);
    fn bound(&self);
}
impl Conn for TcpStream {
    fn close(&self) {
        let _ = self.shutdown(Shutdown::Both);
    }
    fn bound(&self) {
        let _ = self.set_read_timeout(Some(Duration::from_secs(30)));
    }
}
impl Conn for UnixStream {
    fn close(&self) {
        let _ = self.shutdown(Shutdown::Both);
    }
    fn bound(&self) {
        let _ = self.set_read_timeout(Some(Duration::from_secs(30)));
    }
}

/// Accepts on a thread of its own until stop is set (and one more
/// connection wakes it).
fn accept_loop<C: Conn, I>(
    incoming: I,
    answer: Answer,
    heads: &Arc<Mutex<Vec<String>>>,
    accepted: &Arc<AtomicUsize>,
    stop: &Arc<AtomicBool>,
) -> JoinHandle<()>
where
    I: Iterator<Item = std::io::Result<C>> + Send + 'static,
{
    let (h, a, st) = (heads.clone(), accepted.clone(), stop.clone());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in incoming {
            if st.load(Ordering::SeqCst) {
                break;
            }
            if let Ok(c) = conn {
                a.fetch_add(1, Ordering::SeqCst);
                serve(c, &answer, &h, &mut held);
            }
        }
    })
}

pub struct Server {
    pub addr: Option<SocketAddr>,
    pub socket: Option<PathBuf>,
    heads: Arc<Mutex<Vec<String>>>,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Reads up to the end of a request head (or EOF, or 64 KiB).
fn read_head(s: &mut impl Read) -> String {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

fn serve<C: Conn>(mut c: C, answer: &Answer, heads: &Mutex<Vec<String>>, held: &mut Vec<C>) {
    // A generous bound, so a test that goes wrong cannot hang here.
    c.bound();
    let head = read_head(&mut c);
    heads.lock().unwrap().push(head);
    match answer {
        Answer::Bytes(b) => {
            let _ = c.write_all(b);
            c.close();
        }
        Answer::Silent => held.push(c),
        Answer::Close => c.close(),
    }
}

impl Server {
    /// A server on 127.0.0.1 (or `host`), on a port the system picks.
    pub fn start(answer: Answer) -> Server {
        Server::start_on("127.0.0.1", answer).expect("bind 127.0.0.1")
    }

    pub fn start_on(host: &str, answer: Answer) -> std::io::Result<Server> {
        let listener = TcpListener::bind((host, 0))?;
        let addr = listener.local_addr()?;
        let heads = Arc::new(Mutex::new(Vec::new()));
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let incoming = std::iter::from_fn(move || Some(listener.accept().map(|(c, _)| c)));
        let thread = accept_loop(incoming, answer, &heads, &accepted, &stop);
        Ok(Server { addr: Some(addr), socket: None, heads, accepted, stop, thread: Some(thread) })
    }

    /// A server on a unix socket in a directory of its own.
    pub fn start_unix(answer: Answer) -> Server {
        let dir = temp_dir("unix");
        let path = dir.join("s.sock");
        let listener = UnixListener::bind(&path).expect("bind unix socket");
        let heads = Arc::new(Mutex::new(Vec::new()));
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let incoming = std::iter::from_fn(move || Some(listener.accept().map(|(c, _)| c)));
        let thread = accept_loop(incoming, answer, &heads, &accepted, &stop);
        Server { addr: None, socket: Some(path), heads, accepted, stop, thread: Some(thread) }
    }

    pub fn port(&self) -> u16 {
        self.addr.expect("a TCP server").port()
    }

    /// http://127.0.0.1:PORT/PATH (brackets for IPv6).
    pub fn url(&self, path: &str) -> String {
        let a = self.addr.expect("a TCP server");
        match a {
            SocketAddr::V4(_) => format!("http://{}{}", a, path),
            SocketAddr::V6(v6) => format!("http://[{}]:{}{}", v6.ip(), v6.port(), path),
        }
    }

    /// The request heads read so far.
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop with one last connection.
        if let Some(a) = self.addr {
            let _ = TcpStream::connect_timeout(&a, Duration::from_secs(5));
        }
        if let Some(p) = &self.socket {
            let _ = UnixStream::connect(p);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some(p) = &self.socket {
            let _ = std::fs::remove_dir_all(p.parent().unwrap());
        }
    }
}

/// A port nothing listens on: one the system gave and took back.
pub fn refused_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().unwrap().port()
}

/// A new empty directory under the system's temp dir, unique to this
/// process and call.
pub fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "hc-rust-{}-{}-{}",
        tag,
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// 1 when ::1 can be bound here.
pub fn have_ipv6() -> bool {
    TcpListener::bind("[::1]:0").is_ok()
}
