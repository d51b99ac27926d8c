//! The timer service: one timer wheel per scheduler (`timer_wheel.rs`), holding receive
//! timeouts and the timers of `erlang:send_after/start_timer`.
//!
//! A timer goes into the wheel of the scheduler that creates it, so creating and firing
//! timers takes no lock another scheduler contends for; cancelling one made on another
//! scheduler locks that scheduler's wheel briefly. Each scheduler fires its own wheel
//! between time slices and sleeps no longer than its next deadline.
//!
//! A timer reference carries its wheel in its id (bit 63 marks timer references, the low
//! bits name the wheel); the wheel maps the reference to its entry.

use super::timer_wheel::{TimerId, TimerWheel};
use crate::process::{Message, Signal};
use oxbeam_term::Atom;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Wheels that exist at most (one per scheduler; `+S` is at most 1024).
const MAX_WHEELS: usize = 1024;
const WHEEL_BITS: u32 = 10;
const TIMER_REF_FLAG: u64 = 1 << 63;

/// Where a BIF timer's message goes.
#[derive(Clone, Copy, Debug)]
pub enum Dest {
    Pid(u64),
    /// Looked up when the timer fires, as in the reference.
    Name(Atom),
}

/// What happens when a timer fires.
pub enum Action {
    /// A `receive ... after` of process `process` timed out; `seq` tells which one.
    ReceiveTimeout { process: u64, seq: u64 },
    /// `send_after` / `start_timer`: deliver `message`.
    Send {
        to: Dest,
        message: Message,
        ref_id: u64,
    },
}

// SAFETY: the message's term points only into its own fragment.
unsafe impl Send for Action {}

/// Identifies a process's pending receive timeout (to cancel it, and to recognise its
/// expiry signal).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ReceiveTimer {
    wheel: u32,
    id: TimerId,
}

/// Hashes reference ids, which are already unique integers.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

struct Wheel {
    timers: TimerWheel<Action>,
    /// BIF timers by reference id.
    by_ref: HashMap<u64, TimerId, BuildHasherDefault<IdHasher>>,
    /// Reference ids of the BIF timers to each process, so that they go when it exits.
    /// Entries of timers that fired or were cancelled are dropped lazily (see
    /// `remember_target`).
    by_pid: HashMap<u64, Vec<u64>, BuildHasherDefault<IdHasher>>,
}

impl Wheel {
    /// Notes that timer `ref_id` sends to process `pid`. A list that reaches a power of
    /// two (from 16) first sheds the timers no longer pending, so a long-lived process
    /// setting timer after timer holds a list as long as its pending ones, amortised
    /// O(1) per timer.
    fn remember_target(&mut self, pid: u64, ref_id: u64) {
        let refs = self.by_pid.entry(pid).or_default();
        if refs.len() >= 16 && refs.len().is_power_of_two() {
            let pending = &self.by_ref;
            refs.retain(|r| pending.contains_key(r));
        }
        refs.push(ref_id);
    }

    /// Cancels every BIF timer to process `pid`.
    fn cancel_all_to(&mut self, pid: u64) {
        for r in self.by_pid.remove(&pid).unwrap_or_default() {
            if let Some(id) = self.by_ref.remove(&r) {
                self.timers.cancel(id);
            }
        }
    }
}

struct Service {
    wheels: Box<[Mutex<Option<Box<Wheel>>>]>,
    /// Per wheel: its earliest deadline in ms (`u64::MAX` if none), read without the lock
    /// by its scheduler between time slices.
    next_due: Box<[AtomicU64]>,
    /// One more than the highest wheel index used.
    used: AtomicUsize,
}

fn service() -> &'static Service {
    static S: OnceLock<Service> = OnceLock::new();
    S.get_or_init(|| Service {
        wheels: (0..MAX_WHEELS).map(|_| Mutex::new(None)).collect(),
        next_due: (0..MAX_WHEELS).map(|_| AtomicU64::new(u64::MAX)).collect(),
        used: AtomicUsize::new(0),
    })
}

/// The current time in whole milliseconds, rounded up: a timer set for T ms at this
/// time never fires before T ms have really passed.
fn now_ms_ceil() -> u64 {
    crate::time::monotonic_ns().div_ceil(1_000_000)
}

/// The current time in milliseconds, rounded down (for firing).
fn now_ms_floor() -> u64 {
    crate::time::monotonic_ns() / 1_000_000
}

