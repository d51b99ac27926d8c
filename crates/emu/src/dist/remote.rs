//! What local processes hold on other nodes' processes: links, monitors both ways and
//! `monitor_node` watches. Each is recorded here, keyed so that both a local event (a
//! process exits, demonitors) and a remote one (an `EXIT`, a `MONITOR_P_EXIT`, the
//! connection going down) find it.
//!
//! A local process's link list holds `DIST_LINK | handle` for a link to another node's
//! process; a monitor of another node's process is recorded by the watcher with target
//! `DIST_LINK`, and a monitor held by another node's process on a local one is recorded
//! by the target with watcher `DIST_LINK | id` (the monitor's local stand-in id).

use super::DIST_LINK;
use crate::object::*;
use crate::process::Message;
use oxbeam_term::{Atom, Term};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Another node's pid, owned (no heap).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ExtPid {
    pub node: Atom,
    pub creation: u32,
    pub number: u32,
    pub serial: u32,
}

impl ExtPid {
    pub fn of(t: Term) -> Option<ExtPid> {
        if !is_ext_pid(t) {
            return None;
        }
        let (number, serial) = ext_pid_parts(t);
        Some(ExtPid {
            node: ext_node(t),
            creation: ext_creation(t),
            number,
            serial,
        })
    }

    pub fn term<A: Alloc + ?Sized>(&self, a: &mut A) -> Term {
        make_ext_pid(a, self.node, self.creation, self.number, self.serial)
    }
}

/// Another node's reference, owned.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ExtRef {
    pub node: Atom,
    pub creation: u32,
    pub ids: Vec<u32>,
}

impl ExtRef {
    pub fn of(t: Term) -> Option<ExtRef> {
        is_ext_ref(t).then(|| ExtRef {
            node: ext_node(t),
            creation: ext_creation(t),
            ids: ext_ref_ids(t),
        })
    }

    pub fn term<A: Alloc + ?Sized>(&self, a: &mut A) -> Term {
        make_ext_ref(a, self.node, self.creation, &self.ids)
    }
}

/// What a local process monitors on another node: a pid, or a name there.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    Pid(ExtPid),
    Name(Atom),
}

/// A monitor by local process `watcher` of a process on `node` (keyed by its local
/// reference id).
#[derive(Clone, Copy, Debug)]
pub struct OutMonitor {
    pub watcher: u64,
    pub node: Atom,
    pub target: Target,
    /// `{tag, Tag}` given: the `'DOWN'` starts with it.
    pub has_tag: bool,
}

/// A monitor by another node's process on local process `target` (keyed by a local
/// stand-in id).
pub struct InMonitor {
    pub watcher: ExtPid,
    pub reference: ExtRef,
    pub target: u64,
    /// Made by registered name: the `MONITOR_P_EXIT` names it instead of the pid.
    pub name: Option<Atom>,
}

#[derive(Default)]
struct Registry {
    /// handle → (local process, remote process).
    links: HashMap<u64, (u64, ExtPid)>,
    link_index: HashMap<(u64, ExtPid), u64>,
    out_monitors: HashMap<u64, OutMonitor>,
    /// `{tag, Tag}` of an outgoing monitor, kept apart as it owns heap data.
    out_tags: HashMap<u64, Message>,
    in_monitors: HashMap<u64, InMonitor>,
    in_index: HashMap<ExtRef, u64>,
    /// node → (local process, `monitor_node` count).
    node_watches: HashMap<Atom, Vec<(u64, u32)>>,
}

fn registry() -> &'static Mutex<Registry> {
    static R: OnceLock<Mutex<Registry>> = OnceLock::new();
    R.get_or_init(|| Mutex::new(Registry::default()))
}

static NEXT_HANDLE: AtomicU64 = AtomicU64::new(1);

fn new_handle() -> u64 {
    NEXT_HANDLE.fetch_add(1, Ordering::Relaxed) & (DIST_LINK - 1)
}

// ------------------------------------------------------------------ links

/// Records a link between local process `local` and `remote`; the handle its link list
/// holds, or None if they were linked already. The caller adds the handle to the
/// process's link list (`local` may be 0 before the process exists: `set_link_local`).
pub fn add_link(local: u64, remote: ExtPid) -> Option<u64> {
    let mut r = registry().lock();
    if local != 0 && r.link_index.contains_key(&(local, remote)) {
        return None;
    }
    let h = new_handle();
    r.links.insert(h, (local, remote));
    if local != 0 {
        r.link_index.insert((local, remote), h);
    }
    Some(h)
}

/// Fills in the local process of a link recorded before it was spawned.
pub fn set_link_local(handle: u64, local: u64) {
    let mut r = registry().lock();
    if let Some(l) = r.links.get_mut(&handle) {
        l.0 = local;
        let remote = l.1;
        r.link_index.insert((local, remote), handle);
    }
}

/// Removes the link between `local` and `remote`; its handle if there was one.
pub fn remove_link(local: u64, remote: ExtPid) -> Option<u64> {
    let mut r = registry().lock();
    let h = r.link_index.remove(&(local, remote))?;
    r.links.remove(&h);
    Some(h)
}

