//! Acting on what another node sends: messages to local processes (by pid, name or
//! alias), links and unlinks, exit signals, monitors and their `'DOWN'`s, spawn
//! requests and their replies. A packet that cannot be decoded ends the connection,
//! as in the reference.

use super::outgoing;
use super::remote::{self, ExtPid, ExtRef, InMonitor, Target};
use super::wire::{self, op_packet};
use super::{Conn, DIST_LINK};
use crate::heap::Heap;
use crate::object::*;
use crate::sched;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use std::sync::Arc;

fn atom(name: &str) -> Term {
    Term::atom(Atom::from_str(name))
}

/// Acts on one received packet.
pub fn packet(c: &Arc<Conn>, bytes: &[u8]) {
    let mut heap = Heap::new(0);
    let Some(d) = wire::decode(&mut heap, bytes) else {
        if std::env::var_os("OXBEAM_DIST_DEBUG").is_some() {
            eprintln!("undecodable packet: {:?}", &bytes[..bytes.len().min(400)]);
        }
        bad_packet(c);
        return;
    };
    let ctl = tuple_elements(d.control);
    let op = ctl[0].as_small().unwrap_or(-1);
    let payload = d.payload.unwrap_or(Term::NIL);
    let ok = match (op, ctl.len()) {
        (wire::SEND, 3) | (wire::SEND_TT, 4) => send_to_pid(ctl[2], payload),
        (wire::SEND_SENDER, 3) | (wire::SEND_SENDER_TT, 4) => send_to_pid(ctl[2], payload),
        (wire::REG_SEND, 4) | (wire::REG_SEND_TT, 5) => send_to_name(ctl[3], payload),
        (wire::ALIAS_SEND, 3) | (wire::ALIAS_SEND_TT, 4) => send_to_alias(ctl[2], payload),
        (wire::LINK, 3) => link(c, ctl[1], ctl[2]),
        (wire::UNLINK, 3) => unlink(ctl[1], ctl[2]),
        (wire::UNLINK_ID, 4) => {
            let ok = unlink(ctl[2], ctl[3]);
            c.send(op_packet(
                wire::UNLINK_ID_ACK,
                |_| vec![ctl[1], ctl[3], ctl[2]],
                None,
                ctl[3],
            ));
            ok
        }
        (wire::UNLINK_ID_ACK, 4) => true,
        (wire::EXIT, 4) => exit(ctl[1], ctl[2], ctl[3], true),
        (wire::EXIT_TT, 5) => exit(ctl[1], ctl[2], ctl[4], true),
        (wire::PAYLOAD_EXIT, 3) | (wire::PAYLOAD_EXIT_TT, 4) => exit(ctl[1], ctl[2], payload, true),
        (wire::EXIT2, 4) => exit(ctl[1], ctl[2], ctl[3], false),
        (wire::EXIT2_TT, 5) => exit(ctl[1], ctl[2], ctl[4], false),
        (wire::PAYLOAD_EXIT2, 3) | (wire::PAYLOAD_EXIT2_TT, 4) => {
            exit(ctl[1], ctl[2], payload, false)
        }
        (wire::MONITOR_P, 4) => monitor(c, ctl[1], ctl[2], ctl[3]),
        (wire::DEMONITOR_P, 4) => demonitor(ctl[3]),
        (wire::MONITOR_P_EXIT, 5) => monitor_exit(ctl[1], ctl[3], ctl[4]),
        (wire::PAYLOAD_MONITOR_P_EXIT, 4) => monitor_exit(ctl[1], ctl[3], payload),
        (wire::GROUP_LEADER, 3) => group_leader(ctl[1], ctl[2]),
        (wire::SPAWN_REQUEST, 6) | (wire::SPAWN_REQUEST_TT, 7) => {
            super::spawn::request(c, &ctl[1..6], payload)
        }
        (wire::SPAWN_REPLY, 5) | (wire::SPAWN_REPLY_TT, 6) => {
            super::spawn::reply(c, ctl[1], ctl[2], ctl[3], ctl[4])
        }
        _ => false,
    };
    if !ok {
        bad_packet(c);
    }
}

/// A packet that makes no sense: the connection is closed, as the reference does.
fn bad_packet(c: &Arc<Conn>) {
    crate::report::write_stderr(
        format!(
            "** Got invalid data on distribution channel, offending packet from {} **\n",
            c.node.name()
        )
        .as_bytes(),
    );
    if let Some(port) = c.port().and_then(crate::port::get) {
        port.close(atom("invalid_dist_data"));
    }
}

fn send_to_pid(to: Term, msg: Term) -> bool {
    if to.is_local_pid() {
        sched::deliver(to.pid_value(), sched::copy_to_fragment(msg));
        true
    } else {
        // A pid of this node's earlier incarnation: nobody to deliver to.
        is_ext_pid(to)
    }
}

fn send_to_name(name: Term, msg: Term) -> bool {
    let Some(name) = name.as_atom() else {
        return false;
    };
    if let Some(id) = sched::whereis_any(name) {
        if id & crate::port::PORT_LINK != 0 {
            crate::port::bang(id & !crate::port::PORT_LINK, msg);
        } else {
            sched::deliver(id, sched::copy_to_fragment(msg));
        }
    }
    true
}

