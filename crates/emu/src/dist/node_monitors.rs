//! `process_flag(monitor_nodes, true)` and `{monitor_nodes, Opts}` subscriptions (what
//! `net_kernel:monitor_nodes/1,2` sets): the VM sends `nodeup`/`nodedown` to them when
//! a connection comes up or goes down.
//!
//! A subscription's options are a code (see `bifs::spawn_bifs::node_monitor_key`):
//! 0 for plain `monitor_nodes`; else bit 7 plus `connection_id` (1), `nodedown_reason`
//! (2), `list` (4, the option-list form of `net_kernel:monitor_nodes/2`), and the
//! node types `visible` (8) and `hidden` (16).

use super::Conn;
use crate::heap::Fragment;
use crate::object::*;
use crate::process::Message;
use crate::sched;
use oxbeam_term::{Atom, Term};
use parking_lot::Mutex;

const CONNECTION_ID: u8 = 1;
const NODEDOWN_REASON: u8 = 2;
const LIST: u8 = 4;
const VISIBLE: u8 = 8;
const HIDDEN: u8 = 16;

/// (process, option code, count).
static SUBSCRIBERS: Mutex<Vec<(u64, u8, u32)>> = Mutex::new(Vec::new());

/// Process `id`'s subscription count for `key` becomes `count` (0: removed).
pub fn set(id: u64, key: u8, count: u32) {
    let mut s = SUBSCRIBERS.lock();
    s.retain(|e| !(e.0 == id && e.1 == key));
    if count > 0 {
        s.push((id, key, count));
    }
}

/// Process `id` exited: its subscriptions end.
pub fn process_exited(id: u64) {
    SUBSCRIBERS.lock().retain(|e| e.0 != id);
}

fn atom(name: &str) -> Term {
    Term::atom(Atom::from_str(name))
}

/// `nodeup` (`up`) or `nodedown` with `reason` for the connection to `c`'s node, to
/// every subscription that wants this node's type.
pub fn notify(c: &Conn, up: bool, reason: Term) {
    let hidden = c.flags() & super::DFLAG_PUBLISHED == 0;
    let subs: Vec<(u64, u8, u32)> = SUBSCRIBERS.lock().clone();
    for (pid, key, count) in subs {
        let types = key & (VISIBLE | HIDDEN);
        let wanted = if key == 0 || types == 0 {
            !hidden
        } else {
            types & if hidden { HIDDEN } else { VISIBLE } != 0
        };
        if !wanted {
            continue;
        }
        for _ in 0..count {
            sched::deliver(pid, message(c, up, hidden, key, reason));
        }
    }
}

fn message(c: &Conn, up: bool, hidden: bool, key: u8, reason: Term) -> Message {
    let mut f = Fragment::new(32 + size_of_term(reason));
    let tag = atom(if up { "nodeup" } else { "nodedown" });
    let node = Term::atom(c.node);
    if key == 0 {
        let t = make_tuple(&mut f, &[tag, node]);
        return Message {
            term: t,
            frag: Some(f),
        };
    }
    let mut items: Vec<(Term, Term)> = Vec::new();
    if key & CONNECTION_ID != 0 {
        items.push((atom("connection_id"), Term::small(c.id as i64)));
    }
    if !up && key & NODEDOWN_REASON != 0 {
        let r = copy_term(&mut f, reason);
        items.push((atom("nodedown_reason"), r));
    }
    if key & (VISIBLE | HIDDEN) != 0 {
        let t = atom(if hidden { "hidden" } else { "visible" });
        items.push((atom("node_type"), t));
    }
    let info = if key & LIST != 0 {
        let tuples: Vec<Term> = items
            .iter()
            .map(|&(k, v)| make_tuple(&mut f, &[k, v]))
            .collect();
        list_from_iter(&mut f, &tuples, Term::NIL)
    } else {
        crate::map::from_pairs(&mut f, &items)
    };
    let t = make_tuple(&mut f, &[tag, node, info]);
    Message {
        term: t,
        frag: Some(f),
    }
}
