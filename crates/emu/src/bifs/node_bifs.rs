//! The node functions: this node's name (`setnode/2`), its connections to others
//! (`nodes/0,1,2`, `monitor_node/2,3`, and what `net_kernel`/`dist_util` call to set
//! connections up: `erts_internal:new_connection/1`, `create_dist_channel/3`, ...;
//! the connections themselves are `crate::dist`); plus `file:native_name_encoding/0`
//! and `erts_internal:cmp_term/2`, which the compiler and Elixir call.

use super::reg;
use crate::bif::{BifResult, Fault, BADARG};
use crate::dist;
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};

fn this_node() -> Term {
    Term::atom(crate::node::name())
}

fn atom(name: &str) -> Term {
    Term::atom(Atom::from_str(name))
}

/// Which nodes `nodes/1,2` list.
#[derive(Default, Clone, Copy)]
struct Kinds {
    this: bool,
    visible: bool,
    hidden: bool,
    /// Pending connections too (`known`).
    pending: bool,
}

/// The node kinds `arg` of `nodes/1,2` (an atom or a list of them); `empty_ok` for
/// `nodes/2`, which takes `[]`.
fn kinds(arg: Term, empty_ok: bool) -> Result<Kinds, Fault> {
    let items = if arg.is_atom() {
        vec![arg]
    } else {
        list_to_vec(arg)
            .filter(|v| empty_ok || !v.is_empty())
            .ok_or(BADARG)?
    };
    let mut k = Kinds::default();
    for item in items {
        match item.as_atom().map(|a| a.name()) {
            Some("this") => k.this = true,
            Some("visible") => k.visible = true,
            Some("hidden") => k.hidden = true,
            Some("connected") => {
                k.visible = true;
                k.hidden = true;
            }
            Some("known") => {
                k.this = true;
                k.visible = true;
                k.hidden = true;
                k.pending = true;
            }
            _ => return Err(BADARG),
        }
    }
    Ok(k)
}

