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
use crate::process::{ExitSignal, Inbox, MaxHeapSize, Message, Priority, Process, Signal, Status};
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::{Mutex, RwLock};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

pub mod dirty;
pub mod exit_hooks;
pub mod monitors;
pub mod ref_map;
pub mod runq;
pub mod stats;
pub mod table;
pub mod timer_wheel;
pub mod timers;

pub use runq::{
    schedulers, schedulers_online, set_idle_trim, set_schedulers, set_schedulers_online,
};

pub struct Slot {
    pub id: u64,
    pub inbox: Inbox,
    pub process: Mutex<Option<Box<Process>>>,
    pub status: Mutex<Status>,
    /// Monitors held on this process.
    pub monitors: Mutex<ref_map::RefMap<monitors::Watcher>>,
    pub links: Mutex<Vec<u64>>,
    /// A process waiting to look at this one while it runs (`process_info`), as its id
    /// plus one (0: none). While set, the process is not run again, so the observer
    /// finds it in its slot at its next try instead of polling against time slices.
    pub observer: std::sync::atomic::AtomicU64,
    /// How many times `suspend_process` was applied to it and not undone.
    pub suspended: std::sync::atomic::AtomicU32,
    /// The process's priority (`Priority as u8`), for queueing it when it wakes.
    pub priority: std::sync::atomic::AtomicU8,
    /// Set (under the `links` lock) when the process has exited: from then on a new
    /// link or monitor finds it dead instead of being added to lists nobody reads.
    pub dead: std::sync::atomic::AtomicBool,
    /// Handed to a dirty scheduler and not back yet.
    pub on_dirty: std::sync::atomic::AtomicBool,
    /// False only while `status` is neither `Waiting` nor `Suspended`: senders to a
    /// running or queued process skip the status lock (in fan-in, many senders on every
    /// scheduler would otherwise all take it for every message). Set before the parking
    /// process looks at its inbox, read by senders after they queued: one of the two
    /// sees the other (see `wake` and `park_waiting`).
    pub maybe_waiting: std::sync::atomic::AtomicBool,
    /// Timer wheels that may hold timers other processes set to this one (bit
    /// `wheel % 64`; its own are in `Process::timer_wheels`): cancelled at its exit.
    pub timer_wheels: std::sync::atomic::AtomicU64,
    /// The process's trace flags (`crate::trace` bits) and its tracer's id: the current
    /// values, which the process copies when it is scheduled in.
    pub trace_flags: std::sync::atomic::AtomicU32,
    pub tracer: std::sync::atomic::AtomicU64,
    /// `exit_hooks` bits other processes set for this one (a zlib stream handed to it
    /// with `zlib:set_controlling_process/2`); its own are in `Process::exit_hooks`.
    pub exit_hooks: std::sync::atomic::AtomicU8,
}

