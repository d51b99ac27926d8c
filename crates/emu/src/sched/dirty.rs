//! Dirty schedulers: two pools of threads, dirty CPU (one per core by default) and
//! dirty I/O (10), that run work which must not hold a normal scheduler: BIFs marked
//! dirty and the collection of large heaps.
//!
//! A process that needs dirty work leaves its normal scheduler with the job recorded in
//! `Process::dirty` (its registers saved as for any yield, its instruction pointer on the
//! instruction that asked), and its id goes to the pool's queue. A dirty thread takes it
//! out of its slot, does the job, stores the result, and queues it on the normal
//! schedulers again, where the instruction runs once more and finds the result. Its
//! status stays `Running` meanwhile, so signals queue up in its inbox without waking it
//! anywhere else; they are handled when it is back.
//!
//! The threads start on first use: a program that never goes dirty pays nothing.

use crate::bif::{BifFn, BifResult};
use crate::process::Process;
use oxbeam_term::Term;
use parking_lot::{Condvar, Mutex};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DirtyKind {
    Cpu,
    Io,
}

/// What a process asked a dirty scheduler to do, then what came of it.
pub enum DirtyState {
    /// Call the BIF with these arguments.
    Bif { bif: BifFn, args: Vec<Term> },
    /// Collect the heap (the live X registers are in `saved_x`) so that `need` words
    /// are free afterwards. The float registers are kept here: the compiler may hold
    /// floats in them across the heap test that asked for the collection.
    Gc { need: usize, fregs: Box<[f64]> },
    /// Collected; the float registers to restore when the process runs again.
    Collected { fregs: Box<[f64]> },
    /// The dirty BIF's result, for the instruction to pick up when it runs again.
    Done(BifResult),
}

/// The reference's dirty I/O pool size.
pub const DEFAULT_IO_THREADS: usize = 10;

/// Collections that copy at least this many words run on a dirty CPU scheduler (the
/// reference's threshold for a "potentially long" collection).
pub const LONG_GC_WORDS: usize = 128 * 1024;

struct Pool {
    queue: Mutex<VecDeque<u64>>,
    ready: Condvar,
    started: AtomicBool,
    threads: AtomicUsize,
    /// Threads inside a job.
    busy: AtomicUsize,
    /// Jobs in `queue` (read without its lock by a spinning thread).
    queued: AtomicUsize,
    /// 1 while a thread of the pool spins for the next job (at most one does).
    spinning: AtomicUsize,
}

impl Pool {
    const fn new(threads: usize) -> Pool {
        Pool {
            queue: Mutex::new(VecDeque::new()),
            ready: Condvar::new(),
            started: AtomicBool::new(false),
            threads: AtomicUsize::new(threads),
            busy: AtomicUsize::new(0),
            queued: AtomicUsize::new(0),
            spinning: AtomicUsize::new(0),
        }
    }

    fn pop(&self, q: &mut VecDeque<u64>) -> Option<u64> {
        let id = q.pop_front()?;
        self.queued.fetch_sub(1, Ordering::SeqCst);
        Some(id)
    }

    /// Spins up to `SPIN_FOR` for a job, if no other thread of the pool is spinning.
    /// A job that arrives meanwhile is taken without the submitter waking a sleeping
    /// thread (a system call, and a context switch for both sides).
    fn spin_take(&self) -> Option<u64> {
        if self
            .spinning
            .compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            return None;
        }
        let id = super::spin_until(|| {
            if self.queued.load(Ordering::SeqCst) == 0 {
                return None;
            }
            self.pop(&mut self.queue.lock())
        });
        self.spinning.store(0, Ordering::SeqCst);
        // A job submitted while this thread spun woke nobody: pass it on.
        if id.is_some() && self.queued.load(Ordering::SeqCst) > 0 {
            let _q = self.queue.lock();
            self.ready.notify_one();
        }
        id
    }
}

static CPU: Pool = Pool::new(0);
static IO: Pool = Pool::new(DEFAULT_IO_THREADS);
/// Set once `+SDcpu` chose the dirty CPU pool size; otherwise it follows `+S`.
static CPU_SET: AtomicBool = AtomicBool::new(false);

fn pool(kind: DirtyKind) -> &'static Pool {
    match kind {
        DirtyKind::Cpu => &CPU,
        DirtyKind::Io => &IO,
    }
}

thread_local! {
    /// The kind of dirty scheduler running on this thread, if it is one.
    static CURRENT: std::cell::Cell<Option<DirtyKind>> = const { std::cell::Cell::new(None) };
}

/// The dirty pool the calling thread belongs to (`None` on normal schedulers).
pub fn current() -> Option<DirtyKind> {
    CURRENT.with(|c| c.get())
}

