//! Scheduler statistics for `erlang:statistics/1`: reductions, context switches, and
//! the active time behind `scheduler_wall_time`.
//!
//! Each scheduler thread owns one cache-line-sized record and is its only writer (plain
//! loads and stores, no atomic read-modify-write on the hot path); readers sum them.

use super::dirty::DirtyKind;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Most schedulers of each kind with their own record (more share the last one).
const MAX: usize = 1024;

#[repr(align(128))]
struct Record {
    reductions: AtomicU64,
    context_switches: AtomicU64,
    /// Nanoseconds spent running processes since `scheduler_wall_time` was enabled.
    active_ns: AtomicU64,
    /// Running a process now (for `active_tasks`).
    running: AtomicBool,
}

impl Record {
    const fn new() -> Record {
        Record {
            reductions: AtomicU64::new(0),
            context_switches: AtomicU64::new(0),
            active_ns: AtomicU64::new(0),
            running: AtomicBool::new(false),
        }
    }
}

#[allow(clippy::declare_interior_mutable_const)]
const EMPTY: Record = Record::new();
static NORMAL: [Record; MAX] = [EMPTY; MAX];
static DIRTY_CPU: [Record; MAX] = [EMPTY; MAX];
static DIRTY_IO: [Record; MAX] = [EMPTY; MAX];

/// `scheduler_wall_time` is on.
static WALL_TIME: AtomicBool = AtomicBool::new(false);
/// Enables not undone, summed over processes: as in the reference, each process's
/// `system_flag(scheduler_wall_time, true)` counts until it turns it off or exits.
static WALL_TIME_ENABLES: std::sync::Mutex<u64> = std::sync::Mutex::new(0);
/// When it was last turned on (monotonic ns).
static WALL_TIME_SINCE: AtomicU64 = AtomicU64::new(0);
/// Totals at the previous `statistics(reductions)` and `(runtime)`/`(wall_clock)` call.
static LAST_REDUCTIONS: AtomicU64 = AtomicU64::new(0);
static LAST_EXACT_REDUCTIONS: AtomicU64 = AtomicU64::new(0);
static LAST_RUNTIME: AtomicU64 = AtomicU64::new(0);
static LAST_WALL: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static MINE: std::cell::Cell<Option<&'static Record>> = const { std::cell::Cell::new(None) };
}

fn bump(a: &AtomicU64, by: u64) {
    // Single writer: a load and a store, no locked instruction.
    a.store(
        a.load(Ordering::Relaxed).wrapping_add(by),
        Ordering::Relaxed,
    );
}

/// The calling thread is normal scheduler `index`.
pub fn enter_normal(index: usize) {
    MINE.with(|m| m.set(Some(&NORMAL[index.min(MAX - 1)])));
}

/// The calling thread is dirty scheduler `index` of `kind`.
pub fn enter_dirty(kind: DirtyKind, index: usize) {
    let table = match kind {
        DirtyKind::Cpu => &DIRTY_CPU,
        DirtyKind::Io => &DIRTY_IO,
    };
    MINE.with(|m| m.set(Some(&table[index.min(MAX - 1)])));
}

/// Runs `f` (one process's time slice, or a dirty job: accounted the same) and
/// accounts for it.
#[inline]
pub fn slice<R>(f: impl FnOnce() -> R) -> R {
    let Some(r) = MINE.with(|m| m.get()) else {
        return f();
    };
    bump(&r.context_switches, 1);
    r.running.store(true, Ordering::Relaxed);
    let out = if WALL_TIME.load(Ordering::Relaxed) {
        let t0 = crate::time::monotonic_ns();
        let out = f();
        bump(&r.active_ns, crate::time::monotonic_ns() - t0);
        out
    } else {
        f()
    };
    r.running.store(false, Ordering::Relaxed);
    out
}

/// Adds the reductions a process used in its slice.
pub fn add_reductions(n: u64) {
    if let Some(r) = MINE.with(|m| m.get()) {
        bump(&r.reductions, n);
    }
}

fn sum(table: &[Record], n: usize, f: impl Fn(&Record) -> u64) -> u64 {
    table[..n.min(MAX)].iter().map(f).sum()
}

fn counts() -> (usize, usize, usize) {
    (
        super::schedulers(),
        super::dirty::threads(DirtyKind::Cpu),
        super::dirty::threads(DirtyKind::Io),
    )
}