/// Converts an absolute Erlang monotonic time in ms to the wheels' time base.
pub fn deadline_from_monotonic_ms(abs_ms: i64) -> u64 {
    let offset_ns = crate::time::monotonic_ns() as i128 - crate::time::erlang_monotonic() as i128;
    let ns = abs_ms as i128 * 1_000_000 + offset_ns;
    let ms = (ns + 999_999).div_euclid(1_000_000);
    ms.clamp(0, u64::MAX as i128) as u64
}

/// Deadline `ms` milliseconds from now.
pub fn deadline_after(ms: u64) -> u64 {
    now_ms_ceil().saturating_add(ms)
}

/// Runs `f` on wheel `index`, creating the wheel first if `create`; `None` if it does
/// not exist.
fn on_wheel<R>(index: usize, create: bool, f: impl FnOnce(&mut Wheel) -> R) -> Option<R> {
    let s = service();
    let mut guard = s.wheels[index].lock();
    if guard.is_none() {
        if !create {
            return None;
        }
        s.used.fetch_max(index + 1, Ordering::Relaxed);
        *guard = Some(Box::new(Wheel {
            timers: TimerWheel::new(now_ms_floor()),
            by_ref: HashMap::default(),
            by_pid: HashMap::default(),
        }));
    }
    let wheel = guard.as_mut()?;
    let r = f(wheel);
    let next = wheel.timers.next_deadline().unwrap_or(u64::MAX);
    s.next_due[index].store(next, Ordering::Release);
    Some(r)
}

/// The wheel of the calling scheduler thread (wheel 0 elsewhere).
fn my_wheel() -> usize {
    super::runq::current_scheduler().unwrap_or(0) % MAX_WHEELS
}

/// Starts receive timeout number `seq` of process `process`, due at `deadline` (ms,
/// wheel time base). Its expiry reaches the process as `Signal::Timeout(seq)`.
pub fn start_receive_timeout(process: u64, seq: u64, deadline: u64) -> ReceiveTimer {
    let wheel = my_wheel();
    let id = on_wheel(wheel, true, |w| {
        w.timers
            .insert(deadline, Action::ReceiveTimeout { process, seq })
    })
    .expect("wheel was created");
    super::runq::timer_added(wheel);
    ReceiveTimer {
        wheel: wheel as u32,
        id,
    }
}

/// Cancels a receive timeout (it may have fired already; its signal is then ignored).
pub fn cancel_receive_timeout(t: ReceiveTimer) {
    on_wheel(t.wheel as usize, false, |w| {
        w.timers.cancel(t.id);
    });
}

/// Starts a `send_after`/`start_timer` timer; `make_message` builds the message given
/// the timer reference id. Returns the reference id.
pub fn start_timer(deadline: u64, to: Dest, make_message: impl FnOnce(u64) -> Message) -> u64 {
    let wheel = my_wheel();
    let ref_id = timer_ref(wheel);
    let message = make_message(ref_id);
    on_wheel(wheel, true, |w| {
        let id = w.timers.insert(
            deadline,
            Action::Send {
                to,
                message,
                ref_id,
            },
        );
        w.by_ref.insert(ref_id, id);
        if let Dest::Pid(pid) = to {
            w.remember_target(pid, ref_id);
        }
    });
    super::runq::timer_added(wheel);
    ref_id
}

/// The bit for the wheel of timer `ref_id` in a process's set of wheels holding its
/// timers (`Process::timer_wheels`, `Slot::timer_wheels`).
pub fn wheel_bit(ref_id: u64) -> u64 {
    wheel_of_ref(ref_id).map_or(0, |w| 1 << (w % 64))
}

/// Cancels the BIF timers to process `pid` (which exited) in the wheels `wheels` names
/// (bit `wheel % 64`), as the reference does: their messages would go nowhere.
pub fn cancel_all_to(pid: u64, wheels: u64) {
    if wheels == 0 {
        return;
    }
    let used = service().used.load(Ordering::Relaxed);
    for index in (0..used).filter(|i| wheels & (1 << (i % 64)) != 0) {
        on_wheel(index, false, |w| w.cancel_all_to(pid));
    }
}

/// A reference id that no timer has (the timer of a `send_after` to a dead process).
pub fn dead_timer_ref() -> u64 {
    timer_ref(MAX_WHEELS - 1)
}

