//! What local processes do to other nodes' processes: messages, links, exit signals,
//! monitors and spawns become packets on the node's connection (started automatically
//! when there is none), and local events tied to remote processes (a linked process
//! exits, a monitored one goes down) are reported back. Also the local side of a lost
//! connection: `noconnection` exits and `'DOWN'`s, `nodedown`s.
//!
//! Every operation is sent in its modern form (OTP 23 and later, which is all a node
//! that completes OTP 25's handshake can be): `SEND_SENDER`, `PAYLOAD_EXIT*`,
//! `UNLINK_ID`, `SPAWN_REQUEST`, `ALIAS_SEND`.

use super::remote::{self, ExtPid, ExtRef, OutMonitor, Target};
use super::wire::{self, op_packet};
use super::{connect, lookup, node_monitors, Conn, DIST_LINK};
use crate::heap::Fragment;
use crate::object::*;
use crate::process::{Message, Signal};
use crate::sched;
use oxbeam_term::{Atom, Term};
use std::sync::Arc;

fn atom(name: &str) -> Term {
    Term::atom(Atom::from_str(name))
}

/// The process sending a message.
#[derive(Clone, Copy)]
pub struct Sender {
    pub id: u64,
    pub pid: Term,
}

/// Sends a message packet for `sender`; true if the connection is busy and the sender
/// was suspended until it drains.
fn send_message(c: &Conn, sender: Sender, packet: Vec<u8>) -> bool {
    c.send(packet) && c.suspend_sender(sender.id)
}

/// `To ! Msg` from `sender` to another node's pid; true if the sender was suspended.
pub fn send_to_pid(sender: Sender, to: Term, msg: Term) -> bool {
    let Some(pid) = ExtPid::of(to) else {
        return false;
    };
    let Some(c) = connect(pid.node) else {
        return false;
    };
    let from = sender.pid;
    let packet = op_packet(
        wire::SEND_SENDER,
        |h| vec![from, pid.term(h)],
        Some(msg),
        from,
    );
    send_message(&c, sender, packet)
}

/// `{Name, Node} ! Msg` for another node; true if the sender was suspended.
pub fn send_to_name(sender: Sender, name: Atom, node: Atom, msg: Term) -> bool {
    let Some(c) = connect(node) else {
        return false;
    };
    let from = sender.pid;
    let packet = op_packet(
        wire::REG_SEND,
        |_| vec![from, atom(""), Term::atom(name)],
        Some(msg),
        from,
    );
    send_message(&c, sender, packet)
}

/// A message through another node's alias; true if the sender was suspended.
pub fn send_to_alias(sender: Sender, alias: Term, msg: Term) -> bool {
    let Some(r) = ExtRef::of(alias) else {
        return false;
    };
    let Some(c) = connect(r.node) else {
        return false;
    };
    let from = sender.pid;
    let packet = op_packet(wire::ALIAS_SEND, |h| vec![from, r.term(h)], Some(msg), from);
    send_message(&c, sender, packet)
}

/// Whether a send to `node` with `noconnect` goes through (it has a connection).
pub fn connected(node: Atom) -> bool {
    lookup(node).is_some()
}

/// `link(RemotePid)` by local process `id` (`pid`). False if the node cannot be
/// reached (the caller then acts as for a link to a dead process).
pub fn link(id: u64, pid: Term, to: Term) -> bool {
    let Some(remote) = ExtPid::of(to) else {
        return false;
    };
    let Some(c) = connect(remote.node) else {
        return false;
    };
    if let Some(h) = remote::add_link(id, remote) {
        if let Some(s) = sched::slot(id) {
            s.links.lock().push(DIST_LINK | h);
        }
        c.send(op_packet(
            wire::LINK,
            |h| vec![pid, remote.term(h)],
            None,
            pid,
        ));
    }
    true
}

/// `unlink(RemotePid)` by local process `id`.
pub fn unlink(id: u64, pid: Term, to: Term) {
    let Some(remote) = ExtPid::of(to) else { return };
    let Some(h) = remote::remove_link(id, remote) else {
        return;
    };
    if let Some(s) = sched::slot(id) {
        s.links.lock().retain(|&l| l != DIST_LINK | h);
    }
    if let Some(c) = lookup(remote.node) {
        let unlink_id = crate::bifs::erlang::next_ref_id() & 0xffff_ffff;
        c.send(op_packet(
            wire::UNLINK_ID,
            |h| vec![Term::small(unlink_id as i64), pid, remote.term(h)],
            None,
            pid,
        ));
    }
}

/// `exit(RemotePid, Reason)` from `from`.
pub fn exit2(from: Term, to: Term, reason: Term) {
    let Some(remote) = ExtPid::of(to) else { return };
    let Some(c) = connect(remote.node) else {
        return;
    };
    c.send(op_packet(
        wire::PAYLOAD_EXIT2,
        |h| vec![from, remote.term(h)],
        Some(reason),
        from,
    ));
}

/// `group_leader(Leader, RemotePid)`: the remote process's group leader becomes
/// local process `leader`.
pub fn group_leader(leader: Term, to: Term) {
    let Some(remote) = ExtPid::of(to) else { return };
    let Some(c) = connect(remote.node) else {
        return;
    };
    c.send(op_packet(
        wire::GROUP_LEADER,
        |h| vec![leader, remote.term(h)],
        None,
        leader,
    ));
}

