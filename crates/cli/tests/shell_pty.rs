//! The interactive shell on a terminal: the same keystrokes typed into `erl` and into
//! oxbeam through a pseudo-terminal, and the screens they leave compared (a small
//! terminal model interprets the output: cursor movement, erasing, CR/LF, lazy wrap).
//! The banner line (`Erlang/OTP ...`, whose system_version differs on purpose) is
//! left out of the comparison. Skipped when `erl` is not installed.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const COLS: usize = 80;

/// A terminal screen: rows of characters, a cursor, lazy wrap at the right margin.
struct Screen {
    rows: Vec<Vec<char>>,
    row: usize,
    col: usize,
    pending_wrap: bool,
}

impl Screen {
    fn new() -> Screen {
        Screen {
            rows: vec![Vec::new()],
            row: 0,
            col: 0,
            pending_wrap: false,
        }
    }

    fn ensure_row(&mut self) {
        while self.rows.len() <= self.row {
            self.rows.push(Vec::new());
        }
    }

    fn put(&mut self, c: char) {
        if self.pending_wrap {
            self.pending_wrap = false;
            self.col = 0;
            self.row += 1;
        }
        self.ensure_row();
        let r = &mut self.rows[self.row];
        while r.len() <= self.col {
            r.push(' ');
        }
        r[self.col] = c;
        if self.col + 1 == COLS {
            self.pending_wrap = true;
        } else {
            self.col += 1;
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        let mut it = text.chars().peekable();
        while let Some(c) = it.next() {
            match c {
                '\r' => {
                    self.col = 0;
                    self.pending_wrap = false;
                }
                '\n' => {
                    self.row += 1;
                    self.pending_wrap = false;
                    self.ensure_row();
                }
                '\u{8}' => {
                    self.pending_wrap = false;
                    self.col = self.col.saturating_sub(1);
                }
                '\u{7}' => {}
                '\u{1b}' => {
                    if it.peek() != Some(&'[') {
                        it.next();
                        continue;
                    }
                    it.next();
                    let mut arg = String::new();
                    let mut fin = ' ';
                    for d in it.by_ref() {
                        if d.is_ascii_digit() || d == ';' || d == '?' {
                            arg.push(d);
                        } else {
                            fin = d;
                            break;
                        }
                    }
                    let n: usize = arg.parse().unwrap_or(1).max(1);
                    self.pending_wrap = false;
                    match fin {
                        'A' => self.row = self.row.saturating_sub(n),
                        'B' => {
                            self.row += n;
                            self.ensure_row();
                        }
                        'C' => self.col = (self.col + n).min(COLS - 1),
                        'D' => self.col = self.col.saturating_sub(n),
                        'K' => {
                            self.ensure_row();
                            let col = self.col;
                            self.rows[self.row].truncate(col);
                        }
                        'J' => {
                            self.ensure_row();
                            let col = self.col;
                            self.rows[self.row].truncate(col);
                            self.rows.truncate(self.row + 1);
                        }
                        _ => {}
                    }
                }
                c if (c as u32) < 0x20 => {}
                c => self.put(c),
            }
        }
    }

    fn text(&self) -> String {
        let mut lines: Vec<String> = self
            .rows
            .iter()
            .map(|r| r.iter().collect::<String>().trim_end().to_string())
            .collect();
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        lines.join("\n")
    }
}

/// A program running on a pseudo-terminal.
struct Session {
    child: Child,
    master: std::fs::File,
    out: Vec<u8>,
}

fn openpty() -> (OwnedFd, OwnedFd) {
    let mut m = 0;
    let mut s = 0;
    let ws = libc::winsize {
        ws_row: 24,
        ws_col: COLS as u16,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes the two descriptors; the name and termios may be null.
    let r = unsafe { libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), &ws) };
    assert_eq!(r, 0, "openpty failed");
    // SAFETY: openpty just created both descriptors; nothing else owns them.
    unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) }
}

