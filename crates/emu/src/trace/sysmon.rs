//! System monitoring (`erlang:system_monitor/0,1,2`) and system profiling
//! (`erlang:system_profile/0,2`).
//!
//! One process system-wide (the monitor) gets `{monitor, Pid, Event, Info}` messages
//! about long garbage collections, large heaps and long time slices; one process (the
//! profiler) gets `{profile, ...}` messages when processes become runnable or stop
//! being runnable and when schedulers go to sleep or wake up. Both settings are cleared
//! when their process exits (an exit hook, see `sched::exit_hooks`).
//!
//! While neither is set, the paths that report (a collection, a time slice, a process
//! waking up, waiting, spawning or exiting, a scheduler going idle) pay one relaxed
//! atomic load each; everything else is in `#[cold]` functions.
//!
//! Events of the monitor itself are not reported to it, and neither are those of the
//! profiler to the profiler, as in the reference (where they would feed on themselves).
//! There are no ports, so `busy_port`, `busy_dist_port`, `runnable_ports` and
//! `exclusive` are accepted and never report anything.

use crate::heap::Fragment;
use crate::object::*;
use crate::ops::Op;
use crate::process::{Message, Process};
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn atom(s: &str) -> Term {
    Term::atom(Atom::from_str(s))
}

// ---------------------------------------------------------------- system monitor

/// `WATCH` bits: what the monitor asked to be told about.
pub const LONG_GC: u32 = 1 << 0;
pub const LARGE_HEAP: u32 = 1 << 1;
pub const LONG_SCHEDULE: u32 = 1 << 2;

/// The events watched (0: no monitor).
static WATCH: AtomicU32 = AtomicU32::new(0);
/// The monitor process's id.
static MONITOR: AtomicU64 = AtomicU64::new(0);
static LONG_GC_MS: AtomicU64 = AtomicU64::new(0);
static LARGE_HEAP_WORDS: AtomicU64 = AtomicU64::new(0);
static LONG_SCHEDULE_MS: AtomicU64 = AtomicU64::new(0);

/// The settings of `erlang:system_monitor/2` (a limit of 0 is off).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MonitorSettings {
    pub monitor: u64,
    pub long_gc: u64,
    pub long_schedule: u64,
    pub large_heap: u64,
    pub busy_port: bool,
    pub busy_dist_port: bool,
}

/// The current settings (`None`: no monitor). Changes are serialized by this lock.
static MONITOR_SETTINGS: Mutex<Option<MonitorSettings>> = Mutex::new(None);

/// The current monitor settings.
pub fn monitor_settings() -> Option<MonitorSettings> {
    *MONITOR_SETTINGS.lock()
}

/// Replaces the monitor settings (`None` clears them); returns the previous ones.
pub fn set_monitor(new: Option<MonitorSettings>) -> Option<MonitorSettings> {
    let mut cur = MONITOR_SETTINGS.lock();
    let old = std::mem::replace(&mut *cur, new);
    let s = new.unwrap_or_default();
    // Off first, so that no event sees a half-changed setting with the old monitor.
    WATCH.store(0, Ordering::Release);
    MONITOR.store(s.monitor, Ordering::Release);
    LONG_GC_MS.store(s.long_gc, Ordering::Release);
    LARGE_HEAP_WORDS.store(s.large_heap, Ordering::Release);
    LONG_SCHEDULE_MS.store(s.long_schedule, Ordering::Release);
    let mut watch = 0;
    if new.is_some() {
        if s.long_gc != 0 {
            watch |= LONG_GC;
        }
        if s.large_heap != 0 {
            watch |= LARGE_HEAP;
        }
        if s.long_schedule != 0 {
            watch |= LONG_SCHEDULE;
        }
    }
    WATCH.store(watch, Ordering::Release);
    drop(cur);
    if let Some(s) = new {
        watch_exit(s.monitor);
    }
    old
}

/// Whether collections are watched (long_gc or large_heap).
#[inline]
pub fn watching_gc() -> bool {
    WATCH.load(Ordering::Relaxed) & (LONG_GC | LARGE_HEAP) != 0
}

/// Whether time slices are watched (long_schedule).
#[inline]
pub fn watching_schedule() -> bool {
    WATCH.load(Ordering::Relaxed) & LONG_SCHEDULE != 0
}

