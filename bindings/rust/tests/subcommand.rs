//! The subcommand through real child processes: this test binary is its own
//! service. As a child (with $HC_TEST_CHILD set), its main dispatches as a
//! service's would, with the defaults $HC_TEST_DEFAULTS asks for: given
//! `healthcheck ARGS` it probes and exits, given anything else it prints
//! "serving" and ends. Run by cargo, it runs the tests below, each starting
//! children of this same binary against real servers on loopback.
//! (harness = false in Cargo.toml: this main is the whole binary.)

mod common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{http, refused_port, Answer, Server};
use healthcheck::Subcommand;

/// The child: the one line a service writes in main, in three forms.
fn child() {
    let port = std::env::var("HC_TEST_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(0);
    match std::env::var("HC_TEST_DEFAULTS").as_deref() {
        Ok("builder") => Subcommand::new()
            .prog("svc healthcheck")
            .port(port)
            .path("/healthz")
            .timeout(Duration::from_millis(400))
            .dispatch(),
        Ok("url") => Subcommand::new().url(&format!("http://127.0.0.1:{}/ready", port)).dispatch(),
        _ => healthcheck::subcommand(),
    }
}

/// Runs this binary with args and exactly the environment env.
fn run(args: &[&str], env: &[(&str, String)]) -> (i32, String, String) {
    let exe = std::env::current_exe().expect("current_exe");
    let mut cmd = Command::new(exe);
    cmd.args(args).env_clear().env("HC_TEST_CHILD", "1").stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output { status, stdout, stderr } = cmd.output().expect("run the child");
    let code = status.code().unwrap_or_else(|| panic!("child killed: {:?}", status));
    (
        code,
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn port_env(s: &Server) -> Vec<(&'static str, String)> {
    vec![("PORT", s.port().to_string())]
}

fn healthy_line(out: &str) -> bool {
    out.starts_with("healthy: HTTP 200 in ") && out.ends_with(" ms\n") && out.lines().count() == 1
}

fn t_plain_dispatch_probes_port_from_env() {
    let s = Server::start(http("200 OK", "ok"));
    let (code, out, err) = run(&["healthcheck"], &port_env(&s));
    assert_eq!(code, 0, "{} {}", out, err);
    assert!(healthy_line(&out), "{:?}", out);
    assert_eq!(err, "");
    assert!(s.heads()[0].starts_with("GET / HTTP/1.1\r\n"), "{:?}", s.heads());
}

fn t_healthcheck_port_wins_over_port() {
    let s = Server::start(http("200 OK", "ok"));
    let env = [("PORT", refused_port().to_string()), ("HEALTHCHECK_PORT", s.port().to_string())];
    let (code, out, _) = run(&["healthcheck"], &env);
    assert_eq!(code, 0, "{}", out);
}

fn t_unhealthy_exits_1_with_the_line_on_stderr() {
    let s = Server::start(http("503 Service Unavailable", ""));
    let (code, out, err) = run(&["healthcheck"], &port_env(&s));
    assert_eq!((code, out.as_str(), err.as_str()), (1, "", "unhealthy: HTTP 503\n"));
    let (code, out, err) = run(&["healthcheck", "-q"], &port_env(&s));
    assert_eq!((code, out.as_str(), err.as_str()), (1, "", ""));
}

fn t_options_and_environment_pass_through() {
    let s = Server::start(http("503 Service Unavailable", "maintenance"));
    let (code, _, err) = run(&["healthcheck", "-s", "200,503"], &port_env(&s));
    assert_eq!(code, 0, "{}", err);
    let mut env = port_env(&s);
    env.push(("HEALTHCHECK_STATUS", "503".to_string()));
    env.push(("HEALTHCHECK_BODY_CONTAINS", "maint".to_string()));
    let (code, _, err) = run(&["healthcheck"], &env);
    assert_eq!(code, 0, "{}", err);
    let (code, _, err) = run(&["healthcheck", "-s", "503", "-b", "ready", &s.url("/x")], &[]);
    assert_eq!((code, err.as_str()), (1, "unhealthy: HTTP 503, body does not contain the text\n"));
    assert!(s.heads().last().unwrap().starts_with("GET /x HTTP/1.1\r\n"));
}

fn t_refused_and_timeout() {
    let env = [("PORT", refused_port().to_string())];
    let (code, _, err) = run(&["healthcheck"], &env);
    assert_eq!((code, err.as_str()), (1, "unhealthy: connection refused\n"));
    let s = Server::start(Answer::Silent);
    let t0 = Instant::now();
    let (code, _, err) = run(&["healthcheck", "--timeout", "300ms"], &port_env(&s));
    assert_eq!((code, err.as_str()), (1, "unhealthy: timed out after 300 ms\n"));
    assert!(t0.elapsed() >= Duration::from_millis(300));
}

fn t_usage_errors_exit_64_and_name_the_program() {
    let (code, out, err) = run(&["healthcheck", "--no-such-option"], &[]);
    assert_eq!(code, 64, "{}", err);
    assert_eq!(out, "");
    let exe = std::env::current_exe().unwrap();
    let name = exe.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        err.starts_with(&format!("{} healthcheck: unknown option --no-such-option\n", name)),
        "{:?}",
        err
    );
    let (code, _, err) = run(&["healthcheck", "-t", "soon"], &[]);
    assert_eq!(code, 64);
    assert!(err.contains("invalid --timeout"), "{:?}", err);
}

fn t_version_and_help_on_stdout() {
    let (code, out, err) = run(&["healthcheck", "--version"], &[]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, format!("healthcheck {}\n", healthcheck::library_version()));
    let (code, out, _) = run(&["healthcheck", "--help"], &[]);
    assert_eq!(code, 0);
    assert!(out.starts_with("usage: healthcheck [OPTIONS] [URL]\n"), "{:?}", out);
}

fn t_builder_defaults() {
    let s = Server::start(http("200 OK", "ok"));
    let mut env =
        vec![("HC_TEST_DEFAULTS", "builder".to_string()), ("HC_TEST_PORT", s.port().to_string())];
    let (code, out, err) = run(&["healthcheck"], &env);
    assert_eq!(code, 0, "{} {}", out, err);
    assert!(healthy_line(&out), "{:?}", out);
    assert!(
        s.heads()[0].starts_with("GET /healthz HTTP/1.1\r\n"),
        "the builder's path: {:?}",
        s.heads()
    );
    // The builder's name in messages.
    let (code, _, err) = run(&["healthcheck", "--bad"], &env);
    assert_eq!(code, 64);
    assert!(err.starts_with("svc healthcheck: unknown option --bad\n"), "{:?}", err);
    // $PORT wins over the builder's port.
    let other = Server::start(http("503 Service Unavailable", ""));
    env.push(("PORT", other.port().to_string()));
    let (code, _, err) = run(&["healthcheck"], &env);
    assert_eq!((code, err.as_str()), (1, "unhealthy: HTTP 503\n"));
    // The builder's timeout, and the command line's over it.
    let silent = Server::start(Answer::Silent);
    let env =
        [("HC_TEST_DEFAULTS", "builder".to_string()), ("HC_TEST_PORT", silent.port().to_string())];
    let (code, _, err) = run(&["healthcheck"], &env);
    assert_eq!((code, err.as_str()), (1, "unhealthy: timed out after 400 ms\n"));
    let (code, _, err) = run(&["healthcheck", "-t", "250ms"], &env);
    assert_eq!((code, err.as_str()), (1, "unhealthy: timed out after 250 ms\n"));
}

fn t_builder_url_and_healthcheck_url() {
    let s = Server::start(http("200 OK", "ok"));
    let env = [("HC_TEST_DEFAULTS", "url".to_string()), ("HC_TEST_PORT", s.port().to_string())];
    let (code, out, err) = run(&["healthcheck"], &env);
    assert_eq!(code, 0, "{} {}", out, err);
    assert!(s.heads()[0].starts_with("GET /ready HTTP/1.1\r\n"), "{:?}", s.heads());
    let mut env = env.to_vec();
    env.push(("HEALTHCHECK_URL", s.url("/from-env")));
    let (code, _, _) = run(&["healthcheck"], &env);
    assert_eq!(code, 0);
    assert!(s.heads()[1].starts_with("GET /from-env HTTP/1.1\r\n"), "{:?}", s.heads());
}

fn t_other_arguments_go_on_to_serve() {
    for args in [&["serve"][..], &[][..], &["--healthcheck"][..], &["HEALTHCHECK"][..]] {
        let (code, out, err) = run(args, &[]);
        assert_eq!((code, out.as_str(), err.as_str()), (0, "serving\n", ""), "{:?}", args);
    }
    // Only argv[1] counts.
    let (code, out, _) = run(&["serve", "healthcheck"], &[]);
    assert_eq!((code, out.as_str()), (0, "serving\n"));
}

fn t_a_closed_stdout_still_gives_the_verdict() {
    // Rust ignores SIGPIPE, so a reader that has gone cannot kill the probe.
    let s = Server::start(http("200 OK", "ok"));
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .arg("healthcheck")
        .env_clear()
        .env("HC_TEST_CHILD", "1")
        .env("PORT", s.port().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take()); // the pipe's only reader closes
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "{:?}", status);
}

fn main() {
    if std::env::var_os("HC_TEST_CHILD").is_some() {
        child();
        println!("serving");
        return;
    }
    let tests: &[(&str, fn())] = &[
        ("plain_dispatch_probes_port_from_env", t_plain_dispatch_probes_port_from_env),
        ("healthcheck_port_wins_over_port", t_healthcheck_port_wins_over_port),
        ("unhealthy_exits_1_with_the_line_on_stderr", t_unhealthy_exits_1_with_the_line_on_stderr),
        ("options_and_environment_pass_through", t_options_and_environment_pass_through),
        ("refused_and_timeout", t_refused_and_timeout),
        ("usage_errors_exit_64_and_name_the_program", t_usage_errors_exit_64_and_name_the_program),
        ("version_and_help_on_stdout", t_version_and_help_on_stdout),
        ("builder_defaults", t_builder_defaults),
        ("builder_url_and_healthcheck_url", t_builder_url_and_healthcheck_url),
        ("other_arguments_go_on_to_serve", t_other_arguments_go_on_to_serve),
        ("a_closed_stdout_still_gives_the_verdict", t_a_closed_stdout_still_gives_the_verdict),
    ];
    let mut failed = 0;
    for (name, f) in tests {
        match std::panic::catch_unwind(f) {
            Ok(()) => println!("test {} ... ok", name),
            Err(_) => {
                println!("test {} ... FAILED", name);
                failed += 1;
            }
        }
    }
    println!(
        "\ntest result: {}. {} passed; {} failed",
        if failed == 0 { "ok" } else { "FAILED" },
        tests.len() - failed,
        failed
    );
    if failed > 0 {
        std::process::exit(101);
    }
}
