//! "Magic" references: references that also name a VM-owned object shared by every
//! process that holds them (the arrays behind `atomics` and `counters`, code prepared by
//! `erlang:prepare_loading/2`).
//!
//! A magic reference is an ordinary reference object with one extra word after its id:
//! the raw address of its [`Magic`] object (`term_words` does not trace it). Everything
//! that looks only at the id (comparison, hashing, printing, encoding) treats it as any
//! other reference; [`magic_of`] reads the object back in constant time, without a lock.
//!
//! The objects are never freed: there are no GC-tracked resource terms yet, so nothing
//! knows when the last reference to one is gone. Each is leaked on purpose and also
//! listed in a registry by id, so that a reference decoded from the external format
//! (`binary_to_term(term_to_binary(Ref))`) names its object again, as in the reference.

use crate::object::{header, word, Alloc};
use oxbeam_term::header::{make_header, SUBTAG_REF};
use oxbeam_term::Term;
use parking_lot::Mutex;
use std::sync::atomic::AtomicU64;

/// Set in the id of every magic reference (timer references use bit 63, ordinary ones
/// count up from 1), so that only these ids are looked up in the registry.
const MAGIC_REF_FLAG: u64 = 1 << 62;

/// An object named by a magic reference.
pub enum Magic {
    Atomics(AtomicsArray),
    Counters(CounterArray),
    Prepared(PreparedCode),
}

/// A module prepared by `erlang:prepare_loading/2`, until `finish_loading/1` loads it
/// (it is taken out then: a prepared code reference loads once). One never loaded stays
/// allocated (see the module comment).
pub struct PreparedCode {
    pub module: oxbeam_term::Atom,
    pub has_on_load: bool,
    pub code: Mutex<Option<std::sync::Arc<crate::code::Module>>>,
}

/// The cells of `atomics:new/2`: 64-bit words, read as signed or unsigned.
pub struct AtomicsArray {
    pub signed: bool,
    pub cells: Box<[AtomicU64]>,
}

/// One cache line of counter cells.
#[repr(align(64))]
pub struct Line(pub [AtomicU64; 8]);

/// The cells of `counters:new(N, [write_concurrency])`: one row of `size` cells per
/// scheduler plus one for other threads, each row starting on its own cache line, so
/// that schedulers adding at the same time do not contend. A counter's value is the
/// (wrapping) sum of its cells across the rows.
pub struct CounterArray {
    pub size: usize,
    pub rows: usize,
    pub lines_per_row: usize,
    pub lines: Box<[Line]>,
}

impl CounterArray {
    /// The cell of counter `ix` (0-based) in row `row`.
    #[inline]
    pub fn cell(&self, row: usize, ix: usize) -> &AtomicU64 {
        &self.lines[row * self.lines_per_row + ix / 8].0[ix % 8]
    }
}

fn registry() -> &'static Mutex<Vec<&'static Magic>> {
    static R: Mutex<Vec<&'static Magic>> = Mutex::new(Vec::new());
    &R
}

/// Registers `m` (leaking it: see the module comment) and returns its reference id.
pub fn register(m: Magic) -> (u64, &'static Magic) {
    let m: &'static Magic = Box::leak(Box::new(m));
    let mut r = registry().lock();
    let id = MAGIC_REF_FLAG | r.len() as u64;
    r.push(m);
    (id, m)
}

/// Builds the magic reference `id` naming `m`.
pub fn make_magic_ref<A: Alloc + ?Sized>(a: &mut A, id: u64, m: &'static Magic) -> Term {
    let p = a.alloc_words(3);
    // SAFETY: three fresh words.
    unsafe {
        *p = make_header(SUBTAG_REF, 2);
        *p.add(1) = Term(id);
        *p.add(2) = Term(m as *const Magic as u64);
    }
    Term::make_boxed(p)
}

/// The object a magic reference names (None for any other term).
#[inline]
pub fn magic_of(t: Term) -> Option<&'static Magic> {
    if !t.is_boxed() || header(t) != make_header(SUBTAG_REF, 2) {
        return None;
    }
    let p = word(t, 2).0 as *const Magic;
    // SAFETY: only `make_magic_ref` builds references with two words after the header,
    // and it stores the address of a `Magic` leaked by `register`, which lives forever.
    Some(unsafe { &*p })
}

/// The object of the magic reference with id `id`, if there is one (for decoding).
pub fn by_id(id: u64) -> Option<&'static Magic> {
    if id & (3 << 62) != MAGIC_REF_FLAG {
        return None;
    }
    registry()
        .lock()
        .get((id & !MAGIC_REF_FLAG) as usize)
        .copied()
}

/// A reference with id `id`: the magic reference if `id` names a magic object.
pub fn make_ref_by_id<A: Alloc + ?Sized>(a: &mut A, id: u64) -> Term {
    match by_id(id) {
        Some(m) => make_magic_ref(a, id, m),
        None => crate::object::make_ref(a, id),
    }
}
