//! Health checks for services in `FROM scratch` images: a `healthcheck`
//! subcommand in one line of `main`, and one probe as a function call.
//!
//! The crate wraps the healthcheck C library, which its build script
//! compiles from the repository's `lib/` with the target's C compiler and
//! links statically: the program needs no shell, no curl and no file on
//! disk to answer Docker's `HEALTHCHECK CMD`, a Kubernetes exec probe or a
//! compose health check.
//!
//! # The subcommand
//!
//! ```
//! fn main() {
//!     // `myservice healthcheck [OPTIONS] [URL]` probes and exits here,
//!     // 0 healthy, 1 unhealthy, 64 usage; anything else goes on.
//!     healthcheck::subcommand();
//!     // ... serve ...
//! }
//! ```
//!
//! Then, in the image: `HEALTHCHECK CMD ["/myservice", "healthcheck"]`.
//! The options, environment variables, messages and exit codes are the
//! `healthcheck` command's. [`Subcommand`] sets the service's own defaults
//! (port, path, timeout, the name in messages).
//!
//! # One probe
//!
//! ```no_run
//! use std::time::Duration;
//!
//! let req = healthcheck::Request::new("http://localhost:5432/ready")
//!     .timeout(Duration::from_secs(2));
//! match healthcheck::probe(&req) {
//!     Ok(healthy) => println!("{}", healthy),  // healthy: HTTP 200 in 3 ms
//!     Err(e) => eprintln!("{}", e),           // unhealthy: connection refused
//! }
//! ```
//!
//! # What it takes, and what it promises
//!
//! - A C compiler for the target when building: `cc` (or `$CC`,
//!   `$CC_<target>`), and for a `*-musl` target `musl-gcc` or
//!   `<arch>-linux-musl-gcc`. Without one the build stops with one line
//!   saying which.
//! - The library allocates nothing, keeps no global state and installs no
//!   signal handler; a probe is bounded by its one deadline. The crate
//!   itself uses `std` only.
//! - SIGPIPE: the probe sends with `MSG_NOSIGNAL`, and the subcommand's
//!   writes to stdout and stderr rely on the Rust runtime, which ignores
//!   SIGPIPE before `main` runs; the C library asks exactly that of a
//!   program that embeds it.
#![deny(missing_docs)]
// The examples show `main`, since the subcommand's place is its first line.
#![allow(clippy::needless_doctest_main)]

mod command;
mod ffi;
mod probe;

pub use command::{subcommand, Subcommand, EXIT_HEALTHY, EXIT_UNHEALTHY, EXIT_USAGE};
pub use probe::{probe, ErrorKind, Healthy, Method, Request, Unhealthy};

/// The C library's version (`HC_VERSION`), e.g. `"0.2.0"`; the command's
/// `--version` prints it.
///
/// ```
/// assert_eq!(healthcheck::library_version(), env!("CARGO_PKG_VERSION"));
/// ```
pub fn library_version() -> &'static str {
    // SAFETY: hcr_version returns HC_VERSION, a string literal: static,
    // NUL-terminated and never written.
    let v = unsafe { std::ffi::CStr::from_ptr(ffi::hcr_version()) };
    v.to_str().unwrap_or("")
}
