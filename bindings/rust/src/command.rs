//! The `healthcheck` command as a subcommand of the program that links it.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::raw::{c_char, c_int, c_uint};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

use crate::ffi;
use crate::probe::millis;

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
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        self.run_args(&args)
    }

    /// run() without the generic part, so one copy of it is linked.
    fn run_args(&self, args: &[OsString]) -> i32 {
        let (mut arg_strings, mut def_strings) = match self.c_strings(args) {
            Ok(v) => v,
            Err(msg) => {
                let _ = std::io::stderr().write_all(&msg);
                return EXIT_USAGE;
            }
        };
        // Environment entries come from C strings: they hold no NUL.
        let mut env_strings = CStrings::default();
        for (k, v) in std::env::vars_os() {
            env_strings.push(&[k.as_bytes(), b"=", v.as_bytes()]);
        }
        let mut argv = arg_strings.pointers();
        let mut envp = env_strings.pointers();
        let def = def_strings.pointers();
        let given =
            |i: usize, set: bool| if set { def[i] as *const c_char } else { std::ptr::null() };
        // The command writes to fd 1 itself: what Rust buffered goes first.
        let _ = std::io::stdout().flush();
        // SAFETY: argv and envp are NULL-terminated arrays of pointers to
        // NUL-terminated strings with no NUL inside (push() checked), and
        // argc counts argv's strings; prog, url and path are such strings
        // or null (null: the command's default). The strings are in the
        // buffers of the three CStrings, which are not changed after
        // pointers() and live in this frame until the call returns.
        // hc_main only reads them, keeps no pointer after it returns, and
        // touches no state of the Rust program: it writes to fds 1 and 2
        // and opens and closes only its own sockets and files.
        unsafe {
            ffi::hcr_main(
                (argv.len() - 1) as c_int,
                argv.as_mut_ptr(),
                envp.as_mut_ptr(),
                given(0, true),
                given(1, self.url.is_some()),
                given(2, self.path.is_some()),
                c_uint::from(self.port),
                self.timeout.map_or(0, millis),
            )
        }
    }
}

impl Subcommand {
    /// The arguments, and the name, URL and path (or "" for none), as C
    /// strings; or the usage message when one holds a NUL (real argv
    /// strings cannot; a program passed one) or there are no arguments.
    fn c_strings(&self, args: &[OsString]) -> Result<(CStrings, CStrings), Vec<u8>> {
        let prog = match &self.prog {
            Some(p) => p.clone().into_bytes(),
            None => default_prog(),
        };
        let mut argv = CStrings::default();
        let mut ok = !args.is_empty();
        for a in args {
            ok &= argv.push(&[a.as_bytes()]);
        }
        let mut defaults = CStrings::default();
        for text in [
            Some(&prog[..]),
            self.url.as_ref().map(|u| u.as_bytes()),
            self.path.as_ref().map(|p| p.as_bytes()),
        ] {
            ok &= defaults.push(&[text.unwrap_or(b"")]);
        }
        if !ok {
            let mut msg = prog;
            msg.extend_from_slice(
                b": arguments must be the subcommand's name and options, without NUL bytes\n",
            );
            return Err(msg);
        }
        Ok((argv, defaults))
    }
}

/// `PROGRAM healthcheck`, PROGRAM the file name in argv[0].
fn default_prog() -> Vec<u8> {
    let arg0 = std::env::args_os().next().unwrap_or_default();
    let name = Path::new(&arg0).file_name().unwrap_or_else(|| OsStr::new(WORD));
    let mut prog = name.as_bytes().to_vec();
    prog.push(b' ');
    prog.extend_from_slice(WORD.as_bytes());
    prog
}

/// Strings for C, each NUL-terminated, in one buffer; pointers() gives the
/// NULL-terminated pointer array that argv and envp are.
#[derive(Default)]
struct CStrings {
    buf: Vec<u8>,
    starts: Vec<usize>,
}

impl CStrings {
    /// Adds the parts as one string; false (and nothing added) when one
    /// holds a NUL.
    fn push(&mut self, parts: &[&[u8]]) -> bool {
        if parts.iter().any(|p| p.contains(&0)) {
            return false;
        }
        self.starts.push(self.buf.len());
        for p in parts {
            self.buf.extend_from_slice(p);
        }
        self.buf.push(0);
        true
    }

    /// A pointer to each string, then a null pointer. They point into the
    /// buffer, so they hold while self lives and nothing more is pushed.
    fn pointers(&mut self) -> Vec<*mut c_char> {
        let base = self.buf.as_mut_ptr();
        // Each start is an offset inside buf (push added a NUL after it).
        let mut ptrs: Vec<*mut c_char> =
            self.starts.iter().map(|&i| base.wrapping_add(i) as *mut c_char).collect();
        ptrs.push(std::ptr::null_mut());
        ptrs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn cstrings_are_nul_terminated_and_null_ended() {
        let mut c = CStrings::default();
        assert!(c.push(&[b"healthcheck"]));
        assert!(c.push(&[b"-q"]));
        assert!(c.push(&[]));
        assert!(c.push(&[b"K", b"=", b"v v"]));
        assert!(!c.push(&[b"K", b"=", b"a\0b"]));
        let p = c.pointers();
        assert_eq!(p.len(), 5);
        assert!(p[4].is_null());
        // SAFETY: p[0..4] point to NUL-terminated strings in c's buffer,
        // which lives, unchanged, until the end of this test.
        let got: Vec<Vec<u8>> =
            p[..4].iter().map(|&s| unsafe { CStr::from_ptr(s) }.to_bytes().to_vec()).collect();
        assert_eq!(got, [b"healthcheck".to_vec(), b"-q".to_vec(), Vec::new(), b"K=v v".to_vec()]);
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
        let p = String::from_utf8(default_prog()).unwrap();
        assert!(p.ends_with(" healthcheck"), "{}", p);
        assert!(!p.contains('/'), "{}", p);
    }

    #[test]
    fn a_nul_in_an_argument_is_a_usage_error() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        let want = b"svc healthcheck: arguments must be the subcommand's name and options, without NUL bytes\n";
        let s = Subcommand::new().prog("svc healthcheck");
        assert!(s.c_strings(&args(&["healthcheck", "-t", "1s"])).is_ok());
        assert_eq!(s.c_strings(&args(&["healthcheck", "-t\u{0}1s"])).err().unwrap(), want);
        assert_eq!(
            s.clone().path("/a\u{0}b").c_strings(&args(&["healthcheck"])).err().unwrap(),
            want
        );
        assert_eq!(
            s.clone().url("http://a\u{0}/").c_strings(&args(&["healthcheck"])).err().unwrap(),
            want
        );
        assert_eq!(s.c_strings(&args(&[])).err().unwrap(), want);
    }
}
