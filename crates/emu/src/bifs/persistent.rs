//! `persistent_term`: a global table of terms that `get` returns without copying.
//!
//! Stored terms are copied into the literal arena (which the collector never moves or
//! copies), exactly why the reference stores them as literals. Terms replaced or erased
//! are not reclaimed yet (noted in docs/compatibility.md).

use super::reg;
use crate::bif::{BifFn, BifResult, Fault, BADARG};
use crate::compare::eq_exact;
use crate::literal::LiteralHeap;
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::Term;
use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Buckets keyed by a structural hash of the key; entries compared with `=:=`.
type Table = HashMap<u64, Vec<(Term, Term)>>;

struct Shared(RwLock<Table>);
// SAFETY: the terms in the table live in the immutable literal arena.
unsafe impl Sync for Shared {}
unsafe impl Send for Shared {}

fn table() -> &'static RwLock<Table> {
    static T: OnceLock<Shared> = OnceLock::new();
    &T.get_or_init(|| Shared(RwLock::new(HashMap::new()))).0
}

/// A hash that is equal for `=:=`-equal terms.
fn key_hash(t: Term) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    crate::print::format_term(t, crate::print::Style::Write).hash(&mut h);
    h.finish()
}

fn lookup(key: Term) -> Option<Term> {
    let t = table().read();
    t.get(&key_hash(key))?
        .iter()
        .find(|(k, _)| eq_exact(*k, key))
        .map(|(_, v)| *v)
}

fn get1(_p: &mut Process, a: &[Term]) -> BifResult {
    lookup(a[0]).ok_or(BADARG)
}

fn get2(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(lookup(a[0]).unwrap_or(a[1]))
}

fn put(_p: &mut Process, a: &[Term]) -> BifResult {
    let k = copy_term(&mut LiteralHeap, a[0]);
    let v = copy_term(&mut LiteralHeap, a[1]);
    let mut t = table().write();
    let bucket = t.entry(key_hash(a[0])).or_default();
    match bucket.iter_mut().find(|(bk, _)| eq_exact(*bk, k)) {
        Some(e) => e.1 = v,
        None => bucket.push((k, v)),
    }
    Ok(Term::atom(am::OK))
}

fn erase(_p: &mut Process, a: &[Term]) -> BifResult {
    let mut t = table().write();
    let h = key_hash(a[0]);
    let Some(bucket) = t.get_mut(&h) else {
        return Ok(Term::FALSE);
    };
    match bucket.iter().position(|(k, _)| eq_exact(*k, a[0])) {
        Some(i) => {
            bucket.remove(i);
            Ok(Term::TRUE)
        }
        None => Ok(Term::FALSE),
    }
}

fn get0(p: &mut Process, _a: &[Term]) -> BifResult {
    let pairs: Vec<(Term, Term)> = table().read().values().flatten().copied().collect();
    let items: Vec<Term> = pairs
        .iter()
        .map(|&(k, v)| make_tuple(&mut p.heap, &[k, v]))
        .collect();
    Ok(list_from_iter(&mut p.heap, &items, Term::NIL))
}

fn info(p: &mut Process, _a: &[Term]) -> BifResult {
    let (count, words) = {
        let t = table().read();
        let count = t.values().map(|b| b.len()).sum::<usize>();
        let words: usize = t
            .values()
            .flatten()
            .map(|&(k, v)| size_of_term(k) + size_of_term(v))
            .sum();
        (count, words)
    };
    let c = make_tuple(
        &mut p.heap,
        &[
            Term::atom(oxbeam_term::Atom::from_str("count")),
            Term::small(count as i64),
        ],
    );
    let m = make_tuple(
        &mut p.heap,
        &[Term::atom(am::MEMORY), Term::small((words * 8) as i64)],
    );
    let _: Option<Fault> = None;
    Ok(crate::map::from_pairs(
        &mut p.heap,
        &[
            (tuple_get(c, 0), tuple_get(c, 1)),
            (tuple_get(m, 0), tuple_get(m, 1)),
        ],
    ))
}

/// Erases every persistent term (`erts_internal:erase_persistent_terms/0`, which the
/// reference's `erl_init` calls at a restart).
pub fn erase_all() {
    table().write().clear();
}

pub fn register() {
    let list: &[(&str, u32, BifFn)] = &[
        ("get", 1, get1),
        ("get", 2, get2),
        ("put", 2, put),
        ("erase", 1, erase),
        ("get", 0, get0),
        ("info", 0, info),
    ];
    for &(f, a, fun) in list {
        reg("persistent_term", f, a, fun);
    }
}
