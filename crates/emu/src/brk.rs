//! The emulator's break handler (Ctrl-C, SIGINT) and the terminal settings the VM
//! found at start.
//!
//! As in the reference, SIGINT brings up the BREAK menu: the terminal gets its
//! settings from start-up back (canonical mode and echo, so the answer is a line), one
//! answer is read from standard input, and the settings in force before (the shell's
//! raw mode) come back afterwards. `a` (and `q`, or end of input) exits at once with
//! status 0, `c` continues, `v` prints the emulator version, `l` the loaded modules,
//! `p` the processes (pid, state and name), `i` a few counts; `A`, `k`, `D` and `d` are
//! described in docs/compatibility.md. Unlike the reference, the other threads are not
//! stopped while the menu is up (the shell's reader is: it leaves the answer alone).
//!
//! `+Bd` leaves SIGINT to its default action (the VM dies of it), `+Bi` ignores SIGINT,
//! SIGQUIT and SIGTSTP, and `+Bc` turns the terminal's interrupt, quit and suspend
//! characters off, so that Ctrl-C reaches the shell as a character (`user_drv` then
//! interrupts the current shell).

use parking_lot::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};

/// How Ctrl-C is handled (`+B` flags).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum BreakMode {
    /// The BREAK menu.
    #[default]
    Menu,
    /// `+Bd`: no break handler.
    Disabled,
    /// `+Bi`: break signals ignored.
    Ignore,
    /// `+Bc`: the menu for SIGINT, and the terminal's Ctrl-C goes to the shell.
    ReplaceIntr,
}

static IGNORED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `erlang:system_info(break_ignored)`: `+Bi` was given.
pub fn break_ignored() -> bool {
    IGNORED.load(Ordering::Relaxed)
}

static INITIAL: Mutex<Option<libc::termios>> = Mutex::new(None);
/// The write end of the pipe the SIGINT handler wakes the break thread with.
static WAKE: AtomicI32 = AtomicI32::new(-1);

const MENU: &str = "\nBREAK: (a)bort (A)bort with dump (c)ontinue (p)roc info (i)nfo\n       \
                    (l)oaded (v)ersion (k)ill (D)b-tables (d)istribution\n";

fn is_tty(fd: i32) -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(fd) == 1 }
}

fn get_mode() -> Option<libc::termios> {
    // SAFETY: a zeroed termios is a valid buffer for tcgetattr to fill.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: tcgetattr fills `t` for descriptor 0.
    (unsafe { libc::tcgetattr(0, &mut t) } == 0).then_some(t)
}

fn set_mode(t: &libc::termios) {
    // SAFETY: `t` is a complete termios read from the terminal.
    unsafe { libc::tcsetattr(0, libc::TCSANOW, t) };
}

extern "C" fn on_sigint(_: libc::c_int) {
    let fd = WAKE.load(Ordering::SeqCst);
    if fd >= 0 {
        let b = 1u8;
        // SAFETY: write is async-signal-safe; one byte from a valid buffer.
        unsafe { libc::write(fd, &b as *const u8 as *const libc::c_void, 1) };
    }
}

