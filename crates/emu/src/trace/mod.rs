//! Tracing (`erlang:trace/3`): per-process trace flags, the tracer process that receives
//! the trace messages, and the events of message, process and call tracing.
//!
//! A process's flags and tracer live in its slot (atomics any process can set); the
//! process copies them when it is scheduled in (`refresh`), so a change made by another
//! process takes effect at the traced process's next scheduling, as in the reference
//! (where `erlang:trace/3` waits for the process's locks, which a running process
//! holds). A process changing its own flags updates both at once.
//!
//! Trace messages are built in a fragment of their own and queued to the tracer like any
//! message. When the tracer is gone, the traced process loses its flags (the reference
//! also drops tracing whose tracer died).
//!
//! Call tracing (trace patterns, breakpoints, return trace) is in [`bp`].

pub mod bp;
pub mod sysmon;

use crate::heap::Fragment;
use crate::object::*;
use crate::process::{Message, Process, Signal};
use oxbeam_term::{Atom, Term};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

pub const SEND: u32 = 1 << 0;
pub const RECEIVE: u32 = 1 << 1;
pub const CALL: u32 = 1 << 2;
pub const PROCS: u32 = 1 << 3;
pub const SET_ON_SPAWN: u32 = 1 << 4;
pub const SET_ON_FIRST_SPAWN: u32 = 1 << 5;
pub const SET_ON_LINK: u32 = 1 << 6;
pub const SET_ON_FIRST_LINK: u32 = 1 << 7;
pub const TIMESTAMP: u32 = 1 << 8;
pub const MONOTONIC_TIMESTAMP: u32 = 1 << 9;
pub const STRICT_MONOTONIC_TIMESTAMP: u32 = 1 << 10;
pub const ARITY: u32 = 1 << 11;
pub const RETURN_TO: u32 = 1 << 12;
pub const SILENT: u32 = 1 << 13;
pub const RUNNING: u32 = 1 << 14;
pub const EXITING: u32 = 1 << 15;
pub const GARBAGE_COLLECTION: u32 = 1 << 16;
pub const PORTS: u32 = 1 << 17;
pub const RUNNING_PROCS: u32 = 1 << 18;
pub const RUNNING_PORTS: u32 = 1 << 19;
pub const SCHEDULER_ID: u32 = 1 << 20;
pub const CPU_TIMESTAMP: u32 = 1 << 21;

/// The flags with a timestamp in the trace messages.
pub const ANY_TIMESTAMP: u32 =
    TIMESTAMP | MONOTONIC_TIMESTAMP | STRICT_MONOTONIC_TIMESTAMP | CPU_TIMESTAMP;

/// Flag names, in the order `erlang:trace_info(Pid, flags)` lists them.
pub const FLAG_NAMES: &[(&str, u32)] = &[
    ("cpu_timestamp", CPU_TIMESTAMP),
    ("running_procs", RUNNING_PROCS),
    ("running_ports", RUNNING_PORTS),
    ("ports", PORTS),
    ("scheduler_id", SCHEDULER_ID),
    ("silent", SILENT),
    ("return_to", RETURN_TO),
    ("arity", ARITY),
    ("garbage_collection", GARBAGE_COLLECTION),
    ("exiting", EXITING),
    ("running", RUNNING),
    ("set_on_first_link", SET_ON_FIRST_LINK),
    ("set_on_link", SET_ON_LINK),
    ("set_on_first_spawn", SET_ON_FIRST_SPAWN),
    ("procs", PROCS),
    ("call", CALL),
    ("set_on_spawn", SET_ON_SPAWN),
    ("receive", RECEIVE),
    ("send", SEND),
    ("monotonic_timestamp", MONOTONIC_TIMESTAMP),
    ("strict_monotonic_timestamp", STRICT_MONOTONIC_TIMESTAMP),
    ("timestamp", TIMESTAMP),
];

/// What the flag `all` sets: everything but `cpu_timestamp` (and the tracer).
pub const ALL: u32 = CPU_TIMESTAMP - 1;

/// The flag named `name`.
pub fn flag_by_name(name: &str) -> Option<u32> {
    if name == "all" {
        return Some(ALL);
    }
    FLAG_NAMES.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
}

/// The flags as `trace_info` lists them.
pub fn flags_list(p: &mut Process, flags: u32) -> Term {
    let items: Vec<Term> = FLAG_NAMES
        .iter()
        .filter(|(_, f)| flags & f != 0)
        .map(|(n, _)| Term::atom(Atom::from_str(n)))
        .collect();
    list_from_iter(&mut p.heap, &items, Term::NIL)
}

