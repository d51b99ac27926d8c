//! Processes: the table (`table.rs`), message delivery, exit signals, links and
//! monitors, receive timeouts, and running processes on the scheduler threads
//! (`runq.rs`).
//!
//! Each process has a slot with a locked inbox that other processes append to; the
//! process's private mailbox is only touched by whoever runs it. A slot's `status` lock
//! orders wake-ups: a sender appends to the inbox, then takes the status lock and queues
//! the process if it was waiting; a scheduler putting a process to sleep takes the
//! status lock first and looks at the inbox under it, so no wake-up is lost.

use crate::bif::Fault;
use crate::heap::Fragment;
use crate::interp::{self, Outcome, Regs};
use crate::object::*;
use crate::process::{Inbox, Message, Process, Status};
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::{Mutex, RwLock};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

pub mod runq;
pub mod table;

pub use runq::{schedulers, set_schedulers};

pub struct Slot {
    pub id: u64,
    pub inbox: Inbox,
    pub process: Mutex<Option<Box<Process>>>,
    pub status: Mutex<Status>,
    /// Monitors held on this process: (monitor reference id, watcher).
    pub monitors: Mutex<Vec<(u64, u64)>>,
    pub links: Mutex<Vec<u64>>,
    pub trap_exit: std::sync::atomic::AtomicBool,
    /// An exit signal that kills the process at its next scheduling (the first wins).
    pub kill: Mutex<Option<Message>>,
    /// Set (under the `links` lock) when the process has exited: from then on a new
    /// link or monitor finds it dead instead of being added to lists nobody reads.
    pub dead: std::sync::atomic::AtomicBool,
}

struct Table {
    procs: table::ProcessTable,
    names: RwLock<HashMap<Atom, u64>>,
    timers: Mutex<BinaryHeap<Reverse<(u64, u64)>>>,
}

static PROCESS_LIMIT: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(table::DEFAULT_PROCESS_LIMIT);

/// Sets the process limit (`+P`); only before the first process is spawned.
pub fn set_process_limit(n: usize) {
    PROCESS_LIMIT.store(n, Ordering::Relaxed);
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| Table {
        procs: table::ProcessTable::new(PROCESS_LIMIT.load(Ordering::Relaxed)),
        names: RwLock::new(HashMap::new()),
        timers: Mutex::new(BinaryHeap::new()),
    })
}

pub fn slot(id: u64) -> Option<Arc<Slot>> {
    table().procs.get(id)
}

pub fn process_count() -> usize {
    table().procs.live()
}

pub fn process_limit() -> usize {
    table().procs.limit()
}

pub fn all_pids() -> Vec<u64> {
    let mut v = table().procs.ids();
    v.sort();
    v
}

pub fn whereis(name: Atom) -> Option<u64> {
    table().names.read().get(&name).copied()
}

pub fn register(name: Atom, id: u64) -> bool {
    let mut n = table().names.write();
    if n.contains_key(&name) || n.values().any(|&v| v == id) {
        return false;
    }
    n.insert(name, id);
    true
}

pub fn unregister(name: Atom) -> bool {
    table().names.write().remove(&name).is_some()
}

pub fn registered() -> Vec<Atom> {
    table().names.read().keys().copied().collect()
}

pub fn registered_name_of(id: u64) -> Option<Atom> {
    table()
        .names
        .read()
        .iter()
        .find(|(_, &v)| v == id)
        .map(|(k, _)| *k)
}

/// Creates a process that will run `m:f(args...)`; `args` is a proper list on `parent`'s
/// heap (or any readable term).
pub fn spawn(parent: Option<&Process>, m: Atom, f: Atom, args: &[Term], min_heap: usize) -> Term {
    try_spawn(parent, m, f, args, min_heap, SpawnLinks::default()).expect("process limit reached")
}

/// A link and/or monitor set up atomically with a spawn (before the new process can
/// run, so it cannot exit unnoticed).
#[derive(Clone, Copy, Default)]
pub struct SpawnLinks {
    /// Link the new process with this one.
    pub link: Option<u64>,
    /// Monitor the new process: (reference id, watcher).
    pub monitor: Option<(u64, u64)>,
}

