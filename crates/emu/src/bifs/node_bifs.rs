//! The node functions of a VM that is not distributed (oxbeam has no distribution yet):
//! `nodes/0,1` know only this node, `monitor_node/2,3` raise `notalive` as the
//! reference does when it is not alive; plus `file:native_name_encoding/0` and
//! `erts_internal:cmp_term/2`, which the compiler and Elixir call.

use super::reg;
use crate::bif::{BifResult, Fault, BADARG};
use crate::object::*;
use crate::process::Process;
use oxbeam_term::{Atom, Term};

fn this_node() -> Term {
    Term::atom(Atom::from_str("nonode@nohost"))
}

fn nodes0(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::NIL)
}

fn nodes1(p: &mut Process, a: &[Term]) -> BifResult {
    let kinds = if a[0].is_atom() {
        vec![a[0]]
    } else {
        list_to_vec(a[0]).filter(|v| !v.is_empty()).ok_or(BADARG)?
    };
    let mut this = false;
    for k in kinds {
        match k.as_atom().map(|a| a.name()) {
            Some("this") | Some("known") => this = true,
            Some("visible") | Some("hidden") | Some("connected") => {}
            _ => return Err(BADARG),
        }
    }
    Ok(if this {
        cons(&mut p.heap, this_node(), Term::NIL)
    } else {
        Term::NIL
    })
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

pub fn register() {
    reg("erlang", "nodes", 0, nodes0);
    reg("erlang", "nodes", 1, nodes1);
    reg("erlang", "monitor_node", 2, monitor_node2);
    reg("erlang", "monitor_node", 3, monitor_node3);
    reg("file", "native_name_encoding", 0, native_name_encoding);
    reg("erts_internal", "cmp_term", 2, cmp_term);
}
