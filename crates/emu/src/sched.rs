//! Process table, message delivery and the run loop.
//!
//! This first version runs every process on one thread (the foundation issue needs
//! `spawn` and messages for OTP's own code, e.g. the compiler and the I/O protocol).
//! The shape is what the multi-core scheduler will keep: each process has a slot with a
//! locked inbox that other processes append to, and the process's private mailbox is
//! only touched by whoever runs it.

use crate::bif::Fault;
use crate::heap::Fragment;
use crate::interp::{self, Outcome, Regs};
use crate::object::*;
use crate::process::{Message, Process, Status};
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::{Mutex, RwLock};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

pub struct Slot {
    pub id: u64,
    pub inbox: Mutex<VecDeque<Message>>,
    pub process: Mutex<Option<Box<Process>>>,
    pub status: Mutex<Status>,
    /// Monitors held on this process: (monitor ref id, watcher pid, ref term copy id).
    pub monitors: Mutex<Vec<(u64, u64)>>,
    pub links: Mutex<Vec<u64>>,
    pub trap_exit: std::sync::atomic::AtomicBool,
}

struct Table {
    procs: RwLock<HashMap<u64, Arc<Slot>>>,
    names: RwLock<HashMap<Atom, u64>>,
    runq: Mutex<VecDeque<u64>>,
    timers: Mutex<BinaryHeap<Reverse<(u64, u64)>>>,
    next_id: AtomicU64,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| Table {
        procs: RwLock::new(HashMap::new()),
        names: RwLock::new(HashMap::new()),
        runq: Mutex::new(VecDeque::new()),
        timers: Mutex::new(BinaryHeap::new()),
        next_id: AtomicU64::new(0),
    })
}

pub fn slot(id: u64) -> Option<Arc<Slot>> {
    table().procs.read().get(&id).cloned()
}

pub fn process_count() -> usize {
    table().procs.read().len()
}

pub fn all_pids() -> Vec<u64> {
    let mut v: Vec<u64> = table().procs.read().keys().copied().collect();
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
    let id = table().next_id.fetch_add(1, Ordering::Relaxed);
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
        inbox: Mutex::new(VecDeque::new()),
        process: Mutex::new(Some(p)),
        status: Mutex::new(Status::Runnable),
        monitors: Mutex::new(Vec::new()),
        links: Mutex::new(Vec::new()),
        trap_exit: std::sync::atomic::AtomicBool::new(false),
    });
    table().procs.write().insert(id, slot);
    table().runq.lock().push_back(id);
    pid
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
        let mut st = s.status.lock();
        if *st == Status::Waiting {
            *st = Status::Runnable;
            table().runq.lock().push_back(id);
        }
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
    if let Some(s) = slot(p.id) {
        let mut inbox = s.inbox.lock();
        p.mailbox.extend(inbox.drain(..));
    }
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
        pending_kills().lock().push((
            id,
            Message {
                term: r,
                frag: Some(f),
            },
        ));
        let mut st = s.status.lock();
        if *st == Status::Waiting {
            *st = Status::Runnable;
            table().runq.lock().push_back(id);
        }
    }
}

fn pending_kills() -> &'static Mutex<Vec<(u64, Message)>> {
    static K: OnceLock<Mutex<Vec<(u64, Message)>>> = OnceLock::new();
    K.get_or_init(|| Mutex::new(Vec::new()))
}

fn kill(id: u64, reason: Term) {
    pending_kills().lock().push((
        id,
        Message {
            term: reason,
            frag: None,
        },
    ));
    if let Some(s) = slot(id) {
        let mut st = s.status.lock();
        if *st == Status::Waiting {
            *st = Status::Runnable;
            table().runq.lock().push_back(id);
        }
    }
}

