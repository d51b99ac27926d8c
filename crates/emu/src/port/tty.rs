//! The `tty_sl` driver: `open_port({spawn, "tty_sl -c -e"}, [eof])`, which OTP's
//! `user_drv` opens for the interactive shell. It opens only when standard input and
//! output are terminals (and `TERM` names a terminal with cursor movement), as the
//! reference's driver; otherwise `open_port` fails and `user_drv` falls back to the
//! line-mode `user`.
//!
//! Input: the bytes read from descriptor 0, as `{Port, {data, Bytes}}` (UTF-8; a
//! terminal found not to send UTF-8 has its bytes converted from Latin-1).
//!
//! Output: `user_drv`'s commands (a one-byte operation, then data): put characters
//! (`0`, and `5`, which answers `{Port, ok}` once written), move the cursor by N
//! characters (`1`, 16-bit big-endian), insert characters (`2`), delete N characters
//! after (N > 0) or before (N < 0) the cursor (`3`) and beep (`4`). The driver keeps the
//! current line in a buffer of screen columns (a tab or `^X` control character takes
//! several, a wide character two) so that it can redraw what follows an insertion or
//! deletion and move the cursor over line wraps. Cursor movement uses the sequences
//! the reference's driver gets from termcap for an ANSI terminal (`xterm`): left is
//! backspace, right `ESC [ C`, up `ESC [ A`, down line feed; the terminal is taken to
//! wrap lazily (termcap `xn`), as ANSI terminals do.
//!
//! Control operations (`port_control/3`, numbers offset by the driver's magic
//! number): the window size, and getting and setting whether the terminal is UTF-8.
//!
//! `-c` and `-e` turn the terminal's canonical mode and echo off (`+c`, `+e` on), `-s`
//! its signal characters; the settings found at open are restored when the port
//! closes, and at exit (`restore`).

use super::{Driver, Mode, NewPort, Output, Port};
use crate::process::Process;
use oxbeam_term::Term;
use parking_lot::{Condvar, Mutex};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const OP_PUTC: u8 = 0;
const OP_MOVE: u8 = 1;
const OP_INSC: u8 = 2;
const OP_DELC: u8 = 3;
const OP_BEEP: u8 = 4;
const OP_PUTC_SYNC: u8 = 5;

/// The driver's control operations are numbered from this magic number.
pub const CTRL_MAGIC: u32 = 0x018b_0900;
const CTRL_GET_WINSIZE: u32 = CTRL_MAGIC + 100;
const CTRL_GET_UNICODE_STATE: u32 = CTRL_MAGIC + 101;
const CTRL_SET_UNICODE_STATE: u32 = CTRL_MAGIC + 102;

/// A line longer than this is ended (a newline put) before the next command.
const MAXSIZE: isize = 1 << 16;

const LEFT: &[u8] = b"\x08";
const RIGHT: &[u8] = b"\x1b[C";
const UP: &[u8] = b"\x1b[A";
const DOWN: &[u8] = b"\n";

/// One screen column of the current line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cell {
    /// A printable character (its last column, if wide).
    Char(char),
    /// A column of a wide character before its `Char` cell.
    Wide,
    /// A control character shown as `^X` (this column and the `Pad` after it).
    Ctl(u32),
    /// A tab's first column; its other columns are `Pad`s.
    Tab,
    /// A character the terminal cannot show (not UTF-8 mode), shown as `\ooo` or
    /// `\x{H...}`: this column and a `Pad` per character of the escape.
    Esc(u32),
    /// A further column of the character before.
    Pad,
}

/// The line buffer and cursor, and the output the operations produce.
pub(crate) struct Line {
    cells: Vec<Cell>,
    /// The cursor, as an index into `cells`.
    lpos: isize,
    /// The line's length (may go negative after a newline, as the reference's does).
    llen: isize,
    cols: isize,
    pub utf8: bool,
    pub out: Vec<u8>,
}

/// Set by SIGWINCH: the width is read again before the next use.
static WINCH: AtomicBool = AtomicBool::new(false);

/// The width of the terminal on descriptor 0 (80 if unknown).
fn window_size() -> (u32, u32) {
    let mut ws = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ fills the winsize structure passed.
    if unsafe { libc::ioctl(0, libc::TIOCGWINSZ, &mut ws) } == 0 {
        let w = if ws.ws_col == 0 { 80 } else { ws.ws_col as u32 };
        let h = if ws.ws_row == 0 { 24 } else { ws.ws_row as u32 };
        return (w, h);
    }
    (80, 24)
}

