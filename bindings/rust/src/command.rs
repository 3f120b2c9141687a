//! The `healthcheck` command as a subcommand of the program that links it.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::raw::{c_char, c_int, c_uint};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;
use std::time::Duration;

use crate::ffi;
use crate::probe::{millis, with_nul};

/// The word that selects the subcommand: `myservice healthcheck`.
pub const WORD: &str = "healthcheck";

/// Exit code of a healthy probe.
pub const EXIT_HEALTHY: i32 = 0;
/// Exit code of an unhealthy probe.
pub const EXIT_UNHEALTHY: i32 = 1;
/// Exit code of a bad option, URL or environment (EX_USAGE). The command
/// never uses 2, which Docker reserves.
pub const EXIT_USAGE: i32 = 64;

/// If the program was started as `PROGRAM healthcheck [OPTIONS] [URL]`,
/// probes and exits with the verdict's code; otherwise returns at once.
/// This is [`Subcommand::new().dispatch()`](Subcommand::dispatch): the
/// command's own defaults (`http://localhost:$HEALTHCHECK_PORT|$PORT|8080/`,
/// 900 ms).
///
/// ```
/// fn main() {
///     healthcheck::subcommand(); // `myservice healthcheck` ends here
///     // ... serve ...
/// }
/// ```
pub fn subcommand() {
    Subcommand::new().dispatch()
}

/// The `healthcheck` subcommand with a service's own defaults (C's
/// `struct hc_defaults`). Each default applies when neither the
/// environment nor the command line gives the value: the URL comes from
/// the command line, else `$HEALTHCHECK_URL`, else [`url`](Subcommand::url),
/// else `http://localhost:PORT/PATH` with the port from
/// `$HEALTHCHECK_PORT`, `$PORT`, [`port`](Subcommand::port) or 8080, and
/// the path from [`path`](Subcommand::path) or `/`. The timeout comes from
/// `--timeout`, `$HEALTHCHECK_TIMEOUT`, [`timeout`](Subcommand::timeout) or
/// 900 ms.
///
/// The command writes its one line straight to file descriptors 1 and 2,
/// bypassing Rust's `stdout()` (which it flushes first). It installs no
/// signal handler: a write to a closed pipe is ignored because the Rust
/// runtime ignores SIGPIPE before `main`, which is what the C library asks
/// of a program that embeds it. (A program that restores SIGPIPE's default
/// action could be killed by it instead of exiting with the verdict.)
///
/// ```
/// use std::time::Duration;
///
/// fn main() {
///     healthcheck::Subcommand::new()
///         .prog("myservice healthcheck")
///         .port(3000)
///         .path("/healthz")
///         .timeout(Duration::from_millis(500))
///         .dispatch();
///     // ... serve on port 3000 ...
/// }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subcommand {
    prog: Option<String>,
    url: Option<String>,
    path: Option<String>,
    port: u16,
    timeout: Option<Duration>,
}

impl Subcommand {
    /// The command's own defaults, and `PROGRAM healthcheck` (PROGRAM the
    /// file name the process was started as) in its messages.
    pub fn new() -> Subcommand {
        Subcommand::default()
    }

    /// The name in usage messages, e.g. `myservice healthcheck`.
    pub fn prog(mut self, name: &str) -> Subcommand {
        self.prog = Some(name.to_string());
        self
    }

    /// The whole default URL; wins over [`port`](Subcommand::port) and
    /// [`path`](Subcommand::path).
    pub fn url(mut self, url: &str) -> Subcommand {
        self.url = Some(url.to_string());
        self
    }

    /// The default URL's path, e.g. `/healthz` (with a query if wanted).
    pub fn path(mut self, path: &str) -> Subcommand {
        self.path = Some(path.to_string());
        self
    }

    /// The default port, below `$HEALTHCHECK_PORT` and `$PORT`; 0 leaves
    /// the command's 8080.
    pub fn port(mut self, port: u16) -> Subcommand {
        self.port = port;
        self
    }

    /// The default timeout (rounded up to whole milliseconds); zero leaves
    /// the command's 900 ms.
    pub fn timeout(mut self, timeout: Duration) -> Subcommand {
        self.timeout = Some(timeout);
        self
    }

    /// If `argv[1]` is `healthcheck`, runs the command with the arguments
    /// after it and the process's environment, then exits with its code
    /// (0 healthy, 1 unhealthy, 64 usage); otherwise returns at once.
    pub fn dispatch(&self) {
        let mut args = std::env::args_os().skip(1);
        if args.next().map_or(false, |a| a == WORD) {
            let code = self.run(std::iter::once(OsString::from(WORD)).chain(args));
            std::process::exit(code);
        }
    }

