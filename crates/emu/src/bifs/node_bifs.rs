//! The node functions of a VM without connections to other nodes (oxbeam has no
//! distribution layer yet, but a node can be named: `setnode/2`): `nodes/0,1` know
//! only this node, `monitor_node/2,3` raise `notalive` as the
//! reference does when it is not alive; plus `file:native_name_encoding/0` and
//! `erts_internal:cmp_term/2`, which the compiler and Elixir call.

use super::reg;
use crate::bif::{BifResult, Fault, BADARG};
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};

fn this_node() -> Term {
    Term::atom(crate::node::name())
}

fn nodes0(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::NIL)
}

/// Whether the node kinds `arg` of `nodes/1,2` (an atom or a list of them) include
/// this node; `empty_ok` for `nodes/2`, which takes `[]`.
fn includes_this(arg: Term, empty_ok: bool) -> Result<bool, Fault> {
    let kinds = if arg.is_atom() {
        vec![arg]
    } else {
        list_to_vec(arg)
            .filter(|v| empty_ok || !v.is_empty())
            .ok_or(BADARG)?
    };
    let mut this = false;
    for k in kinds {
        match k.as_atom().map(|a| a.name()) {
            Some("this") | Some("known") => this = true,
            Some("visible") | Some("hidden") | Some("connected") => {}
            _ => return Err(BADARG),
        }
    }
    Ok(this)
}

fn nodes1(p: &mut Process, a: &[Term]) -> BifResult {
    Ok(if includes_this(a[0], false)? {
        cons(&mut p.heap, this_node(), Term::NIL)
    } else {
        Term::NIL
    })
}

/// `nodes(Arg, InfoOpts)`: without distribution only this node can be listed, with the
/// info items asked for (`connection_id => undefined`, `node_type => this`).
fn nodes2(p: &mut Process, a: &[Term]) -> BifResult {
    let this = includes_this(a[0], true)?;
    if !is_map(a[1]) {
        return Err(BADARG);
    }
    let mut items = Vec::new();
    let mut bad = false;
    crate::map::for_each(a[1], |k, v| {
        let value = match k.as_atom().map(|a| a.name()) {
            Some("connection_id") => Term::atom(am::UNDEFINED),
            Some("node_type") => Term::atom(Atom::from_str("this")),
            _ => {
                bad = true;
                return;
            }
        };
        if v == Term::TRUE {
            items.push((k, value));
        } else if v != Term::FALSE {
            bad = true;
        }
    });
    if bad {
        return Err(BADARG);
    }
    if !this {
        return Ok(Term::NIL);
    }
    let info = crate::map::from_pairs(&mut p.heap, &items);
    let entry = make_tuple(&mut p.heap, &[this_node(), info]);
    Ok(cons(&mut p.heap, entry, Term::NIL))
}

fn monitor_node(node: Term) -> BifResult {
    if !node.is_atom() {
        return Err(BADARG);
    }
    if node == this_node() {
        return Ok(Term::TRUE);
    }
    Err(Fault::Error(Term::atom(Atom::from_str("notalive"))))
}

fn monitor_node2(_p: &mut Process, a: &[Term]) -> BifResult {
    monitor_node(a[0])
}

fn monitor_node3(_p: &mut Process, a: &[Term]) -> BifResult {
    let opts = list_to_vec(a[2]).ok_or(BADARG)?;
    if opts
        .iter()
        .any(|o| o.as_atom().map(|a| a.name()) != Some("allow_passive_connect"))
    {
        return Err(BADARG);
    }
    monitor_node(a[0])
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
    reg("file", "native_name_encoding", 0, native_name_encoding);
    reg("erts_internal", "cmp_term", 2, cmp_term);
}
