// build.rs - compiles the healthcheck C library and the crate's shim
// (csrc/hc_rust.c) with the C compiler for the target, archives them as
// OUT_DIR/libhealthcheck.a and links that statically. No make, no system
// library, no crates: std only.
//
// Where the C sources are: ../../lib from this file (the crate lives in
// bindings/rust of the repository, so a path or git dependency finds them),
// or $HEALTHCHECK_LIB_DIR. Which ones: the library's files as the
// repository's Makefile lists them in LIB_SRC (lib/tls.c, for one, belongs
// to the TLS build only); with no Makefile beside the directory, every .c
// file in it.
//
// The compiler: $CC_<target> (as written, or with '_' for '-' and '.'),
// then $CC, else `cc`; for a *-musl target, `musl-gcc` when the target's CPU
// is the host's and `<arch>-linux-<env>-gcc` (e.g. aarch64-linux-musl-gcc)
// otherwise. The archiver: $AR_<target>, $AR, the compiler's prefix + `ar`
// when that exists, else `ar`. $CFLAGS_<target> or $CFLAGS are appended to
// the flags below. Anything missing stops the build with one line saying
// what and how to fix it.
//
// The choices (c_compiler, default_cc, archiver, missing_tool,
// makefile_lib_src) are pure
// functions of the target and the environment, so tests/build_script.rs can
// check them.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The library's portable flags: size first (a section per function so
/// the linker drops what the program never calls, no unwind tables),
/// position-independent (Rust links PIE and static-pie), and its warning
/// set. The optimisation level is added to them: -Oz where the compiler
/// has it (gcc 12, clang), else -Os. (The Makefile's musl build also uses
/// flags only x86 takes.)
pub const C_FLAGS: &[&str] = &[
    "-std=c99",
    "-D_DEFAULT_SOURCE",
    "-ffunction-sections",
    "-fdata-sections",
    "-fno-asynchronous-unwind-tables",
    "-fno-unwind-tables",
    "-fno-ident",
    "-fPIC",
    "-Wall",
    "-Wextra",
    "-Wshadow",
    "-Wstrict-prototypes",
    "-Wmissing-prototypes",
    "-Wpointer-arith",
    "-Wwrite-strings",
    "-Wvla",
    "-Wformat=2",
];

/// A program and the arguments that came with it (CC="ccache gcc -m32").
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct Tool {
    pub program: String,
    pub args: Vec<String>,
    /// Where it came from, for messages: "CC", "CC_x86_64_unknown_linux_gnu", "default".
    pub origin: String,
}

impl Tool {
    fn from_words(value: &str, origin: &str) -> Option<Tool> {
        let mut words = value.split_whitespace().map(String::from);
        let program = words.next()?;
        Some(Tool { program, args: words.collect(), origin: origin.to_string() })
    }
}

/// The names a per-target variable is looked up under: VAR_x86_64-unknown-linux-gnu,
/// then VAR_x86_64_unknown_linux_gnu.
pub fn target_vars(var: &str, target: &str) -> [String; 2] {
    [format!("{}_{}", var, target), format!("{}_{}", var, target.replace(['-', '.'], "_"))]
}

/// The first of these variables that is set and not blank.
fn first_set(names: &[String], var: &dyn Fn(&str) -> Option<String>) -> Option<Tool> {
    names.iter().find_map(|n| var(n).and_then(|v| Tool::from_words(&v, n)))
}

/// The compiler cargo's target wants when no variable names one.
pub fn default_cc(target: &str, host: &str) -> String {
    let mut parts = target.split('-');
    let arch = parts.next().unwrap_or("");
    let env = target.rsplit('-').next().unwrap_or("");
    if !env.starts_with("musl") {
        return "cc".to_string();
    }
    if arch == host.split('-').next().unwrap_or("") {
        return "musl-gcc".to_string();
    }
    // musl cross compilers are named for GNU's CPU names: arm, not armv7.
    let gnu_arch = if arch.starts_with("arm") && !arch.starts_with("arm64") { "arm" } else { arch };
    format!("{}-linux-{}-gcc", gnu_arch, env)
}

/// The C compiler for target: $CC_<target>, $CC, else default_cc().
pub fn c_compiler(target: &str, host: &str, var: &dyn Fn(&str) -> Option<String>) -> Tool {
    let mut names = target_vars("CC", target).to_vec();
    names.push("CC".to_string());
    first_set(&names, var).unwrap_or(Tool {
        program: default_cc(target, host),
        args: Vec::new(),
        origin: "default".to_string(),
    })
}