extern "C" {
    fn wcwidth(c: libc::wchar_t) -> libc::c_int;
}

fn char_width(c: u32) -> isize {
    // SAFETY: wcwidth only reads its argument and the current locale's tables.
    unsafe { wcwidth(c as libc::wchar_t) as isize }
}

fn printable_ascii(c: u32) -> bool {
    (0x20..0x7f).contains(&c)
}

/// Characters in the escape of `c` (after the backslash).
fn escape_len(c: u32) -> usize {
    escape_text(c).len()
}

/// `\ooo` (three octal digits) up to 0o777, `\x{H...}` above.
fn escape_text(c: u32) -> String {
    if c <= 0o777 {
        format!("{c:03o}")
    } else {
        format!("x{{{c:X}}}")
    }
}

/// The next character of UTF-8 `s` from `*pos`: a decoded one, `Err(true)` for an
/// incomplete sequence at the end, `Err(false)` for an invalid one.
fn pick_utf8(s: &[u8], pos: &mut usize) -> Result<u32, bool> {
    let rest = &s[*pos..];
    let Some(&b0) = rest.first() else {
        return Err(false);
    };
    let need = match b0 {
        0x00..=0x7f => {
            *pos += 1;
            return Ok(b0 as u32);
        }
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return Err(false),
    };
    if rest.len() < need {
        // Incomplete, unless what is there is wrong already.
        if rest[1..].iter().any(|&b| b & 0xc0 != 0x80) {
            return Err(false);
        }
        return Err(true);
    }
    match std::str::from_utf8(&rest[..need]) {
        Ok(s) => {
            *pos += need;
            Ok(s.chars().next().map_or(0, |c| c as u32))
        }
        Err(_) => Err(false),
    }
}

impl Line {
    pub fn new(cols: usize, utf8: bool) -> Line {
        Line {
            cells: Vec::new(),
            lpos: 0,
            llen: 0,
            cols: cols.max(1) as isize,
            utf8,
            out: Vec::new(),
        }
    }

    fn cell(&self, i: isize) -> Cell {
        if i < 0 {
            return Cell::Pad;
        }
        self.cells.get(i as usize).copied().unwrap_or(Cell::Pad)
    }

    fn put(&mut self, c: Cell) {
        let i = self.lpos.max(0) as usize;
        if i >= self.cells.len() {
            self.cells.resize(i + 1, Cell::Pad);
        }
        self.cells[i] = c;
        self.lpos = i as isize + 1;
    }

    fn col(&self, x: isize) -> isize {
        x.max(0) % self.cols
    }

    fn line(&self, x: isize) -> isize {
        x.max(0) / self.cols
    }

    fn update_cols(&mut self) {
        if WINCH.swap(false, Ordering::SeqCst) {
            self.cols = window_size().0.max(1) as isize;
        }
    }

    fn repeat(&mut self, seq: &[u8], n: isize) {
        for _ in 0..n.max(0) {
            self.out.extend_from_slice(seq);
        }
    }

    /// One command from `user_drv`; true if it asks for `{Port, ok}`.
    pub fn command(&mut self, buf: &[u8]) -> bool {
        if self.lpos > MAXSIZE {
            self.put_chars(b"\n");
        }
        let Some((&op, data)) = buf.split_first() else {
            return false;
        };
        let n16 = || {
            data.get(..2)
                .map(|b| i16::from_be_bytes([b[0], b[1]]) as isize)
        };
        match op {
            OP_PUTC | OP_PUTC_SYNC => self.put_chars(data),
            OP_MOVE => {
                if let Some(n) = n16() {
                    self.move_rel(n)
                }
            }
            OP_INSC => self.ins_chars(data),
            OP_DELC => {
                if let Some(n) = n16() {
                    self.del_chars(n)
                }
            }
            OP_BEEP => self.out.push(7),
            _ => {}
        }
        op == OP_PUTC_SYNC
    }

    fn put_chars(&mut self, s: &[u8]) {
        let n = self.insert_buf(s);
        if n > 0 {
            self.write_buf(self.lpos - n, n);
        }
        if self.lpos > self.llen {
            self.llen = self.lpos;
        }
    }