/// Whole milliseconds in `d`.
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// After a collection of `p` that took `took`: `long_gc` and `large_heap` reports.
#[cold]
pub fn after_gc(p: &Process, took: Duration) {
    let watch = WATCH.load(Ordering::Acquire);
    let monitor = MONITOR.load(Ordering::Acquire);
    if watch == 0 || monitor == p.id {
        return;
    }
    let h = &p.heap;
    let sizes = [
        ("old_heap_block_size", h.old_size() as u64),
        ("heap_block_size", h.young_size() as u64),
        ("mbuf_size", h.frag_words() as u64),
        ("stack_size", h.stack_used() as u64),
        ("old_heap_size", h.old_used() as u64),
        ("heap_size", h.heap_used() as u64),
    ];
    let ms = millis(took);
    if watch & LONG_GC != 0 && ms > 0 && ms > LONG_GC_MS.load(Ordering::Relaxed) {
        let mut items = vec![("timeout", ms)];
        items.extend_from_slice(&sizes);
        report(monitor, p.pid, "long_gc", &items);
    }
    if watch & LARGE_HEAP != 0
        && (h.young_size() + h.old_size()) as u64 >= LARGE_HEAP_WORDS.load(Ordering::Relaxed)
    {
        report(monitor, p.pid, "large_heap", &sizes);
    }
}

/// Sends `{monitor, Pid, Tag, [{Key, Value}...]}` to the monitor.
fn report(monitor: u64, pid: Term, tag: &str, items: &[(&str, u64)]) {
    let mut f = Fragment::new(5 + items.len() * 8);
    let pairs: Vec<Term> = items
        .iter()
        .map(|&(k, v)| {
            let v = make_u64(&mut f, v);
            make_tuple(&mut f, &[atom(k), v])
        })
        .collect();
    let list = list_from_iter(&mut f, &pairs, Term::NIL);
    let msg = make_tuple(&mut f, &[Term::atom(am::MONITOR), pid, atom(tag), list]);
    send_to(monitor, msg, f);
}

fn send_to(id: u64, term: Term, frag: Fragment) {
    crate::sched::deliver(
        id,
        Message {
            term,
            frag: Some(frag),
        },
    );
}

/// Where a time slice started (see `after_slice`).
pub struct SliceStart {
    at: Instant,
    ip: *const Op,
}

impl SliceStart {
    #[cold]
    pub fn new(p: &Process) -> SliceStart {
        SliceStart {
            at: Instant::now(),
            ip: p.ip,
        }
    }
}

/// After a time slice of `p` that started at `start`: the `long_schedule` report.
#[cold]
pub fn after_slice(p: &Process, start: SliceStart) {
    let ms = millis(start.at.elapsed());
    if ms == 0 || ms <= LONG_SCHEDULE_MS.load(Ordering::Relaxed) {
        return;
    }
    let monitor = MONITOR.load(Ordering::Acquire);
    if WATCH.load(Ordering::Acquire) & LONG_SCHEDULE == 0 || monitor == p.id {
        return;
    }
    let mut f = Fragment::new(40);
    let timeout = make_u64(&mut f, ms);
    let t = make_tuple(&mut f, &[atom("timeout"), timeout]);
    let in_loc = location(&mut f, start.ip);
    let i = make_tuple(&mut f, &[atom("in"), in_loc]);
    let out_loc = location(&mut f, p.ip);
    let o = make_tuple(&mut f, &[atom("out"), out_loc]);
    let list = list_from_iter(&mut f, &[t, i, o], Term::NIL);
    let msg = make_tuple(
        &mut f,
        &[Term::atom(am::MONITOR), p.pid, atom("long_schedule"), list],
    );
    send_to(monitor, msg, f);
}

/// The function containing the instruction at `ip`, if any.
pub fn mfa_at(ip: *const Op) -> Option<(Atom, Atom, u32)> {
    if ip.is_null() {
        return None;
    }
    let m = crate::code::module_of_addr(ip)?;
    let f = m.function_at(m.index_of(ip))?;
    Some((m.name, f.name, f.arity))
}

