//! Spawning on another node (`spawn_request/5`, `spawn_opt/5` and through them `erpc`,
//! `rpc`, `spawn/4`): the requesting side sends `SPAWN_REQUEST` and turns the
//! `SPAWN_REPLY` into the `{Tag, ReqId, ok | error, PidOrReason}` message; the serving
//! side spawns `erts_internal:dist_spawn_init({M, F, Arity})`, whose first message is
//! the argument list, links it to or lets it be monitored by the requester as asked,
//! and replies.

use super::remote::{self, ExtPid, InMonitor, OutMonitor, Target};
use super::wire::{self, op_packet};
use super::{connect, Conn, DIST_LINK};
use crate::heap::Fragment;
use crate::object::*;
use crate::process::Message;
use crate::sched;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

fn atom(name: &str) -> Term {
    Term::atom(Atom::from_str(name))
}

/// A request waiting for its reply.
pub struct Pending {
    pub requester: u64,
    pub node: Atom,
    /// The connection the request went out on (its `ref_id`, set by `send_request`):
    /// only its loss fails the request, not that of an earlier connection to the same
    /// node whose teardown comes late.
    pub conn: u64,
    /// The reply's first element (`spawn_reply` unless `{reply_tag, Tag}`).
    pub tag: Message,
    pub on_ok: bool,
    pub on_error: bool,
    /// `{monitor, Opts}` given: the monitor's `{tag, Tag}`, if any.
    pub monitor: Option<Option<Message>>,
}

static PENDING: Mutex<Option<HashMap<u64, Pending>>> = Mutex::new(None);

fn with_pending<R>(f: impl FnOnce(&mut HashMap<u64, Pending>) -> R) -> R {
    f(PENDING.lock().get_or_insert_with(HashMap::new))
}

/// Sends a spawn request (reference `req_id`) for `{M, F, Args}` with the options
/// `opts` (what the serving node acts on: spawn options, `link`, `monitor`). False if
/// the node cannot be reached.
#[allow(clippy::too_many_arguments)]
pub fn send_request(
    requester: Term,
    group_leader: Term,
    node: Atom,
    req_id: u64,
    mfa: (Atom, Atom, Term),
    opts: Term,
    mut pending: Pending,
) -> bool {
    let Some(c) = connect(node) else {
        return false;
    };
    pending.conn = c.ref_id;
    with_pending(|p| p.insert(req_id, pending));
    let (m, f, args) = mfa;
    let arity = list_length(args).unwrap_or(0) as i64;
    c.send(op_packet(
        wire::SPAWN_REQUEST,
        |h| {
            let mfa = make_tuple(h, &[Term::atom(m), Term::atom(f), Term::small(arity)]);
            vec![make_ref(h, req_id), requester, group_leader, mfa, opts]
        },
        Some(args),
        requester,
    ));
    true
}

/// `spawn_request_abandon/1` of a request to another node: true if it was pending.
pub fn abandon(req_id: u64) -> bool {
    with_pending(|p| p.remove(&req_id)).is_some()
}

fn reply_message(p: &Pending, req_id: u64, ok: bool, value: Term) -> Message {
    let mut f = Fragment::new(5 + 2 + size_of_term(p.tag.term) + size_of_term(value));
    let tag = copy_term(&mut f, p.tag.term);
    let v = copy_term(&mut f, value);
    let r = make_ref(&mut f, req_id);
    let status = atom(if ok { "ok" } else { "error" });
    let t = make_tuple(&mut f, &[tag, r, status, v]);
    Message {
        term: t,
        frag: Some(f),
    }
}

/// `SPAWN_REPLY` for request `req_id`: the new process `result` (linked to and/or
/// monitored by the requester as `flags` say) or the reason it was not spawned.
pub fn reply(c: &Arc<Conn>, req_id: Term, to: Term, flags: Term, result: Term) -> bool {
    let Some(flags) = flags.as_small() else {
        return false;
    };
    if !is_ref(req_id) || !to.is_local_pid() && !is_ext_pid(to) {
        return false;
    }
    let pending = if is_ext_ref(req_id) {
        None
    } else {
        with_pending(|p| p.remove(&ref_id(req_id)))
    };
    let Some(mut pend) = pending else {
        // Abandoned: a process made for it and linked to the requester is told so.
        if let (Some(pid), true) = (ExtPid::of(result), flags & wire::SPAWN_FLAG_LINK != 0) {
            c.send(op_packet(
                wire::PAYLOAD_EXIT,
                |h| vec![to, pid.term(h)],
                Some(atom("abandoned")),
                to,
            ));
        }
        return true;
    };
    let id = ref_id(req_id);
    match ExtPid::of(result) {
        Some(pid) => {
            if flags & wire::SPAWN_FLAG_LINK != 0 {
                if let Some(h) = remote::add_link(pend.requester, pid) {
                    if let Some(s) = sched::slot(pend.requester) {
                        s.links.lock().push(DIST_LINK | h);
                    }
                }
            }
            if let (true, Some(tag)) = (flags & wire::SPAWN_FLAG_MONITOR != 0, pend.monitor.take())
            {
                let m = OutMonitor {
                    watcher: pend.requester,
                    node: pend.node,
                    target: Target::Pid(pid),
                    has_tag: tag.is_some(),
                };
                remote::add_out_monitor(id, m, tag);
            }
            if pend.on_ok {
                sched::deliver(pend.requester, reply_message(&pend, id, true, result));
            }
        }
        None => {
            if pend.on_error {
                sched::deliver(pend.requester, reply_message(&pend, id, false, result));
            }
        }
    }
    true
}

