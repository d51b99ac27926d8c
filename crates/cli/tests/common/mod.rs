//! Shared by the pseudo-terminal tests (shell_pty.rs, iex_pty.rs): a small terminal
//! model (cursor movement, erasing, CR/LF, lazy wrap), a program running on a pty, and
//! the keystroke steps and screen comparison. Each test crate uses a subset. With
//! `PTY_SHOW` set in the environment, the compared screens are printed (`--nocapture`).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const COLS: usize = 80;

/// A terminal screen: rows of characters, a cursor, lazy wrap at the right margin.
pub struct Screen {
    rows: Vec<Vec<char>>,
    row: usize,
    col: usize,
    pending_wrap: bool,
}

impl Screen {
    pub fn new() -> Screen {
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

    pub fn feed(&mut self, bytes: &[u8]) {
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

    pub fn text(&self) -> String {
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
pub struct Session {
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
    pub fn start(l: &Launch) -> Session {
        let (master, slave) = openpty();
        let mut cmd = Command::new(&l.program);
        cmd.args(&l.args)
            .env("TERM", "xterm")
            .env("LANG", "C.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_CTYPE")
            .env_remove("ERL_FLAGS")
            .env_remove("ERL_AFLAGS")
            .env_remove("ERL_ZFLAGS")
            .env_remove("COLUMNS")
            .envs(l.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        if let Some(d) = &l.dir {
            cmd.current_dir(d);
        }
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

    pub fn send(&mut self, keys: &[u8]) {
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
pub struct Step {
    keys: &'static [u8],
    expect: Option<&'static str>,
}

pub fn step(keys: &'static [u8], expect: &'static str) -> Step {
    Step {
        keys,
        expect: Some(expect),
    }
}

pub fn key(keys: &'static [u8]) -> Step {
    Step { keys, expect: None }
}

pub struct Outcome {
    pub screen: String,
    pub status: Option<i32>,
}

/// How to start the program under test.
pub struct Launch {
    pub program: String,
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// The working directory (the test's own if None).
    pub dir: Option<std::path::PathBuf>,
}

impl Launch {
    pub fn new(program: &str, args: &[&str]) -> Launch {
        Launch {
            program: program.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Vec::new(),
            dir: None,
        }
    }
}

/// Starts `l`, waits for `first_prompt`, types the steps, and returns the screen.
/// `exits`: the program is expected to end by itself after the last step.
pub fn run(l: &Launch, first_prompt: &str, steps: &[Step], exits: bool) -> Outcome {
    let mut s = Session::start(l);
    let long = Duration::from_secs(60);
    s.read_until(0, Some(first_prompt), Duration::from_millis(500), long);
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

/// Whether the reference `erl` is installed and runs.
pub fn erl_installed() -> bool {
    Command::new("erl")
        .args(["-noshell", "-eval", "halt()."])
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Process ids (`<0.83.0>`) replaced by `<PID>`: they depend on how many processes
/// each system started before.
pub fn mask_pids(line: &str) -> String {
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
    l
}

/// Logger's time of day at the start of a line (`12:30:14.469 [error] ...`, Elixir's
/// console format) replaced by `TIME`.
pub fn mask_time(line: &str) -> String {
    let b = line.as_bytes();
    let shape = b"00:00:00.000 ";
    let is_time = b.len() >= shape.len()
        && shape.iter().zip(b).all(|(&s, &c)| {
            if s == b'0' {
                c.is_ascii_digit()
            } else {
                c == s
            }
        });
    if is_time {
        format!("TIME{}", &line[shape.len() - 1..])
    } else {
        line.to_string()
    }
}

/// The screen from the first line starting with `from` on (the banner before it
/// carries the system_version, which differs from erl's on purpose), process ids and
/// logger times masked, and only the lines `keep` accepts.
pub fn normalize(screen: &str, from: &str, keep: fn(&str) -> bool) -> String {
    let start = if screen.starts_with(from) {
        0
    } else {
        screen.find(&format!("\n{from}")).map_or(0, |i| i + 1)
    };
    screen[start..]
        .lines()
        .map(|l| mask_time(&mask_pids(l)))
        .filter(|l| keep(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that the reference's and oxbeam's sessions left the same screen (after
/// `normalize`) and ended with the same status.
pub fn assert_same(name: &str, want: &Outcome, got: &Outcome, from: &str, keep: fn(&str) -> bool) {
    let (w, g) = (
        normalize(&want.screen, from, keep),
        normalize(&got.screen, from, keep),
    );
    if std::env::var_os("PTY_SHOW").is_some() {
        // For debugging a test: `PTY_SHOW=1 cargo test ... -- --nocapture`.
        eprintln!(
            "{name}: --- erl ---\n{}\n--- oxbeam ---\n{}",
            want.screen, got.screen
        );
    }
    assert_eq!(
        w, g,
        "{name}: screens differ\n--- erl ---\n{w}\n--- oxbeam ---\n{g}\n"
    );
    assert_eq!(want.status, got.status, "{name}: exit status");
}

pub fn all(_: &str) -> bool {
    true
}