// ---------------------------------------------------------------- flags of processes

/// Flags and tracer that new processes get (`erlang:trace(new, ...)`).
struct NewProcs {
    flags: u32,
    tracer: u64,
}

static NEW_FLAGS: AtomicU32 = AtomicU32::new(0);

fn new_procs() -> &'static Mutex<NewProcs> {
    static N: Mutex<NewProcs> = Mutex::new(NewProcs {
        flags: 0,
        tracer: 0,
    });
    &N
}

/// The flags and tracer of new processes (flags 0: none).
pub fn new_process_flags() -> (u32, u64) {
    if NEW_FLAGS.load(Ordering::Acquire) == 0 {
        return (0, 0);
    }
    let n = new_procs().lock();
    if n.flags != 0 && !is_alive(n.tracer) {
        return (0, 0);
    }
    (n.flags, n.tracer)
}

/// Changes the flags of new processes; `false` if they have another live tracer.
pub fn set_new_process_flags(on: bool, flags: u32, tracer: u64) -> bool {
    let mut n = new_procs().lock();
    if on {
        if n.flags != 0 && n.tracer != tracer && is_alive(n.tracer) {
            return false;
        }
        if n.flags == 0 || !is_alive(n.tracer) {
            n.flags = 0;
        }
        n.flags |= flags;
        n.tracer = tracer;
    } else {
        n.flags &= !flags;
    }
    if n.flags == 0 {
        n.tracer = 0;
    }
    NEW_FLAGS.store(n.flags, Ordering::Release);
    true
}

pub fn is_alive(id: u64) -> bool {
    id != 0 && crate::sched::slot(id).is_some()
}

/// The current flags and tracer of process `id` (`None`: no such process). Flags whose
/// tracer is gone read as none.
pub fn flags_of(id: u64) -> Option<(u32, u64)> {
    let s = crate::sched::slot(id)?;
    let f = s.trace_flags.load(Ordering::Acquire);
    let t = s.tracer.load(Ordering::Acquire);
    if f != 0 && !is_alive(t) {
        return Some((0, 0));
    }
    Some((f, t))
}

/// Sets the flags and tracer of process `id` (in its slot; the process itself picks
/// them up when scheduled in). Returns `false` when there is no such process.
pub fn store_flags(id: u64, flags: u32, tracer: u64) -> bool {
    let Some(s) = crate::sched::slot(id) else {
        return false;
    };
    let tracer = if flags == 0 { 0 } else { tracer };
    s.tracer.store(tracer, Ordering::Release);
    s.trace_flags.store(flags, Ordering::Release);
    true
}

/// A process being scheduled in takes its current flags from its slot.
#[inline]
pub fn refresh(p: &mut Process, s: &crate::sched::Slot) {
    let f = s.trace_flags.load(Ordering::Acquire);
    if f != 0 || p.trace_flags != 0 {
        p.trace_flags = f;
        p.tracer = s.tracer.load(Ordering::Acquire);
    }
}

/// Sets a process's own flags (the process itself and its slot).
pub fn set_own_flags(p: &mut Process, flags: u32, tracer: u64) {
    let tracer = if flags == 0 { 0 } else { tracer };
    p.trace_flags = flags;
    p.tracer = tracer;
    store_flags(p.id, flags, tracer);
    bp::refresh_mode(p);
}

/// The tracer of a traced process is gone: it is no longer traced.
#[cold]
fn tracer_gone(id: u64, tracer: u64) {
    if let Some(s) = crate::sched::slot(id) {
        if s.tracer.load(Ordering::Acquire) == tracer {
            s.trace_flags.store(0, Ordering::Release);
            s.tracer.store(0, Ordering::Release);
        }
    }
}

// ---------------------------------------------------------------- trace messages

/// A timestamp of the kind the flags ask for.
#[derive(Clone, Copy)]
enum Stamp {
    None,
    /// `{MegaSecs, Secs, MicroSecs}`.
    Now(i64),
    /// Nanoseconds of Erlang monotonic time.
    Monotonic(i64),
    /// Monotonic time and a unique integer.
    Strict(i64, i64),
}