/// `{M, F, A}` of the function at `ip`, or `undefined`.
fn location(f: &mut Fragment, ip: *const Op) -> Term {
    match mfa_at(ip) {
        Some((m, fun, a)) => {
            make_tuple(f, &[Term::atom(m), Term::atom(fun), Term::small(a as i64)])
        }
        None => Term::atom(am::UNDEFINED),
    }
}

// ---------------------------------------------------------------- system profile

/// `PROFILE` bits.
pub const RUNNABLE_PROCS: u32 = 1 << 0;
pub const RUNNABLE_PORTS: u32 = 1 << 1;
pub const SCHEDULER: u32 = 1 << 2;
pub const EXCLUSIVE: u32 = 1 << 3;
/// Set whenever a profiler is (the other bits may all be clear).
const ON: u32 = 1 << 4;

/// The profile options (0: no profiler).
static PROFILE: AtomicU32 = AtomicU32::new(0);
static PROFILER: AtomicU64 = AtomicU64::new(0);
/// The kind of timestamp in profile messages.
static PROFILE_STAMP: AtomicU32 = AtomicU32::new(0);
/// Schedulers awake, as the `scheduler` messages count them.
static ACTIVE_SCHEDULERS: AtomicUsize = AtomicUsize::new(0);

/// Timestamps of profile messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Stamp {
    /// `{MegaSecs, Secs, MicroSecs}` (the default).
    #[default]
    Timestamp,
    /// Erlang monotonic time in nanoseconds.
    Monotonic,
    /// `{Monotonic, UniqueInteger}`.
    StrictMonotonic,
}

/// The settings of `erlang:system_profile/2`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProfileSettings {
    pub profiler: u64,
    /// `RUNNABLE_PROCS`, `RUNNABLE_PORTS`, `SCHEDULER`, `EXCLUSIVE`.
    pub options: u32,
    pub stamp: Stamp,
}

static PROFILE_SETTINGS: Mutex<Option<ProfileSettings>> = Mutex::new(None);

pub fn profile_settings() -> Option<ProfileSettings> {
    *PROFILE_SETTINGS.lock()
}

/// Replaces the profile settings (`None` clears them); returns the previous ones.
pub fn set_profile(new: Option<ProfileSettings>) -> Option<ProfileSettings> {
    let mut cur = PROFILE_SETTINGS.lock();
    let old = std::mem::replace(&mut *cur, new);
    PROFILE.store(0, Ordering::Release);
    if let Some(s) = new {
        PROFILER.store(s.profiler, Ordering::Release);
        PROFILE_STAMP.store(s.stamp as u32, Ordering::Release);
        if s.options & SCHEDULER != 0 {
            let awake = crate::sched::schedulers_online()
                .saturating_sub(crate::sched::runq::sleeping_schedulers());
            ACTIVE_SCHEDULERS.store(awake, Ordering::Release);
        }
        PROFILE.store(s.options | ON, Ordering::Release);
    } else {
        PROFILER.store(0, Ordering::Release);
    }
    drop(cur);
    if let Some(s) = new {
        watch_exit(s.profiler);
    }
    old
}

/// Whether processes' runnability is profiled.
#[inline]
pub fn profiling_procs() -> bool {
    PROFILE.load(Ordering::Relaxed) & RUNNABLE_PROCS != 0
}

/// Whether schedulers' activity is profiled.
#[inline]
pub fn profiling_schedulers() -> bool {
    PROFILE.load(Ordering::Relaxed) & SCHEDULER != 0
}

fn profile_stamp(f: &mut Fragment) -> Term {
    match PROFILE_STAMP.load(Ordering::Relaxed) {
        1 => make_i64(f, crate::time::erlang_monotonic()),
        2 => {
            let mono = make_i64(f, crate::time::erlang_monotonic());
            let unique = make_i64(f, crate::bifs::system::next_unique_integer());
            make_tuple(f, &[mono, unique])
        }
        _ => {
            let us = crate::bifs::system::unique_now_us();
            make_tuple(
                f,
                &[
                    Term::small(us / 1_000_000_000_000),
                    Term::small((us / 1_000_000) % 1_000_000),
                    Term::small(us % 1_000_000),
                ],
            )
        }
    }
}

