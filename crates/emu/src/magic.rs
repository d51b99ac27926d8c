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
//!
//! Objects whose end their subsystem knows (a file handle is closed, a buffer's creator
//! exits) are [`Recycled`] instead: the same object serves one resource after another,
//! each use under a reference id of its own, so that a reference of an earlier use finds
//! the id changed and is told apart. Those are not in the registry: a reference to one
//! decoded from the external format is an ordinary reference.

use crate::object::{header, word, Alloc};
use oxbeam_term::header::{make_header, SUBTAG_REF};
use oxbeam_term::Term;
use parking_lot::{MappedMutexGuard, Mutex, MutexGuard};
use std::sync::atomic::AtomicU64;

/// Set in the id of every magic reference (timer references use bit 63, ordinary ones
/// count up from 1), so that only these ids are looked up in the registry.
const MAGIC_REF_FLAG: u64 = 1 << 62;

/// An object named by a magic reference.
pub enum Magic {
    Atomics(AtomicsArray),
    Counters(CounterArray),
    /// A `prim_file` file handle.
    File(Recycled<crate::bifs::prim_file::FileState>),
    /// A `prim_buffer` buffer.
    Buffer(Recycled<crate::bifs::prim_buffer::BufferState>),
    Prepared(PreparedCode),
}

/// Set in the ids of references naming [`Recycled`] objects (with a fresh reference
/// number below it, so that they are unique among all references).
const RECYCLED_REF_FLAG: u64 = 1 << 61;

/// A magic object that serves one resource after another: the current one's reference
/// id and its state (`None` between uses).
pub struct Recycled<T> {
    slot: Mutex<(u64, Option<T>)>,
}

impl<T> Recycled<T> {
    pub const fn new() -> Recycled<T> {
        Recycled {
            slot: Mutex::new((0, None)),
        }
    }

    /// Makes this (free) object serve the resource named by `id`, in state `value`.
    pub fn install(&self, id: u64, value: T) {
        *self.slot.lock() = (id, Some(value));
    }

    /// The state of the resource named by reference id `id`, locked; `None` if that
    /// resource is gone (the object is free or serves another one).
    pub fn lock(&self, id: u64) -> Option<MappedMutexGuard<'_, T>> {
        let g = self.slot.lock();
        if g.0 != id || g.1.is_none() {
            return None;
        }
        MutexGuard::try_map(g, |s| s.1.as_mut()).ok()
    }

    /// Ends the resource named by `id` (if it is still the current one), returning its
    /// state; the object can then be given back to its [`Pool`].
    pub fn retire(&self, id: u64) -> Option<T> {
        let mut g = self.slot.lock();
        if g.0 != id {
            return None;
        }
        g.0 = 0;
        g.1.take()
    }
}

impl<T> Default for Recycled<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The free [`Recycled`] objects of one kind.
pub struct Pool {
    free: Mutex<Vec<&'static Magic>>,
}

impl Pool {
    pub const fn new() -> Pool {
        Pool {
            free: Mutex::new(Vec::new()),
        }
    }

    /// A free object (a new one made by `new` if there is none) and a fresh reference
    /// id for the resource it is going to serve.
    pub fn take(&self, new: impl FnOnce() -> Magic) -> (u64, &'static Magic) {
        let id = crate::bifs::erlang::next_ref_id() | RECYCLED_REF_FLAG;
        let m = match self.free.lock().pop() {
            Some(m) => m,
            None => Box::leak(Box::new(new())),
        };
        (id, m)
    }

    /// Makes `m` available again (its resource was retired).
    pub fn give_back(&self, m: &'static Magic) {
        self.free.lock().push(m);
    }
}

impl Default for Pool {
    fn default() -> Self {
        Self::new()
    }
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