/// Connection `c` was lost: the requests sent on it fail with `noconnection`.
pub fn connection_lost(c: &Conn) {
    let lost: Vec<(u64, Pending)> = with_pending(|p| {
        let ids: Vec<u64> = p
            .iter()
            .filter(|(_, v)| v.node == c.node && v.conn == c.ref_id)
            .map(|(&k, _)| k)
            .collect();
        ids.into_iter()
            .filter_map(|k| p.remove(&k).map(|v| (k, v)))
            .collect()
    });
    for (id, pend) in lost {
        if pend.on_error {
            let m = reply_message(&pend, id, false, atom("noconnection"));
            sched::deliver(pend.requester, m);
        }
    }
}

/// `SPAWN_REQUEST` `[ReqId, From, GroupLeader, {M, F, Arity}, Opts]` with argument
/// list `args`: spawns, and replies with the pid or the error.
pub fn request(c: &Arc<Conn>, ctl: &[Term], args: Term) -> bool {
    let (req_id, from, leader, mfa, opts) = (ctl[0], ctl[1], ctl[2], ctl[3], ctl[4]);
    let Some(requester) = ExtPid::of(from) else {
        return false;
    };
    if !is_ref(req_id) || !is_any_pid(leader) || !is_tuple(mfa) || tuple_arity(mfa) != 3 {
        return false;
    }
    let (Some(_), Some(_), Some(_)) = (
        tuple_get(mfa, 0).as_atom(),
        tuple_get(mfa, 1).as_atom(),
        tuple_get(mfa, 2).as_small(),
    ) else {
        return false;
    };
    let send_reply = |flags: i64, result: Term| {
        c.send(op_packet(
            wire::SPAWN_REPLY,
            |h| vec![req_id, requester.term(h), Term::small(flags), result],
            None,
            Term::pid(0),
        ));
    };
    let req = match crate::bifs::spawn_bifs::remote_spawn_options(opts) {
        Some(r) => r,
        None => {
            send_reply(0, atom("badopt"));
            return true;
        }
    };
    let link = req.link.then(|| remote::add_link(0, requester)).flatten();
    let monitor = remote::ExtRef::of(req_id)
        .filter(|_| req.monitor)
        .map(|reference| {
            remote::add_in_monitor(InMonitor {
                watcher: requester,
                reference,
                target: 0,
                name: None,
            })
        });
    let with = sched::SpawnLinks {
        link: link.map(|h| DIST_LINK | h),
        monitor: monitor.map(|id| (id, DIST_LINK | id, None)),
        group_leader: Some(leader),
    };
    let init = (
        Atom::from_str("erts_internal"),
        Atom::from_str("dist_spawn_init"),
    );
    let Some(pid) = sched::try_spawn_with(None, init.0, init.1, &[mfa], req.settings, with) else {
        if let Some(h) = link {
            remote::take_link(h);
        }
        if let Some(id) = monitor {
            remote::take_in_monitor(id);
        }
        send_reply(0, Term::atom(am::SYSTEM_LIMIT));
        return true;
    };
    let id = pid.pid_value();
    if let Some(h) = link {
        remote::set_link_local(h, id);
    }
    if let Some(m) = monitor {
        remote::set_in_monitor_target(m, id);
    }
    sched::deliver(id, sched::copy_to_fragment(args));
    let mut flags = 0;
    if link.is_some() {
        flags |= wire::SPAWN_FLAG_LINK;
    }
    if monitor.is_some() {
        flags |= wire::SPAWN_FLAG_MONITOR;
    }
    send_reply(flags, pid);
    true
}