    fn move_rel(&mut self, n: isize) {
        let npos = self.step_over(n);
        self.move_cursor(self.lpos, npos);
        self.lpos = npos;
    }

    fn ins_chars(&mut self, s: &[u8]) {
        let tl = self.llen - self.lpos;
        let tail: Vec<Cell> = if tl > 0 {
            (self.lpos..self.llen).map(|i| self.cell(i)).collect()
        } else {
            Vec::new()
        };
        let n = self.insert_buf(s);
        let save = self.lpos;
        for c in tail {
            self.put(c);
        }
        self.lpos = save;
        self.llen += n;
        self.write_buf(self.lpos - n, self.llen - (self.lpos - n));
        self.move_cursor(self.llen, self.lpos);
    }

    fn move_cells(&mut self, from: isize, to: isize, count: isize) {
        let cells: Vec<Cell> = (from..from + count).map(|i| self.cell(i)).collect();
        let save = self.lpos;
        self.lpos = to;
        for c in cells {
            self.put(c);
        }
        self.lpos = save;
    }

    fn del_chars(&mut self, n: isize) {
        self.update_cols();
        let pos = self.step_over(n);
        let (l, r) = if pos > self.lpos {
            let l = pos - self.lpos;
            let r = self.llen - self.lpos - l;
            if r > 0 {
                self.move_cells(pos, self.lpos, r);
            }
            (l, r)
        } else if pos < self.lpos {
            let l = self.lpos - pos;
            let r = self.llen - self.lpos;
            self.move_cursor(self.lpos, self.lpos - l);
            if r > 0 {
                self.move_cells(self.lpos, pos, r);
            }
            self.lpos -= l;
            (l, r)
        } else {
            return;
        };
        self.llen -= l;
        // What followed, blanks over the freed columns, and back.
        self.write_buf(self.lpos, r);
        self.repeat(b" ", l);
        if self.col(self.llen + l) == 0 {
            self.out.push(b' ');
            self.out.extend_from_slice(LEFT);
        }
        self.move_cursor(self.llen + l, self.lpos);
    }

    /// The buffer index `n` characters after (before, if negative) the cursor.
    fn step_over(&self, mut n: isize) -> isize {
        let end = self.llen;
        let mut c = self.lpos;
        let limit = self.cells.len() as isize;
        while n > 0 && c < end {
            while c < limit && self.cell(c) == Cell::Wide {
                c += 1;
            }
            c += 1;
            while c < end && self.cell(c) == Cell::Pad {
                c += 1;
            }
            n -= 1;
        }
        while n < 0 && c > 0 {
            c -= 1;
            while c > 1 && self.cell(c - 1) == Cell::Wide {
                c -= 1;
            }
            while c > 0 && self.cell(c) == Cell::Pad {
                c -= 1;
            }
            n += 1;
        }
        c
    }

    /// Puts the characters of `s` into the buffer at the cursor (over what is there);
    /// a newline, return or escape writes out what was put so far and starts the
    /// buffer again. The number of cells put since the last such restart.
    fn insert_buf(&mut self, s: &[u8]) -> isize {
        let mut buffpos = self.lpos;
        let mut pos = 0;
        while pos < s.len() {
            let ch = match pick_utf8(s, &mut pos) {
                Ok(c) => c,
                Err(_) => {
                    pos += 1;
                    s[pos - 1] as u32
                }
            };
            if (self.utf8 && (ch >= 128 || printable_ascii(ch))) || printable_ascii(ch) {
                let width = char_width(ch);
                for _ in 1..width.max(1) {
                    self.put(Cell::Wide);
                }
                self.put(Cell::Char(char::from_u32(ch).unwrap_or('\u{fffd}')));
            } else if ch >= 128 {
                self.put(Cell::Esc(ch));
                for _ in 0..escape_len(ch) {
                    self.put(Cell::Pad);
                }
            } else if ch == b'\t' as u32 {
                self.put(Cell::Tab);
                while self.lpos % 8 != 0 {
                    self.put(Cell::Pad);
                }
            } else if ch == 0x1b || ch == b'\n' as u32 || ch == b'\r' as u32 {
                self.write_buf(buffpos, self.lpos - buffpos);
                if ch == 0x1b {
                    self.out.push(0x1b);
                } else {
                    self.out.push(b'\r');
                    if ch == b'\n' as u32 {
                        self.out.push(b'\n');
                    }
                }
                if self.llen > self.lpos {
                    let count = self.llen - self.lpos;
                    self.move_cells(self.lpos, 0, count);
                }
                self.llen -= self.lpos;
                self.lpos = 0;
                buffpos = 0;
            } else {
                self.put(Cell::Ctl(ch));
                self.put(Cell::Pad);
            }
        }
        self.lpos - buffpos
    }

