//! Scheduler threads and their run queues.
//!
//! Each scheduler thread owns a `crossbeam_deque::Worker` of runnable process ids; a
//! process made runnable by code running on a scheduler goes to that scheduler's own
//! queue (a message wakes its receiver next to the sender, as in the reference), one
//! made runnable from elsewhere (timers, the embedding thread) goes to the global
//! `Injector`. A scheduler with nothing to do takes from the injector, then steals from
//! the others, then sleeps on a condition variable until work is pushed or the next
//! timer is due: an idle VM uses no CPU.

use crate::process::Priority;
use crossbeam_deque::{Injector, Steal, Stealer, Worker};
use parking_lot::{Condvar, Mutex, RwLock};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::OnceLock;

pub struct Runtime {
    injector: Injector<u64>,
    /// Runnable `max`, `high` and `low` priority processes, shared by all schedulers
    /// (few processes use them; normal ones stay in the per-scheduler queues).
    max_queue: Injector<u64>,
    high_queue: Injector<u64>,
    low_queue: Injector<u64>,
    stealers: RwLock<Vec<Stealer<u64>>>,
    /// Schedulers asleep in `idle`.
    sleepers: AtomicUsize,
    /// Idle schedulers spinning for work (see `idle`), and whether a wake-up was
    /// asked for while none slept: the first spinner to see it goes to look for work,
    /// as a sleeper woken then would.
    spinners: AtomicUsize,
    wake_hint: AtomicBool,
    /// Schedulers taking part in the current run.
    active: AtomicUsize,
    lock: Mutex<()>,
    wake: Condvar,
    halted: AtomicBool,
    halt_code: AtomicI32,
    /// The run ends when every scheduler is idle and no timer is pending.
    idle_ends_run: AtomicBool,
    idle_reached: AtomicBool,
    /// The configured number of schedulers (`+S`).
    configured: AtomicUsize,
    /// Schedulers online asked for with `+S N:M` (0: as many as there are cores).
    configured_online: AtomicUsize,
    /// Schedulers online now: those with a lower index run processes, the others wait
    /// on `offline_wake` (`erlang:system_flag(schedulers_online, N)`).
    online: AtomicUsize,
    offline_wake: Condvar,
}

pub fn runtime() -> &'static Runtime {
    static R: OnceLock<Runtime> = OnceLock::new();
    R.get_or_init(|| Runtime {
        injector: Injector::new(),
        max_queue: Injector::new(),
        high_queue: Injector::new(),
        low_queue: Injector::new(),
        stealers: RwLock::new(Vec::new()),
        sleepers: AtomicUsize::new(0),
        spinners: AtomicUsize::new(0),
        wake_hint: AtomicBool::new(false),
        active: AtomicUsize::new(0),
        lock: Mutex::new(()),
        wake: Condvar::new(),
        halted: AtomicBool::new(false),
        halt_code: AtomicI32::new(0),
        idle_ends_run: AtomicBool::new(true),
        idle_reached: AtomicBool::new(false),
        configured: AtomicUsize::new(default_schedulers()),
        configured_online: AtomicUsize::new(0),
        online: AtomicUsize::new(default_schedulers()),
        offline_wake: Condvar::new(),
    })
}

fn default_schedulers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