/// `spawn`, or `None` when the process table is full (`system_limit`).
pub fn try_spawn(
    parent: Option<&Process>,
    m: Atom,
    f: Atom,
    args: &[Term],
    min_heap: usize,
    with: SpawnLinks,
) -> Option<Term> {
    let id = table().procs.allocate_id()?;
    let mut p = Box::new(Process::new(id, min_heap));
    let copied: Vec<Term> = args.iter().map(|&a| copy_term(&mut p.heap, a)).collect();
    p.saved_x = copied;
    let e = crate::code::export(m, f, args.len() as u32);
    p.ip = e.code();
    p.initial_call = (m, f, args.len() as u32);
    p.heap.push(Term(&interp::PROCESS_EXIT as *const _ as u64));
    if let Some(parent) = parent {
        p.group_leader = parent.group_leader;
    }
    let pid = p.pid;
    let slot = Arc::new(Slot {
        id,
        inbox: p.inbox.clone(),
        process: Mutex::new(Some(p)),
        status: Mutex::new(Status::Runnable),
        monitors: Mutex::new(with.monitor.into_iter().collect()),
        links: Mutex::new(with.link.into_iter().collect()),
        trap_exit: std::sync::atomic::AtomicBool::new(false),
        kill: Mutex::new(None),
        dead: std::sync::atomic::AtomicBool::new(false),
    });
    table().procs.insert(id, slot);
    if let Some(parent) = with.link.and_then(crate::sched::slot) {
        parent.links.lock().push(id);
    }
    runq::make_runnable(id);
    Some(pid)
}

/// Queues the process of `s` if it is waiting (after something was put in its inbox or
/// `kill` slot, or its timer fired).
fn wake(s: &Slot) {
    let mut st = s.status.lock();
    if *st == Status::Waiting {
        *st = Status::Runnable;
        runq::make_runnable(s.id);
    }
}

/// Copies `msg` into a fragment of its own.
pub fn copy_to_fragment(msg: Term) -> Message {
    if msg.is_immed() {
        return Message {
            term: msg,
            frag: None,
        };
    }
    let mut f = Fragment::new(size_of_term(msg));
    let t = copy_term(&mut f, msg);
    Message {
        term: t,
        frag: Some(f),
    }
}

/// Delivers a message to process `id` (dropped if it does not exist).
pub fn deliver(id: u64, m: Message) {
    if let Some(s) = slot(id) {
        s.inbox.lock().push_back(m);
        wake(&s);
    }
}

/// Resolves a send destination to a process id.
pub fn resolve_dest(to: Term) -> Result<Option<u64>, Fault> {
    if to.is_local_pid() {
        return Ok(Some(to.pid_value()));
    }
    if let Some(a) = to.as_atom() {
        return match whereis(a) {
            Some(id) => Ok(Some(id)),
            None => Err(crate::bif::BADARG),
        };
    }
    if is_tuple(to) && tuple_arity(to) == 2 {
        let (name, node) = (tuple_get(to, 0), tuple_get(to, 1));
        if let (Some(n), Some(nd)) = (name.as_atom(), node.as_atom()) {
            if nd == am::NONODE {
                return Ok(whereis(n));
            }
            return Ok(None);
        }
    }
    if to.is_local_port() {
        return Ok(None);
    }
    Err(crate::bif::BADARG)
}

/// `To ! Msg` from process `p`.
pub fn send(p: &mut Process, to: Term, msg: Term) -> Result<(), Fault> {
    if let Some(id) = resolve_dest(to)? {
        let m = copy_to_fragment(msg);
        if id == p.id {
            p.mailbox.push_back(m);
        } else {
            deliver(id, m);
        }
    }
    Ok(())
}

/// Moves messages that arrived in the process's inbox into its mailbox.
pub fn fetch_inbox(p: &mut Process) {
    let mut inbox = p.inbox.lock();
    p.mailbox.extend(inbox.drain(..));
}