/// The nodes of `kinds`: (name, connection id, type).
fn listed(k: Kinds) -> Vec<(Atom, Option<u32>, &'static str)> {
    // As the reference orders them: pending, hidden, visible (most recent first in
    // each), then this node.
    let mut conns = dist::all();
    conns.sort_by_key(|c| std::cmp::Reverse(c.id));
    let mut groups: [Vec<(Atom, Option<u32>, &'static str)>; 3] = Default::default();
    for c in conns {
        if !c.is_up() {
            if k.pending {
                groups[0].push((c.node, None, "known"));
            }
        } else if c.flags() & dist::DFLAG_PUBLISHED == 0 {
            if k.hidden {
                groups[1].push((c.node, Some(c.id), "hidden"));
            }
        } else if k.visible {
            groups[2].push((c.node, Some(c.id), "visible"));
        }
    }
    let mut out: Vec<_> = groups.into_iter().flatten().collect();
    if k.this {
        out.push((crate::node::name(), None, "this"));
    }
    out
}

fn nodes0(p: &mut Process, _a: &[Term]) -> BifResult {
    let k = Kinds {
        visible: true,
        ..Kinds::default()
    };
    let names: Vec<Term> = listed(k).iter().map(|n| Term::atom(n.0)).collect();
    Ok(list_from_iter(&mut p.heap, &names, Term::NIL))
}

fn nodes1(p: &mut Process, a: &[Term]) -> BifResult {
    let names: Vec<Term> = listed(kinds(a[0], false)?)
        .iter()
        .map(|n| Term::atom(n.0))
        .collect();
    Ok(list_from_iter(&mut p.heap, &names, Term::NIL))
}

/// `nodes(Arg, InfoOpts)`: the nodes with the info items asked for
/// (`connection_id`, `node_type`).
fn nodes2(p: &mut Process, a: &[Term]) -> BifResult {
    let k = kinds(a[0], true)?;
    if !is_map(a[1]) {
        return Err(BADARG);
    }
    let (mut want_id, mut want_type, mut bad) = (false, false, false);
    crate::map::for_each(a[1], |key, v| {
        let flag = match key.as_atom().map(|a| a.name()) {
            Some("connection_id") => &mut want_id,
            Some("node_type") => &mut want_type,
            _ => {
                bad = true;
                return;
            }
        };
        if v == Term::TRUE {
            *flag = true;
        } else if v != Term::FALSE {
            bad = true;
        }
    });
    if bad {
        return Err(BADARG);
    }
    let mut entries = Vec::new();
    for (node, id, kind) in listed(k) {
        let mut items = Vec::new();
        if want_id {
            let v = id.map_or(Term::atom(am::UNDEFINED), |i| Term::small(i as i64));
            items.push((atom("connection_id"), v));
        }
        if want_type {
            items.push((atom("node_type"), atom(kind)));
        }
        let info = crate::map::from_pairs(&mut p.heap, &items);
        entries.push(make_tuple(&mut p.heap, &[Term::atom(node), info]));
    }
    Ok(list_from_iter(&mut p.heap, &entries, Term::NIL))
}

/// `monitor_node(Node, Flag)`: `{nodedown, Node}` when the connection to it goes down
/// (or at once if it cannot be made); `notalive` when this node is not alive.
fn monitor_node(p: &mut Process, node: Term, flag: Term) -> BifResult {
    let Some(name) = node.as_atom() else {
        return Err(BADARG);
    };
    if !dist::alive() && name != am::NONODE {
        return Err(Fault::Error(atom("notalive")));
    }
    if !flag.is_boolean() {
        return Err(BADARG);
    }
    if node == this_node() {
        return Ok(Term::TRUE);
    }
    if flag == Term::FALSE {
        dist::remote::unwatch_node(name, p.id);
    } else if !dist::outgoing::watch_node(p.id, name) {
        let msg = make_tuple(&mut p.heap, &[atom("nodedown"), node]);
        let m = crate::sched::copy_to_fragment(msg);
        crate::sched::enqueue(p, m);
    }
    Ok(Term::TRUE)
}

fn monitor_node2(p: &mut Process, a: &[Term]) -> BifResult {
    monitor_node(p, a[0], a[1])
}

fn monitor_node3(p: &mut Process, a: &[Term]) -> BifResult {
    let opts = list_to_vec(a[2]).ok_or(BADARG)?;
    if opts
        .iter()
        .any(|o| o.as_atom().map(|a| a.name()) != Some("allow_passive_connect"))
    {
        return Err(BADARG);
    }
    monitor_node(p, a[0], a[1])
}

/// `erts_internal:get_dflags/0`: the distribution flags this node offers, requires,
/// may add, may drop, and must agree on.
fn get_dflags(p: &mut Process, _a: &[Term]) -> BifResult {
    let n = |p: &mut Process, v: u64| make_u64(&mut p.heap, v);
    let vals = [
        atom("erts_dflags"),
        n(p, dist::DFLAGS_DEFAULT),
        n(p, dist::DFLAGS_MANDATORY),
        n(p, dist::DFLAGS_DEFAULT),
        n(p, dist::DFLAGS_REJECTABLE),
        n(p, dist::DFLAGS_STRICT),
    ];
    Ok(make_tuple(&mut p.heap, &vals))
}

fn get_creation(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(make_u64(&mut p.heap, crate::node::creation() as u64))
}

fn dynamic_node_name0(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::boolean(dist::dynamic_name()))
}

fn dynamic_node_name1(_p: &mut Process, a: &[Term]) -> BifResult {
    if !a[0].is_boolean() {
        return Err(BADARG);
    }
    dist::set_dynamic_name(a[0] == Term::TRUE);
    Ok(atom("ok"))
}

/// `erts_internal:new_connection(Node)`: the id (`{Id, Ref}`) of the node's connection,
/// a new pending one if there is none.
fn new_connection(p: &mut Process, a: &[Term]) -> BifResult {
    let node = a[0].as_atom().ok_or(BADARG)?;
    if node == crate::node::name() || !crate::node::is_valid_name(node.name()) {
        return Err(BADARG);
    }
    let (c, _) = dist::new_connection(node);
    Ok(c.handle_term(&mut p.heap))
}

/// `erts_internal:abort_pending_connection(Node, Handle)`: false if that connection
/// is up, else true (and the attempt, if pending, is given up).
fn abort_pending_connection(_p: &mut Process, a: &[Term]) -> BifResult {
    let node = a[0].as_atom().ok_or(BADARG)?;
    let h = a[1];
    if !is_tuple(h)
        || tuple_arity(h) != 2
        || !tuple_get(h, 0).is_small()
        || !is_ref(tuple_get(h, 1))
    {
        return Err(BADARG);
    }
    match dist::by_handle(h) {
        Some(c) if c.node != node => Err(BADARG),
        Some(c) => Ok(Term::boolean(dist::abort_pending(&c))),
        // That attempt is over already.
        None => Ok(Term::TRUE),
    }
}

/// `erts_internal:create_dist_channel(Node, DistCtrlr, {Flags, Creation})`: the
/// handshake is done; `{ok, Handle}`, or the error atom `setnode/3` raises.
fn create_dist_channel(p: &mut Process, a: &[Term]) -> BifResult {
    let node = a[0].as_atom().ok_or(BADARG)?;
    let opts = a[2];
    if !is_tuple(opts) || tuple_arity(opts) != 2 {
        return Err(BADARG);
    }
    let flags = integer_to_bigint(tuple_get(opts, 0))
        .and_then(|v| u64::try_from(v).ok())
        .ok_or(BADARG)?;
    if !a[1].is_local_port() {
        // Distribution controlled by a process (`dist_ctrl_*`) is not implemented.
        return Ok(atom("notsup"));
    }
    match dist::set_up(node, a[1].port_value(), flags, p.pid) {
        Ok(c) => {
            let h = c.handle_term(&mut p.heap);
            Ok(make_tuple(&mut p.heap, &[atom("ok"), h]))
        }
        Err(e) => Ok(atom(e)),
    }
}

fn dist_get_stat(p: &mut Process, a: &[Term]) -> BifResult {
    let c = dist::by_handle(a[0]).ok_or(BADARG)?;
    let (i, o, pending) = c.stats();
    let vals = [
        atom("ok"),
        make_u64(&mut p.heap, i),
        make_u64(&mut p.heap, o),
        make_u64(&mut p.heap, pending),
    ];
    Ok(make_tuple(&mut p.heap, &vals))
}

fn native_name_encoding(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::atom(Atom::from_str("utf8")))
}