/// A local process linked to another node's process exited (its link list held
/// `DIST_LINK | handle`): the exit signal goes to the remote process.
pub fn linked_process_exited(handle: u64, pid: Term, reason: Term) {
    let Some(remote) = remote::take_link(handle) else {
        return;
    };
    if let Some(c) = lookup(remote.node) {
        c.send(op_packet(
            wire::PAYLOAD_EXIT,
            |h| vec![pid, remote.term(h)],
            Some(reason),
            pid,
        ));
    }
}

/// `monitor(process, Target)` by local process `watcher` (`pid`) of a process on
/// `node`, with reference `ref_id`. False if the node cannot be reached.
pub fn monitor(
    watcher: u64,
    pid: Term,
    node: Atom,
    target: Target,
    ref_id: u64,
    tag: Option<Term>,
) -> bool {
    let Some(c) = connect(node) else {
        return false;
    };
    let m = OutMonitor {
        watcher,
        node,
        target,
        has_tag: tag.is_some(),
    };
    remote::add_out_monitor(ref_id, m, tag.map(sched::copy_to_fragment));
    c.send(op_packet(
        wire::MONITOR_P,
        |h| {
            let to = target_term(h, target);
            vec![pid, to, make_ref(h, ref_id)]
        },
        None,
        pid,
    ));
    true
}

fn target_term<A: Alloc + ?Sized>(a: &mut A, target: Target) -> Term {
    match target {
        Target::Pid(p) => p.term(a),
        Target::Name(n) => Term::atom(n),
    }
}

/// `demonitor` of a monitor on another node's process by `pid`.
pub fn demonitor(pid: Term, ref_id: u64) {
    let Some((m, _)) = remote::take_out_monitor(ref_id) else {
        return;
    };
    if let Some(c) = lookup(m.node) {
        c.send(op_packet(
            wire::DEMONITOR_P,
            |h| {
                let to = target_term(h, m.target);
                vec![pid, to, make_ref(h, ref_id)]
            },
            None,
            pid,
        ));
    }
}

/// A local process monitored from another node (monitor stand-in id `id`) exited.
pub fn monitored_process_exited(id: u64, pid: Term, reason: Term) {
    let Some(m) = remote::take_in_monitor(id) else {
        return;
    };
    let Some(c) = lookup(m.watcher.node) else {
        return;
    };
    c.send(op_packet(
        wire::PAYLOAD_MONITOR_P_EXIT,
        |h| {
            let from = m.name.map_or(pid, Term::atom);
            vec![from, m.watcher.term(h), m.reference.term(h)]
        },
        Some(reason),
        pid,
    ));
}

/// The `'DOWN'` of outgoing monitor `ref_id` with `reason` to its watcher.
pub fn deliver_down(
    ref_id: u64,
    m: &OutMonitor,
    tag: Option<&Message>,
    object: Term,
    reason: Term,
) {
    let tag_term = tag.map(|t| t.term);
    let size =
        6 + 2 + 3 + size_of_term(object) + size_of_term(reason) + tag_term.map_or(0, size_of_term);
    let mut f = Fragment::new(size);
    let obj = match m.target {
        Target::Name(n) => make_tuple(&mut f, &[Term::atom(n), Term::atom(m.node)]),
        Target::Pid(_) => copy_term(&mut f, object),
    };
    let r = copy_term(&mut f, reason);
    let first = match tag_term {
        Some(t) => copy_term(&mut f, t),
        None => Term::atom(oxbeam_term::atom::am::DOWN),
    };
    let rf = make_ref(&mut f, ref_id);
    let t = make_tuple(
        &mut f,
        &[
            first,
            rf,
            Term::atom(oxbeam_term::atom::am::PROCESS),
            obj,
            r,
        ],
    );
    let message = Message {
        term: t,
        frag: Some(f),
    };
    sched::deliver_signal(m.watcher, Signal::Down { ref_id, message });
}

/// The connection to `c`'s node is gone: links end with `noconnection` exit signals,
/// monitors with `noconnection` `'DOWN'`s, `monitor_node` watchers get `nodedown`,
/// and (if it was up) so do the `monitor_nodes` subscribers.
pub fn lost(c: &Arc<Conn>, was_up: bool, reason: Term) {
    let noconnection = atom("noconnection");
    let lost = remote::take_node(c.node);
    for (local, handle, remote) in lost.links {
        if let Some(s) = sched::slot(local) {
            s.links.lock().retain(|&l| l != DIST_LINK | handle);
        }
        let mut pf = Fragment::new(5);
        let from = remote.term(&mut pf);
        sched::exit_signal(from, local, noconnection, true);
    }
    for (ref_id, m, tag) in lost.out_monitors {
        let mut pf = Fragment::new(5);
        let object = match m.target {
            Target::Pid(p) => p.term(&mut pf),
            Target::Name(n) => Term::atom(n),
        };
        deliver_down(ref_id, &m, tag.as_ref(), object, noconnection);
    }
    for (id, target) in lost.in_monitors {
        if let Some(s) = sched::slot(target) {
            s.monitors.lock().remove(id);
        }
    }
    for (pid, count) in lost.node_watches {
        for _ in 0..count {
            let mut f = Fragment::new(3);
            let t = make_tuple(&mut f, &[atom("nodedown"), Term::atom(c.node)]);
            sched::deliver(
                pid,
                Message {
                    term: t,
                    frag: Some(f),
                },
            );
        }
    }
    super::spawn::connection_lost(c);
    if was_up {
        node_monitors::notify(c, false, reason);
    }
}

/// `monitor_node(Node, true)` by process `id`. False if the node cannot be reached
/// (the caller then sends `{nodedown, Node}` at once).
pub fn watch_node(id: u64, node: Atom) -> bool {
    if connect(node).is_none() {
        return false;
    }
    remote::watch_node(node, id);
    true
}
