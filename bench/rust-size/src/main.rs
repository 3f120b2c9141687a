//! A tiny service: answers every connection on $PORT (default 8080) with
//! 200 "ok". With the `healthcheck` feature, main's first line is the
//! crate's subcommand; nothing else differs.
use std::io::{Read, Write};
use std::net::TcpListener;

fn main() {
    #[cfg(feature = "healthcheck")]
    healthcheck::subcommand();
    let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8080u16);
    let listener = TcpListener::bind(("0.0.0.0", port)).expect("bind");
    for mut conn in listener.incoming().flatten() {
        let mut buf = [0u8; 1024];
        let _ = conn.read(&mut buf);
        let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    }
}
