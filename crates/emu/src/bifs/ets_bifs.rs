//! The `ets` BIFs that create, describe, hand over and delete tables. Object access is
//! in `ets_access.rs`, match specifications in `ets_select.rs`.

use super::reg;
use crate::bif::{BifResult, Fault, BADARG};
use crate::ets::stored::StoredObject;
use crate::ets::table::{Heir, Kind, Options, Protection, Table, WriteConcurrency};
use crate::ets::{self, registry, resolve, Access};
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use std::sync::Arc;

fn atom(s: &str) -> Term {
    Term::atom(Atom::from_str(s))
}

fn bool_term(t: Term) -> Result<bool, Fault> {
    match t {
        Term::TRUE => Ok(true),
        Term::FALSE => Ok(false),
        _ => Err(BADARG),
    }
}

/// Parses ets:new/2's option list; the heir comes back separately.
fn parse_options(list: Term) -> Result<(Options, Option<(Term, Term)>), Fault> {
    let items = list_to_vec(list).ok_or(BADARG)?;
    let mut o = Options {
        kind: Kind::Set,
        protection: Protection::Protected,
        keypos: 1,
        named: false,
        read_concurrency: false,
        write_concurrency: WriteConcurrency::Off,
        decentralized_counters: false,
        compressed: false,
    };
    let mut decentralized = None;
    let mut heir = None;
    for it in items {
        if let Some(a) = it.as_atom() {
            match a.name() {
                "set" => o.kind = Kind::Set,
                "ordered_set" => o.kind = Kind::OrderedSet,
                "bag" => o.kind = Kind::Bag,
                "duplicate_bag" => o.kind = Kind::DuplicateBag,
                "public" => o.protection = Protection::Public,
                "protected" => o.protection = Protection::Protected,
                "private" => o.protection = Protection::Private,
                "named_table" => o.named = true,
                "compressed" => o.compressed = true,
                _ => return Err(BADARG),
            }
            continue;
        }
        if !is_tuple(it) {
            return Err(BADARG);
        }
        let e = tuple_elements(it);
        let tag = e[0].as_atom().map(|a| a.name());
        match (tag, e.len()) {
            (Some("keypos"), 2) => match e[1].as_small() {
                Some(k) if k >= 1 => o.keypos = k as usize,
                _ => return Err(BADARG),
            },
            (Some("heir"), 2) if e[1] == atom("none") => heir = None,
            (Some("heir"), 3) if e[1].is_local_pid() => heir = Some((e[1], e[2])),
            (Some("write_concurrency"), 2) => {
                o.write_concurrency = if e[1] == atom("auto") {
                    WriteConcurrency::Auto
                } else if bool_term(e[1])? {
                    WriteConcurrency::On
                } else {
                    WriteConcurrency::Off
                }
            }
            (Some("read_concurrency"), 2) => o.read_concurrency = bool_term(e[1])?,
            (Some("decentralized_counters"), 2) => decentralized = Some(bool_term(e[1])?),
            _ => return Err(BADARG),
        }
    }
    // As in the reference: on by default for ordered sets with write concurrency, and
    // for any table with write_concurrency = auto.
    o.decentralized_counters = decentralized.unwrap_or(
        (o.kind == Kind::OrderedSet && o.write_concurrency != WriteConcurrency::Off)
            || o.write_concurrency == WriteConcurrency::Auto,
    );
    Ok((o, heir))
}

fn new(p: &mut Process, a: &[Term]) -> BifResult {
    let name = a[0].as_atom().ok_or(BADARG)?;
    let (o, heir) = parse_options(a[1])?;
    let id = super::erlang::next_ref_id();
    let t = Arc::new(Table::new(id, name, p.pid, &o));
    set_heir(&t, heir);
    if !registry::insert(t.clone()) {
        return Err(BADARG);
    }
    ets::note_user(p);
    Ok(ets::table_term(&mut p.heap, &t))
}

/// Sets the heir; a process that is not alive is no heir (as in the reference).
fn set_heir(t: &Table, heir: Option<(Term, Term)>) {
    *t.heir.lock() = heir
        .filter(|&(pid, _)| ets::is_alive(pid))
        .map(|(pid, data)| Heir {
            pid,
            data: StoredObject::new(data),
        });
}

fn delete1(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Write)?;
    ets::delete_table(&t);
    Ok(Term::TRUE)
}

