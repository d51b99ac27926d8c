//! OS signals handed to Erlang code, as the reference does: a signal whose disposition
//! is `handle` (`os:set_signal/2`; SIGTERM's from the start) becomes the event
//! `{notify, Name}` sent to the process registered as `erl_signal_server` (kernel's
//! gen_event, whose `erl_signal_handler` stops the node in order on `sigterm`).
//! `default` gives the signal its default action back, `ignore` ignores it.
//!
//! The handler only writes the signal number to a pipe; a thread reads it and sends
//! the event. When no `erl_signal_server` is registered (before kernel starts it, or
//! under `--builtin-init`), the signal takes its default action instead, so that
//! SIGTERM (`timeout`, `kill`) still ends a VM that has no kernel.

use oxbeam_term::{Atom, Term};
use std::sync::atomic::{AtomicI32, Ordering};

/// The write end of the pipe the handler passes signal numbers through.
static WAKE: AtomicI32 = AtomicI32::new(-1);

/// The signals `os:set_signal/2` takes, by their Erlang names.
const SIGNALS: &[(&str, libc::c_int)] = &[
    ("sighup", libc::SIGHUP),
    ("sigquit", libc::SIGQUIT),
    ("sigabrt", libc::SIGABRT),
    ("sigalrm", libc::SIGALRM),
    ("sigterm", libc::SIGTERM),
    ("sigusr1", libc::SIGUSR1),
    ("sigusr2", libc::SIGUSR2),
    ("sigchld", libc::SIGCHLD),
    ("sigstop", libc::SIGSTOP),
    ("sigtstp", libc::SIGTSTP),
];

/// What to do with a signal (`os:set_signal/2`'s options).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Disposition {
    Default,
    Handle,
    Ignore,
}

/// The signal number of an Erlang signal name.
pub fn number(name: &str) -> Option<libc::c_int> {
    SIGNALS.iter().find(|(n, _)| *n == name).map(|&(_, s)| s)
}

fn name_of(sig: libc::c_int) -> Option<&'static str> {
    SIGNALS.iter().find(|&&(_, s)| s == sig).map(|&(n, _)| n)
}

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = WAKE.load(Ordering::SeqCst);
    if fd >= 0 {
        let b = sig as u8;
        // SAFETY: write is async-signal-safe; one byte from a valid buffer.
        unsafe { libc::write(fd, &b as *const u8 as *const libc::c_void, 1) };
    }
}

/// Installs `handler` (an async-signal-safe function, `SIG_DFL` or `SIG_IGN`) for `sig`,
/// restarting interrupted system calls. Shared by the BREAK menu and the tty driver.
pub(crate) fn install(sig: libc::c_int, handler: libc::sighandler_t) {
    // SAFETY: a zeroed sigaction with an async-signal-safe handler (or a default or
    // ignore disposition) is valid to install; an uncatchable signal (SIGSTOP) makes
    // sigaction fail, and nothing changes.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = handler;
        sa.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(sig, &sa, std::ptr::null_mut());
    }
}

/// Sets what `sig` does. `Handle` needs [`init`] to have run (else the signal keeps
/// its default action).
pub fn set(sig: libc::c_int, d: Disposition) {
    match d {
        Disposition::Default => install(sig, libc::SIG_DFL),
        Disposition::Ignore => install(sig, libc::SIG_IGN),
        Disposition::Handle if WAKE.load(Ordering::SeqCst) >= 0 => install(
            sig,
            on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t,
        ),
        Disposition::Handle => install(sig, libc::SIG_DFL),
    }
}

/// At VM start: the thread that forwards signals, and SIGTERM handled.
pub fn init() {
    let mut fds = [0i32; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return;
    }
    let read_end = fds[0];
    let started = std::thread::Builder::new()
        .name("signals".into())
        .stack_size(256 * 1024)
        .spawn(move || loop {
            let mut b = [0u8; 16];
            // SAFETY: reads into a valid buffer from the pipe this thread owns.
            let n = unsafe { libc::read(read_end, b.as_mut_ptr() as *mut libc::c_void, 16) };
            if n > 0 {
                for &sig in &b[..n as usize] {
                    forward(sig as libc::c_int);
                }
            } else if n == 0 {
                return;
            }
        })
        .is_ok();
    if started {
        WAKE.store(fds[1], Ordering::SeqCst);
        set(libc::SIGTERM, Disposition::Handle);
    }
}

/// Sends `{notify, Name}` to `erl_signal_server`, or, without one, lets the signal
/// take its default action.
fn forward(sig: libc::c_int) {
    let Some(name) = name_of(sig) else { return };
    match crate::sched::whereis(Atom::from_str("erl_signal_server")) {
        Some(id) => {
            let mut f = crate::heap::Fragment::new(3);
            let msg = crate::object::make_tuple(
                &mut f,
                &[
                    Term::atom(Atom::from_str("notify")),
                    Term::atom(Atom::from_str(name)),
                ],
            );
            crate::sched::deliver(
                id,
                crate::process::Message {
                    term: msg,
                    frag: Some(f),
                },
            );
        }
        // The default action of these is to ignore the signal or stop the process:
        // nothing to do here.
        None if matches!(sig, libc::SIGCHLD | libc::SIGTSTP | libc::SIGSTOP) => {}
        None => {
            crate::brk::restore_terminal();
            set(sig, Disposition::Default);
            // SAFETY: raise sends the signal to this process; its default action (the
            // end of the process) runs.
            unsafe { libc::raise(sig) };
        }
    }
}
