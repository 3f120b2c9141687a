//! The flat C API of csrc/hc_rust.c. Only numbers, byte strings and
//! pointers to them cross here: no struct of healthcheck.h is laid out in
//! Rust, so the library may add fields without this file knowing.

use std::os::raw::{c_char, c_int, c_uint, c_ushort};

// enum hcr_kind in csrc/hc_rust.c, value for value.
pub const HCR_HEALTHY: c_int = 0;
pub const HCR_STATUS: c_int = 1;
pub const HCR_BODY: c_int = 2;
pub const HCR_RESOLVE: c_int = 3;
pub const HCR_REFUSED: c_int = 4;
pub const HCR_TIMEOUT: c_int = 5;
pub const HCR_RESET: c_int = 6;
pub const HCR_CLOSED: c_int = 7;
pub const HCR_UNREACHABLE: c_int = 8;
pub const HCR_NETWORK: c_int = 9;
pub const HCR_MALFORMED: c_int = 10;
pub const HCR_TOO_LARGE: c_int = 11;
pub const HCR_FRAMING: c_int = 12;
pub const HCR_REQUEST: c_int = 13;
pub const HCR_TLS: c_int = 14;

/// Bytes for the one-line verdict: the command prints at most 200.
pub const LINE_BYTES: usize = 256;

extern "C" {
    /// HC_VERSION: a static NUL-terminated string.
    pub fn hcr_version() -> *const c_char;

    /// HC_TIMEOUT_DEFAULT_MS.
    pub fn hcr_default_timeout_ms() -> c_uint;

    /// hc_main() with struct hc_defaults built from the last five
    /// arguments (NULL and 0: the command's own default). argv and envp are
    /// NULL-terminated arrays of NUL-terminated strings, argv[0] the word.
    pub fn hcr_main(
        argc: c_int,
        argv: *mut *mut c_char,
        envp: *mut *mut c_char,
        prog: *const c_char,
        url: *const c_char,
        path: *const c_char,
        port: c_uint,
        timeout_ms: c_uint,
    ) -> c_int;

    /// One probe from plain values (see csrc/hc_rust.c); returns an HCR_*
    /// kind and writes the one-line verdict, NUL-terminated, into
    /// line[0..cap). Strings are (pointer, length); headers and unix_socket
    /// also end in a NUL; ranges holds range_count (lo, hi) pairs.
    pub fn hcr_probe(
        url: *const c_char,
        url_len: usize,
        unix_socket: *const c_char,
        unix_len: usize,
        head: c_int,
        headers: *const *const c_char,
        header_lens: *const usize,
        header_count: usize,
        ranges: *const c_ushort,
        range_count: usize,
        body: *const c_char,
        body_len: usize,
        timeout_ms: c_uint,
        status: *mut c_int,
        sys_errno: *mut c_int,
        elapsed_ms: *mut c_uint,
        line: *mut c_char,
        cap: usize,
    ) -> c_int;
}
