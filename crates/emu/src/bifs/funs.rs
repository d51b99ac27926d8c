//! Fun introspection and construction: `erlang:fun_info/2`, `fun_info_mfa/1` and
//! `make_fun/3` (`fun_info/1` is Erlang code in the `erlang` module built on
//! `fun_info/2`).

use super::reg;
use crate::bif::{BifResult, BADARG};
use crate::code;
use crate::fun;
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};

fn atom(s: &str) -> Term {
    Term::atom(Atom::from_str(s))
}

/// The value of one `fun_info` item, or None for an unknown item.
fn info_item(p: &mut Process, f: Term, item: &str) -> Option<Term> {
    let undefined = Term::atom(am::UNDEFINED);
    if is_export(f) {
        let e = fun::export_of(f);
        return Some(match item {
            "arity" => Term::small(e.arity as i64),
            "env" => Term::NIL,
            "module" => Term::atom(e.module),
            "name" => Term::atom(e.function),
            "type" => atom("external"),
            "index" | "new_index" | "new_uniq" | "pid" | "uniq" => undefined,
            _ => return None,
        });
    }
    let e = fun::entry_of(f);
    Some(match item {
        "arity" => Term::small(e.arity() as i64),
        "env" => {
            let env = fun::env(f).to_vec();
            list_from_iter(&mut p.heap, &env, Term::NIL)
        }
        "module" => Term::atom(e.module),
        "name" => Term::atom(e.function()),
        "type" => atom("local"),
        "index" | "new_index" => Term::small(e.index as i64),
        "uniq" => Term::small(e.old_uniq as i64),
        // The MD5 of the module (version) that defines it.
        "new_uniq" => make_binary(&mut p.heap, &e.uniq),
        // Funs do not record the process that created them; report the caller, which
        // is the creator in the common case.
        "pid" => p.pid,
        _ => return None,
    })
}

fn fun_info2(p: &mut Process, a: &[Term]) -> BifResult {
    let (f, item) = (a[0], a[1]);
    if !is_fun(f) {
        return Err(BADARG);
    }
    let name = item.as_atom().ok_or(BADARG)?;
    let v = info_item(p, f, name.name()).ok_or(BADARG)?;
    Ok(make_tuple(&mut p.heap, &[item, v]))
}

fn fun_info_mfa1(p: &mut Process, a: &[Term]) -> BifResult {
    let f = a[0];
    let (m, n, arity) = if is_export(f) {
        let e = fun::export_of(f);
        (e.module, e.function, e.arity)
    } else if is_local_fun(f) {
        let e = fun::entry_of(f);
        (e.module, e.function(), e.arity())
    } else {
        return Err(BADARG);
    };
    Ok(make_tuple(
        &mut p.heap,
        &[Term::atom(m), Term::atom(n), Term::small(arity as i64)],
    ))
}

fn make_fun3(p: &mut Process, a: &[Term]) -> BifResult {
    let m = a[0].as_atom().ok_or(BADARG)?;
    let f = a[1].as_atom().ok_or(BADARG)?;
    let arity = a[2]
        .as_small()
        .filter(|n| (0..=255).contains(n))
        .ok_or(BADARG)?;
    let e = code::export(m, f, arity as u32);
    Ok(fun::make_export_fun(&mut p.heap, e))
}

pub fn register() {
    reg("erlang", "fun_info", 2, fun_info2);
    reg("erlang", "fun_info_mfa", 1, fun_info_mfa1);
    reg("erlang", "make_fun", 3, make_fun3);
}
