//! Command lines erl accepts but oxbeam refuses on purpose, and launcher errors: a
//! clear message on stderr and exit status 1, nothing started.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_oxbeam"))
        .args(args)
        .output()
        .expect("run oxbeam");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn detached_is_refused() {
    let (code, err) = run(&["-detached", "-eval", "io:format(\"started~n\")"]);
    assert_eq!(code, 1);
    assert!(err.contains("-detached is not supported"), "{err}");
}

#[test]
fn missing_args_file_is_reported() {
    let (code, err) = run(&["-args_file", "/nonexistent/vm.args", "-noshell"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("Failed to open arguments file \"/nonexistent/vm.args\""),
        "{err}"
    );
}

#[test]
fn env_needs_two_values() {
    let (code, err) = run(&["-noshell", "-env", "ONLY_NAME"]);
    assert_eq!(code, 1);
    assert!(err.contains("Missing argument(s) for '-env'."), "{err}");
}