/// Sends an exit signal from `from` (pid term) with `reason` to process `id`.
pub fn exit_signal(from: Term, id: u64, reason: Term, linked: bool) {
    let Some(s) = slot(id) else { return };
    let trap = s.trap_exit.load(Ordering::Relaxed);
    if reason == Term::atom(am::KILL) && !linked {
        kill(id, Term::atom(am::KILLED));
        return;
    }
    if trap {
        let mut f = Fragment::new(4 + size_of_term(reason));
        let r = copy_term(&mut f, reason);
        let t = make_tuple(&mut f, &[Term::atom(am::EXIT), from, r]);
        deliver(
            id,
            Message {
                term: t,
                frag: Some(f),
            },
        );
    } else if reason != Term::atom(am::NORMAL) {
        let mut f = Fragment::new(size_of_term(reason));
        let r = copy_term(&mut f, reason);
        set_kill(
            &s,
            Message {
                term: r,
                frag: Some(f),
            },
        );
    }
}

/// Records an exit signal that kills `s` (unless an earlier one already does) and wakes
/// it so that it dies.
fn set_kill(s: &Slot, m: Message) {
    {
        let mut k = s.kill.lock();
        if k.is_none() {
            *k = Some(m);
        }
    }
    wake(s);
}

fn kill(id: u64, reason: Term) {
    if let Some(s) = slot(id) {
        set_kill(
            &s,
            Message {
                term: reason,
                frag: None,
            },
        );
    }
}

/// Cleans up after process `p` exited with `reason`: links, monitors, registry.
fn finish(p: Box<Process>, reason: Term) {
    let id = p.id;
    let pid = p.pid;
    let Some(s) = table().procs.remove(id) else {
        return;
    };
    table().names.write().retain(|_, v| *v != id);
    let links: Vec<u64> = {
        let mut l = s.links.lock();
        s.dead.store(true, Ordering::SeqCst);
        l.drain(..).collect()
    };
    for l in links {
        if let Some(ls) = slot(l) {
            ls.links.lock().retain(|&x| x != id);
        }
        exit_signal(pid, l, reason, true);
    }
    let mons: Vec<(u64, u64)> = s.monitors.lock().drain(..).collect();
    for (ref_id, watcher) in mons {
        let mut f = Fragment::new(16 + size_of_term(reason));
        let r = copy_term(&mut f, reason);
        let rf = make_ref(&mut f, ref_id);
        let t = make_tuple(
            &mut f,
            &[Term::atom(am::DOWN), rf, Term::atom(am::PROCESS), pid, r],
        );
        deliver(
            watcher,
            Message {
                term: t,
                frag: Some(f),
            },
        );
    }
    if p.error_exit {
        crate::report::process_crashed(&p, reason);
    }
    drop(p);
}

/// Runs processes on the configured number of scheduler threads until one halts the VM;
/// returns the exit status. When nothing can run any more the VM idles, as the
/// reference does.
pub fn run() -> i32 {
    runq::clear_halt();
    runq::run_schedulers(schedulers(), false, run_one, fire_timers).unwrap_or(0)
}

/// Runs processes until one halts the VM (`Some(status)`) or nothing is left that could
/// run (`None`): no runnable process and no pending timeout. Uses `schedulers` threads
/// (this one included).
pub fn run_until_idle(schedulers: usize) -> Option<i32> {
    runq::clear_halt();
    runq::run_schedulers(schedulers.max(1), true, run_one, fire_timers)
}