fn whereis(p: &mut Process, a: &[Term]) -> BifResult {
    let name = a[0].as_atom().ok_or(BADARG)?;
    Ok(
        match registry::find(true, registry::name_key(name)).filter(|t| t.named) {
            Some(t) => make_ref(&mut p.heap, t.id),
            None => Term::atom(am::UNDEFINED),
        },
    )
}

fn rename(p: &mut Process, a: &[Term]) -> BifResult {
    let name = a[1].as_atom().ok_or(BADARG)?;
    let t = resolve(p, a[0], Access::Write)?;
    if registry::rename(&t, name) {
        Ok(a[1])
    } else {
        Err(BADARG)
    }
}

fn give_away(p: &mut Process, a: &[Term]) -> BifResult {
    let t = ets::lookup(a[0]).ok_or(BADARG)?;
    let to = a[1];
    if t.owner() != p.pid || !to.is_local_pid() || to == p.pid || !ets::is_alive(to) {
        return Err(BADARG);
    }
    registry::change_owner(&t, to);
    ets::send_transfer(&t, to, p.pid, a[2]);
    Ok(Term::TRUE)
}

fn setopts(p: &mut Process, a: &[Term]) -> BifResult {
    let t = ets::lookup(a[0]).ok_or(BADARG)?;
    if t.owner() != p.pid {
        return Err(BADARG);
    }
    let opts = if a[1].is_list() || a[1].is_nil() {
        list_to_vec(a[1]).ok_or(BADARG)?
    } else {
        vec![a[1]]
    };
    let mut heirs = Vec::new();
    let mut protection = None;
    for o in opts {
        if !is_tuple(o) {
            return Err(BADARG);
        }
        let e = tuple_elements(o);
        match (e[0].as_atom().map(|a| a.name()), e.len()) {
            (Some("heir"), 2) if e[1] == atom("none") => heirs.push(None),
            (Some("heir"), 3) if e[1].is_local_pid() => heirs.push(Some((e[1], e[2]))),
            (Some("protection"), 2) => {
                protection = Some(match e[1].as_atom().map(|a| a.name()) {
                    Some("public") => Protection::Public,
                    Some("protected") => Protection::Protected,
                    Some("private") => Protection::Private,
                    _ => return Err(BADARG),
                })
            }
            _ => return Err(BADARG),
        }
    }
    for h in heirs {
        set_heir(&t, h);
    }
    if let Some(prot) = protection {
        t.set_protection(prot);
    }
    Ok(Term::TRUE)
}

fn safe_fixtable(p: &mut Process, a: &[Term]) -> BifResult {
    let on = bool_term(a[1])?;
    let t = resolve(p, a[0], Access::Read)?;
    if on {
        ets::note_user(p);
        t.fix(p.pid, || {
            (
                crate::time::erlang_monotonic(),
                now_parts(crate::time::system_ns()),
            )
        });
    } else {
        t.unfix(p.pid, false);
    }
    Ok(Term::TRUE)
}

/// erlang:timestamp()'s parts of a system time in nanoseconds.
fn now_parts(ns: i64) -> (i64, i64, i64) {
    let us = ns.div_euclid(1000);
    (
        us / 1_000_000_000_000,
        (us / 1_000_000) % 1_000_000,
        us % 1_000_000,
    )
}

fn internal_request_all(p: &mut Process, _a: &[Term]) -> BifResult {
    let r = super::erlang::new_ref(p);
    let mut tabs = Vec::new();
    for t in registry::all() {
        if !t.deleted.load(std::sync::atomic::Ordering::Acquire) {
            tabs.push(ets::table_term(&mut p.heap, &t));
        }
    }
    // ets:all/0 waits for one reply per scheduler: all tables come in the first.
    let first = list_from_iter(&mut p.heap, &tabs, Term::NIL);
    for i in 0..crate::sched::runq::schedulers().max(1) {
        let l = if i == 0 { first } else { Term::NIL };
        let m = make_tuple(&mut p.heap, &[r, l]);
        crate::sched::send(p, p.pid, m)?;
    }
    Ok(r)
}

const INFO_ORDER: [&str; 15] = [
    "id",
    "decentralized_counters",
    "read_concurrency",
    "write_concurrency",
    "compressed",
    "memory",
    "owner",
    "heir",
    "name",
    "size",
    "node",
    "named_table",
    "type",
    "keypos",
    "protection",
];