/// Takes the link with `handle` (its local process exited): the remote process.
pub fn take_link(handle: u64) -> Option<ExtPid> {
    let mut r = registry().lock();
    let (local, remote) = r.links.remove(&handle)?;
    r.link_index.remove(&(local, remote));
    Some(remote)
}

/// The remote process of link `handle` (`process_info(links)`).
pub fn link_target(handle: u64) -> Option<ExtPid> {
    registry().lock().links.get(&handle).map(|l| l.1)
}

// ------------------------------------------------------------------ monitors

pub fn add_out_monitor(ref_id: u64, m: OutMonitor, tag: Option<Message>) {
    let mut r = registry().lock();
    r.out_monitors.insert(ref_id, m);
    if let Some(t) = tag {
        r.out_tags.insert(ref_id, t);
    }
}

/// Removes outgoing monitor `ref_id`, with its tag.
pub fn take_out_monitor(ref_id: u64) -> Option<(OutMonitor, Option<Message>)> {
    let mut r = registry().lock();
    let m = r.out_monitors.remove(&ref_id)?;
    let tag = r.out_tags.remove(&ref_id);
    Some((m, tag))
}

/// What outgoing monitor `ref_id` watches (`process_info(monitors)`).
pub fn out_monitor(ref_id: u64) -> Option<OutMonitor> {
    registry().lock().out_monitors.get(&ref_id).copied()
}

/// Who holds monitor `id` from another node (`process_info(monitored_by)`).
pub fn in_monitor_watcher(id: u64) -> Option<ExtPid> {
    registry().lock().in_monitors.get(&id).map(|m| m.watcher)
}

/// Records a monitor from another node on local process `target`; its stand-in id.
pub fn add_in_monitor(m: InMonitor) -> u64 {
    let id = new_handle();
    let mut r = registry().lock();
    r.in_index.insert(m.reference.clone(), id);
    r.in_monitors.insert(id, m);
    id
}

/// Fills in the target of a monitor recorded before its process was spawned.
pub fn set_in_monitor_target(id: u64, target: u64) {
    if let Some(m) = registry().lock().in_monitors.get_mut(&id) {
        m.target = target;
    }
}

pub fn take_in_monitor(id: u64) -> Option<InMonitor> {
    let mut r = registry().lock();
    let m = r.in_monitors.remove(&id)?;
    r.in_index.remove(&m.reference);
    Some(m)
}

/// The stand-in id of the monitor from another node made with `reference`.
pub fn in_monitor_by_ref(reference: &ExtRef) -> Option<u64> {
    registry().lock().in_index.get(reference).copied()
}

// ------------------------------------------------------------------ monitor_node

/// `monitor_node(Node, true)` by `pid`.
pub fn watch_node(node: Atom, pid: u64) {
    let mut r = registry().lock();
    let w = r.node_watches.entry(node).or_default();
    match w.iter_mut().find(|e| e.0 == pid) {
        Some(e) => e.1 += 1,
        None => w.push((pid, 1)),
    }
}

/// `monitor_node(Node, false)` by `pid`: one watch fewer.
pub fn unwatch_node(node: Atom, pid: u64) {
    let mut r = registry().lock();
    if let Some(w) = r.node_watches.get_mut(&node) {
        if let Some(i) = w.iter().position(|e| e.0 == pid) {
            w[i].1 -= 1;
            if w[i].1 == 0 {
                w.remove(i);
            }
        }
    }
}

// ------------------------------------------------------------------ a lost connection

/// Everything tied to `node`, taken out when its connection is lost.
#[derive(Default)]
pub struct Lost {
    /// (local process, link handle, remote process).
    pub links: Vec<(u64, u64, ExtPid)>,
    /// (reference id, monitor, tag).
    pub out_monitors: Vec<(u64, OutMonitor, Option<Message>)>,
    /// (stand-in id, local target).
    pub in_monitors: Vec<(u64, u64)>,
    /// (local process, `monitor_node` count).
    pub node_watches: Vec<(u64, u32)>,
}

pub fn take_node(node: Atom) -> Lost {
    let mut r = registry().lock();
    let mut lost = Lost::default();
    let handles: Vec<u64> = r
        .links
        .iter()
        .filter(|(_, l)| l.1.node == node)
        .map(|(&h, _)| h)
        .collect();
    for h in handles {
        let (local, remote) = r.links.remove(&h).expect("a link found just now");
        r.link_index.remove(&(local, remote));
        lost.links.push((local, h, remote));
    }
    let refs: Vec<u64> = r
        .out_monitors
        .iter()
        .filter(|(_, m)| m.node == node)
        .map(|(&id, _)| id)
        .collect();
    for id in refs {
        let m = r
            .out_monitors
            .remove(&id)
            .expect("a monitor found just now");
        let tag = r.out_tags.remove(&id);
        lost.out_monitors.push((id, m, tag));
    }
    let ins: Vec<u64> = r
        .in_monitors
        .iter()
        .filter(|(_, m)| m.watcher.node == node)
        .map(|(&id, _)| id)
        .collect();
    for id in ins {
        let m = r.in_monitors.remove(&id).expect("a monitor found just now");
        r.in_index.remove(&m.reference);
        lost.in_monitors.push((id, m.target));
    }
    lost.node_watches = r.node_watches.remove(&node).unwrap_or_default();
    lost
}
