//! Monitors and process aliases.
//!
//! A monitor is recorded on both sides: the target's slot lists who watches it (read
//! when it exits, to send the `'DOWN'` messages), and the watcher's process lists what
//! it watches (so `demonitor` goes straight to the target instead of searching, and
//! `process_info(monitors)` can answer). A `'DOWN'` travels as its own signal so the
//! watcher drops its record when it handles it.
//!
//! An alias is a reference that messages can be sent to; the registry maps active
//! aliases to their process, sharded so that unrelated calls do not contend.

use super::{deliver_signal, slot};
use crate::heap::Fragment;
use crate::object::*;
use crate::process::{Message, Process, Signal};
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A monitor as its target records it.
pub struct Watcher {
    pub ref_id: u64,
    pub watcher: u64,
    /// Set when the monitor was made by registered name: the `'DOWN'` names
    /// `{Name, Node}` instead of the pid.
    pub name: Option<Atom>,
    /// `{tag, Tag}`: the `'DOWN'` message starts with this instead of `'DOWN'`.
    pub tag: Option<Box<Message>>,
}

/// A monitor as its watcher records it.
#[derive(Clone, Copy, Debug)]
pub struct Watched {
    pub ref_id: u64,
    pub target: u64,
    pub name: Option<Atom>,
}

/// How an alias is deactivated (besides `unalias/1`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AliasMode {
    /// Only by `unalias/1`.
    Explicit,
    /// Also when the monitor it belongs to is removed (demonitor or `'DOWN'`).
    Demonitor,
    /// Also when a message sent through it arrives (and then its monitor is removed).
    Reply,
}

const SHARDS: usize = 64;

/// One shard of the alias registry: reference id → (owning process, deactivated by the
/// first reply).
type AliasShard = Mutex<HashMap<u64, (u64, bool)>>;

fn registry() -> &'static [AliasShard] {
    static R: OnceLock<Vec<AliasShard>> = OnceLock::new();
    R.get_or_init(|| (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect())
}

fn shard(ref_id: u64) -> &'static AliasShard {
    &registry()[(ref_id as usize) % SHARDS]
}

/// Makes reference `ref_id` an alias of process `p`.
pub fn activate_alias(p: &mut Process, ref_id: u64, mode: AliasMode) {
    shard(ref_id)
        .lock()
        .insert(ref_id, (p.id, mode == AliasMode::Reply));
    p.aliases.insert(ref_id, mode);
}

/// Deactivates alias `ref_id` of `p`; false if it was not one of its active aliases.
pub fn unalias(p: &mut Process, ref_id: u64) -> bool {
    if p.aliases.remove(ref_id).is_none() {
        return false;
    }
    shard(ref_id).lock().remove(&ref_id).is_some()
}

/// Sends `m` through alias `ref_id` (dropped if the alias is not active).
pub fn send_to_alias(ref_id: u64, m: Message) {
    let target = {
        let mut s = shard(ref_id).lock();
        match s.get(&ref_id) {
            Some(&(owner, true)) => {
                s.remove(&ref_id);
                Some((owner, true))
            }
            Some(&(owner, false)) => Some((owner, false)),
            None => None,
        }
    };
    match target {
        Some((owner, true)) => deliver_signal(owner, Signal::Reply { ref_id, message: m }),
        Some((owner, false)) => deliver_signal(owner, Signal::Message(m)),
        None => {}
    }
}

/// `p` handles a message that came through its reply alias `ref_id`.
pub fn reply_received(p: &mut Process, ref_id: u64) {
    p.aliases.remove(ref_id);
    demonitor(p, ref_id);
}

/// `p` handles the `'DOWN'` of its monitor `ref_id`.
pub fn down_received(p: &mut Process, ref_id: u64) {
    p.monitoring.remove(ref_id);
    drop_monitor_alias(p, ref_id);
}

/// An alias tied to monitor `ref_id` ends with it.
fn drop_monitor_alias(p: &mut Process, ref_id: u64) {
    if p.aliases
        .get(ref_id)
        .is_some_and(|&m| m != AliasMode::Explicit)
    {
        p.aliases.remove(ref_id);
        shard(ref_id).lock().remove(&ref_id);
    }
}