/// A new timer reference id naming `wheel`. One counter for all of them, so no two
/// timer references are equal (a dead one cannot cancel a live one).
fn timer_ref(wheel: usize) -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    TIMER_REF_FLAG | (NEXT.fetch_add(1, Ordering::Relaxed) << WHEEL_BITS) | wheel as u64
}

fn wheel_of_ref(ref_id: u64) -> Option<usize> {
    (ref_id & TIMER_REF_FLAG != 0).then_some((ref_id & ((1 << WHEEL_BITS) - 1)) as usize)
}

/// Milliseconds left until `deadline`.
fn remaining(deadline: u64) -> u64 {
    deadline.saturating_sub(now_ms_ceil())
}

/// Whether the timer's message can still be delivered: a timer to a process that exited
/// is cancelled with it, as in the reference.
fn target_alive(a: &Action) -> bool {
    match a {
        Action::Send {
            to: Dest::Pid(id), ..
        } => super::slot(*id).is_some(),
        _ => true,
    }
}

/// Cancels the timer with reference id `ref_id`: the milliseconds it had left, or `None`
/// if it fired, was cancelled, or never existed.
pub fn cancel(ref_id: u64) -> Option<u64> {
    let wheel = wheel_of_ref(ref_id)?;
    on_wheel(wheel, false, |w| {
        let id = w.by_ref.remove(&ref_id)?;
        let (deadline, action) = w.timers.cancel(id)?;
        target_alive(&action).then(|| remaining(deadline))
    })?
}

/// The milliseconds left of timer `ref_id`, or `None` if it is not pending.
pub fn read(ref_id: u64) -> Option<u64> {
    let wheel = wheel_of_ref(ref_id)?;
    on_wheel(wheel, false, |w| {
        let id = *w.by_ref.get(&ref_id)?;
        if !target_alive(w.timers.get(id)?) {
            w.by_ref.remove(&ref_id);
            w.timers.cancel(id);
            return None;
        }
        w.timers.deadline(id).map(remaining)
    })?
}

/// Fires the due timers of scheduler `me`'s wheel (and, for scheduler 0, of wheels no
/// running scheduler owns). Returns the earliest pending deadline of those wheels, in
/// monotonic nanoseconds.
pub fn fire_due(me: usize, schedulers: usize) -> Option<u64> {
    let s = service();
    let used = s.used.load(Ordering::Relaxed);
    let mut next = u64::MAX;
    let mut fire_wheel = |index: usize| {
        // Read the clock only when something is pending: this runs between every two
        // time slices.
        let due = s.next_due[index].load(Ordering::Acquire);
        let now = if due == u64::MAX { 0 } else { now_ms_floor() };
        if due <= now {
            let mut fired = Vec::new();
            on_wheel(index, false, |w| {
                w.timers.advance(now, &mut fired);
                for a in &fired {
                    if let Action::Send { ref_id, to, .. } = a {
                        w.by_ref.remove(ref_id);
                        // Set while its target was exiting: the exit found no timer.
                        if let Dest::Pid(pid) = to {
                            if !target_alive(a) {
                                w.by_pid.remove(pid);
                            }
                        }
                    }
                }
            });
            for a in fired {
                act(a);
            }
        }
        next = next.min(s.next_due[index].load(Ordering::Acquire));
    };
    if me < used {
        fire_wheel(me);
    }
    if me == 0 {
        for index in schedulers.max(1)..used {
            fire_wheel(index);
        }
    }
    (next != u64::MAX).then(|| next.saturating_mul(1_000_000))
}

/// True if any wheel has a pending timer.
pub fn any_pending() -> bool {
    let s = service();
    let used = s.used.load(Ordering::Relaxed);
    (0..used).any(|i| s.next_due[i].load(Ordering::Acquire) != u64::MAX)
}

fn act(a: Action) {
    match a {
        Action::ReceiveTimeout { process, seq } => {
            if let Some(s) = super::slot(process) {
                s.inbox.lock().push_back(Signal::Timeout(seq));
                super::wake(&s);
            }
        }
        Action::Send { to, message, .. } => {
            let id = match to {
                Dest::Pid(id) => Some(id),
                Dest::Name(name) => super::whereis(name),
            };
            if let Some(id) = id {
                super::deliver(id, message);
            }
        }
    }
}