/// Sets a pool's size (`+SDcpu N`, `+SDio N`); takes effect before its first use.
pub fn set_threads(kind: DirtyKind, n: usize) {
    if kind == DirtyKind::Cpu {
        CPU_SET.store(true, Ordering::Relaxed);
    }
    pool(kind)
        .threads
        .store(n.clamp(1, 1024), Ordering::Relaxed);
}

/// A pool's size: by default the dirty CPU pool has one thread per core, but no more
/// than there are normal schedulers (the reference's default), unless `+SDcpu` said.
pub fn threads(kind: DirtyKind) -> usize {
    match kind {
        DirtyKind::Cpu if !CPU_SET.load(Ordering::Relaxed) => {
            // Asked once: on Linux the answer reads cgroup files.
            static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
            let cores =
                *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            cores.min(super::schedulers())
        }
        _ => pool(kind).threads.load(Ordering::Relaxed),
    }
}

/// Processes waiting in a pool's queue.
pub fn queue_len(kind: DirtyKind) -> usize {
    pool(kind).queue.lock().len()
}

/// Threads of a pool running a job now.
pub fn busy(kind: DirtyKind) -> usize {
    pool(kind).busy.load(Ordering::Relaxed)
}

/// Queues process `id` (its job in `Process::dirty`) on a pool.
pub fn submit(kind: DirtyKind, id: u64) {
    let pl = pool(kind);
    if !pl.started.swap(true, Ordering::AcqRel) {
        for i in 0..threads(kind) {
            std::thread::Builder::new()
                .name(match kind {
                    DirtyKind::Cpu => format!("dirty cpu {}", i + 1),
                    DirtyKind::Io => format!("dirty io {}", i + 1),
                })
                .stack_size(8 << 20)
                .spawn(move || worker(kind, i))
                .expect("cannot start a dirty scheduler thread");
        }
    }
    let mut q = pl.queue.lock();
    q.push_back(id);
    pl.queued.fetch_add(1, Ordering::SeqCst);
    if pl.spinning.load(Ordering::SeqCst) == 0 {
        pl.ready.notify_one();
    }
}

fn worker(kind: DirtyKind, index: usize) {
    CURRENT.with(|c| c.set(Some(kind)));
    super::stats::enter_dirty(kind, index);
    let pl = pool(kind);
    loop {
        let id = match pl.spin_take() {
            Some(id) => id,
            None => {
                let mut q = pl.queue.lock();
                loop {
                    if let Some(id) = pl.pop(&mut q) {
                        break id;
                    }
                    pl.ready.wait(&mut q);
                }
            }
        };
        pl.busy.fetch_add(1, Ordering::Relaxed);
        super::stats::slice(|| super::run_dirty(id));
        pl.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Does process `p`'s pending job; called on a dirty thread.
pub fn run_job(p: &mut Process) {
    match p.dirty.take().map(|b| *b) {
        Some(DirtyState::Bif { bif, args }) => {
            let r = bif(p, &args);
            p.dirty = Some(Box::new(DirtyState::Done(r)));
        }
        Some(DirtyState::Gc { need, fregs }) => {
            let mut x = std::mem::take(&mut p.saved_x);
            p.garbage_collect(&mut x, need, false);
            p.saved_x = x;
            p.heap.want_gc = p.heap.stress;
            p.dirty = Some(Box::new(DirtyState::Collected { fregs }));
        }
        other => p.dirty = other.map(Box::new),
    }
}

/// Runs BIF `bif` on a dirty scheduler of `kind`: on the first call it asks to be moved
/// there (the instruction runs again afterwards), on the second it returns the result.
/// Already on a dirty scheduler of that kind, it just calls it.
pub fn call(p: &mut Process, args: &[Term], kind: DirtyKind, bif: BifFn) -> BifResult {
    if current() == Some(kind) {
        return bif(p, args);
    }
    if let Some(DirtyState::Done(r)) = p.dirty.take().map(|s| *s) {
        return r;
    }
    let args = args.to_vec();
    p.dirty = Some(Box::new(DirtyState::Bif { bif, args }));
    Err(crate::bif::Fault::Trap(crate::bif::Trap::Dirty(kind)))
}

/// Whether process `p` should collect on a dirty scheduler: the collection would copy
/// at least `LONG_GC_WORDS` (not in GC-stress mode, where every safe point collects).
pub fn gc_is_long(p: &Process, need: usize) -> bool {
    if p.heap.stress || current().is_some() {
        return false;
    }
    let copied = p.heap.heap_used() + p.heap.frag_words() + p.heap.stack_used() + need;
    let copied = if p.heap.minor_gcs >= p.heap.fullsweep_after {
        copied + p.heap.old_top
    } else {
        copied
    };
    copied >= LONG_GC_WORDS
}