/// Records a monitor of `target` by `p` (made by name if `name`); false if the target
/// is gone (the caller then sends the `noproc` `'DOWN'`).
pub fn monitor(
    p: &mut Process,
    target: u64,
    ref_id: u64,
    name: Option<Atom>,
    tag: Option<Term>,
) -> bool {
    let Some(s) = slot(target) else { return false };
    {
        let mut m = s.monitors.lock();
        if s.dead.load(std::sync::atomic::Ordering::SeqCst) {
            return false;
        }
        m.insert(
            ref_id,
            Watcher {
                ref_id,
                watcher: p.id,
                name,
                tag: tag.map(|t| Box::new(super::copy_to_fragment(t))),
            },
        );
    }
    p.monitoring.insert(
        ref_id,
        Watched {
            ref_id,
            target,
            name,
        },
    );
    true
}

/// Removes monitor `ref_id` of `p`; false if `p` has no such monitor.
pub fn demonitor(p: &mut Process, ref_id: u64) -> bool {
    let Some(w) = p.monitoring.remove(ref_id) else {
        return false;
    };
    drop_monitor_alias(p, ref_id);
    if w.target == crate::dist::DIST_LINK {
        crate::dist::outgoing::demonitor(p.pid, ref_id);
    } else if w.target & crate::port::PORT_LINK != 0 {
        crate::port::demonitor(w.target, ref_id);
    } else if let Some(s) = slot(w.target) {
        s.monitors.lock().remove(ref_id);
    }
    true
}

/// The object a `'DOWN'` names: the pid, or `{Name, Node}` for a monitor by name.
fn down_object<A: Alloc + ?Sized>(a: &mut A, pid: Term, name: Option<Atom>) -> Term {
    match name {
        Some(n) => make_tuple(a, &[Term::atom(n), Term::atom(crate::node::name())]),
        None => pid,
    }
}

/// Builds `{'DOWN' | Tag, Ref, process, Object, Reason}` in a fragment of its own.
pub fn down_message(
    ref_id: u64,
    pid: Term,
    name: Option<Atom>,
    tag: Option<Term>,
    reason: Term,
) -> Message {
    down_message_of(Term::atom(am::PROCESS), ref_id, pid, name, tag, reason)
}

/// `down_message` for a monitor of type `kind` (`process` or `port`).
pub fn down_message_of(
    kind: Term,
    ref_id: u64,
    pid: Term,
    name: Option<Atom>,
    tag: Option<Term>,
    reason: Term,
) -> Message {
    let tag_size = tag.map_or(0, size_of_term);
    let mut f = Fragment::new(6 + 2 + 3 + tag_size + size_of_term(reason));
    let r = copy_term(&mut f, reason);
    let rf = make_ref(&mut f, ref_id);
    let first = match tag {
        Some(t) => copy_term(&mut f, t),
        None => Term::atom(am::DOWN),
    };
    let obj = down_object(&mut f, pid, name);
    let t = make_tuple(&mut f, &[first, rf, kind, obj, r]);
    Message {
        term: t,
        frag: Some(f),
    }
}

/// Sends the `'DOWN'`s of the monitors on the exiting process `pid`.
pub fn send_downs(watchers: Vec<(u64, Watcher)>, pid: Term, reason: Term) {
    for (_, w) in watchers {
        if w.watcher & crate::dist::DIST_LINK != 0 {
            crate::dist::outgoing::monitored_process_exited(w.ref_id, pid, reason);
            continue;
        }
        let tag = w.tag.as_ref().map(|m| m.term);
        let message = down_message(w.ref_id, pid, w.name, tag, reason);
        deliver_signal(
            w.watcher,
            Signal::Down {
                ref_id: w.ref_id,
                message,
            },
        );
    }
}

/// Removes what the exiting process `p` held: its monitors on others and its aliases.
pub fn release_all(p: &mut Process) {
    for (ref_id, w) in p.monitoring.take_all() {
        if w.target == crate::dist::DIST_LINK {
            crate::dist::outgoing::demonitor(p.pid, ref_id);
        } else if w.target & crate::port::PORT_LINK != 0 {
            crate::port::demonitor(w.target, ref_id);
        } else if let Some(s) = slot(w.target) {
            s.monitors.lock().remove(ref_id);
        }
    }
    for (ref_id, _) in p.aliases.take_all() {
        shard(ref_id).lock().remove(&ref_id);
    }
}