fn stamp(flags: u32) -> Stamp {
    if flags & ANY_TIMESTAMP == 0 {
        return Stamp::None;
    }
    if flags & STRICT_MONOTONIC_TIMESTAMP != 0 {
        return Stamp::Strict(
            crate::time::erlang_monotonic(),
            crate::bifs::system::next_unique_integer(),
        );
    }
    if flags & MONOTONIC_TIMESTAMP != 0 {
        return Stamp::Monotonic(crate::time::erlang_monotonic());
    }
    Stamp::Now(crate::bifs::system::unique_now_us())
}

fn stamp_term(f: &mut Fragment, s: Stamp) -> Option<Term> {
    Some(match s {
        Stamp::None => return None,
        Stamp::Now(us) => make_tuple(
            f,
            &[
                Term::small(us / 1_000_000_000_000),
                Term::small((us / 1_000_000) % 1_000_000),
                Term::small(us % 1_000_000),
            ],
        ),
        Stamp::Monotonic(ns) => make_i64(f, ns),
        Stamp::Strict(ns, u) => {
            let a = make_i64(f, ns);
            let b = make_i64(f, u);
            make_tuple(f, &[a, b])
        }
    })
}

/// Words a timestamp may take.
const STAMP_WORDS: usize = 16;

/// Sends the trace message `{trace, Tracee, Tag, Items...}` (or `{trace_ts, ...,
/// Stamp}`) to `tracer`. `words` bounds what `build` allocates; `build` returns the
/// items. Returns `false` if the tracer is gone.
pub fn send_trace(
    tracee: Term,
    tracer: u64,
    flags: u32,
    tag: &str,
    words: usize,
    build: impl FnOnce(&mut Fragment) -> Vec<Term>,
) -> bool {
    let ts = stamp(flags);
    let mut f = Fragment::new(words + STAMP_WORDS + 8);
    let items = build(&mut f);
    let mut elems = Vec::with_capacity(items.len() + 4);
    let ts_term = stamp_term(&mut f, ts);
    elems.push(Term::atom(Atom::from_str(if ts_term.is_some() {
        "trace_ts"
    } else {
        "trace"
    })));
    elems.push(tracee);
    elems.push(Term::atom(Atom::from_str(tag)));
    elems.extend_from_slice(&items);
    if let Some(t) = ts_term {
        elems.push(t);
    }
    let msg = make_tuple(&mut f, &elems);
    deliver(
        tracer,
        Message {
            term: msg,
            frag: Some(f),
        },
    )
}

/// Queues a trace message to process `id`; `false` if it does not exist.
pub fn deliver(id: u64, m: Message) -> bool {
    crate::sched::with_slot(id, |s| {
        s.inbox.lock().push_back(Signal::TraceMessage(m));
        crate::sched::wake(s);
    })
    .is_some()
}

/// Sends an event about process `tracee` (flags `flags`, tracer `tracer`) with items
/// copied from anywhere; clears the tracee's flags if the tracer is gone.
pub fn event(tracee: u64, flags: u32, tracer: u64, tag: &str, items: &[Term]) {
    let words: usize = items.iter().map(|&t| size_of_term(t)).sum();
    let ok = send_trace(Term::pid(tracee), tracer, flags, tag, words, |f| {
        items.iter().map(|&t| copy_term(f, t)).collect()
    });
    if !ok {
        tracer_gone(tracee, tracer);
    }
}

/// An event of the running process `p` (when it has `flag`).
#[inline]
pub fn event_of(p: &mut Process, flag: u32, tag: &str, items: &[Term]) {
    if p.trace_flags & flag != 0 {
        event_of_cold(p, tag, items);
    }
}

#[cold]
fn event_of_cold(p: &mut Process, tag: &str, items: &[Term]) {
    let (flags, tracer) = (p.trace_flags, p.tracer);
    if !is_alive(tracer) {
        p.trace_flags = 0;
        p.tracer = 0;
        tracer_gone(p.id, tracer);
        bp::refresh_mode(p);
        return;
    }
    event(p.id, flags, tracer, tag, items);
}

/// An event of process `id` (not the running one), if it has `flag`.
pub fn event_of_id(id: u64, flag: u32, tag: &str, items: &[Term]) {
    if let Some((flags, tracer)) = flags_of(id) {
        if flags & flag != 0 {
            event(id, flags, tracer, tag, items);
        }
    }
}

// ---------------------------------------------------------------- hooks

/// `send` tracing: `p` sends `msg` to `to` (as given); `exists` whether the receiver is
/// there.
#[cold]
pub fn on_send(p: &mut Process, msg: Term, to: Term, exists: bool) {
    if !patterns_allow(p, Event::Send, &[to, msg]) {
        return;
    }
    let tag = if exists {
        "send"
    } else {
        "send_to_non_existing_process"
    };
    event_of(p, SEND, tag, &[msg, to]);
}

