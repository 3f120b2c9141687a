// Links the C library libhealthcheck.a (built by the repository's `make` as
// build/libhealthcheck.a with the system compiler). HC_LIB_DIR overrides
// where it is looked for.
use std::env;
use std::path::PathBuf;

fn main() {
    let dir = match env::var_os("HC_LIB_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets this"))
            .join("../../build"),
    };
    let lib = dir.join("libhealthcheck.a");
    if !lib.exists() {
        panic!("{} not found: run `make` in the repository first", lib.display());
    }
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-lib=static=healthcheck");
    println!("cargo:rerun-if-changed={}", lib.display());
    println!("cargo:rerun-if-env-changed=HC_LIB_DIR");
}
