//! `oxbeam bif-coverage` on a small module compiled with the reference `erlc`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SAMPLE: &str = r#"-module(cov_sample).
-export([run/1, load/0, nif_a/0, nif_b/1]).
-nifs([nif_a/0]).

run(L) ->
    {erlang:abs(length(L)), lists:reverse(L, []), lists:flatten(L),
     ets:new(t, []), dyntrace:available()}.

load() -> erlang:load_nif("cov_sample_nif", 0).

%% A NIF marked by -nifs (nif_start) and one marked only by its nif_error stub.
nif_a() -> not_loaded.
nif_b(X) -> erlang:nif_error(X).
"#;

/// A fresh folder holding cov_sample.beam.
fn sample_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("cov_sample.erl");
    std::fs::write(&src, SAMPLE).unwrap();
    let st = Command::new("erlc")
        .arg("-o")
        .arg(&dir)
        .arg(&src)
        .status()
        .expect("erlc (the reference compiler) must be installed");
    assert!(st.success(), "erlc failed");
    std::fs::remove_file(&src).unwrap();
    dir
}

fn oxbeam(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oxbeam"))
        .arg("bif-coverage")
        .args(args)
        .output()
        .unwrap()
}

fn stdout_lines(o: &Output) -> Vec<String> {
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Checks the last line is `coverage: N of M` with M the number of rows (when given)
/// and returns (N, M).
fn coverage_line(lines: &[String], rows: Option<usize>) -> (usize, usize) {
    let last = lines.last().expect("no output");
    let rest = last.strip_prefix("coverage: ").expect(last);
    let (n, m) = rest.split_once(" of ").expect(last);
    let (n, m): (usize, usize) = (n.parse().unwrap(), m.parse().unwrap());
    assert!(n <= m, "{last}");
    if let Some(rows) = rows {
        assert_eq!(m, rows, "{last}");
        let implemented = lines
            .iter()
            .filter(|l| l.starts_with("implemented  "))
            .count();
        assert_eq!(n, implemented, "{last}");
    }
    (n, m)
}

fn listed(lines: &[String], mfa: &str) -> Option<&'static str> {
    lines.iter().find_map(|l| {
        if *l == format!("implemented  {mfa}") {
            Some("implemented")
        } else if *l == format!("missing      {mfa}") {
            Some("missing")
        } else {
            None
        }
    })
}

#[test]
fn classifies_imports_and_own_nifs() {
    let dir = sample_dir("bif_coverage_classify");
    let out = oxbeam(&[dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let lines = stdout_lines(&out);
    let rows = &lines[..lines.len() - 1];
    let mut sorted = rows.to_vec();
    sorted.sort_by_key(|l| l[13..].to_string());
    assert_eq!(rows, &sorted[..], "rows are sorted by MFA");
    assert!(rows
        .iter()
        .all(|l| l.starts_with("implemented  ") || l.starts_with("missing      ")));
    coverage_line(&lines, Some(rows.len()));

    assert_eq!(listed(&lines, "erlang:abs/1"), Some("implemented"));
    assert_eq!(listed(&lines, "erlang:length/1"), Some("implemented"));
    // Native in OTP (a BIF / NIF stub in the runtime's beams), implemented or not.
    assert!(listed(&lines, "lists:reverse/2").is_some());
    assert!(listed(&lines, "ets:new/2").is_some());
    assert!(listed(&lines, "erlang:load_nif/2").is_some());
    assert!(listed(&lines, "dyntrace:available/0").is_some());
    // The module's own NIFs, which nothing registers.
    assert_eq!(listed(&lines, "cov_sample:nif_a/0"), Some("missing"));
    assert_eq!(listed(&lines, "cov_sample:nif_b/1"), Some("missing"));
    // Plain Erlang code is not counted.
    assert!(!lines.iter().any(|l| l.contains("lists:flatten")));
    assert!(!lines.iter().any(|l| l.contains("cov_sample:run")));
    assert!(!lines.iter().any(|l| l.contains("cov_sample:load")));

    // --missing: the same coverage line, no implemented rows.
    let miss = oxbeam(&["--missing", dir.to_str().unwrap()]);
    assert_eq!(miss.status.code(), Some(0));
    let mlines = stdout_lines(&miss);
    assert!(!mlines.iter().any(|l| l.starts_with("implemented")));
    assert_eq!(listed(&mlines, "cov_sample:nif_a/0"), Some("missing"));
    assert_eq!(mlines.last(), lines.last());
    assert_eq!(
        mlines.len() - 1,
        rows.iter().filter(|l| l.starts_with("missing")).count()
    );

    // --by-module: a line per module.
    let bym = oxbeam(&["--by-module", dir.to_str().unwrap()]);
    assert_eq!(bym.status.code(), Some(0));
    let blines = stdout_lines(&bym);
    assert!(blines.contains(&"cov_sample: 0 of 2; missing: nif_a/0 nif_b/1".to_string()));
    assert_eq!(blines.last(), lines.last());
}

#[test]
fn bad_paths_and_corrupt_beams() {
    let out = oxbeam(&["/no/such/dir-for-bif-coverage"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/no/such/dir-for-bif-coverage: no such file or directory"));
    assert!(!err.contains("panicked"));

    assert_eq!(oxbeam(&[]).status.code(), Some(2));
    assert_eq!(oxbeam(&["--bogus"]).status.code(), Some(2));

    // A truncated beam beside a good one: reported, skipped, the good one still counted.
    let dir = sample_dir("bif_coverage_corrupt");
    let good = std::fs::read(dir.join("cov_sample.beam")).unwrap();
    std::fs::write(dir.join("bad.beam"), &good[..100]).unwrap();
    std::fs::write(dir.join("junk.beam"), b"not a beam at all").unwrap();
    let out = oxbeam(&[dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.beam"), "{err}");
    assert!(err.contains("junk.beam"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let lines = stdout_lines(&out);
    assert_eq!(listed(&lines, "cov_sample:nif_a/0"), Some("missing"));
    coverage_line(&lines, Some(lines.len() - 1));
}