/// The archiver: $AR_<target>, $AR, else the compiler's prefix + "ar"
/// (aarch64-linux-musl-gcc: aarch64-linux-musl-ar) when `exists` finds it,
/// else "ar".
pub fn archiver(
    target: &str,
    cc: &Tool,
    var: &dyn Fn(&str) -> Option<String>,
    exists: &dyn Fn(&str) -> bool,
) -> Tool {
    let mut names = target_vars("AR", target).to_vec();
    names.push("AR".to_string());
    if let Some(t) = first_set(&names, var) {
        return t;
    }
    let base = cc.program.rsplit('/').next().unwrap_or("");
    for suffix in ["gcc", "clang", "cc"] {
        if let Some(prefix) = base.strip_suffix(suffix) {
            let ar = format!("{}ar", prefix);
            if prefix.ends_with('-') && exists(&ar) {
                return Tool { program: ar, args: Vec::new(), origin: "default".to_string() };
            }
        }
    }
    Tool { program: "ar".to_string(), args: Vec::new(), origin: "default".to_string() }
}

/// What to say when a tool is missing: one line, with the fix.
pub fn missing_tool(what: &str, tool: &Tool, target: &str) -> String {
    let var = if what == "C compiler" { "CC" } else { "AR" };
    let how = if tool.origin == "default" {
        let hint = match tool.program.as_str() {
            "musl-gcc" => " (Debian and Ubuntu: apt-get install musl-tools)",
            "cc" => " (Debian and Ubuntu: apt-get install gcc)",
            "ar" => " (Debian and Ubuntu: apt-get install binutils)",
            _ => "",
        };
        format!("install it{}, or name one with {}_{}", hint, var, target.replace(['-', '.'], "_"))
    } else {
        format!("fix ${}", tool.origin)
    };
    format!("healthcheck: no {} for target {}: `{}` not found; {}", what, target, tool.program, how)
}

/// Whether program (a path, or a name looked up in PATH) is a file.
fn on_path(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).is_file();
    }
    env::var_os("PATH")
        .map(|p| env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

fn var(name: &str) -> Option<String> {
    println!("cargo:rerun-if-env-changed={}", name);
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn required(name: &str) -> Result<String, String> {
    env::var(name).map_err(|_| format!("healthcheck: ${} is not set: run this through cargo", name))
}

/// The words of the Makefile's first plain assignment to LIB_SRC
/// (`LIB_SRC := a b \` and its continuation lines; `=` too, `+=` not), or
/// None when it has none.
pub fn makefile_lib_src(makefile: &str) -> Option<Vec<String>> {
    let mut lines = makefile.lines();
    let value = lines.by_ref().find_map(|l| {
        let rest = l.strip_prefix("LIB_SRC")?.trim_start();
        rest.strip_prefix(":=").or_else(|| rest.strip_prefix('='))
    })?;
    let mut words = String::new();
    let mut line = value;
    loop {
        let (text, more) = match line.trim_end().strip_suffix('\\') {
            Some(t) => (t, true),
            None => (line, false),
        };
        words.push_str(text.split('#').next().unwrap_or(""));
        words.push(' ');
        match lines.next() {
            Some(next) if more => line = next,
            _ => break,
        }
    }
    Some(words.split_whitespace().map(String::from).collect())
}

/// The library's C sources, with the shim last: LIB_SRC's files from the
/// Makefile beside lib (each must be lib/NAME.c and exist), else every .c
/// file in lib, sorted.
fn sources(lib: &Path, shim: &Path) -> Result<Vec<PathBuf>, String> {
    let makefile = lib.join("../Makefile");
    let mut out: Vec<PathBuf> = Vec::new();
    if let Ok(text) = fs::read_to_string(&makefile) {
        println!("cargo:rerun-if-changed={}", makefile.display());
        let words = makefile_lib_src(&text).unwrap_or_default();
        for w in &words {
            let name = w.strip_prefix("lib/").filter(|n| n.ends_with(".c") && !n.contains('/'));
            match name.map(|n| lib.join(n)) {
                Some(p) if p.is_file() => out.push(p),
                _ => {
                    return Err(format!(
                        "healthcheck: {}'s LIB_SRC names `{}`, not a file lib/NAME.c; \
                         bindings/rust/build.rs reads the plain list of files it had",
                        makefile.display(),
                        w
                    ))
                }
            }
        }
        if words.is_empty() {
            return Err(format!("healthcheck: no LIB_SRC files in {}", makefile.display()));
        }
    } else {
        let dir = fs::read_dir(lib)
            .map_err(|e| format!("healthcheck: cannot list {}: {}", lib.display(), e))?;
        out = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().map_or(false, |x| x == "c"))
            .collect();
        out.sort();
        if out.is_empty() {
            return Err(format!("healthcheck: no C sources in {}", lib.display()));
        }
    }
    out.push(shim.to_path_buf());
    Ok(out)
}

/// Compiles every source at once; the objects, or the first failure in one line.
fn compile(
    cc: &Tool,
    flags: &[String],
    srcs: &[PathBuf],
    obj_dir: &Path,
) -> Result<Vec<PathBuf>, String> {
    let mut jobs: Vec<(PathBuf, PathBuf, Child)> = Vec::new();
    for src in srcs {
        let stem = src.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        let obj = obj_dir.join(format!("{}.o", stem));
        let child = Command::new(&cc.program)
            .args(&cc.args)
            .args(flags)
            .arg("-c")
            .arg(src)
            .arg("-o")
            .arg(&obj)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                format!("healthcheck: cannot run `{}` (from {}): {}", cc.program, cc.origin, e)
            })?;
        jobs.push((src.clone(), obj, child));
    }
    let mut objs = Vec::new();
    let mut failed = None;
    for (src, obj, child) in jobs {
        let out = child
            .wait_with_output()
            .map_err(|e| format!("healthcheck: waiting for `{}`: {}", cc.program, e))?;
        let text = String::from_utf8_lossy(&out.stderr).into_owned()
            + &String::from_utf8_lossy(&out.stdout);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            println!("cargo:warning={}", line);
        }
        if !out.status.success() && failed.is_none() {
            failed = Some(format!(
                "healthcheck: `{}` failed to compile {} ({}; its messages are above)",
                cc.program,
                src.display(),
                out.status
            ));
        }
        objs.push(obj);
    }
    match failed {
        Some(msg) => Err(msg),
        None => Ok(objs),
    }
}