fn cmp_term(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::small(
        crate::compare::compare(a[0], a[1], true) as i8 as i64
    ))
}

/// `erlang:setnode(Node, Creation)`: makes this node alive under `Node` (what
/// `net_kernel` does once the node is registered with epmd); `badarg` for a name that
/// is not `Name@Host`, a creation outside 32 bits, or a node alive already.
fn setnode2(_p: &mut Process, a: &[Term]) -> BifResult {
    let name = a[0].as_atom().ok_or(BADARG)?;
    let creation = a[1]
        .as_small()
        .and_then(|c| u32::try_from(c).ok())
        .ok_or(BADARG)?;
    if !crate::node::is_valid_name(name.name()) || crate::node::name() != am::NONODE {
        return Err(BADARG);
    }
    crate::node::set(name, creation);
    Ok(Term::TRUE)
}

pub fn register() {
    reg("erlang", "setnode", 2, setnode2);
    reg("erlang", "nodes", 0, nodes0);
    reg("erlang", "nodes", 1, nodes1);
    reg("erlang", "nodes", 2, nodes2);
    reg("erlang", "monitor_node", 2, monitor_node2);
    reg("erlang", "monitor_node", 3, monitor_node3);
    reg("erlang", "dist_get_stat", 1, dist_get_stat);
    reg("erts_internal", "get_dflags", 0, get_dflags);
    reg("erts_internal", "get_creation", 0, get_creation);
    reg("erts_internal", "dynamic_node_name", 0, dynamic_node_name0);
    reg("erts_internal", "dynamic_node_name", 1, dynamic_node_name1);
    reg("erts_internal", "new_connection", 1, new_connection);
    reg(
        "erts_internal",
        "abort_pending_connection",
        2,
        abort_pending_connection,
    );
    reg(
        "erts_internal",
        "create_dist_channel",
        3,
        create_dist_channel,
    );
    reg("file", "native_name_encoding", 0, native_name_encoding);
    reg("erts_internal", "cmp_term", 2, cmp_term);
}