/// At VM start: records the terminal's settings and sets Ctrl-C up as `mode` says.
pub fn init(mode: BreakMode) {
    if is_tty(0) {
        *INITIAL.lock() = get_mode();
    }
    match mode {
        BreakMode::Disabled => return,
        BreakMode::Ignore => {
            IGNORED.store(true, Ordering::Relaxed);
            for sig in [libc::SIGINT, libc::SIGQUIT, libc::SIGTSTP] {
                crate::os_signals::install(sig, libc::SIG_IGN);
            }
            return;
        }
        BreakMode::ReplaceIntr => {
            if let Some(mut t) = get_mode().filter(|_| is_tty(0)) {
                t.c_cc[libc::VINTR] = 0;
                t.c_cc[libc::VQUIT] = 0;
                t.c_cc[libc::VSUSP] = 0;
                set_mode(&t);
            }
        }
        BreakMode::Menu => {}
    }
    let mut fds = [0i32; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return;
    }
    WAKE.store(fds[1], Ordering::SeqCst);
    let read_end = fds[0];
    let started = std::thread::Builder::new()
        .name("break".into())
        .stack_size(256 * 1024)
        .spawn(move || loop {
            let mut b = [0u8; 16];
            // SAFETY: reads into a valid buffer from the pipe this thread owns.
            let n = unsafe { libc::read(read_end, b.as_mut_ptr() as *mut libc::c_void, 16) };
            if n > 0 {
                do_break();
            } else if n == 0 {
                return;
            }
        })
        .is_ok();
    if started {
        crate::os_signals::install(
            libc::SIGINT,
            on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }
}

/// At exit: the terminal's settings from start-up back (the reference resets them
/// whenever standard input is a terminal).
pub fn restore_terminal() {
    crate::report::flush_stdout();
    crate::port::tty::restore();
    if let Some(t) = INITIAL.lock().as_ref() {
        set_mode(t);
    }
}

fn print(s: &str) {
    crate::report::write_stdout(s.as_bytes());
    crate::report::flush_stdout();
}

/// Exits the VM at once, as the reference's `erts_exit` does from the menu.
fn exit_now(code: i32) -> ! {
    restore_terminal();
    std::process::exit(code)
}

/// One key from standard input (the first byte of what one read gives); 0 or less at
/// end of input or on an error.
fn get_key() -> i32 {
    crate::report::flush_stdout();
    let mut p = libc::pollfd {
        fd: 0,
        events: libc::POLLIN,
        revents: 0,
    };
    loop {
        // SAFETY: one valid pollfd.
        let r = unsafe { libc::poll(&mut p, 1, -1) };
        if r < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        }
        break;
    }
    let mut buf = [0u8; 64];
    loop {
        // SAFETY: reads into a valid 64-byte buffer.
        let n = unsafe { libc::read(0, buf.as_mut_ptr() as *mut libc::c_void, 64) };
        if n < 0 {
            match std::io::Error::last_os_error().raw_os_error() {
                Some(libc::EAGAIN) | Some(libc::EINTR) => continue,
                _ => return -1,
            }
        }
        if n == 0 {
            return 0;
        }
        return buf[0] as i32;
    }
}

fn do_break() {
    let gate = &crate::port::tty::GATE;
    gate.take();
    let saved = if is_tty(0) {
        let now = get_mode();
        if let Some(t) = INITIAL.lock().as_ref() {
            set_mode(t);
        }
        now
    } else {
        None
    };
    print(MENU);
    loop {
        let key = get_key();
        if key <= 0 {
            exit_now(0);
        }
        match key as u8 {
            b'q' | b'a' | b'*' => exit_now(0),
            b'A' => {
                print("\nCrash dump requested by user\n");
                exit_now(1);
            }
            b'c' | b'm' | b'k' | b'D' | b'd' | b'o' => {}
            b'p' => print(&proc_info()),
            b'i' => print(&info()),
            b'l' => print(&loaded()),
            b'v' => print(&format!(
                "Erlang (BEAM) emulator version {}\n",
                crate::bifs::system::ERTS_VERSION
            )),
            b'\n' => continue,
            _ => {
                print("Eh?\n\n");
                continue;
            }
        }
        break;
    }
    crate::report::flush_stdout();
    if let Some(t) = saved {
        set_mode(&t);
    }
    gate.release();
}

fn pid_text(id: u64) -> String {
    format!("<0.{}.{}>", id & 0x7fff, id >> 15)
}

fn proc_info() -> String {
    let mut s = String::new();
    for id in crate::sched::all_pids() {
        let Some(slot) = crate::sched::slot(id) else {
            continue;
        };
        let state = format!("{:?}", *slot.status.lock());
        s.push_str(&format!("=proc:{}\nState: {state}\n", pid_text(id)));
        if let Some(name) = crate::sched::registered_name_of(id) {
            s.push_str(&format!("Name: {}\n", name.name()));
        }
    }
    s
}

fn loaded() -> String {
    let mut s = String::new();
    for m in crate::code::loaded_modules() {
        s.push_str(m.name());
        s.push('\n');
    }
    s
}

fn info() -> String {
    format!(
        "=info\nprocesses: {}\nports: {}\nmodules: {}\n",
        crate::sched::process_count(),
        crate::port::count(),
        crate::code::loaded_modules().len()
    )
}