    /// Writes `n` cells from `start`; when that ends in the first column of a line, makes
    /// the terminal wrap there (it wraps lazily) and steps back.
    fn write_buf(&mut self, start: isize, n: isize) {
        self.update_cols();
        let mut last: Vec<u8> = b" ".to_vec();
        let mut i = start.max(0);
        let mut n = n;
        while n > 0 {
            match self.cell(i) {
                Cell::Char(c) => {
                    let mut b = [0u8; 4];
                    let bytes = if self.utf8 {
                        c.encode_utf8(&mut b).as_bytes()
                    } else {
                        b[0] = c as u32 as u8;
                        &b[..1]
                    };
                    self.out.extend_from_slice(bytes);
                    last = bytes.to_vec();
                    n -= 1;
                    i += 1;
                }
                Cell::Tab => {
                    self.out.push(b' ');
                    n -= 1;
                    i += 1;
                    while n > 0 && self.cell(i) == Cell::Pad {
                        self.out.push(b' ');
                        n -= 1;
                        i += 1;
                    }
                    last = b" ".to_vec();
                }
                Cell::Ctl(c) => {
                    let x = if c == 0x7f { b'?' } else { (c as u8) | 0x40 };
                    self.out.extend_from_slice(&[b'^', x]);
                    last = vec![x];
                    n -= 2;
                    i += 2;
                }
                Cell::Esc(c) => {
                    let text = escape_text(c);
                    self.out.push(b'\\');
                    self.out.extend_from_slice(text.as_bytes());
                    last = vec![*text.as_bytes().last().unwrap_or(&b' ')];
                    n -= text.len() as isize + 1;
                    i += text.len() as isize + 1;
                }
                Cell::Wide | Cell::Pad => {
                    n -= 1;
                    i += 1;
                }
            }
        }
        if self.col(i) == 0 && i != 0 {
            if i >= self.llen {
                self.out.push(b' ');
            } else {
                self.out.extend_from_slice(&last);
            }
            self.out.extend_from_slice(LEFT);
        }
    }

    fn move_cursor(&mut self, from: isize, to: isize) {
        self.update_cols();
        let (cf, ct) = (self.col(from), self.col(to));
        let dl = self.line(to) - self.line(from);
        if dl > 0 {
            self.repeat(LEFT, cf);
            self.repeat(DOWN, dl);
            self.repeat(RIGHT, ct);
            return;
        }
        if dl < 0 {
            self.repeat(UP, -dl);
        }
        if ct > cf {
            self.repeat(RIGHT, ct - cf);
        } else {
            self.repeat(LEFT, cf - ct);
        }
    }
}

// ---------------------------------------------------------------- the port

struct Tty {
    port: u64,
    line: Line,
    /// The terminal's settings when the port opened.
    saved: libc::termios,
}

static TTY: Mutex<Option<Tty>> = Mutex::new(None);
/// Whether the terminal sends and shows UTF-8 (the reader reads it too).
static UTF8: AtomicBool = AtomicBool::new(false);

/// Keeps the port's reader off the terminal while the break handler reads it.
pub(crate) struct InputGate {
    held: Mutex<bool>,
    cv: Condvar,
}

pub(crate) static GATE: InputGate = InputGate {
    held: Mutex::new(false),
    cv: Condvar::new(),
};

impl InputGate {
    /// Takes the terminal's input for the caller (waits for a read under way).
    pub fn take(&self) {
        *self.held.lock() = true;
    }

    pub fn release(&self) {
        *self.held.lock() = false;
        self.cv.notify_all();
    }
}

fn is_tty(fd: RawFd) -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(fd) == 1 }
}

