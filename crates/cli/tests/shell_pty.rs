//! The interactive shell on a terminal: the same keystrokes typed into `erl` and into
//! oxbeam through a pseudo-terminal, and the screens they leave compared (a small
//! terminal model interprets the output: cursor movement, erasing, CR/LF, lazy wrap).
//! The banner line (`Erlang/OTP ...`, whose system_version differs on purpose) is
//! left out of the comparison. Skipped when `erl` is not installed. The terminal model
//! and the pty session are in common/mod.rs.

mod common;

use common::{
    all, assert_same, erl_installed, key, mask_pids, mask_time, run, step, Launch, Screen, Step,
};

fn compare(name: &str, args: &[&str], steps: &[Step], exits: bool, keep: fn(&str) -> bool) {
    if !erl_installed() {
        eprintln!("{name}: erl not installed, skipped");
        return;
    }
    let reference = Launch::new("erl", args);
    let ours = Launch::new(env!("CARGO_BIN_EXE_oxbeam"), args);
    let (a, b) = std::thread::scope(|sc| {
        let a = sc.spawn(|| run(&reference, "1> ", steps, exits));
        let b = sc.spawn(|| run(&ours, "1> ", steps, exits));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_same(name, &a, &b, "Eshell ", keep);
}

#[test]
fn screen_model() {
    let mut s = Screen::new();
    s.feed(b"1> abc\x08\x08X\r\nnext\x1b[A\x1b[C!");
    assert_eq!(s.text(), "1> aX!\nnext");
}

#[test]
fn masking() {
    assert_eq!(mask_pids("a <0.83.0> <b> <1.2>"), "a <PID> <b> <1.2>");
    assert_eq!(mask_time("12:30:14.469 [error] x"), "TIME [error] x");
    assert_eq!(mask_time("12:30:14 [error] x"), "12:30:14 [error] x");
    assert_eq!(mask_time("iex(1)> 12:30:14.469 "), "iex(1)> 12:30:14.469 ");
}

#[test]
fn expressions_editing_history() {
    compare(
        "expressions_editing_history",
        &[],
        &[
            step(b"1+2.\r", "2> "),
            // A multi-line expression.
            step(b"lists:seq(1,\r", "2> "),
            step(b"3).\r", "3> "),
            // Left arrow and insert: 1020. becomes 10 + 20.
            key(b"1020."),
            key(b"\x1b[D"),
            key(b"\x1b[D"),
            key(b"\x1b[D"),
            key(b" + "),
            step(b"\r", "4> "),
            // Backspace.
            key(b"5*66"),
            key(b"\x7f"),
            step(b".\r", "5> "),
            // History: the previous line again.
            key(b"\x1b[A"),
            step(b"\r", "6> "),
            // A long term wraps.
            step(b"lists:seq(1000, 1040).\r", "7> "),
            step(b"{ok, X} = {error, 1}.\r", "8> "),
        ],
        false,
        all,
    );
}

#[test]
fn records_and_job_control() {
    compare(
        "records_and_job_control",
        &[],
        &[
            step(b"rd(point, {x = 0, y}).\r", "2> "),
            step(b"#point{y = 2}.\r", "3> "),
            step(b"\x07", "--> "),
            step(b"h\r", "--> "),
            step(b"c\r", ""),
            step(b"ok.\r", "4> "),
        ],
        false,
        all,
    );
}

#[test]
fn regs_header_and_quit() {
    compare(
        "regs_header_and_quit",
        &[],
        &[step(b"regs().\r", "2> "), step(b"q().\r", "ok")],
        true,
        |l| {
            l.starts_with("** Registered")
                || l.starts_with("Name ")
                || l.split_once("> ")
                    .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
                || l == "ok"
                || l.starts_with("Eshell")
        },
    );
}

#[test]
fn break_menu() {
    compare(
        "break_menu",
        &[],
        &[
            step(b"\x03", "(d)istribution"),
            step(b"c\r", ""),
            step(b"1+1.\r", "2> "),
            step(b"\x03", "(d)istribution"),
            step(b"v\r", "version"),
            step(b"\x03", "(d)istribution"),
            step(b"a\r", ""),
        ],
        true,
        all,
    );
}

/// `erl -remsh Node`: a shell running on another node, used through this node's
/// terminal (its output comes back through the group leader, the terminal's). Each VM
/// runs both nodes, one VM after the other under the same names: a server node started
/// first, then the client on the pseudo-terminal; the screens are compared.
#[test]
fn remote_shell() {
    use std::process::{Command, Stdio};
    if !erl_installed() {
        eprintln!("remote_shell: erl not installed, skipped");
        return;
    }
    let session = |program: &str| {
        let mut server = Command::new(program)
            .args([
                "-sname",
                "remsh_srv",
                "-setcookie",
                "remsh_test",
                "-noshell",
            ])
            .args(["-eval", "timer:sleep(60000), halt()."])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server node starts");
        wait_epmd_lists("remsh_srv", true);
        let host = hostname();
        let target = format!("remsh_srv@{host}");
        let client = Launch::new(
            program,
            &[
                "-sname",
                "remsh_cli",
                "-setcookie",
                "remsh_test",
                "-remsh",
                &target,
            ],
        );
        let out = run(
            &client,
            "1> ",
            &[
                step(b"node().\r", "2> "),
                step(b"io:format(\"~p~n\", [node(group_leader())]).\r", "3> "),
                step(b"lists:sum([1,2,3]).\r", "4> "),
            ],
            false,
        );
        let _ = server.kill();
        let _ = server.wait();
        // The next run uses the same name.
        wait_epmd_lists("remsh_srv", false);
        out
    };
    let reference = session("erl");
    let ours = session(env!("CARGO_BIN_EXE_oxbeam"));
    assert_same("remote_shell", &reference, &ours, "Eshell ", all);
}

/// Waits (up to 30 s) until epmd lists node `name` (`listed`) or no longer does.
fn wait_epmd_lists(name: &str, listed: bool) {
    use std::time::{Duration, Instant};
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        let names = std::process::Command::new("epmd").arg("-names").output();
        let found = names
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(&format!("name {name} ")));
        if found == listed {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// This machine's short host name, as `-sname` nodes use it.
fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    let r = unsafe { libc::gethostname(buf.as_mut_ptr() as *mut libc::c_char, buf.len()) };
    assert_eq!(r, 0, "gethostname failed");
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let name = String::from_utf8_lossy(&buf[..end]).into_owned();
    name.split('.').next().unwrap_or("").to_string()
}