/// -Oz when cc compiles an empty file with it, else -Os.
fn size_level(cc: &Tool, out_dir: &Path) -> &'static str {
    let ok = Command::new(&cc.program)
        .args(&cc.args)
        .args(["-Oz", "-x", "c", "-c", "/dev/null", "-o"])
        .arg(out_dir.join("oz-probe.o"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_or(false, |s| s.success());
    if ok {
        "-Oz"
    } else {
        "-Os"
    }
}

fn archive(ar: &Tool, lib: &Path, objs: &[PathBuf]) -> Result<(), String> {
    let _ = fs::remove_file(lib); // `ar r` would keep members of an old archive
    let out = Command::new(&ar.program)
        .args(&ar.args)
        .arg("crs")
        .arg(lib)
        .args(objs)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!("healthcheck: cannot run `{}` (from {}): {}", ar.program, ar.origin, e)
        })?;
    if !out.status.success() {
        return Err(format!(
            "healthcheck: `{} crs` failed ({}): {}",
            ar.program,
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

fn build() -> Result<(), String> {
    let manifest = PathBuf::from(required("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(required("OUT_DIR")?);
    let target = required("TARGET")?;
    let host = required("HOST")?;
    let lib = match var("HEALTHCHECK_LIB_DIR") {
        Some(d) => PathBuf::from(d),
        None => manifest.join("../../lib"),
    };
    if !lib.join("healthcheck.h").is_file() {
        return Err(format!(
            "healthcheck: the C library is not in {}: the crate builds from a checkout of the \
             healthcheck repository (a path or git dependency), or set HEALTHCHECK_LIB_DIR",
            lib.display()
        ));
    }
    let shim = manifest.join("csrc/hc_rust.c");
    println!("cargo:rerun-if-changed={}", lib.display());
    println!("cargo:rerun-if-changed={}", shim.display());
    println!("cargo:rerun-if-changed=build.rs");

    let cc = c_compiler(&target, &host, &var);
    if !on_path(&cc.program) {
        return Err(missing_tool("C compiler", &cc, &target));
    }
    let ar = archiver(&target, &cc, &var, &on_path);
    if !on_path(&ar.program) {
        return Err(missing_tool("archiver", &ar, &target));
    }

    let mut flags: Vec<String> = C_FLAGS.iter().map(|s| s.to_string()).collect();
    flags.push(size_level(&cc, &out_dir).to_string());
    flags.push(format!("-I{}", lib.display()));
    let mut cflags = target_vars("CFLAGS", &target).to_vec();
    cflags.push("CFLAGS".to_string());
    if let Some(extra) = cflags.iter().find_map(|n| var(n)) {
        flags.extend(extra.split_whitespace().map(String::from));
    }

    let obj_dir = out_dir.join("obj");
    let _ = fs::remove_dir_all(&obj_dir); // no object of a source since removed
    fs::create_dir_all(&obj_dir)
        .map_err(|e| format!("healthcheck: cannot create {}: {}", obj_dir.display(), e))?;
    let objs = compile(&cc, &flags, &sources(&lib, &shim)?, &obj_dir)?;
    archive(&ar, &out_dir.join("libhealthcheck.a"), &objs)?;

    println!("cargo:rustc-link-search=native={}", out_dir.display());
    println!("cargo:rustc-link-lib=static=healthcheck");
    Ok(())
}

fn main() {
    if let Err(msg) = build() {
        // One line, twice: cargo prints the warning at the top and the
        // script's stderr in its failure report.
        println!("cargo:warning={}", msg);
        eprintln!("{}", msg);
        std::process::exit(1);
    }
}