/// Cleans up after process `p` exited with `reason`: links, monitors, registry.
fn finish(p: Box<Process>, reason: Term) {
    let id = p.id;
    let pid = p.pid;
    let Some(s) = table().procs.write().remove(&id) else {
        return;
    };
    table().names.write().retain(|_, v| *v != id);
    let links: Vec<u64> = s.links.lock().drain(..).collect();
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

/// Runs processes until one halts the VM; returns the exit status.
pub fn run(regs: &mut Regs) -> i32 {
    match run_until_idle(regs) {
        Some(code) => code,
        // Nothing can ever run again: the reference VM would idle forever; so do we.
        None => loop {
            std::thread::park();
        },
    }
}

/// Runs processes until one halts the VM (`Some(status)`) or nothing is left that could
/// run (`None`): no runnable process and no pending timeout.
pub fn run_until_idle(regs: &mut Regs) -> Option<i32> {
    loop {
        let next = table().runq.lock().pop_front();
        let Some(id) = next else {
            if !wait_for_timers() {
                return None;
            }
            continue;
        };
        let Some(s) = slot(id) else { continue };
        let Some(mut p) = s.process.lock().take() else {
            continue;
        };
        *s.status.lock() = Status::Running;
        // Exit signals that arrived while it was not running.
        let kill_reason = {
            let mut k = pending_kills().lock();
            k.iter()
                .position(|(pid, _)| *pid == id)
                .map(|i| k.remove(i).1)
        };
        if let Some(m) = kill_reason {
            let reason = match m.frag {
                Some(f) => {
                    p.heap.attach_fragment(f);
                    m.term
                }
                None => m.term,
            };
            finish(p, reason);
            continue;
        }
        p.trap_exit = s.trap_exit.load(Ordering::Relaxed);
        fetch_inbox(&mut p);
        p.reds_left = crate::process::CONTEXT_REDS;
        let before = p.reds_left;
        let outcome = interp::run(&mut p, regs);
        p.reductions += (before - p.reds_left).max(0) as u64;
        match outcome {
            Outcome::Yield => {
                *s.status.lock() = Status::Runnable;
                *s.process.lock() = Some(p);
                table().runq.lock().push_back(id);
            }
            Outcome::Wait => {
                let deadline = p.timeout_at;
                let has_new = !s.inbox.lock().is_empty();
                let killed = pending_kills().lock().iter().any(|(pid, _)| *pid == id);
                *s.process.lock() = Some(p);
                let mut st = s.status.lock();
                if has_new || killed {
                    *st = Status::Runnable;
                    table().runq.lock().push_back(id);
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
                return Some(code);
            }
        }
    }
}

/// Sleeps until the next receive timeout and wakes its process. False if there is none.
fn wait_for_timers() -> bool {
    let next = table().timers.lock().peek().map(|r| r.0);
    let Some((deadline, _)) = next else {
        return false;
    };
    let now = crate::time::monotonic_ns();
    if deadline > now {
        std::thread::sleep(std::time::Duration::from_nanos(deadline - now));
    }
    let now = crate::time::monotonic_ns();
    let mut timers = table().timers.lock();
    while let Some(&Reverse((d, id))) = timers.peek() {
        if d > now {
            break;
        }
        timers.pop();
        if let Some(s) = slot(id) {
            let mut guard = s.process.lock();
            if let Some(p) = guard.as_mut() {
                if p.timeout_at == Some(d) {
                    p.timed_out = true;
                    let mut st = s.status.lock();
                    if *st == Status::Waiting {
                        *st = Status::Runnable;
                        table().runq.lock().push_back(id);
                    }
                }
            }
        }
    }
    true
}

/// Links two processes (both directions).
pub fn link(a: u64, b: u64) -> bool {
    let (Some(sa), Some(sb)) = (slot(a), slot(b)) else {
        return false;
    };
    if !sa.links.lock().contains(&b) {
        sa.links.lock().push(b);
    }
    if !sb.links.lock().contains(&a) {
        sb.links.lock().push(a);
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
            s.monitors.lock().push((ref_id, watcher));
            true
        }
        None => false,
    }
}

pub fn demonitor(ref_id: u64) -> bool {
    for s in table().procs.read().values() {
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