/// All reductions so far (finished slices, plus `current` of the caller's slice) and
/// those since the previous call.
pub fn reductions(current: u64, exact: bool) -> (u64, u64) {
    let (n, c, i) = counts();
    let total = sum(&NORMAL, n, |r| r.reductions.load(Ordering::Relaxed))
        + sum(&DIRTY_CPU, c, |r| r.reductions.load(Ordering::Relaxed))
        + sum(&DIRTY_IO, i, |r| r.reductions.load(Ordering::Relaxed))
        + current;
    // `reductions` and `exact_reductions` each count "since the last call" on their own.
    let last = if exact {
        &LAST_EXACT_REDUCTIONS
    } else {
        &LAST_REDUCTIONS
    };
    let last = last.swap(total, Ordering::Relaxed);
    (total, total.saturating_sub(last))
}

/// Process schedulings so far.
pub fn context_switches() -> u64 {
    let (n, c, i) = counts();
    sum(&NORMAL, n, |r| r.context_switches.load(Ordering::Relaxed))
        + sum(&DIRTY_CPU, c, |r| {
            r.context_switches.load(Ordering::Relaxed)
        })
        + sum(&DIRTY_IO, i, |r| r.context_switches.load(Ordering::Relaxed))
}

/// `(total, since last call)` of a clock read in milliseconds.
fn since_last(last: &AtomicU64, now: u64) -> (u64, u64) {
    let before = last.swap(now, Ordering::Relaxed);
    (now, now.saturating_sub(before))
}

/// Wall-clock milliseconds since the VM started, and since the previous call.
pub fn wall_clock() -> (u64, u64) {
    since_last(&LAST_WALL, crate::time::monotonic_ns() / 1_000_000)
}

/// CPU milliseconds the VM used (all threads), and since the previous call.
pub fn runtime() -> (u64, u64) {
    since_last(&LAST_RUNTIME, cpu_time_ms())
}

/// User + system CPU time of this OS process, from /proc/self/stat (clock ticks of
/// 1/100 s, Linux's fixed USER_HZ); 0 where that file does not exist.
fn cpu_time_ms() -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0;
    };
    // Fields after the command name (which may contain spaces) start at ") ".
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (tick(11) + tick(12)) * 10
}

/// `system_flag(scheduler_wall_time, On)` from a process that has `mine` enables not
/// undone (updated): whether it was on before.
pub fn set_wall_time(on: bool, mine: &mut u32) -> bool {
    let mut count = WALL_TIME_ENABLES.lock().unwrap_or_else(|e| e.into_inner());
    let was = *count > 0;
    if on {
        *mine += 1;
        *count += 1;
    } else if *mine > 0 {
        *mine -= 1;
        *count -= 1;
    }
    switch_wall_time(*count > 0);
    was
}

/// An exiting process's enables are undone.
pub fn drop_wall_time_enables(n: u32) {
    if n > 0 {
        let mut count = WALL_TIME_ENABLES.lock().unwrap_or_else(|e| e.into_inner());
        *count = count.saturating_sub(n as u64);
        switch_wall_time(*count > 0);
    }
}

/// `erts_internal:scheduler_wall_time/1`: turns the measuring on or off whatever the
/// per-process enables say; returns whether it was on.
pub fn switch_wall_time_raw(on: bool) -> bool {
    let was = WALL_TIME.load(Ordering::SeqCst);
    switch_wall_time(on);
    was
}

fn switch_wall_time(on: bool) {
    let was = WALL_TIME.swap(on, Ordering::SeqCst);
    if on && !was {
        let (n, c, i) = counts();
        for (table, count) in [(&NORMAL, n), (&DIRTY_CPU, c), (&DIRTY_IO, i)] {
            for r in table.iter().take(count) {
                r.active_ns.store(0, Ordering::Relaxed);
            }
        }
        WALL_TIME_SINCE.store(crate::time::monotonic_ns(), Ordering::SeqCst);
    }
}

/// `{Id, Active, Total}` per scheduler (normal, dirty CPU, and dirty I/O if `all`),
/// or `None` when `scheduler_wall_time` is off.
pub fn wall_time(all: bool) -> Option<Vec<(u64, u64, u64)>> {
    if !WALL_TIME.load(Ordering::SeqCst) {
        return None;
    }
    let total = crate::time::monotonic_ns().saturating_sub(WALL_TIME_SINCE.load(Ordering::SeqCst));
    let (n, c, i) = counts();
    let mut out = Vec::new();
    let tables: &[(&[Record; MAX], usize)] = if all {
        &[(&NORMAL, n), (&DIRTY_CPU, c), (&DIRTY_IO, i)]
    } else {
        &[(&NORMAL, n), (&DIRTY_CPU, c)]
    };
    for (table, count) in tables {
        for r in table.iter().take(*count) {
            let id = out.len() as u64 + 1;
            out.push((id, r.active_ns.load(Ordering::Relaxed).min(total), total));
        }
    }
    Some(out)
}

/// Per normal scheduler: 1 if it is running a process now.
pub fn running(index: usize) -> bool {
    NORMAL[index.min(MAX - 1)].running.load(Ordering::Relaxed)
}