/// `'receive'` tracing: `msg` was put in `p`'s message queue.
#[cold]
pub fn on_receive(p: &mut Process, msg: Term) {
    if !patterns_allow(p, Event::Receive, &[msg]) {
        return;
    }
    event_of(p, RECEIVE, "receive", &[msg]);
}

/// Process `p` exits with `reason`; `flags`/`tracer` are its current ones.
pub fn on_exit(id: u64, flags: u32, tracer: u64, reason: Term) {
    if flags & PROCS != 0 && is_alive(tracer) {
        event(id, flags, tracer, "exit", &[reason]);
    }
}

/// The flags and tracer of a process `parent` spawns (`linked`: with spawn_link):
/// inherited with `set_on_spawn` / `set_on_first_spawn` (or `set_on_link` /
/// `set_on_first_link` for a spawn_link, the only link that passes flags on, as in the
/// reference), else those of new processes. A "first" flag is cleared in the parent's
/// slot (`after_spawn` updates the running parent).
pub fn flags_for_child(parent: Option<&Process>, linked: bool) -> (u32, u64) {
    if let Some(par) = parent {
        let f = par.trace_flags;
        if f & (SET_ON_SPAWN | SET_ON_FIRST_SPAWN | SET_ON_LINK | SET_ON_FIRST_LINK) != 0
            && is_alive(par.tracer)
        {
            if f & SET_ON_SPAWN != 0 || (linked && f & SET_ON_LINK != 0) {
                return (f, par.tracer);
            }
            let first = if f & SET_ON_FIRST_SPAWN != 0 {
                SET_ON_FIRST_SPAWN
            } else if linked && f & SET_ON_FIRST_LINK != 0 {
                SET_ON_FIRST_LINK
            } else {
                0
            };
            if first != 0 {
                store_flags(par.id, f & !first, par.tracer);
                return (f & !first, par.tracer);
            }
        }
    }
    new_process_flags()
}

/// After a spawn by `p`: its own flags may have changed (a "first" flag).
pub fn after_spawn(p: &mut Process) {
    if p.trace_flags & (SET_ON_FIRST_SPAWN | SET_ON_FIRST_LINK) != 0 {
        if let Some((f, t)) = flags_of(p.id) {
            p.trace_flags = f;
            p.tracer = t;
        }
    }
}

/// The `procs` events of a spawn: `spawn` (and `link` for a spawn_link) of the parent,
/// `spawned` (and `getting_linked`) of the child. Sent before the child can run.
#[allow(clippy::too_many_arguments)]
pub fn on_spawn(
    parent: Option<&Process>,
    child: u64,
    child_flags: u32,
    child_tracer: u64,
    m: Atom,
    f: Atom,
    args: &[Term],
    linked: bool,
) {
    let parent_traced = parent.is_some_and(|p| p.trace_flags & PROCS != 0);
    if !parent_traced && child_flags & PROCS == 0 {
        return;
    }
    // {M, F, Args} on a scratch heap (the parent may not be touched here).
    let words = args.iter().map(|&t| size_of_term(t)).sum::<usize>() + 2 * args.len() + 8;
    let mut scratch = Fragment::new(words);
    let l = {
        let copied: Vec<Term> = args.iter().map(|&t| copy_term(&mut scratch, t)).collect();
        list_from_iter(&mut scratch, &copied, Term::NIL)
    };
    let mfa = make_tuple(&mut scratch, &[Term::atom(m), Term::atom(f), l]);
    let child_pid = Term::pid(child);
    if let Some(par) = parent.filter(|p| p.trace_flags & PROCS != 0) {
        if is_alive(par.tracer) {
            event(
                par.id,
                par.trace_flags,
                par.tracer,
                "spawn",
                &[child_pid, mfa],
            );
            if linked {
                event(par.id, par.trace_flags, par.tracer, "link", &[child_pid]);
            }
        }
    }
    if child_flags & PROCS != 0 && is_alive(child_tracer) {
        let parent_pid = parent.map_or(Term::atom(oxbeam_term::atom::am::UNDEFINED), |p| p.pid);
        event(
            child,
            child_flags,
            child_tracer,
            "spawned",
            &[parent_pid, mfa],
        );
        if linked {
            event(
                child,
                child_flags,
                child_tracer,
                "getting_linked",
                &[parent_pid],
            );
        }
    }
}