impl Session {
    fn start(program: &str, args: &[&str]) -> Session {
        let (master, slave) = openpty();
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env("TERM", "xterm")
            .env("LANG", "C.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_CTYPE")
            .env_remove("ERL_FLAGS")
            .env_remove("ERL_AFLAGS")
            .env_remove("ERL_ZFLAGS")
            .env_remove("COLUMNS")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec: a new session with
        // the terminal on standard input as its controlling terminal.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY as _, 0);
                Ok(())
            });
        }
        let child = cmd.spawn().expect("cannot start");
        let master = std::fs::File::from(master);
        Session {
            child,
            master,
            out: Vec::new(),
        }
    }

    /// Reads output until `want` appears after `from` (if given; at most `limit`),
    /// then until nothing comes for `quiet`.
    fn read_until(&mut self, from: usize, want: Option<&str>, quiet: Duration, limit: Duration) {
        let start = Instant::now();
        let mut seen = want.is_none();
        let mut last = Instant::now();
        loop {
            if !seen {
                let text = String::from_utf8_lossy(&self.out[from.min(self.out.len())..]);
                seen = text.contains(want.unwrap());
            }
            if start.elapsed() > limit || (seen && last.elapsed() >= quiet) {
                return;
            }
            let mut p = libc::pollfd {
                fd: self.master.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            let r = unsafe { libc::poll(&mut p, 1, 50) };
            if r > 0 {
                let mut buf = [0u8; 4096];
                match self.master.read(&mut buf) {
                    Ok(0) | Err(_) => {
                        if seen {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    Ok(n) => {
                        self.out.extend_from_slice(&buf[..n]);
                        last = Instant::now();
                    }
                }
            }
        }
    }

    fn send(&mut self, keys: &[u8]) {
        self.master.write_all(keys).unwrap();
    }

    /// The exit status, waiting up to `limit`; None if it still runs (then killed).
    fn finish(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st.code();
            }
            if start.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return None;
            }
            // Keep the terminal drained so that the child never blocks writing.
            self.read_until(self.out.len(), None, Duration::from_millis(50), limit);
        }
    }
}

/// One keystroke group and what must appear after it before the screen settles.
struct Step {
    keys: &'static [u8],
    expect: Option<&'static str>,
}

fn step(keys: &'static [u8], expect: &'static str) -> Step {
    Step {
        keys,
        expect: Some(expect),
    }
}

fn key(keys: &'static [u8]) -> Step {
    Step { keys, expect: None }
}

struct Outcome {
    screen: String,
    status: Option<i32>,
}

fn run(program: &str, args: &[&str], steps: &[Step], exits: bool) -> Outcome {
    let mut s = Session::start(program, args);
    let long = Duration::from_secs(60);
    s.read_until(0, Some("1> "), Duration::from_millis(500), long);
    for st in steps {
        let from = s.out.len();
        s.send(st.keys);
        s.read_until(from, st.expect, Duration::from_millis(400), long);
    }
    let status = s.finish(if exits {
        long
    } else {
        Duration::from_millis(300)
    });
    let mut screen = Screen::new();
    screen.feed(&s.out);
    Outcome {
        screen: screen.text(),
        status,
    }
}

fn erl() -> Option<String> {
    let ok = Command::new("erl")
        .args(["-noshell", "-eval", "halt()."])
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then(|| "erl".to_string())
}

/// The screen from the `Eshell` line on (the banner's system_version differs from
/// erl's on purpose) and with process ids made alike.
fn normalize(screen: &str) -> String {
    let mut out = Vec::new();
    let start = screen.find("\nEshell ").map_or(0, |i| i + 1);
    for line in screen[start..].lines() {
        let mut l = String::new();
        let mut rest = line;
        while let Some(i) = rest.find('<') {
            l.push_str(&rest[..i]);
            let tail = &rest[i..];
            match tail.find('>') {
                Some(j)
                    if tail[1..j].split('.').count() == 3
                        && tail[1..j].chars().all(|c| c.is_ascii_digit() || c == '.') =>
                {
                    l.push_str("<PID>");
                    rest = &tail[j + 1..];
                }
                _ => {
                    l.push('<');
                    rest = &tail[1..];
                }
            }
        }
        l.push_str(rest);
        out.push(l);
    }
    out.join("\n")
}

fn compare(name: &str, args: &[&str], steps: &[Step], exits: bool, keep: fn(&str) -> bool) {
    let Some(erl) = erl() else {
        eprintln!("{name}: erl not installed, skipped");
        return;
    };
    let ours = env!("CARGO_BIN_EXE_oxbeam");
    let (a, b) = std::thread::scope(|sc| {
        let a = sc.spawn(|| run(&erl, args, steps, exits));
        let b = sc.spawn(|| run(ours, args, steps, exits));
        (a.join().unwrap(), b.join().unwrap())
    });
    let filter = |s: &str| {
        normalize(s)
            .lines()
            .filter(|l| keep(l))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (want, got) = (filter(&a.screen), filter(&b.screen));
    assert_eq!(
        want, got,
        "{name}: screens differ\n--- erl ---\n{want}\n--- oxbeam ---\n{got}\n"
    );
    assert_eq!(a.status, b.status, "{name}: exit status");
}

fn all(_: &str) -> bool {
    true
}

#[test]
fn screen_model() {
    let mut s = Screen::new();
    s.feed(b"1> abc\x08\x08X\r\nnext\x1b[A\x1b[C!");
    assert_eq!(s.text(), "1> aX!\nnext");
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