/// Runs process `id` for one time slice on the calling scheduler thread.
fn run_one(id: u64, regs: &mut Regs) {
    let Some(s) = slot(id) else { return };
    let Some(mut p) = s.process.lock().take() else {
        return;
    };
    *s.status.lock() = Status::Running;
    // An exit signal that arrived while it was not running.
    if let Some(m) = s.kill.lock().take() {
        let reason = match m.frag {
            Some(f) => {
                p.heap.attach_fragment(f);
                m.term
            }
            None => m.term,
        };
        finish(p, reason);
        return;
    }
    p.trap_exit = s.trap_exit.load(Ordering::Relaxed);
    fetch_inbox(&mut p);
    p.reds_left = crate::process::CONTEXT_REDS;
    let before = p.reds_left;
    let outcome = interp::run(&mut p, regs);
    p.reductions += (before - p.reds_left).max(0) as u64;
    match outcome {
        Outcome::Yield => {
            *s.process.lock() = Some(p);
            *s.status.lock() = Status::Runnable;
            runq::make_runnable(id);
        }
        Outcome::Wait => {
            let deadline = p.timeout_at;
            *s.process.lock() = Some(p);
            // Under the status lock, so that a sender either sees `Waiting` or its
            // message is seen here.
            let mut st = s.status.lock();
            let has_new = !s.inbox.lock().is_empty() || s.kill.lock().is_some();
            if has_new {
                *st = Status::Runnable;
                runq::make_runnable(id);
            } else {
                *st = Status::Waiting;
                if let Some(d) = deadline {
                    table().timers.lock().push(Reverse((d, id)));
                }
            }
        }
        Outcome::Exit(reason) => finish(p, reason),
        Outcome::Halt(code) => {
            crate::report::flush_stdout();
            runq::runtime().halt(code);
        }
    }
}

/// Wakes the processes whose receive timeout passed; returns the next deadline, if any.
fn fire_timers() -> Option<u64> {
    let now = crate::time::monotonic_ns();
    let mut due = Vec::new();
    let next = {
        let mut timers = table().timers.lock();
        while let Some(&Reverse((d, id))) = timers.peek() {
            if d > now {
                break;
            }
            timers.pop();
            due.push((d, id));
        }
        timers.peek().map(|r| r.0 .0)
    };
    for (d, id) in due {
        let Some(s) = slot(id) else { continue };
        let mut guard = s.process.lock();
        if let Some(p) = guard.as_mut() {
            if p.timeout_at == Some(d) {
                p.timed_out = true;
                drop(guard);
                wake(&s);
            }
        }
    }
    next
}

/// Links two processes (both directions).
pub fn link(a: u64, b: u64) -> bool {
    let (Some(sa), Some(sb)) = (slot(a), slot(b)) else {
        return false;
    };
    {
        let mut lb = sb.links.lock();
        if sb.dead.load(Ordering::SeqCst) {
            return false;
        }
        if !lb.contains(&a) {
            lb.push(a);
        }
    }
    let mut la = sa.links.lock();
    if !la.contains(&b) {
        la.push(b);
    }
    true
}

pub fn unlink(a: u64, b: u64) {
    if let Some(sa) = slot(a) {
        sa.links.lock().retain(|&x| x != b);
    }
    if let Some(sb) = slot(b) {
        sb.links.lock().retain(|&x| x != a);
    }
}

/// Adds a monitor from `watcher` on `target`; false if the target is gone.
pub fn monitor(watcher: u64, target: u64, ref_id: u64) -> bool {
    match slot(target) {
        Some(s) => {
            let mut m = s.monitors.lock();
            if s.dead.load(Ordering::SeqCst) {
                return false;
            }
            m.push((ref_id, watcher));
            true
        }
        None => false,
    }
}

pub fn demonitor(ref_id: u64) -> bool {
    for id in table().procs.ids() {
        let Some(s) = slot(id) else { continue };
        let mut m = s.monitors.lock();
        if let Some(i) = m.iter().position(|&(r, _)| r == ref_id) {
            m.remove(i);
            return true;
        }
    }
    false
}

pub fn set_trap_exit(id: u64, on: bool) {
    if let Some(s) = slot(id) {
        s.trap_exit.store(on, Ordering::Relaxed);
    }
}

/// Sets the group leader of a process that is not running.
pub fn set_group_leader(id: u64, gl: Term) {
    if let Some(s) = slot(id) {
        if let Some(p) = s.process.lock().as_mut() {
            p.group_leader = gl;
        }
    }
}