struct Table {
    procs: table::ProcessTable,
    names: RwLock<HashMap<Atom, u64>>,
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

/// The process registered as `name` (a name registered to a port gives None).
pub fn whereis(name: Atom) -> Option<u64> {
    whereis_any(name).filter(|&id| id & crate::port::PORT_LINK == 0)
}

/// What is registered as `name`: a process id, or a port number with
/// `port::PORT_LINK` set.
pub fn whereis_any(name: Atom) -> Option<u64> {
    table().names.read().get(&name).copied()
}

/// Removes the name of `entry` (a process id or `PORT_LINK` | port number), if any.
pub fn unregister_entry(entry: u64) {
    table().names.write().retain(|_, v| *v != entry);
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
    /// Monitor the new process: (reference id, watcher, `{tag, Tag}`).
    pub monitor: Option<(u64, u64, Option<Term>)>,
    /// The group leader, instead of the parent's (a spawn another node requested).
    pub group_leader: Option<Term>,
}

/// What `spawn_opt` can set for a new process.
#[derive(Clone, Copy, Debug)]
pub struct ProcessSettings {
    pub priority: Priority,
    pub min_heap_size: usize,
    pub min_bin_vheap_size: usize,
    pub fullsweep_after: u32,
    pub max_heap_size: MaxHeapSize,
    pub off_heap_messages: bool,
}

impl Default for ProcessSettings {
    fn default() -> Self {
        ProcessSettings {
            priority: Priority::Normal,
            min_heap_size: 0,
            min_bin_vheap_size: crate::process::DEFAULT_MIN_BIN_VHEAP_SIZE,
            fullsweep_after: crate::heap::DEFAULT_FULLSWEEP_AFTER,
            max_heap_size: MaxHeapSize::default(),
            off_heap_messages: false,
        }
    }
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
    let settings = ProcessSettings {
        min_heap_size: min_heap,
        ..ProcessSettings::default()
    };
    try_spawn_with(parent, m, f, args, settings, with)
}

/// `spawn_opt`, or `None` when the process table is full (`system_limit`).
pub fn try_spawn_with(
    parent: Option<&Process>,
    m: Atom,
    f: Atom,
    args: &[Term],
    settings: ProcessSettings,
    with: SpawnLinks,
) -> Option<Term> {
    let id = table().procs.allocate_id()?;
    let mut p = Box::new(Process::new(id, settings.min_heap_size));
    let (trace_flags, tracer) = crate::trace::flags_for_child(parent, with.link.is_some());
    p.trace_flags = trace_flags;
    p.tracer = tracer;
    p.priority = settings.priority;
    p.heap.fullsweep_after = settings.fullsweep_after;
    p.min_bin_vheap_size = crate::heap::next_heap_size(settings.min_bin_vheap_size);
    p.max_heap_size = settings.max_heap_size;
    p.off_heap_messages = settings.off_heap_messages;
    let copied: Vec<Term> = args.iter().map(|&a| copy_term(&mut p.heap, a)).collect();
    p.saved_x = copied;
    let e = crate::code::export(m, f, args.len() as u32);
    p.ip = e.code();
    p.first_call = Some(e);
    p.initial_call = (m, f, args.len() as u32);
    p.heap.push(Term(&interp::PROCESS_EXIT as *const _ as u64));
    if let Some(parent) = parent {
        // Copied: another node's process as leader is a term on the parent's heap.
        p.group_leader = copy_term(&mut p.heap, parent.group_leader);
        p.parent = parent.pid;
    } else {
        // A process the runtime starts itself (init, the system processes) is its own
        // group leader, as in the reference.
        p.group_leader = p.pid;
    }
    if let Some(gl) = with.group_leader {
        p.group_leader = copy_term(&mut p.heap, gl);
    }
    let pid = p.pid;
    let slot = Arc::new(Slot {
        id,
        inbox: p.inbox.clone(),
        process: Mutex::new(Some(p)),
        status: Mutex::new(Status::Runnable),
        monitors: Mutex::new({
            let mut m = ref_map::RefMap::new();
            if let Some((ref_id, watcher, tag)) = with.monitor {
                let tag = tag.map(|t| Box::new(copy_to_fragment(t)));
                let name = None;
                m.insert(
                    ref_id,
                    monitors::Watcher {
                        ref_id,
                        watcher,
                        name,
                        tag,
                    },
                );
            }
            m
        }),
        links: Mutex::new(with.link.into_iter().collect()),
        priority: std::sync::atomic::AtomicU8::new(settings.priority as u8),
        suspended: std::sync::atomic::AtomicU32::new(0),
        observer: std::sync::atomic::AtomicU64::new(0),
        dead: std::sync::atomic::AtomicBool::new(false),
        on_dirty: std::sync::atomic::AtomicBool::new(false),
        maybe_waiting: std::sync::atomic::AtomicBool::new(false),
        timer_wheels: std::sync::atomic::AtomicU64::new(0),
        trace_flags: std::sync::atomic::AtomicU32::new(trace_flags),
        tracer: std::sync::atomic::AtomicU64::new(tracer),
        exit_hooks: std::sync::atomic::AtomicU8::new(0),
    });
    table().procs.insert(id, slot);
    if crate::trace::sysmon::profiling_procs() {
        let at = crate::trace::sysmon::Where::Mfa(Some((m, f, args.len() as u32)));
        crate::trace::sysmon::process_event(id, true, at);
    }
    if let Some(parent) = with.link.and_then(crate::sched::slot) {
        parent.links.lock().push(id);
    }
    if trace_flags != 0 || parent.is_some_and(|p| p.trace_flags != 0) {
        crate::trace::on_spawn(
            parent,
            id,
            trace_flags,
            tracer,
            m,
            f,
            args,
            with.link.is_some(),
        );
    }
    runq::make_runnable(id, settings.priority);
    Some(pid)
}

/// Queues the process of `s` if it is waiting (after something was put in its inbox, or
/// its timer fired).
pub(crate) fn wake(s: &Slot) {
    // The signal was queued before this point; pairs with the store in `park_waiting`.
    std::sync::atomic::fence(Ordering::SeqCst);
    if !s.maybe_waiting.load(Ordering::SeqCst) {
        return;
    }
    let mut st = s.status.lock();
    // A suspended process still handles its signals (and goes back to being suspended).
    if *st == Status::Waiting || *st == Status::Suspended {
        if *st == Status::Waiting && crate::trace::sysmon::profiling_procs() {
            crate::trace::sysmon::woken(s);
        }
        *st = Status::Runnable;
        s.maybe_waiting.store(false, Ordering::SeqCst);
        runq::make_runnable(s.id, Priority::from_u8(s.priority.load(Ordering::Relaxed)));
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
    deliver_signal(id, Signal::Message(m));
}

/// Queues a signal to process `id` (dropped if it does not exist).
pub fn deliver_signal(id: u64, signal: Signal) {
    with_slot(id, |s| {
        s.inbox.lock().push_back(signal);
        wake(s);
    });
}

/// Slots this thread sent to lately, by `id % SEND_CACHE_SIZE`.
const SEND_CACHE_SIZE: usize = 64;

thread_local! {
    static SEND_CACHE: std::cell::RefCell<[Option<Arc<Slot>>; SEND_CACHE_SIZE]> =
        const { std::cell::RefCell::new([const { None }; SEND_CACHE_SIZE]) };
}

/// Runs `f` on the slot of live process `id`. Senders keep the slots they used in a
/// small per-thread cache: many senders to one receiver (fan-in) otherwise all take
/// its table entry's lock and bump its `Arc` count for every message, two contended
/// cache lines. A cached slot is used while its process has not exited (`dead`); a
/// message queued in the instant between its exit and the flag is lost with it, as
/// one sent just before the exit would be. At most `SEND_CACHE_SIZE` slots of exited
/// processes stay cached per thread, until replaced.
pub fn with_slot<R>(id: u64, f: impl FnOnce(&Slot) -> R) -> Option<R> {
    let index = (id as usize) % SEND_CACHE_SIZE;
    // Taken out while `f` runs (it may send too), put back afterwards.
    let cached = SEND_CACHE
        .try_with(|c| c.borrow_mut()[index].take())
        .ok()
        .flatten()
        .filter(|s| s.id == id && !s.dead.load(Ordering::Acquire));
    let s = match cached {
        Some(s) => s,
        None => slot(id)?,
    };
    let r = f(&s);
    let _ = SEND_CACHE.try_with(|c| {
        let mut c = c.borrow_mut();
        if c[index].is_none() {
            c[index] = Some(s);
        }
    });
    Some(r)
}

/// Resolves a send destination to a process id (or a port number with
/// `port::PORT_LINK` set).
pub fn resolve_dest(to: Term) -> Result<Option<u64>, Fault> {
    if to.is_local_pid() {
        return Ok(Some(to.pid_value()));
    }
    if let Some(a) = to.as_atom() {
        return match whereis_any(a) {
            Some(id) => Ok(Some(id)),
            None => Err(crate::bif::BADARG),
        };
    }
    if is_tuple(to) && tuple_arity(to) == 2 {
        let (name, node) = (tuple_get(to, 0), tuple_get(to, 1));
        if let (Some(n), Some(nd)) = (name.as_atom(), node.as_atom()) {
            if nd == crate::node::name() {
                return Ok(whereis(n));
            }
            return Ok(None);
        }
    }
    if to.is_local_port() {
        return Ok(Some(to.port_value() | crate::port::PORT_LINK));
    }
    // A reference is an alias; one not active drops the message. Another node's pid
    // cannot be reached (there is no distribution): the message is dropped, as the
    // reference does when not alive. (Another node's port is `badarg`.)
    if is_ref(to) || is_ext_pid(to) {
        return Ok(None);
    }
    Err(crate::bif::BADARG)
}

/// `To ! Msg` from process `p`.
pub fn send(p: &mut Process, to: Term, msg: Term) -> Result<(), Fault> {
    if is_ref(to) && !is_ext_ref(to) {
        monitors::send_to_alias(ref_id(to), copy_to_fragment(msg));
        return Ok(());
    }
    if p.trace_flags & crate::trace::SEND != 0 {
        trace_send(p, to, msg);
    }
    if send_remote(p, to, msg) {
        return Ok(());
    }
    if let Some(id) = resolve_dest(to)? {
        if id & crate::port::PORT_LINK != 0 {
            crate::port::bang(id & !crate::port::PORT_LINK, msg);
            return Ok(());
        }
        let m = copy_to_fragment(msg);
        if id == p.id {
            enqueue(p, m);
        } else {
            deliver(id, m);
        }
    }
    Ok(())
}

/// Sends to another node's process, alias or registered name: true if `to` is one. A
/// sender that finds the connection busy is suspended until it drains: it yields at
/// its next reduction check.
pub fn send_remote(p: &mut Process, to: Term, msg: Term) -> bool {
    use crate::dist::outgoing;
    if to.is_immed() {
        return false;
    }
    let sender = outgoing::Sender {
        id: p.id,
        pid: p.pid,
    };
    let suspended = if is_ext_pid(to) {
        outgoing::send_to_pid(sender, to, msg)
    } else if is_ext_ref(to) {
        outgoing::send_to_alias(sender, to, msg)
    } else if is_tuple(to) && tuple_arity(to) == 2 {
        let (name, node) = (tuple_get(to, 0), tuple_get(to, 1));
        match (name.as_atom(), node.as_atom()) {
            (Some(n), Some(nd)) if nd != crate::node::name() => {
                outgoing::send_to_name(sender, n, nd, msg)
            }
            _ => return false,
        }
    } else {
        return false;
    };
    if suspended {
        p.reds_left = 0;
    }
    true
}

#[cold]
fn trace_send(p: &mut Process, to: Term, msg: Term) {
    let exists = !to.is_local_pid() || slot(to.pid_value()).is_some();
    crate::trace::on_send(p, msg, to, exists);
}

/// Puts a message in the running process's own queue (`'receive'` tracing sees it).
#[inline]
pub fn enqueue(p: &mut Process, m: Message) {
    if p.trace_flags & crate::trace::RECEIVE != 0 {
        crate::trace::on_receive(p, m.term);
    }
    p.mailbox.push_back(m);
}

/// Handles the signals that arrived in the process's inbox, in order: messages move to
/// the mailbox, exit signals are acted on. Returns the exit reason if one of them ends
/// the process (the signals after it are then irrelevant).
pub fn fetch_inbox(p: &mut Process) -> Option<Term> {
    // The whole queue is taken at once, so senders wait for the lock only as long as a
    // swap takes, not for the handling of every signal; the emptied buffer goes back
    // afterwards so that its capacity is not grown again from nothing (up to a bound:
    // an idle process does not keep the buffer of a past burst).
    let mut batch = {
        let mut inbox = p.inbox.lock();
        if inbox.is_empty() {
            return None;
        }
        std::mem::take(&mut *inbox)
    };
    p.mailbox.reserve(batch.len());
    let ended = handle_signals(p, &mut batch);
    if ended.is_none() {
        let mut inbox = p.inbox.lock();
        if inbox.is_empty() && inbox.capacity() < batch.capacity() && batch.capacity() <= INBOX_KEEP
        {
            *inbox = batch;
        }
    }
    ended
}

/// The largest inbox buffer (in signals) `fetch_inbox` hands back for reuse.
const INBOX_KEEP: usize = 16 * 1024;

/// Handles `signals` in order (see `fetch_inbox`).
fn handle_signals(p: &mut Process, signals: &mut VecDeque<Signal>) -> Option<Term> {
    while let Some(signal) = signals.pop_front() {
        match signal {
            Signal::Message(m) => enqueue(p, m),
            Signal::TraceMessage(m) => p.mailbox.push_back(m),
            Signal::LinkTrace { other, linked } => {
                let tag = if linked {
                    "getting_linked"
                } else {
                    "getting_unlinked"
                };
                crate::trace::event_of(p, crate::trace::PROCS, tag, &[Term::pid(other)]);
            }
            Signal::Exit(e) => {
                if e.linked && p.trace_flags & crate::trace::PROCS != 0 {
                    let from = e.from;
                    crate::trace::event_of(p, crate::trace::PROCS, "getting_unlinked", &[from]);
                }
                if let Some(reason) = handle_exit_signal(p, *e) {
                    return Some(reason);
                }
            }
            Signal::Down { ref_id, message } => {
                // A monitor removed by `demonitor` while its target was exiting: the
                // 'DOWN' was on its way, but demonitor promises none comes.
                if p.monitoring.get(ref_id).is_none() {
                    continue;
                }
                monitors::down_received(p, ref_id);
                enqueue(p, message);
            }
            Signal::Reply { ref_id, message } => {
                monitors::reply_received(p, ref_id);
                enqueue(p, message);
            }
            Signal::GroupLeader(m) => {
                if let Some(f) = m.frag {
                    p.heap.attach_fragment(f);
                }
                p.group_leader = m.term;
            }
            Signal::Timeout(seq) => {
                if p.recv_timer.is_some() && p.recv_timer_seq == seq {
                    p.recv_timer = None;
                    p.timed_out = true;
                }
            }
        }
    }
    None
}

/// What an exit signal does to the receiving process `p`: `Some(reason)` if it ends it.
fn handle_exit_signal(p: &mut Process, e: ExitSignal) -> Option<Term> {
    let kill = Term::atom(am::KILL);
    if e.reason == kill && !e.linked {
        return Some(Term::atom(am::KILLED));
    }
    if p.trap_exit {
        enqueue(
            p,
            Message {
                term: e.trap_message,
                frag: e.frag,
            },
        );
        return None;
    }
    if e.reason == Term::atom(am::NORMAL) && e.from != p.pid {
        return None;
    }
    if let Some(f) = e.frag {
        p.heap.attach_fragment(f);
    }
    Some(e.reason)
}

/// Sends an exit signal from `from` (pid term) with `reason` to process `id`; `linked`
/// when it is the exit of a linked process.
pub fn exit_signal(from: Term, id: u64, reason: Term, linked: bool) {
    let Some(s) = slot(id) else { return };
    // `from` is another node's pid (boxed) when the signal came over a connection.
    let mut f = Fragment::new(4 + size_of_term(reason) + size_of_term(from));
    let r = copy_term(&mut f, reason);
    let from = copy_term(&mut f, from);
    let t = make_tuple(&mut f, &[Term::atom(am::EXIT), from, r]);
    let signal = ExitSignal {
        from,
        reason: r,
        trap_message: t,
        frag: Some(f),
        linked,
    };
    s.inbox.lock().push_back(Signal::Exit(Box::new(signal)));
    wake(&s);
}

/// True while an exit signal from `from` is queued to process `id` and not yet handled
/// (`is_process_alive` and `process_info` wait for those, as the reference orders them).
pub fn exit_signal_pending(from: Term, id: u64) -> bool {
    slot(id).is_some_and(|s| {
        s.inbox
            .lock()
            .iter()
            .any(|sig| matches!(sig, Signal::Exit(e) if e.from == from))
    })
}

/// Cleans up after process `p` exited with `reason`: links, monitors, registry.
pub fn finish(mut p: Box<Process>, reason: Term) {
    let id = p.id;
    let pid = p.pid;
    let Some(s) = table().procs.remove(id) else {
        return;
    };
    if crate::trace::sysmon::profiling_procs() {
        crate::trace::sysmon::process_event(id, false, crate::trace::sysmon::Where::Exiting);
    }
    let trace_flags = s.trace_flags.load(Ordering::Acquire);
    if trace_flags != 0 {
        crate::trace::on_exit(id, trace_flags, s.tracer.load(Ordering::Acquire), reason);
    }
    monitors::release_all(&mut p);
    if !p.node_monitor_subs.is_empty() {
        crate::dist::node_monitors::process_exited(id);
    }
    // Before links and monitors fire, as in the reference: a DOWN receiver sees the
    // process's ETS tables already gone.
    exit_hooks::run(
        p.exit_hooks | s.exit_hooks.swap(0, Ordering::SeqCst),
        pid,
        id,
    );
    p.cancel_receive_timeout();
    timers::cancel_all_to(
        id,
        p.timer_wheels | s.timer_wheels.swap(0, Ordering::AcqRel),
    );
    stats::drop_wall_time_enables(p.wall_time_enables);
    for (target, times) in p.suspending.take() {
        for _ in 0..times {
            resume(target);
        }
    }
    let mut names = table().names.write();
    if trace_flags & crate::trace::PROCS != 0 {
        let tracer = s.tracer.load(Ordering::Acquire);
        for (name, _) in names.iter().filter(|(_, v)| **v == id) {
            if crate::trace::is_alive(tracer) {
                crate::trace::event(id, trace_flags, tracer, "unregister", &[Term::atom(*name)]);
            }
        }
    }
    names.retain(|_, v| *v != id);
    drop(names);
    let links: Vec<u64> = {
        let mut l = s.links.lock();
        s.dead.store(true, Ordering::SeqCst);
        l.drain(..).collect()
    };
    let mut port_links = Vec::new();
    for l in links {
        if l & crate::port::PORT_LINK != 0 {
            port_links.push(l);
            continue;
        }
        if l & crate::dist::DIST_LINK != 0 {
            crate::dist::outgoing::linked_process_exited(l & !crate::dist::DIST_LINK, pid, reason);
            continue;
        }
        if let Some(ls) = slot(l) {
            ls.links.lock().retain(|&x| x != id);
        }
        exit_signal(pid, l, reason, true);
    }
    let watchers = s.monitors.lock().take_all();
    monitors::send_downs(watchers, pid, reason);
    // A linked port acts on the exit after the 'DOWN's went out (what a port does is
    // seen only after that, as when the reference's port handles the signal later).
    for l in port_links {
        crate::port::linked_process_exited(l, id, reason);
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
    let observer = s.observer.load(Ordering::Acquire);
    if observer != 0 {
        if slot(observer - 1).is_some() {
            // Stay in the slot until the observer had its look.
            runq::make_runnable(id, Priority::from_u8(s.priority.load(Ordering::Relaxed)));
            return;
        }
        // The observer is gone.
        let _ = s
            .observer
            .compare_exchange(observer, 0, Ordering::AcqRel, Ordering::Relaxed);
    }
    let Some(mut p) = s.process.lock().take() else {
        return;
    };
    {
        let mut st = s.status.lock();
        *st = Status::Running;
        s.maybe_waiting.store(false, Ordering::SeqCst);
    }
    crate::trace::refresh(&mut p, &s);
    // Signals that arrived while it was not running.
    if let Some(reason) = fetch_inbox(&mut p) {
        finish(p, reason);
        return;
    }
    if s.suspended.load(Ordering::SeqCst) > 0 {
        *s.process.lock() = Some(p);
        s.maybe_waiting.store(true, Ordering::SeqCst);
        let mut st = s.status.lock();
        // Checked again under the lock `resume` takes, so a resume is not missed.
        if s.suspended.load(Ordering::SeqCst) > 0 {
            *st = Status::Suspended;
        } else {
            *st = Status::Runnable;
            runq::make_runnable(id, Priority::from_u8(s.priority.load(Ordering::Relaxed)));
        }
        return;
    }
    // A hibernating process wakes only for a message (an ignored exit signal, say,
    // leaves it asleep).
    if p.hibernating && p.mailbox.is_empty() {
        park_waiting(&s, p);
        return;
    }
    p.hibernating = false;
    p.reds_left = crate::process::CONTEXT_REDS;
    let before = p.reds_left;
    let slice = crate::trace::sysmon::watching_schedule()
        .then(|| crate::trace::sysmon::SliceStart::new(&p));
    let outcome = interp::run(&mut p, regs);
    if let Some(start) = slice {
        crate::trace::sysmon::after_slice(&p, start);
    }
    if p.reds_bank != 0 {
        // A call-traced process kept most of its budget aside (see `trace::bp`).
        p.reds_left += p.reds_bank;
        p.reds_bank = 0;
    }
    let prio = p.priority;
    // Being scheduled costs at least one reduction, as in the reference.
    let used = (before - p.reds_left).max(1) as u64;
    p.reductions += used;
    stats::add_reductions(used);
    match outcome {
        Outcome::Yield => {
            *s.process.lock() = Some(p);
            *s.status.lock() = Status::Runnable;
            runq::make_runnable(id, prio);
        }
        Outcome::Wait => park_waiting(&s, p),
        Outcome::Dirty(kind) => {
            // Still `Running` for the rest of the VM until the dirty job is done.
            s.on_dirty.store(true, Ordering::Release);
            *s.process.lock() = Some(p);
            dirty::submit(kind, id);
        }
        Outcome::Exit(reason) => finish(p, reason),
        Outcome::Halt(code) => {
            #[cfg(feature = "opstats")]
            crate::opstats::dump();
            crate::report::flush_stdout();
            runq::runtime().halt(code);
        }
    }
}

/// Whether process `id` was handed to a dirty scheduler and is not back yet.
pub fn is_executing_dirty(id: u64) -> bool {
    slot(id).is_some_and(|s| s.on_dirty.load(Ordering::Acquire))
}

/// Runs process `id`'s dirty job on this dirty scheduler thread, then queues it on the
/// normal schedulers again.
pub(crate) fn run_dirty(id: u64) {
    let Some(s) = slot(id) else { return };
    // Gone if a signal ended it while it was queued here (process_info handled it).
    let Some(mut p) = s.process.lock().take() else {
        s.on_dirty.store(false, Ordering::Release);
        return;
    };
    dirty::run_job(&mut p);
    s.on_dirty.store(false, Ordering::Release);
    let prio = p.priority;
    *s.process.lock() = Some(p);
    *s.status.lock() = Status::Runnable;
    runq::make_runnable(id, prio);
}

/// Puts process `p` back to wait for signals (or queues it again if some arrived).
fn park_waiting(s: &Slot, p: Box<Process>) {
    let prio = p.priority;
    let ip = p.ip;
    *s.process.lock() = Some(p);
    // Before looking at the inbox: a sender that queues after our look sees it and
    // takes the status lock (see `wake`).
    s.maybe_waiting.store(true, Ordering::SeqCst);
    // Under the status lock, so that a sender either sees `Waiting` or its signal is
    // seen here.
    let mut st = s.status.lock();
    if !s.inbox.lock().is_empty() {
        *st = Status::Runnable;
        runq::make_runnable(s.id, prio);
    } else {
        *st = Status::Waiting;
        if crate::trace::sysmon::profiling_procs() {
            // Under the status lock: before the `active` of whoever wakes it.
            let at = crate::trace::sysmon::Where::Mfa(crate::trace::sysmon::mfa_at(ip));
            crate::trace::sysmon::process_event(s.id, false, at);
        }
    }
}

/// Fires the due timers of scheduler `me`; returns its next deadline, if any.
fn fire_timers(me: usize) -> Option<u64> {
    timers::fire_due(me, runq::schedulers_online())
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

/// Suspends process `id` once more; false if it does not exist.
pub fn suspend(id: u64) -> bool {
    let Some(s) = slot(id) else { return false };
    let _st = s.status.lock();
    s.suspended.fetch_add(1, Ordering::SeqCst);
    true
}

/// Undoes one `suspend` of process `id`; it runs again once none is left.
pub fn resume(id: u64) {
    let Some(s) = slot(id) else { return };
    let mut st = s.status.lock();
    let before = s.suspended.fetch_sub(1, Ordering::SeqCst);
    if before == 1 && *st == Status::Suspended {
        *st = Status::Runnable;
        runq::make_runnable(id, Priority::from_u8(s.priority.load(Ordering::Relaxed)));
    }
}

/// Whether process `id` is suspended.
pub fn is_suspended(id: u64) -> bool {
    slot(id).is_some_and(|s| s.suspended.load(Ordering::SeqCst) > 0)
}

/// Records process `id`'s new priority for the run queues.
pub fn set_priority(id: u64, prio: Priority) {
    if let Some(s) = slot(id) {
        s.priority.store(prio as u8, Ordering::Relaxed);
    }
}

/// Sets the group leader of process `id` (not the caller) to `gl` (a pid of this node
/// or another): at once if it is not running, else by a signal it handles next.
/// False if it does not exist.
pub fn set_group_leader(id: u64, gl: Term) -> bool {
    let Some(s) = slot(id) else {
        return false;
    };
    if let Some(p) = s.process.lock().as_mut() {
        // Another node's process is a term: it goes on the process's heap.
        p.group_leader = copy_term(&mut p.heap, gl);
        return true;
    }
    deliver_signal(id, Signal::GroupLeader(copy_to_fragment(gl)));
    true
}

/// How long an idle scheduler or dirty thread spins for work before it sleeps (as the
/// reference's schedulers busy-wait before sleeping): waking a sleeping thread costs
/// both sides a system call and a context switch, which a short spin avoids when work
/// comes soon, as it does in request/response exchanges and around dirty I/O.
const SPIN_FOR: std::time::Duration = std::time::Duration::from_micros(100);

/// Polls `ready` for up to `SPIN_FOR`; its first `Some`.
fn spin_until<T>(mut ready: impl FnMut() -> Option<T>) -> Option<T> {
    let start = std::time::Instant::now();
    loop {
        for _ in 0..32 {
            if let Some(v) = ready() {
                return Some(v);
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= SPIN_FOR {
            return None;
        }
        // Let other runnable threads have the core meanwhile (another OS process's
        // included: two nodes on two cores would otherwise starve each other).
        std::thread::yield_now();
    }
}