fn info_item(p: &mut Process, t: &Table, item: &str) -> Result<Term, Fault> {
    Ok(match item {
        "id" => make_ref(&mut p.heap, t.id),
        "decentralized_counters" => Term::boolean(t.decentralized_counters),
        "read_concurrency" => Term::boolean(t.read_concurrency),
        "write_concurrency" => match t.write_concurrency {
            WriteConcurrency::Auto => atom("auto"),
            w => Term::boolean(w == WriteConcurrency::On),
        },
        "compressed" => Term::boolean(t.compressed),
        "memory" => make_i64(&mut p.heap, t.memory_words() as i64),
        "owner" => t.owner(),
        "heir" => t.heir.lock().as_ref().map_or(atom("none"), |h| h.pid),
        "name" => Term::atom(t.name()),
        "size" => make_i64(&mut p.heap, t.size() as i64),
        "node" => Term::atom(crate::node::name()),
        "named_table" => Term::boolean(t.named),
        "type" => atom(t.kind.atom_name()),
        "keypos" => Term::small(t.keypos as i64),
        "protection" => atom(t.protection().atom_name()),
        "fixed" => Term::boolean(t.is_fixed()),
        "safe_fixed" | "safe_fixed_monotonic_time" => {
            let f = t.fixations.lock();
            let Some((mono, now)) = f.since else {
                return Ok(Term::FALSE);
            };
            let by: Vec<(Term, u32)> = f.by.clone();
            drop(f);
            let when = if item == "safe_fixed" {
                let parts = [Term::small(now.0), Term::small(now.1), Term::small(now.2)];
                make_tuple(&mut p.heap, &parts)
            } else {
                make_i64(&mut p.heap, mono)
            };
            let pairs: Vec<Term> = by
                .iter()
                .map(|&(pid, n)| make_tuple(&mut p.heap, &[pid, Term::small(n as i64)]))
                .collect();
            let l = list_from_iter(&mut p.heap, &pairs, Term::NIL);
            make_tuple(&mut p.heap, &[when, l])
        }
        "stats" => {
            // The reference's hash statistics; oxbeam's index has no chains to describe.
            return Err(BADARG);
        }
        _ => return Err(BADARG),
    })
}

fn info1(p: &mut Process, a: &[Term]) -> BifResult {
    if !(a[0].is_atom() || is_ref(a[0])) {
        return Err(Fault::badarg_cause(atom("type")));
    }
    let Some(t) = ets::lookup(a[0]) else {
        return Ok(Term::atom(am::UNDEFINED));
    };
    let mut items = Vec::with_capacity(INFO_ORDER.len());
    for name in INFO_ORDER {
        let v = info_item(p, &t, name)?;
        items.push(make_tuple(&mut p.heap, &[atom(name), v]));
    }
    Ok(list_from_iter(&mut p.heap, &items, Term::NIL))
}

fn info2(p: &mut Process, a: &[Term]) -> BifResult {
    if !(a[0].is_atom() || is_ref(a[0])) {
        return Err(Fault::badarg_cause(atom("type")));
    }
    let item = a[1].as_atom().ok_or(BADARG)?;
    let Some(t) = ets::lookup(a[0]) else {
        return Ok(Term::atom(am::UNDEFINED));
    };
    if item.name() == "binary" {
        // The reference's Erlang code walks the table with erts_internal's helpers.
        let args = list_from_iter(&mut p.heap, &[a[0]], Term::NIL);
        return Err(crate::bif::Fault::Trap(crate::bif::Trap::Apply {
            module: atom("erts_internal"),
            function: atom("ets_info_binary"),
            args,
        }));
    }
    info_item(p, &t, item.name())
}

pub fn register() {
    reg("ets", "new", 2, new);
    reg("ets", "delete", 1, delete1);
    reg("ets", "whereis", 1, whereis);
    reg("ets", "rename", 2, rename);
    reg("ets", "give_away", 3, give_away);
    reg("ets", "setopts", 2, setopts);
    reg("ets", "safe_fixtable", 2, safe_fixtable);
    reg("ets", "internal_request_all", 0, internal_request_all);
    reg("ets", "info", 1, info1);
    reg("ets", "info", 2, info2);
}