/// `p` linked to `other`: its `link` event, and `getting_linked` for `other`.
pub fn on_link(p: &mut Process, other: u64) {
    event_of(p, PROCS, "link", &[Term::pid(other)]);
    link_signal(p.id, other, true);
}

/// `p` unlinked from `other`.
pub fn on_unlink(p: &mut Process, other: u64) {
    event_of(p, PROCS, "unlink", &[Term::pid(other)]);
    link_signal(p.id, other, false);
}

/// Tells a traced `other` that `from` linked to it or unlinked from it (reported when it
/// handles the signal, in order with the others, as the reference does).
fn link_signal(from: u64, other: u64, linked: bool) {
    if flags_of(other).is_some_and(|(f, _)| f & PROCS != 0) {
        crate::sched::deliver_signal(
            other,
            Signal::LinkTrace {
                other: from,
                linked,
            },
        );
    }
}

// ---------------------------------------------------------------- send/receive patterns

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Send,
    Receive,
}

/// `erlang:trace_pattern(send | 'receive', ...)`: `None` traces every event (the
/// default), `Some(None)` none, `Some(Some(ms))` those the specification matches.
pub type EventPattern = Option<Option<std::sync::Arc<bp::Pattern>>>;

struct EventPatterns {
    send: EventPattern,
    receive: EventPattern,
}

fn event_patterns() -> &'static Mutex<EventPatterns> {
    static E: Mutex<EventPatterns> = Mutex::new(EventPatterns {
        send: None,
        receive: None,
    });
    &E
}

static EVENT_PATTERNS_SET: AtomicU32 = AtomicU32::new(0);

/// Sets the pattern for send or receive events.
pub fn set_event_pattern(ev: Event, pat: EventPattern) {
    let mut e = event_patterns().lock();
    match ev {
        Event::Send => e.send = pat,
        Event::Receive => e.receive = pat,
    }
    let set = e.send.is_some() || e.receive.is_some();
    EVENT_PATTERNS_SET.store(set as u32, Ordering::Release);
}

/// The pattern for send or receive events.
pub fn event_pattern(ev: Event) -> EventPattern {
    let e = event_patterns().lock();
    match ev {
        Event::Send => e.send.clone(),
        Event::Receive => e.receive.clone(),
    }
}

/// Whether the send/receive patterns let this event through.
fn patterns_allow(p: &mut Process, ev: Event, args: &[Term]) -> bool {
    if EVENT_PATTERNS_SET.load(Ordering::Acquire) == 0 {
        return true;
    }
    let pat = {
        let e = event_patterns().lock();
        match ev {
            Event::Send => e.send.clone(),
            Event::Receive => e.receive.clone(),
        }
    };
    match pat {
        None => true,
        Some(None) => false,
        Some(Some(pattern)) => {
            let self_pid = p.pid;
            let (node, args) = match ev {
                Event::Send => (None, args.to_vec()),
                Event::Receive => (Some(Term::atom(crate::node::name())), args.to_vec()),
            };
            let mut all = Vec::new();
            if let Some(n) = node {
                all.push(n);
                all.push(Term::atom(oxbeam_term::atom::am::UNDEFINED));
            }
            all.extend(args);
            bp::ms_allows(&pattern, &all, self_pid)
        }
    }
}

/// The reference's internal bits for the flags (what `process_info(P, trace)` shows).
pub fn internal_flags_word(flags: u32) -> u32 {
    const MAP: &[(u32, u32)] = &[
        (SEND, 16),
        (RECEIVE, 32),
        (CALL, 1024),
        (PROCS, 2048),
        (SET_ON_SPAWN, 64),
        (SET_ON_FIRST_SPAWN, 128),
        (SET_ON_LINK, 256),
        (SET_ON_FIRST_LINK, 512),
        (TIMESTAMP, 1),
        (MONOTONIC_TIMESTAMP, 4),
        (STRICT_MONOTONIC_TIMESTAMP, 2),
        (ARITY, 32768),
        (RETURN_TO, 65536),
        (SILENT, 131072),
        (RUNNING, 8192),
        (EXITING, 16777216),
        (GARBAGE_COLLECTION, 16384),
        (PORTS, 4194304),
        (RUNNING_PROCS, 2097152),
        (RUNNING_PORTS, 1048576),
        (SCHEDULER_ID, 8388608),
    ];
    MAP.iter()
        .filter(|(f, _)| flags & f != 0)
        .map(|&(_, w)| w)
        .sum()
}