thread_local! {
    /// The run queue of the scheduler running on this thread, if any.
    static LOCAL: RefCell<Option<Worker<u64>>> = const { RefCell::new(None) };
    /// The index of the scheduler running on this thread, if any.
    static INDEX: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
    /// Picks since this scheduler last ran a `low` process.
    static PICKS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    /// This scheduler has handed its free memory back since it last ran a process.
    static TRIMMED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// How long a scheduler stays idle before it returns its allocator's free memory to
/// the operating system (see `set_idle_trim`).
const IDLE_TRIM_AFTER: std::time::Duration = std::time::Duration::from_millis(50);

static IDLE_TRIM: OnceLock<fn()> = OnceLock::new();

/// Sets what a scheduler calls once it has been idle for `IDLE_TRIM_AFTER`: the
/// embedding binary owns the global allocator and passes its "release free pages to
/// the OS" call here. Without it, memory a burst of processes used stays resident on
/// threads that went to sleep (allocators purge lazily, on their next allocation),
/// so an idle VM would keep its peak RSS.
pub fn set_idle_trim(trim: fn()) {
    let _ = IDLE_TRIM.set(trim);
}

/// The index of the scheduler running on the calling thread.
pub fn current_scheduler() -> Option<usize> {
    INDEX.with(|i| i.get())
}

/// Schedulers asleep (idle or offline) now.
pub fn sleeping_schedulers() -> usize {
    runtime().sleepers.load(Ordering::Relaxed)
}

/// Schedulers taking part in the current run.
pub fn active_schedulers() -> usize {
    runtime().active.load(Ordering::Relaxed)
}

/// A timer was added to wheel `wheel`: its scheduler must not sleep past it. A scheduler
/// adding to its own wheel is awake and sees it before sleeping; from anywhere else,
/// the sleepers re-read their deadlines.
pub fn timer_added(wheel: usize) {
    if current_scheduler() != Some(wheel) {
        runtime().wake_all();
    }
}

/// Runnable processes queued per normal scheduler; the shared queues (the injector and
/// the priority queues) count towards the first.
pub fn queue_lengths() -> Vec<usize> {
    let rt = runtime();
    let mut v: Vec<usize> = rt.stealers.read().iter().map(|s| s.len()).collect();
    v.resize(schedulers().max(v.len()), 0);
    v[0] += rt.injector.len() + rt.max_queue.len() + rt.high_queue.len() + rt.low_queue.len();
    v
}

/// Sets the number of schedulers (`+S N`); takes effect at the next run.
pub fn set_schedulers(n: usize) {
    runtime()
        .configured
        .store(n.clamp(1, 1024), Ordering::Relaxed);
}

pub fn schedulers() -> usize {
    runtime().configured.load(Ordering::Relaxed)
}

/// Sets the schedulers online at start (`+S N:M`); 0 means as many as there are cores.
pub fn set_schedulers_online(n: usize) {
    runtime().configured_online.store(n, Ordering::Relaxed);
}

/// The schedulers online at the start of a run of `n`: as asked, else no more than the
/// cores (the reference's default: `+S 8` on two cores runs two).
fn initial_online(n: usize) -> usize {
    match runtime().configured_online.load(Ordering::Relaxed) {
        0 => n.min(default_schedulers()),
        m => m.min(n),
    }
}

/// Schedulers online now.
pub fn schedulers_online() -> usize {
    let rt = runtime();
    match rt.active.load(Ordering::Relaxed) {
        0 => initial_online(schedulers()),
        _ => rt.online.load(Ordering::Relaxed),
    }
}

/// Changes the schedulers online (1 to the number of schedulers); returns the previous
/// count. Schedulers going offline finish their time slice, hand their queued processes
/// to the others and wait; their timers are fired by scheduler 1.
pub fn set_online(n: usize) -> usize {
    let rt = runtime();
    let old = rt.online.swap(n, Ordering::SeqCst);
    let _g = rt.lock.lock();
    rt.offline_wake.notify_all();
    rt.wake.notify_all();
    old
}

/// Queues process `id` to run. On a scheduler thread it goes to that scheduler's queue,
/// and a sleeping scheduler is woken only when that queue already holds other work: a
/// lone wake-up (the receiver of a message, typically) runs here as soon as the current
/// process yields or waits, and waking a sibling for it would only bounce the pair
/// between threads (measured: 500k ping-pongs took 1.6x as long at +S 2 as at +S 1).
pub fn make_runnable(id: u64, prio: Priority) {
    let rt = runtime();
    let shared = match prio {
        Priority::Normal => None,
        Priority::Max => Some(&rt.max_queue),
        Priority::High => Some(&rt.high_queue),
        Priority::Low => Some(&rt.low_queue),
    };
    if let Some(q) = shared {
        q.push(id);
        rt.wake_one();
        return;
    }
    let backlog = LOCAL.with(|l| {
        l.borrow().as_ref().map(|w| {
            w.push(id);
            w.len() > 1
        })
    });
    match backlog {
        Some(false) => {}
        Some(true) => rt.wake_one(),
        None => {
            rt.injector.push(id);
            rt.wake_one();
        }
    }
}

impl Runtime {
    fn wake_one(&self) {
        if self.sleepers.load(Ordering::SeqCst) > 0 {
            let _g = self.lock.lock();
            self.wake.notify_one();
        } else if self.spinners.load(Ordering::SeqCst) > 0 {
            self.wake_hint.store(true, Ordering::SeqCst);
        }
    }

    fn wake_all(&self) {
        let _g = self.lock.lock();
        self.wake.notify_all();
        self.offline_wake.notify_all();
    }

    pub fn halt(&self, code: i32) {
        if !self.halted.swap(true, Ordering::SeqCst) {
            self.halt_code.store(code, Ordering::SeqCst);
        }
        self.wake_all();
    }

    pub fn is_halted(&self) -> bool {
        self.halted.load(Ordering::Relaxed)
    }

    fn find_work(&self, local: &Worker<u64>, me: usize) -> Option<u64> {
        // Higher priorities first; a low process gets every eighth turn, as a normal
        // one would (the reference runs low and normal in one queue, low ones skipped
        // until they have waited eight turns).
        for q in [&self.max_queue, &self.high_queue] {
            if let Some(id) = take(q) {
                return Some(id);
            }
        }
        let picks = PICKS.with(|c| {
            let n = c.get().wrapping_add(1);
            c.set(n);
            n
        });
        if picks.is_multiple_of(8) {
            if let Some(id) = take(&self.low_queue) {
                return Some(id);
            }
        }
        // Processes made runnable off the schedulers (back from a dirty scheduler, woken
        // by an I/O thread or a timer) wait in the injector. Every other turn looks there
        // first: a local queue that never empties (a process looping without waiting)
        // would otherwise keep them waiting for ever.
        if picks.is_multiple_of(2) {
            if let Some(id) = take(&self.injector) {
                return Some(id);
            }
        }
        if let Some(id) = local.pop() {
            return Some(id);
        }
        loop {
            match self.injector.steal_batch_and_pop(local) {
                Steal::Success(id) => return Some(id),
                Steal::Retry => continue,
                Steal::Empty => break,
            }
        }
        let stealers = self.stealers.read();
        let n = stealers.len();
        for k in 1..n {
            let s = &stealers[(me + k) % n];
            loop {
                match s.steal_batch_and_pop(local) {
                    Steal::Success(id) => return Some(id),
                    Steal::Retry => continue,
                    Steal::Empty => break,
                }
            }
        }
        take(&self.low_queue)
    }

    /// Waits while scheduler `me` is offline. It counts as asleep meanwhile (so that an
    /// idle VM still ends its run), but on its own condition variable: a wake-up meant
    /// for a scheduler that would run the work never reaches it. False when the run is
    /// over.
    fn offline(&self, me: usize) -> bool {
        let mut g = self.lock.lock();
        let mut sleeping = self.sleepers.fetch_add(1, Ordering::SeqCst) + 1;
        // An online scheduler asleep now could miss the processes this one handed over.
        self.wake.notify_all();
        while me >= self.online.load(Ordering::SeqCst) && !self.run_over() {
            if self.nothing_can_run(sleeping) {
                self.end_idle_run();
                break;
            }
            self.offline_wake.wait(&mut g);
            sleeping = self.sleepers.load(Ordering::SeqCst);
        }
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
        !self.run_over()
    }

    /// The run ended: halted, or everything went idle.
    fn run_over(&self) -> bool {
        self.halted.load(Ordering::SeqCst) || self.idle_reached.load(Ordering::SeqCst)
    }

    fn shared_queues_empty(&self) -> bool {
        self.injector.is_empty()
            && self.max_queue.is_empty()
            && self.high_queue.is_empty()
            && self.low_queue.is_empty()
    }

    /// With `sleeping` schedulers asleep (this one included): every scheduler is, the
    /// shared queues are empty, no timer can wake anybody, and the run is one that ends
    /// when idle.
    fn nothing_can_run(&self, sleeping: usize) -> bool {
        sleeping == self.active.load(Ordering::SeqCst)
            && self.idle_ends_run.load(Ordering::SeqCst)
            && self.shared_queues_empty()
            && !super::timers::any_pending()
    }

    /// Ends an idle run: every scheduler, online or not, wakes up and leaves.
    fn end_idle_run(&self) {
        self.idle_reached.store(true, Ordering::SeqCst);
        self.wake.notify_all();
        self.offline_wake.notify_all();
    }

    /// Sleeps until there may be work. False when the run is over.
    fn idle(&self, timers_due: Option<u64>) -> bool {
        // Spin a little first: work that comes soon (a process back from a dirty
        // scheduler, a wake-up) is taken without the sender waking this thread. A
        // spinner reacts only to what would wake a sleeper: it does not steal a lone
        // process queued on another scheduler (see `make_runnable`).
        self.spinners.fetch_add(1, Ordering::SeqCst);
        let soon = super::spin_until(|| {
            let woken = self.wake_hint.load(Ordering::Relaxed)
                && self.wake_hint.swap(false, Ordering::SeqCst);
            (woken || !self.shared_queues_empty() || self.run_over()).then_some(())
        });
        self.spinners.fetch_sub(1, Ordering::SeqCst);
        if soon.is_some() {
            return true;
        }
        // Output written so far becomes visible while the VM waits (for a port, a
        // timer, a message), as the reference's does.
        crate::report::flush_stdout();
        let mut g = self.lock.lock();
        let sleeping = self.sleepers.fetch_add(1, Ordering::SeqCst) + 1;
        if self.run_over() {
            self.sleepers.fetch_sub(1, Ordering::SeqCst);
            return false;
        }
        if !self.shared_queues_empty() {
            self.sleepers.fetch_sub(1, Ordering::SeqCst);
            return true;
        }
        if self.nothing_can_run(sleeping) {
            self.sleepers.fetch_sub(1, Ordering::SeqCst);
            self.end_idle_run();
            return false;
        }
        let sleep_for = timers_due.map(|deadline| {
            std::time::Duration::from_nanos(deadline.saturating_sub(crate::time::monotonic_ns()))
        });
        let trim = IDLE_TRIM.get().filter(|_| !TRIMMED.with(|t| t.get()));
        match (trim, sleep_for) {
            (Some(trim), sleep) if sleep.is_none_or(|d| d > IDLE_TRIM_AFTER) => {
                // Nap first; still idle afterwards, give memory back, then sleep on
                // (the caller loops and comes back here with TRIMMED set).
                let napped = self.wake.wait_for(&mut g, IDLE_TRIM_AFTER).timed_out();
                self.sleepers.fetch_sub(1, Ordering::SeqCst);
                drop(g);
                if napped {
                    TRIMMED.with(|t| t.set(true));
                    trim();
                }
                return !self.run_over();
            }
            (_, Some(d)) => {
                if !d.is_zero() {
                    self.wake.wait_for(&mut g, d);
                }
            }
            (_, None) => self.wake.wait(&mut g),
        }
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
        !self.run_over()
    }
}

/// Runs `n` schedulers (this thread is one of them) until `halt` (`Some(code)`) or, if
/// `stop_when_idle`, until nothing can run any more (`None`). `step` runs one process
/// on the given register file and tells whether it asked to halt.
pub fn run_schedulers(
    n: usize,
    stop_when_idle: bool,
    step: fn(u64, &mut crate::interp::Regs),
    timers: fn(usize) -> Option<u64>,
) -> Option<i32> {
    let rt = runtime();
    rt.idle_ends_run.store(stop_when_idle, Ordering::SeqCst);
    rt.idle_reached.store(false, Ordering::SeqCst);
    rt.online.store(initial_online(n), Ordering::SeqCst);
    rt.active.store(n, Ordering::SeqCst);
    let workers: Vec<Worker<u64>> = (0..n).map(|_| Worker::new_fifo()).collect();
    *rt.stealers.write() = workers.iter().map(|w| w.stealer()).collect();
    let mut workers = workers.into_iter();
    let mine = workers.next().expect("at least one scheduler");
    std::thread::scope(|scope| {
        for (i, w) in workers.enumerate() {
            std::thread::Builder::new()
                .name(format!("scheduler {}", i + 2))
                .stack_size(32 << 20)
                .spawn_scoped(scope, move || scheduler_loop(i + 1, w, step, timers))
                .expect("cannot start a scheduler thread");
        }
        scheduler_loop(0, mine, step, timers);
        rt.wake_all();
    });
    rt.stealers.write().clear();
    rt.active.store(0, Ordering::SeqCst);
    if rt.halted.load(Ordering::SeqCst) {
        Some(rt.halt_code.load(Ordering::SeqCst))
    } else {
        None
    }
}

fn scheduler_loop(
    me: usize,
    local: Worker<u64>,
    step: fn(u64, &mut crate::interp::Regs),
    timers: fn(usize) -> Option<u64>,
) {
    let rt = runtime();
    let mut regs = crate::interp::Regs::default();
    LOCAL.with(|l| *l.borrow_mut() = Some(local));
    INDEX.with(|i| i.set(Some(me)));
    super::stats::enter_normal(me);
    loop {
        if rt.halted.load(Ordering::Relaxed) || rt.idle_reached.load(Ordering::Relaxed) {
            break;
        }
        if me >= rt.online.load(Ordering::Relaxed) {
            hand_over_queue(rt);
            if !rt.offline(me) {
                break;
            }
            continue;
        }
        // Expired timers make processes runnable (onto this queue).
        let due = timers(me);
        let next = LOCAL.with(|l| rt.find_work(l.borrow().as_ref().unwrap(), me));
        match next {
            Some(id) => {
                TRIMMED.with(|t| t.set(false));
                super::stats::slice(|| step(id, &mut regs))
            }
            None => {
                // `system_profile` scheduler events (outside `idle`: a message to the
                // profiler may wake a scheduler, which takes the runtime's lock).
                let profiled = crate::trace::sysmon::profiling_schedulers();
                if profiled {
                    crate::trace::sysmon::scheduler_event(me, false);
                }
                let more = rt.idle(due);
                if profiled {
                    crate::trace::sysmon::scheduler_event(me, true);
                }
                if !more {
                    break;
                }
            }
        }
    }
    INDEX.with(|i| i.set(None));
    // Whatever is left in this queue goes back for the next run.
    hand_over_queue(rt);
    LOCAL.with(|l| l.borrow_mut().take());
    rt.wake_all();
}

/// Moves the processes queued on this scheduler to the shared queue.
fn hand_over_queue(rt: &Runtime) {
    LOCAL.with(|l| {
        if let Some(w) = l.borrow().as_ref() {
            while let Some(id) = w.pop() {
                rt.injector.push(id);
            }
        }
    });
}

/// Takes one process from a shared queue.
fn take(q: &Injector<u64>) -> Option<u64> {
    if q.is_empty() {
        return None;
    }
    loop {
        match q.steal() {
            Steal::Success(id) => return Some(id),
            Steal::Retry => continue,
            Steal::Empty => return None,
        }
    }
}

/// Resets the halt flag (a new run after `halt`, in tests and benches).
pub fn clear_halt() {
    runtime().halted.store(false, Ordering::SeqCst);
}