fn send_to_alias(alias: Term, msg: Term) -> bool {
    if !is_ref(alias) {
        return false;
    }
    if !is_ext_ref(alias) {
        sched::monitors::send_to_alias(ref_id(alias), sched::copy_to_fragment(msg));
    }
    true
}

/// `LINK` from remote `from` to local `to`: linked, or `noproc` back at once.
fn link(c: &Arc<Conn>, from: Term, to: Term) -> bool {
    let Some(remote) = ExtPid::of(from) else {
        return false;
    };
    if !to.is_local_pid() {
        return is_ext_pid(to);
    }
    let id = to.pid_value();
    let alive = sched::slot(id).is_some_and(|s| {
        let mut l = s.links.lock();
        if s.dead.load(std::sync::atomic::Ordering::SeqCst) {
            return false;
        }
        if let Some(h) = remote::add_link(id, remote) {
            l.push(DIST_LINK | h);
        }
        true
    });
    if !alive {
        c.send(op_packet(
            wire::PAYLOAD_EXIT,
            |h| vec![to, remote.term(h)],
            Some(Term::atom(am::NOPROC)),
            to,
        ));
    }
    true
}

fn unlink(from: Term, to: Term) -> bool {
    let Some(remote) = ExtPid::of(from) else {
        return false;
    };
    if to.is_local_pid() {
        let id = to.pid_value();
        if let Some(h) = remote::remove_link(id, remote) {
            if let Some(s) = sched::slot(id) {
                s.links.lock().retain(|&l| l != DIST_LINK | h);
            }
        }
    }
    true
}

/// An exit signal from remote `from` to local `to`: of a link (`linked`, which it
/// removes; ignored if there is no such link), or sent with `exit/2`.
fn exit(from: Term, to: Term, reason: Term, linked: bool) -> bool {
    let Some(remote) = ExtPid::of(from) else {
        return false;
    };
    if !to.is_local_pid() {
        return is_ext_pid(to);
    }
    let id = to.pid_value();
    if linked {
        let Some(h) = remote::remove_link(id, remote) else {
            return true;
        };
        if let Some(s) = sched::slot(id) {
            s.links.lock().retain(|&l| l != DIST_LINK | h);
        }
    }
    sched::exit_signal(from, id, reason, linked);
    true
}

/// `MONITOR_P`: remote `from` monitors local `target` (a pid or a registered name)
/// with its reference `reference`.
fn monitor(c: &Arc<Conn>, from: Term, target: Term, reference: Term) -> bool {
    let (Some(watcher), Some(r)) = (ExtPid::of(from), ExtRef::of(reference)) else {
        return false;
    };
    let (id, name) = if target.is_local_pid() {
        (Some(target.pid_value()), None)
    } else if let Some(n) = target.as_atom() {
        (sched::whereis(n), Some(n))
    } else {
        return is_ext_pid(target);
    };
    let made = id.is_some_and(|id| {
        let Some(s) = sched::slot(id) else {
            return false;
        };
        let mut m = s.monitors.lock();
        if s.dead.load(std::sync::atomic::Ordering::SeqCst) {
            return false;
        }
        let standin = remote::add_in_monitor(InMonitor {
            watcher,
            reference: r.clone(),
            target: id,
            name,
        });
        m.insert(
            standin,
            sched::monitors::Watcher {
                ref_id: standin,
                watcher: DIST_LINK | standin,
                name,
                tag: None,
            },
        );
        true
    });
    if !made {
        c.send(op_packet(
            wire::PAYLOAD_MONITOR_P_EXIT,
            |h| vec![target, watcher.term(h), r.term(h)],
            Some(Term::atom(am::NOPROC)),
            Term::pid(0),
        ));
    }
    true
}

fn demonitor(reference: Term) -> bool {
    let Some(r) = ExtRef::of(reference) else {
        return is_ref(reference);
    };
    if let Some(id) = remote::in_monitor_by_ref(&r) {
        if let Some(m) = remote::take_in_monitor(id) {
            if let Some(s) = sched::slot(m.target) {
                s.monitors.lock().remove(id);
            }
        }
    }
    true
}

/// `MONITOR_P_EXIT`: the remote process a local one monitors (with `reference`) is
/// gone.
fn monitor_exit(from: Term, reference: Term, reason: Term) -> bool {
    if !is_ref(reference) {
        return false;
    }
    if is_ext_ref(reference) {
        return true;
    }
    let ref_id = ref_id(reference);
    if let Some((m, tag)) = remote::take_out_monitor(ref_id) {
        let object = match m.target {
            Target::Pid(_) => from,
            Target::Name(n) => Term::atom(n),
        };
        outgoing::deliver_down(ref_id, &m, tag.as_ref(), object, reason);
    }
    true
}

/// `GROUP_LEADER`: remote `leader` becomes the group leader of local `pid`.
fn group_leader(leader: Term, pid: Term) -> bool {
    if pid.is_local_pid() && is_any_pid(leader) {
        sched::set_group_leader(pid.pid_value(), leader);
    }
    is_any_pid(leader) && is_any_pid(pid)
}
