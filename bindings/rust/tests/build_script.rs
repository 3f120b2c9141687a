//! build.rs's choices, as pure functions: which compiler and archiver for
//! which target and environment, and the one line when one is missing.

#[allow(dead_code)]
#[path = "../build.rs"]
mod build_script;

use build_script::{
    archiver, c_compiler, default_cc, makefile_lib_src, missing_tool, target_vars, Tool,
};

const HOST: &str = "x86_64-unknown-linux-gnu";

fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
}

fn cc(target: &str, pairs: &[(&str, &str)]) -> Tool {
    c_compiler(target, HOST, &env(pairs))
}

#[test]
fn default_compilers() {
    assert_eq!(default_cc(HOST, HOST), "cc");
    assert_eq!(default_cc("aarch64-unknown-linux-gnu", HOST), "cc");
    assert_eq!(default_cc("x86_64-unknown-linux-musl", HOST), "musl-gcc");
    assert_eq!(default_cc("aarch64-unknown-linux-musl", HOST), "aarch64-linux-musl-gcc");
    assert_eq!(default_cc("aarch64-unknown-linux-musl", "aarch64-unknown-linux-gnu"), "musl-gcc");
    assert_eq!(default_cc("armv7-unknown-linux-musleabihf", HOST), "arm-linux-musleabihf-gcc");
    assert_eq!(default_cc("arm-unknown-linux-musleabi", HOST), "arm-linux-musleabi-gcc");
    assert_eq!(default_cc("i686-unknown-linux-musl", HOST), "i686-linux-musl-gcc");
    assert_eq!(default_cc("riscv64gc-unknown-linux-musl", HOST), "riscv64gc-linux-musl-gcc");
    assert_eq!(default_cc("s390x-unknown-linux-musl", HOST), "s390x-linux-musl-gcc");
}

#[test]
fn variables_name_the_compiler_most_specific_first() {
    let t = "x86_64-unknown-linux-musl";
    assert_eq!(cc(t, &[]).program, "musl-gcc");
    assert_eq!(cc(t, &[]).origin, "default");
    assert_eq!(cc(t, &[("CC", "clang")]).program, "clang");
    let both = cc(t, &[("CC", "clang"), ("CC_x86_64_unknown_linux_musl", "/opt/musl/bin/gcc")]);
    assert_eq!(
        (both.program.as_str(), both.origin.as_str()),
        ("/opt/musl/bin/gcc", "CC_x86_64_unknown_linux_musl")
    );
    let dashed =
        cc(t, &[("CC_x86_64_unknown_linux_musl", "b"), ("CC_x86_64-unknown-linux-musl", "a")]);
    assert_eq!(dashed.program, "a");
    // Words after the program are its arguments; a blank value is unset.
    let w = cc(HOST, &[("CC", "ccache gcc -m64")]);
    assert_eq!(
        (w.program.as_str(), w.args.clone()),
        ("ccache", vec!["gcc".to_string(), "-m64".to_string()])
    );
    assert_eq!(cc(HOST, &[("CC", "  ")]).program, "cc");
    assert_eq!(
        target_vars("CC", "thumbv7em-none-eabihf.x"),
        ["CC_thumbv7em-none-eabihf.x".to_string(), "CC_thumbv7em_none_eabihf_x".to_string()]
    );
}

#[test]
fn the_archiver_follows_the_compiler() {
    let none = env(&[]);
    let have = |p: &str| p == "aarch64-linux-musl-ar";
    let t = "aarch64-unknown-linux-musl";
    let c = cc(t, &[]);
    assert_eq!(archiver(t, &c, &none, &have).program, "aarch64-linux-musl-ar");
    assert_eq!(archiver(t, &c, &none, &|_| false).program, "ar");
    // musl-gcc has no musl-ar: the system's ar serves.
    let m = cc("x86_64-unknown-linux-musl", &[]);
    assert_eq!(archiver("x86_64-unknown-linux-musl", &m, &none, &|p| p == "ar").program, "ar");
    let set = env(&[("AR", "llvm-ar"), ("AR_aarch64_unknown_linux_musl", "/x/ar")]);
    assert_eq!(archiver(t, &c, &set, &have).program, "/x/ar");
    let full =
        Tool { program: "/usr/bin/x86_64-linux-gnu-gcc".into(), args: vec![], origin: "CC".into() };
    assert_eq!(
        archiver(HOST, &full, &none, &|p| p == "/usr/bin/x86_64-linux-gnu-ar").program,
        "ar",
        "a prefix is looked up by name, not by the compiler's directory"
    );
    assert_eq!(
        archiver(HOST, &full, &none, &|p| p == "x86_64-linux-gnu-ar").program,
        "x86_64-linux-gnu-ar"
    );
}

#[test]
fn a_missing_tool_is_one_line_with_the_fix() {
    let t = "aarch64-unknown-linux-musl";
    let m = missing_tool("C compiler", &cc(t, &[]), t);
    assert_eq!(m, "healthcheck: no C compiler for target aarch64-unknown-linux-musl: \
                   `aarch64-linux-musl-gcc` not found; install it, or name one with CC_aarch64_unknown_linux_musl");
    let t = "x86_64-unknown-linux-musl";
    let m = missing_tool("C compiler", &cc(t, &[]), t);
    assert!(
        m.contains(
            "`musl-gcc` not found; install it (Debian and Ubuntu: apt-get install musl-tools)"
        ),
        "{}",
        m
    );
    let m = missing_tool("C compiler", &cc(HOST, &[("CC", "/no/gcc")]), HOST);
    assert_eq!(m, "healthcheck: no C compiler for target x86_64-unknown-linux-gnu: `/no/gcc` not found; fix $CC");
    assert!(!m.contains('\n'));
}

#[test]
fn lib_src_is_read_from_the_makefile() {
    let mk = "CC ?= cc\nLIB_SRC_X := no.c\nLIB_SRC := lib/a.c lib/b.c \\\n\tlib/c.c # the core\n\
              LIB_HDR := lib/h.h\nLIB_SRC += lib/tls.c\n";
    assert_eq!(makefile_lib_src(mk).unwrap(), ["lib/a.c", "lib/b.c", "lib/c.c"]);
    assert_eq!(makefile_lib_src("LIB_SRC = lib/a.c\n").unwrap(), ["lib/a.c"]);
    assert_eq!(makefile_lib_src("LIB_SRC:=lib/a.c \\\n").unwrap(), ["lib/a.c"]);
    assert_eq!(makefile_lib_src("LIB_SRC += lib/tls.c\n"), None);
    assert_eq!(makefile_lib_src("all:\n"), None);
}

/// The repository's Makefile, read as build.rs reads it, gives what make
/// itself has in $(LIB_SRC) (make rust-crate-test passes that).
#[test]
fn lib_src_agrees_with_make() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Makefile"))
        .expect("the repository's Makefile");
    let ours = makefile_lib_src(&text).expect("LIB_SRC in the Makefile");
    assert!(!ours.is_empty());
    for f in &ours {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(f);
        assert!(p.is_file(), "{} is not a file", p.display());
    }
    match std::env::var("HC_MAKE_LIB_SRC") {
        Ok(make) => {
            assert_eq!(ours.join(" "), make.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        Err(_) => eprintln!("HC_MAKE_LIB_SRC unset (not run by make): not compared with make's"),
    }
}
