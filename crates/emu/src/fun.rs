//! Fun objects: local funs (a fun entry plus captured environment) and external funs
//! (`fun m:f/a`, a pointer to an export entry).

use crate::code::{Export, FunEntry};
use crate::object::*;
use oxbeam_term::header::*;
use oxbeam_term::Term;

pub fn entry_of(t: Term) -> &'static FunEntry {
    // SAFETY: word 1 of a local fun is a pointer to a leaked (immortal) FunEntry.
    unsafe { &*(word(t, 1).0 as *const FunEntry) }
}

pub fn export_of(t: Term) -> &'static Export {
    // SAFETY: word 1 of an export fun is a pointer to a leaked (immortal) Export.
    unsafe { &*(word(t, 1).0 as *const Export) }
}

/// The captured environment of a local fun.
pub fn env<'a>(t: Term) -> &'a [Term] {
    let n = header_arity(header(t)) - 1;
    // SAFETY: a fun's header is followed by the entry pointer and `n` env words.
    unsafe { std::slice::from_raw_parts(t.boxed_ptr().add(2), n) }
}

/// The arity a fun is called with.
pub fn fun_arity(t: Term) -> u32 {
    if is_export(t) {
        export_of(t).arity
    } else {
        entry_of(t).arity()
    }
}

pub fn make_fun<A: Alloc + ?Sized>(a: &mut A, entry: &'static FunEntry, env: &[Term]) -> Term {
    let p = a.alloc_words(2 + env.len());
    // SAFETY: 2+n fresh words.
    unsafe {
        *p = make_header(SUBTAG_FUN, 1 + env.len());
        *p.add(1) = Term(entry as *const FunEntry as u64);
        std::ptr::copy_nonoverlapping(env.as_ptr(), p.add(2), env.len());
    }
    Term::make_boxed(p)
}

pub fn make_export_fun<A: Alloc + ?Sized>(a: &mut A, e: &'static Export) -> Term {
    let p = a.alloc_words(2);
    // SAFETY: two fresh words.
    unsafe {
        *p = make_header(SUBTAG_EXPORT, 1);
        *p.add(1) = Term(e as *const Export as u64);
    }
    Term::make_boxed(p)
}
