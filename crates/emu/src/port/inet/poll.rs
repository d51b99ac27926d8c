//! One thread waits for every socket of the inet driver (epoll through the `polling`
//! crate) and for the deadlines of their timed operations (`recv/3`, `accept/2`,
//! `connect/4`). Interest is one-shot: a socket is armed for what it waits for now
//! (data for an active socket or a pending `recv`, a connection for a pending
//! `accept`, room for queued output, the end of a `connect`), and the socket's own
//! code re-arms it after handling an event. Sockets are keyed by their port number,
//! which is never reused, so an event for a closed socket finds nothing.

use super::sys::Fd;
use parking_lot::Mutex;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

struct Loop {
    poller: polling::Poller,
    /// (when, port, operation reference).
    deadlines: Mutex<BinaryHeap<Reverse<(Instant, u64, u16)>>>,
}

fn the_loop() -> Option<&'static Loop> {
    static LOOP: OnceLock<Option<Loop>> = OnceLock::new();
    LOOP.get_or_init(|| {
        let poller = polling::Poller::new().ok()?;
        let started = crate::port::io::spawn_thread("inet-poll", run);
        started.then(|| Loop {
            poller,
            deadlines: Mutex::new(BinaryHeap::new()),
        })
    })
    .as_ref()
}

/// Adds socket `fd` of port `port` to the loop, not armed yet.
pub fn register(fd: &Fd, port: u64) -> Result<(), i32> {
    let l = the_loop().ok_or(libc::ENOMEM)?;
    // SAFETY: the socket stays open until `deregister` removes it (Socket::close
    // does so before dropping the descriptor).
    unsafe { l.poller.add(fd.raw(), polling::Event::none(port as usize)) }
        .map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))
}

/// Arms socket `fd` of port `port` for one event of the kinds asked.
pub fn arm(fd: &Fd, port: u64, read: bool, write: bool) {
    if let Some(l) = the_loop() {
        let _ = l.poller.modify(
            fd.borrowed(),
            polling::Event::new(port as usize, read, write),
        );
    }
}

pub fn deregister(fd: &Fd) {
    if let Some(l) = the_loop() {
        let _ = l.poller.delete(fd.borrowed());
    }
}

/// Operation `reference` of port `port` times out at `at` (unless done by then).
pub fn add_deadline(at: Instant, port: u64, reference: u16) {
    if let Some(l) = the_loop() {
        l.deadlines.lock().push(Reverse((at, port, reference)));
        let _ = l.poller.notify();
    }
}

fn run() {
    // Waits for the initialisation that started this thread to finish.
    let Some(l) = the_loop() else {
        return;
    };
    let mut events = polling::Events::new();
    loop {
        let timeout = l
            .deadlines
            .lock()
            .peek()
            .map(|Reverse((at, _, _))| at.saturating_duration_since(Instant::now()));
        events.clear();
        if l.poller.wait(&mut events, timeout).is_err() {
            std::thread::sleep(Duration::from_millis(1));
            continue;
        }
        for ev in events.iter() {
            let port = ev.key as u64;
            guarded(port, || {
                if let Some(sock) = super::socket_of(port) {
                    sock.ready(ev.readable, ev.writable);
                }
            });
        }
        let now = Instant::now();
        loop {
            let due = {
                let mut d = l.deadlines.lock();
                match d.peek() {
                    Some(Reverse((at, _, _))) if *at <= now => d.pop(),
                    _ => None,
                }
            };
            let Some(Reverse((_, port, reference))) = due else {
                break;
            };
            guarded(port, || {
                if let Some(sock) = super::socket_of(port) {
                    sock.timed_out(reference);
                }
            });
        }
    }
}

/// Runs `f` for port `port`; a bug that panics there ends that port (with reason
/// `einval`) instead of the thread every socket depends on.
fn guarded(port: u64, f: impl FnOnce()) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err() {
        if let Some(p) = crate::port::get(port) {
            p.close(oxbeam_term::Term::atom(oxbeam_term::Atom::from_str(
                "einval",
            )));
        }
    }
}