    /// Runs the command and returns its exit code, for a program that
    /// parses its own command line: `args` are the word and the options,
    /// as `["healthcheck", "-t", "2s", "http://localhost:3000/"]`. The
    /// environment is the process's.
    ///
    /// ```
    /// let code = healthcheck::Subcommand::new().run(["healthcheck", "--version"]);
    /// assert_eq!(code, 0);
    /// let code = healthcheck::Subcommand::new().run(["healthcheck", "--no-such-option"]);
    /// assert_eq!(code, 64);
    /// ```
    pub fn run<I, S>(&self, args: I) -> i32
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        let prog = match &self.prog {
            Some(p) => p.clone(),
            None => default_prog(),
        };
        let args: Vec<Vec<u8>> = args.into_iter().map(|a| a.into().into_vec()).collect();
        let texts = [Some(prog.as_str()), self.url.as_deref(), self.path.as_deref()];
        if let Some(bad) = args.iter().map(Vec::as_slice).chain(texts.iter().flatten().map(|t| t.as_bytes())).find(|b| b.contains(&0)) {
            eprintln!("{}: a NUL byte in {:?}", prog, String::from_utf8_lossy(bad));
            return EXIT_USAGE;
        }
        if args.is_empty() {
            eprintln!("{}: no arguments: the first is the subcommand's name", prog);
            return EXIT_USAGE;
        }
        let mut argv = CStrings::new(args);
        // Environment entries come from C strings: they hold no NUL.
        let mut envp = CStrings::new(std::env::vars_os().map(|(k, v)| {
            let mut kv = k.into_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            kv
        }));
        let prog = with_nul(prog.as_bytes());
        let url = self.url.as_ref().map(|u| with_nul(u.as_bytes()));
        let path = self.path.as_ref().map(|p| with_nul(p.as_bytes()));
        let opt = |v: &Option<Vec<u8>>| v.as_ref().map_or(std::ptr::null(), |v| v.as_ptr() as *const c_char);
        // The command writes to fd 1 itself: what Rust buffered goes first.
        let _ = std::io::stdout().flush();
        // SAFETY: argv and envp are NULL-terminated arrays of pointers to
        // NUL-terminated strings with no NUL inside (checked above; the
        // environment's come from C strings), argc counts argv's strings,
        // and all of it lives in this frame until the call returns. prog,
        // url and path are NUL-terminated or null (null: the command's
        // default). hc_main only reads these, keeps no pointer after it
        // returns, and touches no state of the Rust program: it writes to
        // fds 1 and 2 and opens and closes only its own sockets and files.
        unsafe {
            ffi::hcr_main(
                argv.count(),
                argv.as_mut_ptr(),
                envp.as_mut_ptr(),
                prog.as_ptr() as *const c_char,
                opt(&url),
                opt(&path),
                c_uint::from(self.port),
                self.timeout.map_or(0, millis),
            )
        }
    }
}

/// `PROGRAM healthcheck`, PROGRAM the file name in argv[0].
fn default_prog() -> String {
    let arg0 = std::env::args_os().next().unwrap_or_default();
    let name = Path::new(&arg0).file_name().unwrap_or_else(|| OsStr::new("healthcheck"));
    format!("{} {}", name.to_string_lossy(), WORD)
}

/// NUL-terminated copies of strings and the NULL-terminated pointer array
/// C's argv and envp are; the copies live as long as this value.
struct CStrings {
    _bufs: Vec<Vec<u8>>,
    ptrs: Vec<*mut c_char>,
}

impl CStrings {
    fn new(items: impl IntoIterator<Item = Vec<u8>>) -> CStrings {
        let mut bufs: Vec<Vec<u8>> = items.into_iter().map(|b| with_nul(&b)).collect();
        // A Vec's heap buffer does not move when the Vec itself does, so
        // these pointers stay valid while bufs lives.
        let mut ptrs: Vec<*mut c_char> = bufs.iter_mut().map(|b| b.as_mut_ptr() as *mut c_char).collect();
        ptrs.push(std::ptr::null_mut());
        CStrings { _bufs: bufs, ptrs }
    }

    fn count(&self) -> c_int {
        (self.ptrs.len() - 1) as c_int
    }

    fn as_mut_ptr(&mut self) -> *mut *mut c_char {
        self.ptrs.as_mut_ptr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn cstrings_are_nul_terminated_and_null_ended() {
        let mut c = CStrings::new(vec![b"healthcheck".to_vec(), b"-q".to_vec(), Vec::new()]);
        assert_eq!(c.count(), 3);
        let p = c.as_mut_ptr();
        // SAFETY: p points to count() + 1 pointers, the first count() to
        // NUL-terminated buffers owned by c, which outlives this block.
        let got: Vec<Vec<u8>> = unsafe {
            assert!((*p.add(3)).is_null());
            (0..3).map(|i| CStr::from_ptr(*p.add(i)).to_bytes().to_vec()).collect()
        };
        assert_eq!(got, [b"healthcheck".to_vec(), b"-q".to_vec(), Vec::new()]);
    }

    #[test]
    fn builder_keeps_every_default() {
        let s = Subcommand::new()
            .prog("svc healthcheck")
            .url("http://localhost:1/")
            .path("/healthz")
            .port(3000)
            .timeout(Duration::from_millis(250));
        assert_eq!(s.prog.as_deref(), Some("svc healthcheck"));
        assert_eq!(s.url.as_deref(), Some("http://localhost:1/"));
        assert_eq!(s.path.as_deref(), Some("/healthz"));
        assert_eq!(s.port, 3000);
        assert_eq!(s.timeout, Some(Duration::from_millis(250)));
        assert_eq!(Subcommand::new(), Subcommand::default());
    }

    #[test]
    fn default_prog_names_this_program() {
        let p = default_prog();
        assert!(p.ends_with(" healthcheck"), "{}", p);
        assert!(!p.contains('/'), "{}", p);
    }

    #[test]
    fn a_nul_in_an_argument_is_a_usage_error() {
        assert_eq!(Subcommand::new().run(["healthcheck", "-t\u{0}1s"]), EXIT_USAGE);
        assert_eq!(Subcommand::new().path("/a\u{0}b").run(["healthcheck"]), EXIT_USAGE);
        let none: [&str; 0] = [];
        assert_eq!(Subcommand::new().run(none), EXIT_USAGE);
    }
}