/// Whether `TERM` names a terminal with a terminfo entry (the reference's driver needs
/// termcap's cursor movement; `dumb` has none).
fn term_known() -> bool {
    let Some(term) = std::env::var_os("TERM").filter(|t| !t.is_empty()) else {
        return false;
    };
    let term = term.to_string_lossy().into_owned();
    if term == "dumb" || term.contains('/') {
        return false;
    }
    let first = term.chars().next().unwrap_or('x');
    let mut dirs: Vec<std::path::PathBuf> = Vec::new();
    if let Some(d) = std::env::var_os("TERMINFO") {
        dirs.push(d.into());
    }
    if let Some(h) = std::env::var_os("HOME") {
        dirs.push(std::path::PathBuf::from(h).join(".terminfo"));
    }
    if let Some(list) = std::env::var_os("TERMINFO_DIRS") {
        dirs.extend(std::env::split_paths(&list));
    }
    for d in [
        "/etc/terminfo",
        "/lib/terminfo",
        "/usr/share/terminfo",
        "/usr/lib/terminfo",
        "/usr/local/share/terminfo",
    ] {
        dirs.push(d.into());
    }
    dirs.iter().any(|d| {
        d.join(first.to_string()).join(&term).exists()
            || d.join(format!("{:x}", first as u32)).join(&term).exists()
    })
}

/// Whether the locale's character set is UTF-8 (the locale is set from the
/// environment, as the reference's driver does).
fn locale_utf8() -> bool {
    // SAFETY: setlocale with an empty string reads the environment; nl_langinfo returns
    // a string owned by the C library, read at once.
    unsafe {
        if libc::setlocale(libc::LC_CTYPE, c"".as_ptr()).is_null() {
            return false;
        }
        let cs = libc::nl_langinfo(libc::CODESET);
        !cs.is_null() && std::ffi::CStr::from_ptr(cs).to_bytes() == b"UTF-8"
    }
}

extern "C" fn on_winch(_: libc::c_int) {
    WINCH.store(true, Ordering::SeqCst);
}

extern "C" fn on_cont(_: libc::c_int) {
    // Back in the foreground: the terminal gets the driver's settings again. Only
    // async-signal-safe calls here (tcsetattr is); the settings were copied at open.
    // SAFETY: SMODE is written before the handler is installed and not after.
    unsafe {
        if SMODE_SET.load(Ordering::SeqCst) {
            libc::tcsetattr(0, libc::TCSANOW, std::ptr::addr_of!(SMODE));
        }
    }
}

static SMODE_SET: AtomicBool = AtomicBool::new(false);
static mut SMODE: libc::termios = unsafe { std::mem::zeroed() };