/// What a process-profile message says the process is running.
pub enum Where {
    /// In a function (`None`: none known, `undefined`).
    Mfa(Option<(Atom, Atom, u32)>),
    /// Exiting: `0`, as the reference reports it.
    Exiting,
}

/// Sends `{profile, Pid, active | inactive, Mfa, Ts}` about process `id` (not if it is
/// the profiler).
#[cold]
pub fn process_event(id: u64, active: bool, at: Where) {
    let profiler = PROFILER.load(Ordering::Acquire);
    if profiler == id || !profiling_procs() {
        return;
    }
    let mut f = Fragment::new(32);
    let mfa = match at {
        Where::Mfa(Some((m, fun, a))) => make_tuple(
            &mut f,
            &[Term::atom(m), Term::atom(fun), Term::small(a as i64)],
        ),
        Where::Mfa(None) => Term::atom(am::UNDEFINED),
        Where::Exiting => Term::small(0),
    };
    let ts = profile_stamp(&mut f);
    let state = atom(if active { "active" } else { "inactive" });
    let msg = make_tuple(&mut f, &[atom("profile"), Term::pid(id), state, mfa, ts]);
    send_to(profiler, msg, f);
}

/// Process `s` (waiting) was made runnable: its `active` event, at the function it
/// waits in. Called with its status lock held, so that the event comes before anything
/// it does once it runs; its process lock is only tried (a `process_info` holding it
/// may be waiting for the status lock), for a moment.
#[cold]
pub fn woken(s: &crate::sched::Slot) {
    if PROFILER.load(Ordering::Acquire) == s.id {
        return;
    }
    let ip = s
        .process
        .try_lock_for(Duration::from_micros(200))
        .and_then(|g| g.as_ref().map(|p| p.ip));
    process_event(s.id, true, Where::Mfa(ip.and_then(mfa_at)));
}

/// Scheduler `index` (from 0) goes to sleep (`active` false) or wakes up.
#[cold]
pub fn scheduler_event(index: usize, active: bool) {
    let profiler = PROFILER.load(Ordering::Acquire);
    if !profiling_schedulers() {
        return;
    }
    let n = if active {
        ACTIVE_SCHEDULERS.fetch_add(1, Ordering::AcqRel) + 1
    } else {
        ACTIVE_SCHEDULERS
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                Some(n.saturating_sub(1))
            })
            .unwrap_or(1)
            .saturating_sub(1)
    };
    let mut f = Fragment::new(32);
    let ts = profile_stamp(&mut f);
    let state = atom(if active { "active" } else { "inactive" });
    let msg = make_tuple(
        &mut f,
        &[
            atom("profile"),
            atom("scheduler"),
            Term::small(index as i64 + 1),
            state,
            Term::small(n as i64),
            ts,
        ],
    );
    send_to(profiler, msg, f);
}

// ---------------------------------------------------------------- exits

/// Arranges for `on_exit` to run when process `id` exits (it may already be gone: then
/// the settings naming it are cleared now).
fn watch_exit(id: u64) {
    use crate::sched::exit_hooks;
    exit_hooks::register(exit_hooks::SYSMON, on_exit);
    match crate::sched::slot(id) {
        Some(s) => {
            s.exit_hooks.fetch_or(exit_hooks::SYSMON, Ordering::SeqCst);
            // Gone meanwhile, after its hooks ran: nobody else will clear them.
            if crate::sched::slot(id).is_none() {
                on_exit(Term::pid(id), id);
            }
        }
        None => on_exit(Term::pid(id), id),
    }
}

/// Process `id` exited: the monitor or profiler settings naming it are cleared.
fn on_exit(_pid: Term, id: u64) {
    clear_monitor_if(id);
    clear_profile_if(id);
}

fn clear_monitor_if(id: u64) {
    let mut cur = MONITOR_SETTINGS.lock();
    if cur.is_some_and(|s| s.monitor == id) {
        *cur = None;
        WATCH.store(0, Ordering::Release);
        MONITOR.store(0, Ordering::Release);
    }
}

fn clear_profile_if(id: u64) {
    let mut cur = PROFILE_SETTINGS.lock();
    if cur.is_some_and(|s| s.profiler == id) {
        *cur = None;
        PROFILE.store(0, Ordering::Release);
        PROFILER.store(0, Ordering::Release);
    }
}