/// Opens the driver for `open_port({spawn, Cmd}, _)`; None if it cannot open (the
/// caller answers `badarg`).
pub(crate) fn open(p: &Process, cmd: &[u8], mode: Mode) -> Option<Term> {
    let mut tty = TTY.lock();
    if tty.is_some() || !is_tty(0) || !is_tty(1) {
        return None;
    }
    let (mut canon, mut echo, mut sig) = (0, 0, 0);
    for word in cmd.split(|&b| b == b' ').skip(1) {
        let flag = match word.first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            // A device to open instead of descriptor 0: not supported.
            _ => return None,
        };
        match word.get(1) {
            Some(b'c') => canon = flag,
            Some(b'e') => echo = flag,
            Some(b's') => sig = flag,
            _ => {}
        }
    }
    if !term_known() {
        return None;
    }
    // SAFETY: a zeroed termios is a valid buffer for tcgetattr to fill.
    let mut saved: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: tcgetattr fills `saved` for descriptor 0.
    if unsafe { libc::tcgetattr(0, &mut saved) } < 0 {
        return None;
    }
    let mut s = saved;
    s.c_iflag &= !libc::ISTRIP;
    if canon > 0 {
        s.c_iflag |= libc::ICRNL;
        s.c_lflag |= libc::ICANON;
        s.c_oflag |= libc::OPOST;
    } else if canon < 0 {
        s.c_iflag &= !libc::ICRNL;
        s.c_lflag &= !libc::ICANON;
        s.c_oflag &= !libc::OPOST;
        s.c_cc[libc::VMIN] = 1;
        s.c_cc[libc::VTIME] = 0;
    }
    if echo > 0 {
        s.c_lflag |= libc::ECHO;
    } else if echo < 0 {
        s.c_lflag &= !libc::ECHO;
    }
    if sig > 0 {
        s.c_iflag |= libc::BRKINT | libc::IGNPAR | libc::ICRNL | libc::IXON | libc::IXANY;
        s.c_lflag |= libc::ISIG | libc::IEXTEN;
    } else if sig < 0 {
        s.c_iflag &= !(libc::BRKINT | libc::IGNPAR | libc::ICRNL | libc::IXON | libc::IXANY);
        s.c_lflag &= !(libc::ISIG | libc::IEXTEN);
    }
    // SAFETY: `s` is a complete termios copied from the terminal's own.
    if unsafe { libc::tcsetattr(0, libc::TCSANOW, &s) } < 0 {
        // SAFETY: as above, the settings read at first.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &saved) };
        return None;
    }
    // SAFETY: written here only, before the SIGCONT handler that reads it is installed
    // (and while no other tty port exists, under the TTY lock).
    unsafe {
        SMODE = s;
    }
    SMODE_SET.store(true, Ordering::SeqCst);
    let utf8 = locale_utf8();
    UTF8.store(utf8, Ordering::SeqCst);
    let cols = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<u32>().ok())
        .filter(|&c| c > 0)
        .unwrap_or_else(|| window_size().0);
    crate::os_signals::install(
        libc::SIGWINCH,
        on_winch as extern "C" fn(libc::c_int) as libc::sighandler_t,
    );
    crate::os_signals::install(
        libc::SIGCONT,
        on_cont as extern "C" fn(libc::c_int) as libc::sighandler_t,
    );
    let (cancel_r, cancel_w) = pipe()?;
    let port = super::create(
        p,
        NewPort {
            name: cmd.to_vec(),
            driver: Driver::TtySl,
            mode,
            parallelism: false,
            os_pid: None,
            fds: Some((0, 1)),
            busy_limits: None,
            output: Output::Tty,
            cancel: Some(cancel_w),
        },
    )?;
    *tty = Some(Tty {
        port: port.id,
        line: Line::new(cols as usize, utf8),
        saved,
    });
    drop(tty);
    let reader = port.clone();
    if !super::io::spawn_thread("tty-reader", move || read_loop(reader, cancel_r)) {
        port.close(super::errno_atom(libc::EAGAIN));
    }
    Some(port.term())
}

fn pipe() -> Option<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return None;
    }
    // SAFETY: pipe2 just created these two descriptors; nothing else owns them.
    Some(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// A command for the tty port `port`.
pub(crate) fn command(port: &Port, data: &[u8]) {
    let (out, sync) = {
        let mut g = TTY.lock();
        let Some(t) = g.as_mut().filter(|t| t.port == port.id) else {
            return;
        };
        t.line.utf8 = UTF8.load(Ordering::SeqCst);
        let sync = t.line.command(data);
        (std::mem::take(&mut t.line.out), sync)
    };
    if !out.is_empty() {
        crate::report::write_stdout(&out);
        crate::report::flush_stdout();
    }
    if sync {
        super::deliver_simple(port, |_| super::atom("ok"));
    }
}

/// `port_control/3` on the tty port: the answer's bytes.
pub(crate) fn control(op: u32, data: &[u8]) -> Vec<u8> {
    match op {
        CTRL_GET_WINSIZE => {
            let (w, h) = window_size();
            let mut v = w.to_ne_bytes().to_vec();
            v.extend_from_slice(&h.to_ne_bytes());
            v
        }
        CTRL_GET_UNICODE_STATE => vec![UTF8.load(Ordering::SeqCst) as u8],
        CTRL_SET_UNICODE_STATE => match data.first() {
            Some(&m) => vec![UTF8.swap(m != 0, Ordering::SeqCst) as u8],
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The port `id` closed: the terminal gets its settings back.
pub(crate) fn stop(id: u64) {
    let mut g = TTY.lock();
    if g.as_ref().is_some_and(|t| t.port == id) {
        if let Some(t) = g.take() {
            SMODE_SET.store(false, Ordering::SeqCst);
            // SAFETY: the settings read from the terminal at open.
            unsafe { libc::tcsetattr(0, libc::TCSANOW, &t.saved) };
            crate::os_signals::install(libc::SIGWINCH, libc::SIG_DFL);
            crate::os_signals::install(libc::SIGCONT, libc::SIG_DFL);
        }
    }
}

/// At exit: the terminal's settings from before the tty port opened.
pub fn restore() {
    if let Some(t) = TTY.lock().as_ref() {
        crate::report::flush_stdout();
        // SAFETY: the settings read from the terminal at open.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &t.saved) };
    }
}

fn read_loop(port: Arc<Port>, cancel: OwnedFd) {
    let mut buf = [0u8; 1024];
    let mut kept = 0usize;
    loop {
        if port.closed_flag() {
            return;
        }
        let mut fds = [
            libc::pollfd {
                fd: 0,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: cancel.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: `fds` is a valid array of two pollfd structures.
        let r = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if r < 0 {
            continue;
        }
        if fds[1].revents != 0 {
            return;
        }
        if fds[0].revents == 0 {
            continue;
        }
        let n = {
            let mut held = GATE.held.lock();
            while *held {
                GATE.cv.wait(&mut held);
            }
            // Still something to read (the break handler may have read it)?
            let mut p = libc::pollfd {
                fd: 0,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            if unsafe { libc::poll(&mut p, 1, 0) } <= 0 {
                continue;
            }
            // SAFETY: the buffer has `len - kept` bytes of room from `kept`.
            unsafe {
                libc::read(
                    0,
                    buf[kept..].as_mut_ptr() as *mut libc::c_void,
                    buf.len() - kept,
                )
            }
        };
        if n < 0 {
            match std::io::Error::last_os_error().raw_os_error() {
                Some(libc::EINTR) | Some(libc::EAGAIN) => continue,
                e => {
                    port.close(super::errno_atom(e.unwrap_or(libc::EIO)));
                    return;
                }
            }
        }
        if n == 0 {
            if port.mode.soft_eof {
                super::deliver_simple(&port, |_| super::atom("eof"));
            } else {
                port.close(Term::atom(oxbeam_term::atom::am::NORMAL));
            }
            return;
        }
        let total = kept + n as usize;
        port.input.fetch_add(n as u64, Ordering::Relaxed);
        let data = &buf[..total];
        kept = 0;
        let mut out: Vec<u8> = Vec::new();
        if UTF8.load(Ordering::SeqCst) {
            let mut pos = 0;
            let mut bad = false;
            while pos < total {
                match pick_utf8(data, &mut pos) {
                    Ok(_) => {}
                    Err(true) => break,
                    Err(false) => {
                        bad = true;
                        break;
                    }
                }
            }
            if bad {
                // Not a UTF-8 terminal after all.
                UTF8.store(false, Ordering::SeqCst);
                out = latin1_to_utf8(data);
            } else {
                out.extend_from_slice(&data[..pos]);
                let rest = total - pos;
                buf.copy_within(pos..total, 0);
                kept = rest;
            }
        } else {
            out = latin1_to_utf8(data);
        }
        if !out.is_empty() {
            port.deliver_data(&out);
        }
    }
}

fn latin1_to_utf8(b: &[u8]) -> Vec<u8> {
    b.iter()
        .map(|&c| c as char)
        .collect::<String>()
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(cols: usize, cmds: &[&[u8]]) -> String {
        let mut l = Line::new(cols, true);
        for c in cmds {
            l.command(c);
        }
        String::from_utf8_lossy(&l.out).into_owned()
    }

    #[test]
    fn put_and_newline() {
        assert_eq!(run(80, &[b"\x001> ab\ncd"]), "1> ab\r\ncd");
    }

    #[test]
    fn move_insert_delete() {
        // "abc", two left, insert X, then delete the character before.
        let out = run(
            80,
            &[b"\x00abc", b"\x01\xff\xfe", b"\x02X", b"\x03\xff\xff"],
        );
        assert_eq!(out, "abc\x08\x08Xbc\x08\x08\x08bc \x08\x08\x08");
    }

    #[test]
    fn wraps_lazily() {
        assert_eq!(run(4, &[b"\x00abcd"]), "abcd \x08");
        // Moving back over the wrap goes up.
        assert_eq!(
            run(4, &[b"\x00abcde", b"\x01\xff\xfd"]),
            "abcde\x1b[A\x1b[C"
        );
    }

    #[test]
    fn control_and_tab() {
        assert_eq!(run(80, &[b"\x00\x01\t|"]), "^A      |");
        let mut l = Line::new(80, false);
        l.command("\0é".as_bytes());
        assert_eq!(l.out, b"\\351");
    }

    #[test]
    fn sync_answers() {
        let mut l = Line::new(80, true);
        assert!(l.command(b"\x05x"));
        assert!(!l.command(b"\x00x"));
        assert!(!l.command(b""));
    }
}
